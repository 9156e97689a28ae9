#!/usr/bin/env bash
# Runs the whole test suite from source: restore, build (including the TorchSharp native fix-up), test.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Golden").
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results="$(mktemp -d)"
status=0
dotnet test ResidualSheaf.sln -c Release --nologo --logger "trx;LogFileName=tests.trx" --results-directory "$results" "$@" || status=$?
trx="$(find "$results" -name '*.trx' | head -n 1)"
if [[ -n "$trx" ]]; then
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  passed="$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")"
  failed="$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")"
  echo "tests: ${passed} passed, ${failed} failed"
fi
rm -rf "$results"
exit "$status"
