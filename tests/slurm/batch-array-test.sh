#!/usr/bin/env bash
# The Slurm test of batch runs (run by .ci/run after hunt-array-test.sh): starts a single-node Slurm here, submits
# tests/slurm/batch-slurm-test.json through `runner --config … --slurm` as a 3-task array with its merge job, checks the merged
# folder against the same batch run in one process, then loses part of one shard (as a task killed mid-run leaves it) and checks
# that a re-submission runs only that shard, keeps its finished rows and merges again. Also: a partition sbatch refuses is exit 2
# with nothing left queued. Stops the daemons it started on every exit path; skips (exit 0, with a message) only when Slurm is
# missing and this machine cannot install packages. About a minute.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source tests/slurm/local-slurm.sh

work=$(mktemp -d /tmp/rs-slurm-batch-XXXXXX)
slurm_test_traps "slurm batch test" batch
slurm_test_runner
config=$root/tests/slurm/batch-slurm-test.json
base=$work/batch

slurm_install_or_skip
command -v python3 >/dev/null || apt-get install -y -qq python3 >/dev/null || fail "python3 is missing and could not be installed"

step "starting munged, slurmctld and slurmd"
slurm_start "$work/slurm"

step "a partition sbatch refuses is exit 2 and leaves nothing submitted"
set +e
out=$("${runner[@]}" --config "$config" --slurm --out "$work/bad" --partition no-such-partition 2>&1)
code=$?
set -e
[[ $code -eq 2 ]] || fail "expected exit 2, got $code: $out"
grep -q "sbatch refused the array job" <<<"$out" || fail "message does not say sbatch refused: $out"
[[ -z $(squeue -h -o %i) ]] || fail "jobs left in the queue: $(squeue)"
[[ ! -e $work/bad/slurm/submissions.jsonl ]] || fail "a submission was recorded"

step "submitting the batch as a 3-task array and a merge job"
out=$("${runner[@]}" --config "$config" --slurm --out "$base")
echo "$out"
array=$(submitted_ids 1 <<<"$out") merge=$(submitted_ids 2 <<<"$out")
[[ -n $array && -n $merge ]] || fail "no job ids in the runner's output"
grep -q '^#SBATCH --array=0-2$' "$base/slurm/batch-array.sbatch" || fail "the array script does not cover tasks 0-2"
wait_gone "$array,$merge" 600
[[ $(job_state "$merge") == COMPLETED ]] || fail "merge job $merge is $(job_state "$merge")"
[[ -f $base/merged/batch.csv && -f $base/merged/summary.json && -d $base/merged/traces/input-5 ]] || fail "merged/ is incomplete"

step "the same batch in one process"
"${runner[@]}" --config "$config" --threads 2 --out "$work/single" >/dev/null

# batch.csv of two folders: the same inputs 0..299 once each, every column but wall_time_s equal; energy.csv byte for byte.
compare() {
  python3 - "$1/batch.csv" "$work/single/batch.csv" <<'PY'
import csv, sys
def rows(path):
    out = {}
    for r in csv.DictReader(open(path, newline="")):
        i = int(r["input"])
        assert i not in out, f"{path}: input {i} twice"
        r.pop("wall_time_s")  # the only column allowed to differ between runs
        out[i] = r
    return out
merged, single = rows(sys.argv[1]), rows(sys.argv[2])
assert sorted(merged) == list(range(300)), f"merged holds {len(merged)} inputs, not 0..299"
diff = [i for i in merged if merged[i] != single[i]]
assert not diff, f"{len(diff)} rows differ, first: input {diff[0]}: {merged[diff[0]]} vs {single[diff[0]]}"
print(f"  merged == single process: {len(merged)} rows, every column but wall_time_s identical")
PY
  cmp -s "$1/energy.csv" "$work/single/energy.csv" || fail "$1/energy.csv differs from the single-process run's"
}
compare "$base/merged"

step "shard 1 loses its summary and its last 40 rows (a task killed mid-run); the re-submission runs only shard 1"
shard1=$base/shards/shard-1-of-3
kept=$work/shard1-kept.csv
head -n 61 "$shard1/batch.csv" >"$kept"
cp "$kept" "$shard1/batch.csv"
rm "$shard1/summary.json"
rm -r "$base/merged"
out=$("${runner[@]}" --config "$config" --slurm --out "$base")
echo "$out"
grep -q 'to run: shard(s) 1 (1 of them partly done)' <<<"$out" || fail "re-submission does not run exactly shard 1"
grep -q '^#SBATCH --array=1$' "$base/slurm/batch-array.sbatch" || fail "the re-submitted array is not task 1 alone"
array=$(submitted_ids 1 <<<"$out") merge=$(submitted_ids 2 <<<"$out")
wait_gone "$array,$merge" 600
[[ $(job_state "$merge") == COMPLETED ]] || fail "merge job $merge is $(job_state "$merge")"
cmp -s "$kept" <(head -n 61 "$shard1/batch.csv") || fail "rows shard 1 finished before the loss changed"
grep -q "60 already done" "$shard1/batch.log" || fail "the resumed task did not keep the 60 finished inputs"
compare "$base/merged"

step "a third submission finds nothing to do"
out=$("${runner[@]}" --config "$config" --slurm --out "$base")
grep -q 'is complete' <<<"$out" || fail "third submission did not report completion: $out"
[[ -z $(squeue -h -o %i) ]] || fail "jobs left in the queue"

echo "slurm batch test: passed"
