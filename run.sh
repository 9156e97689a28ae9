#!/usr/bin/env bash
# Runs the runner from source: restores and builds (including the TorchSharp native fix-up) when the sources changed since
# the last build, then runs it in the caller's folder, so relative paths (--config, --out, output_root) mean what they say.
# Usage: ./run.sh --config configs/lab14-static.json [--out folder]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
bin="$repo/src/Runner/bin/Release/net10.0"
dll="$bin/runner.dll"
stamp="$bin/.run.sh-stamp"

# What the build depends on besides file contents: the commit and the dirty state (both are embedded in the runner).
tree_key() {
  { git -C "$repo" rev-parse HEAD 2>/dev/null || echo no-git
    git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null | sha1sum; } | tr '\n' ' '
}

# A build is needed unless a previous run.sh build left its stamp, the tree key is unchanged and no build input is newer.
needs_build() {
  [[ -f "$dll" && -f "$stamp" ]] || return 0
  [[ "$(cat "$stamp")" == "$1" ]] || return 0
  local newer
  newer="$(cd "$repo" && find src build Directory.Build.props Directory.Build.targets Directory.Packages.props global.json \
    \( -name bin -o -name obj \) -prune -o -type f -newer "$stamp" -print -quit 2>/dev/null)"
  [[ -n "$newer" ]]
}

key="$(tree_key)"
if needs_build "$key"; then
  if ! build_log="$(cd "$repo" && dotnet build src/Runner/ResidualSheaf.Runner.csproj -c Release --nologo -v quiet 2>&1)"; then
    echo "$build_log" >&2
    echo "run.sh: build failed" >&2
    exit 1
  fi
  printf '%s' "$key" >"$stamp"
fi
exec dotnet "$dll" "$@"
