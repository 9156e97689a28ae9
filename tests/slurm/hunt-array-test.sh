#!/usr/bin/env bash
# The Slurm job-array test (run by .ci/run): starts a single-node Slurm here, submits tests/slurm/hunt-slurm-test.json through
# `runner hunt --slurm` as a 4-task array, cancels one task mid-run, re-submits, and checks the merged results against the same
# hunt run in one process. Also checks the refusals: no Slurm on PATH, a bad partition, a bad time limit.
# Stops the daemons it started on every exit path. Skips (exit 0, with a message) only when Slurm is missing and this machine
# cannot install packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source tests/slurm/local-slurm.sh

work=$(mktemp -d /tmp/rs-slurm-XXXXXX)
slurm_test_traps "slurm test" hunt

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
step "building the runner"
dotnet build src/Runner/ResidualSheaf.Runner.csproj -c Release --nologo -v quiet >/dev/null
dotnet_bin=$(command -v dotnet)
runner=("$dotnet_bin" "$root/src/Runner/bin/Release/net10.0/runner.dll")
config=$root/tests/slurm/hunt-slurm-test.json
base=$work/hunt

step "no Slurm on PATH is refused and writes nothing"
set +e
out=$(PATH=/nonexistent "${runner[@]}" hunt --slurm --config "$config" --out "$work/no-slurm" 2>&1)
code=$?
set -e
[[ $code -eq 2 ]] || fail "expected exit 2 without Slurm, got $code: $out"
grep -q "'sbatch' is not on PATH" <<<"$out" || fail "no-Slurm message does not name sbatch: $out"
[[ ! -e $work/no-slurm ]] || fail "a folder was written although Slurm is missing"

slurm_install_or_skip
# The result comparison below is a few lines of Python (csv module); Debian's python3 if the machine has none.
command -v python3 >/dev/null || apt-get install -y -qq python3 >/dev/null || fail "python3 is missing and could not be installed"

step "starting munged, slurmctld and slurmd"
slurm_start "$work/slurm"
sinfo

step "sbatch refusals are reported and nothing stays submitted"
for bad in "--partition no-such-partition" "--time not-a-time"; do
  set +e
  # shellcheck disable=SC2086
  out=$("${runner[@]}" hunt --slurm --config "$config" --out "$work/bad" $bad 2>&1)
  code=$?
  set -e
  [[ $code -eq 2 ]] || fail "$bad: expected exit 2, got $code: $out"
  grep -q "sbatch refused the array job" <<<"$out" || fail "$bad: message does not say sbatch refused: $out"
  echo "  $bad -> $(grep 'runner:' <<<"$out")"
  [[ -z $(squeue -h -o %i) ]] || fail "$bad: jobs left in the queue: $(squeue)"
  [[ ! -e $work/bad/slurm/submissions.jsonl ]] || fail "$bad: a submission was recorded"
done

step "submitting the hunt as a 4-task array"
out=$("${runner[@]}" hunt --slurm --config "$config" --out "$base")
echo "$out"
array=$(sed -n 's/^submitted: array=\([0-9]*\) merge=\([0-9]*\)$/\1/p' <<<"$out")
merge=$(sed -n 's/^submitted: array=\([0-9]*\) merge=\([0-9]*\)$/\2/p' <<<"$out")
[[ -n $array && -n $merge ]] || fail "no job ids in the runner's output"
grep -q '^#SBATCH --array=0-3$' "$base/slurm/hunt-array.sbatch" || fail "the array script does not cover tasks 0-3"

step "cancelling task 1 mid-run"
shard1=$base/shards/shard-1-of-4
for ((i = 0; i < 600; i++)); do
  if [[ -f $shard1/results.csv ]] && (($(wc -l <"$shard1/results.csv") > 6)); then break; fi
  sleep 0.2
done
scancel "${array}_1"
wait_gone "$array,$merge" 600
rows_at_cancel=$(($(wc -l <"$shard1/results.csv") - 1))
echo "  shard 1 had $rows_at_cancel of 100 rows when cancelled"
((rows_at_cancel >= 6 && rows_at_cancel < 100)) || fail "task 1 was not cancelled mid-run ($rows_at_cancel rows)"
[[ $(job_state "$merge") == CANCELLED ]] || fail "merge job $merge is $(job_state "$merge"), expected CANCELLED (dependency never satisfied)"
[[ ! -e $base/merged ]] || fail "merged/ exists although a task was cancelled"
# The rows finished before the cancel (up to the last complete line) must survive the re-submission unchanged.
kept=$work/shard1-kept.csv
head -n "$((rows_at_cancel + 1))" "$shard1/results.csv" >"$kept"

step "re-submitting: only shard 1 runs again"
out=$("${runner[@]}" hunt --slurm --config "$config" --out "$base")
echo "$out"
grep -q 'to run: shard(s) 1 (1 of them partly done)' <<<"$out" || fail "re-submission does not run exactly shard 1"
grep -q '^#SBATCH --array=1$' "$base/slurm/hunt-array.sbatch" || fail "the re-submitted array is not task 1 alone"
array2=$(sed -n 's/^submitted: array=\([0-9]*\) merge=\([0-9]*\)$/\1/p' <<<"$out")
merge2=$(sed -n 's/^submitted: array=\([0-9]*\) merge=\([0-9]*\)$/\2/p' <<<"$out")
wait_gone "$array2,$merge2" 900
[[ $(job_state "$merge2") == COMPLETED ]] || fail "merge job $merge2 is $(job_state "$merge2")"
[[ -f $base/merged/results.csv && -f $base/merged/summary.json && -f $base/merged/report.md ]] || fail "merged/ is incomplete"
cmp -s "$kept" <(head -n "$((rows_at_cancel + 1))" "$shard1/results.csv") || fail "rows shard 1 finished before the cancel changed"
grep -q "$rows_at_cancel already done" "$shard1/hunt.log" || fail "the resumed task did not keep the $rows_at_cancel finished cases"

step "the same hunt in one process"
"${runner[@]}" hunt --config "$config" --threads 2 --out "$work/single" >/dev/null

step "comparing merged results with the single-process run"
python3 - "$base/merged/results.csv" "$work/single/results.csv" <<'PY'
import csv, sys
def rows(path):
    out = {}
    for r in csv.DictReader(open(path, newline="")):
        case = int(r["case"])
        assert case not in out, f"{path}: case {case} twice"
        r.pop("wall_time_s")  # the only column allowed to differ between runs
        out[case] = r
    return out
merged, single = rows(sys.argv[1]), rows(sys.argv[2])
assert sorted(merged) == list(range(400)), f"merged holds {len(merged)} cases, not 0..399"
assert merged.keys() == single.keys()
diff = [c for c in merged if merged[c] != single[c]]
assert not diff, f"{len(diff)} rows differ, first: case {diff[0]}: {merged[diff[0]]} vs {single[diff[0]]}"
print(f"  merged == single process: {len(merged)} rows, every column but wall_time_s identical")
PY

step "the shipped template scripts/hunt.sbatch, submitted by hand as a 2-task array"
small=$work/small.json
sed -e 's/"cases": 400/"cases": 60/' -e 's/"name": "slurm-test"/"name": "slurm-template"/' "$config" >"$small"
tjob=$(sbatch --parsable --array=0-1 --output="$work/template-%A_%a.out" scripts/hunt.sbatch "$small" "$work/template")
wait_gone "${tjob%%;*}" 600
"${runner[@]}" hunt-merge --out "$work/template/merged" "$work/template/shards/shard-0-of-2" "$work/template/shards/shard-1-of-2" >/dev/null
python3 - "$work/template/merged/results.csv" "$work/single/results.csv" <<'PY'
import csv, sys
def rows(path):
    return {int(r["case"]): {k: v for k, v in r.items() if k != "wall_time_s"} for r in csv.DictReader(open(path, newline=""))}
t, single = rows(sys.argv[1]), rows(sys.argv[2])
assert sorted(t) == list(range(60)), sorted(t)
assert all(t[c] == single[c] for c in t), "template rows differ from the single-process rows"
print("  template array: 60 rows, equal to the single-process rows of the same cases")
PY

step "a third submission finds nothing to do"
out=$("${runner[@]}" hunt --slurm --config "$config" --out "$base")
grep -q 'is complete' <<<"$out" || fail "third submission did not report completion: $out"
[[ -z $(squeue -h -o %i) ]] || fail "jobs left in the queue"

echo "slurm test: passed"
