#!/usr/bin/env bash
# The Slurm test of train sweeps (run by .ci/run after batch-array-test.sh): starts a single-node Slurm here, submits
# tests/slurm/sweep-slurm-test.json through `runner train-sweep --slurm` as a 3-task array with its merge job, checks the merged
# folder against the same sweep run in one process, then loses part of one shard (as a task killed mid-run leaves it) and checks
# that a re-submission runs only that shard, keeps its finished row and merges again. Stops the daemons it started on every exit
# path; skips (exit 0, with a message) only when Slurm is missing and this machine cannot install packages. No Python. Under a
# minute.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source tests/slurm/local-slurm.sh

work=$(mktemp -d /tmp/rs-slurm-sweep-XXXXXX)
slurm_test_traps "slurm sweep test" sweep
slurm_test_runner
config=$root/tests/slurm/sweep-slurm-test.json
base=$work/sweep

slurm_install_or_skip

step "starting munged, slurmctld and slurmd"
slurm_start "$work/slurm"

step "submitting the sweep (6 points) as a 3-task array and a merge job"
out=$("${runner[@]}" train-sweep --slurm --config "$config" --out "$base")
echo "$out"
array=$(submitted_ids 1 <<<"$out") merge=$(submitted_ids 2 <<<"$out")
[[ -n $array && -n $merge ]] || fail "no job ids in the runner's output"
grep -q '^#SBATCH --array=0-2$' "$base/slurm/sweep-array.sbatch" || fail "the array script does not cover tasks 0-2"
grep -q 'train-sweep --config' "$base/slurm/sweep-array.sbatch" || fail "the array script does not run train-sweep"
wait_gone "$array,$merge" 600
[[ $(job_state "$merge") == COMPLETED ]] || fail "merge job $merge is $(job_state "$merge")"
for f in sweep.csv baseline.csv table.csv summary.json beta-scaling.png; do
  [[ -f $base/merged/$f ]] || fail "merged/ has no $f"
done

step "the same sweep in one process"
"${runner[@]}" train-sweep --config "$config" --threads 2 --out "$work/single" >/dev/null

# Two sweep folders hold the same numbers: sweep.csv without its timing columns (14-15), baseline.csv without its (7-8), and
# table.csv byte for byte.
compare() {
  cmp -s <(cut -d, -f1-13 "$1/sweep.csv") <(cut -d, -f1-13 "$work/single/sweep.csv") || {
    diff <(cut -d, -f1-13 "$1/sweep.csv") <(cut -d, -f1-13 "$work/single/sweep.csv") >&2 || true
    fail "$1/sweep.csv differs from the single-process run's"
  }
  [[ $(wc -l <"$1/sweep.csv") -eq 7 ]] || fail "$1/sweep.csv does not hold 6 points"
  cmp -s <(cut -d, -f1-6 "$1/baseline.csv") <(cut -d, -f1-6 "$work/single/baseline.csv") || fail "$1/baseline.csv differs from the single-process run's"
  cmp -s "$1/table.csv" "$work/single/table.csv" || fail "$1/table.csv differs from the single-process run's"
  echo "  merged == single process: 6 points, every column but the timings identical"
}
compare "$base/merged"

step "shard 1 loses its summary and its last point (a task killed mid-run); the re-submission runs only shard 1"
shard1=$base/shards/shard-1-of-3
kept=$work/shard1-kept.csv
head -n 2 "$shard1/sweep.csv" >"$kept"
cp "$kept" "$shard1/sweep.csv"
rm "$shard1/summary.json"
rm -r "$base/merged"
out=$("${runner[@]}" train-sweep --slurm --config "$config" --out "$base")
echo "$out"
grep -q 'to run: shard(s) 1 (1 of them partly done)' <<<"$out" || fail "re-submission does not run exactly shard 1"
grep -q '^#SBATCH --array=1$' "$base/slurm/sweep-array.sbatch" || fail "the re-submitted array is not task 1 alone"
array=$(submitted_ids 1 <<<"$out") merge=$(submitted_ids 2 <<<"$out")
wait_gone "$array,$merge" 600
[[ $(job_state "$merge") == COMPLETED ]] || fail "merge job $merge is $(job_state "$merge")"
cmp -s "$kept" <(head -n 2 "$shard1/sweep.csv") || fail "the row shard 1 finished before the loss changed"
grep -q "1 points to run, 1 done" "$shard1/sweep.log" || fail "the resumed task did not keep its finished point"
compare "$base/merged"

step "a third submission finds nothing to do"
out=$("${runner[@]}" train-sweep --slurm --config "$config" --out "$base")
grep -q 'is complete' <<<"$out" || fail "third submission did not report completion: $out"
[[ -z $(squeue -h -o %i) ]] || fail "jobs left in the queue"

echo "slurm sweep test: passed"
