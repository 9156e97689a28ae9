#!/usr/bin/env bash
# Runs every config in configs/ on two commits and compares their outputs field by field (wall times excepted).
# The refactoring check of the redesign: "a refactor changes no number".
#
# Usage: scripts/compare-outputs.sh [--hunt-cases N] [--keep DIR] [--skip GLOB]... BEFORE [AFTER]
#   BEFORE, AFTER   git commits (AFTER defaults to the work tree as it is, uncommitted changes included)
#   --hunt-cases N  hunts run their first N cases only (default 120; hunt-stacks runs N/4)
#   --keep DIR      keep the outputs in DIR/<label>/<config>/ (default: a temporary folder, printed at the end)
#   --skip GLOB     leave out the configs whose name matches GLOB (repeatable; e.g. 'heat-digits-*', which run for hours)
# A commit's outputs are cached in DIR/<sha>-<hunt cases>/ and reused when that folder is complete.
# Each tree runs its own copy of each config, and only configs present in both trees are run (a config added after
# BEFORE cannot be compared; one whose fields changed between the commits shows its differences in the comparison).
# Exit code 0 when every compared value is identical, 1 when any differs, 2 on a usage or build error.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
hunt_cases=120
keep=""
skips=()
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --hunt-cases) hunt_cases="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --skip) skips+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [[ ${#args[@]} -lt 1 || ${#args[@]} -gt 2 ]]; then sed -n '4,9p' "$0" >&2; exit 2; fi
keep="${keep:-$(mktemp -d)}"
mkdir -p "$keep"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# run_all LABEL SOURCE_TREE: builds the runner in SOURCE_TREE and runs every config into $keep/LABEL.
run_all() {
  local label="$1" tree="$2" out="$keep/$1"
  if [[ -f "$out/.complete" ]]; then echo "compare: reusing $out"; return; fi
  rm -rf "$out"; mkdir -p "$out/configs"
  # configs name fixtures relative to their folder (../tests/fixtures/…): the copies in $out/configs see the tree's
  ln -sfn "$tree/tests" "$out/tests"
  # and the configs' own subfolders (weights/, networks/, …) that configs name relative to configs/
  for sub in "$tree"/configs/*/; do [[ -d "$sub" ]] && cp -r "$sub" "$out/configs/"; done
  echo "compare: building $label"
  dotnet build "$tree/src/Runner/ResidualSheaf.Runner.csproj" -c Release --nologo -v quiet >"$out/build.log" 2>&1 \
    || { cat "$out/build.log" >&2; echo "compare: build of $label failed" >&2; exit 2; }
  local dll="$tree/src/Runner/bin/Release/net10.0/runner.dll"
  for cfg in "$tree"/configs/*.json; do
    local base; base="$(basename "$cfg" .json)"
    if [[ -n "$common" && " $common " != *" $base "* ]]; then continue; fi
    if [[ "$base" == hunt-* ]]; then
      local n="$hunt_cases"; [[ "$base" == hunt-stacks ]] && n=$(( hunt_cases / 4 ))
      python3 - "$cfg" "$out/configs/$base.json" "$n" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["cases"] = int(sys.argv[3]); json.dump(c, open(sys.argv[2], "w"), indent=2)
PY
      echo "compare: $label hunt $base ($n cases)"
      (cd "$tree" && dotnet "$dll" hunt --config "$out/configs/$base.json" --threads 2 --out "$out/$base" >"$out/$base.log" 2>&1) || echo "compare: $base exited $?" | tee -a "$out/exit-codes.txt"
    else
      cp "$cfg" "$out/configs/$base.json"
      echo "compare: $label $base"
      (cd "$tree" && dotnet "$dll" --config "$out/configs/$base.json" --out "$out/$base" >"$out/$base.log" 2>&1) || echo "compare: $base exited $?" | tee -a "$out/exit-codes.txt"
    fi
  done
  touch "$out/.complete"
}

# tree_of REF: a clean worktree at REF (cached by sha).
tree_of() {
  local sha; sha="$(git -C "$repo" rev-parse "$1")"
  local dir="$keep/tree-$sha"
  if [[ ! -d "$dir" ]]; then
    # a worktree whose folder was deleted by hand is still registered: prune, or the add fails
    git -C "$repo" worktree prune
    git -C "$repo" worktree add --detach "$dir" "$sha" >/dev/null 2>&1 || { echo "compare: no worktree for $1 at $dir" >&2; exit 2; }
  fi
  echo "$dir"
}

# config_names TREE: the names of the tree's configs, one line each.
config_names() {
  local f base g
  for f in "$1"/configs/*.json; do
    base="$(basename "$f" .json)"
    for g in "${skips[@]+"${skips[@]}"}"; do
      # shellcheck disable=SC2053 # GLOB is a pattern on purpose
      [[ "$base" == $g ]] && continue 2
    done
    echo "$base"
  done
}

before_sha="$(git -C "$repo" rev-parse --short "${args[0]}")"
before_tree="$(tree_of "${args[0]}")"
if [[ ${#args[@]} -eq 2 ]]; then
  after_label="$(git -C "$repo" rev-parse --short "${args[1]}")-$hunt_cases"; after_tree="$(tree_of "${args[1]}")"
else
  after_label="worktree-$(basename "$repo")-$hunt_cases"; rm -rf "$keep/$after_label"; after_tree="$repo"
fi
common="$(comm -12 <(config_names "$before_tree" | sort) <(config_names "$after_tree" | sort) | tr '\n' ' ')"
echo "compare: configs in both trees: $common"
run_all "$before_sha-$hunt_cases" "$before_tree"
run_all "$after_label" "$after_tree"
python3 "$repo/scripts/compare_outputs.py" "$keep/$before_sha-$hunt_cases" "$keep/$after_label"
