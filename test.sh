#!/usr/bin/env bash
# Runs the test suite from source: restore, build (including the TorchSharp native fix-up), test, with a line per test as
# it finishes. Usage: ./test.sh [--quick] [dotnet test arguments…]
#   --quick   leave out the tests marked [Trait("Category", "Slow")] (real child processes, kills, long hunts): about two
#             minutes instead of the whole suite. CI (.ci/run) runs everything.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Golden"; not together with --quick).
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
args=()
if [[ "${1:-}" == "--quick" ]]; then
  shift
  args+=(--filter "Category!=Slow")
fi
results="$(mktemp -d)"
status=0
dotnet test ResidualSheaf.sln -c Release --nologo --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" "${args[@]}" "$@" || status=$?
trx="$(find "$results" -name '*.trx' | head -n 1)"
if [[ -n "$trx" ]]; then
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  passed="$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")"
  failed="$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")"
  echo "tests: ${passed} passed, ${failed} failed"
fi
rm -rf "$results"
exit "$status"
