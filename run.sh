#!/usr/bin/env bash
# Runs the runner from source: restores, builds (including the TorchSharp native fix-up), then runs.
# Usage: ./run.sh --config configs/lab14-static.json [--out folder]
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if ! build_log="$(dotnet build src/Runner/ResidualSheaf.Runner.csproj -c Release --nologo -v quiet 2>&1)"; then
  echo "$build_log" >&2
  echo "run.sh: build failed" >&2
  exit 1
fi
exec dotnet src/Runner/bin/Release/net10.0/runner.dll "$@"
