#!/usr/bin/env bash
# Time and memory of the trained digit's heat run to convergence (issue 19's target: ≤ 60 s wall and ≤ 2 GB on 2 cores).
# Runs a heat config (default configs/heat-digits-resnet-logits-tol1e-5.json) with the runner's Release build, then prints
# the status, switches, time to converge, distance to the limit, and the process's wall, CPU and peak memory, and the load
# average before and after (the team of krylov_threads spins: quote a run only from an otherwise idle machine).
# Usage: bench/digits-heat.sh [config] [runner.dll]
# KEEP_EVENTS=FILE copies events.csv there: two builds (or two tolerances) with the same events.csv took the same switches.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
config="${1:-$repo/configs/heat-digits-resnet-logits-tol1e-5.json}"
dll="${2:-$repo/src/Runner/bin/Release/net10.0/runner.dll}"
[[ -f "$dll" ]] || { echo "digits-heat: $dll not found (build first: dotnet build ResidualSheaf.sln -c Release)" >&2; exit 2; }
[[ -f "$config" ]] || { echo "digits-heat: config $config not found" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The config names its ONNX file relative to its own folder: the copy names it from there.
dir="$(cd "$(dirname "$config")" && pwd)"
copy="$work/config.json"
sed -E "s#\"onnx\"[[:space:]]*:[[:space:]]*\"([^/\"][^\"]*)\"#\"onnx\": \"$dir/\\1\"#" "$config" >"$copy"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "%e %U %S %M" -o "$work/time" dotnet "$dll" --config "$copy" --out "$work/out" >"$work/log" 2>&1 \
  || { cat "$work/log" >&2; exit 1; }
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
summary="$(find "$work/out" -name summary.json | head -n 1)"
python3 - "$summary" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"status {s['status']}, {s['switches']} switches, {s['sliding_episodes']} sliding, time_to_converge {s['time_to_converge']!r}, "
      f"final_distance_to_limit {s['final_distance_to_limit']!r}")
print(s["message"])
EOF
read -r wall user sys rss <"$work/time"
awk -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" 'BEGIN {
  printf "process: wall %.1f s, CPU %.1f s (user %.1f + sys %.1f), peak RSS %.0f MB\n", w, u + s, u, s, m / 1024 }'
if [[ -n "${KEEP_EVENTS:-}" ]]; then cp "$(dirname "$summary")/events.csv" "$KEEP_EVENTS"; echo "events.csv copied to $KEEP_EVENTS"; fi
