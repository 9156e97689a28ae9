#!/usr/bin/env bash
# Hunt throughput benchmark: runs the first N cases of a hunt config (default configs/hunt-stacks.json, N = 200) with no
# counterexample folders, then prints cases/min (wall), CPU seconds per case (user + sys of the whole process, and of the
# workers per phase from summary.json) and the load average before and after. On a shared machine quote CPU, not wall.
# Usage: bench/hunt-throughput.sh [cases] [config] [threads] [runner.dll]
# The rows of the hunt are those of the full hunt's first N cases (same master seed, same case ids): comparing results.csv of
# two builds checks that a speed change changed no number.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cases="${1:-200}"
config="${2:-$repo/configs/hunt-stacks.json}"
threads="${3:-2}"
dll="${4:-$repo/src/Runner/bin/Release/net10.0/runner.dll}"
[[ -f "$dll" ]] || { echo "hunt-throughput: $dll not found (build first: dotnet build ResidualSheaf.sln -c Release)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Same hunt, fewer cases and no folders (neither field is part of how a case is drawn).
sed -E -e "s/\"cases\"[[:space:]]*:[[:space:]]*[0-9]+/\"cases\": $cases/" \
       -e "s/\"counterexample_folders\"[[:space:]]*:[[:space:]]*[0-9]+/\"counterexample_folders\": 0/" "$config" >"$work/hunt.json"
grep -q "\"cases\": $cases" "$work/hunt.json" || { echo "hunt-throughput: no \"cases\" field in $config" >&2; exit 2; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "%e %U %S" -o "$work/time" dotnet "$dll" hunt --config "$work/hunt.json" --out "$work/out" --threads "$threads" >"$work/log" 2>&1 \
  || { cat "$work/log" >&2; exit 1; }
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
read -r wall user sys <"$work/time"
grep -E "Ran [0-9]+ cases|CPU per phase" "$work/out/hunt.log" | sed -E 's/^\[[^]]*\] //'
awk -v n="$cases" -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN {
  printf "process: %d cases, wall %.1f s (%.0f cases/min), CPU %.1f s (user %.1f + sys %.1f) = %.3f s per case, %.0f cases per CPU-minute\n",
    n, w, 60 * n / w, u + s, u, s, (u + s) / n, 60 * n / (u + s) }'
if [[ -n "${KEEP_RESULTS:-}" ]]; then cp "$work/out/results.csv" "$KEEP_RESULTS"; echo "results.csv copied to $KEEP_RESULTS"; fi
