#!/usr/bin/env bash
# Counts the public declarations of each module (lines that declare something `public` or
# `open`; `public import` lines not counted) at a commit (default: the work tree), e.g.
#   bash tools/public-surface.sh            # the work tree
#   bash tools/public-surface.sh 21a2f33    # an earlier commit
# A rough but repeatable measure of each module's surface for docs/DESIGN-NOTES.md.
set -euo pipefail
cd "$(dirname "$0")/.."
commit="${1:-}"
# The module folders are the `path:`s of the root package's source targets.
modules=$(grep -oE 'path: "(Sources|apps)/[^"]+"' Package.swift | sed -E 's/path: "(.*)"/\1/')
printf '%-28s %s\n' module public
for dir in $modules; do
  dir=${dir%/}
  if [ -n "$commit" ]; then
    files=$(git ls-tree -r --name-only "$commit" -- "$dir" | grep '\.swift$' || true)
    [ -z "$files" ] && continue
    count=$(for f in $files; do git show "$commit:$f"; done | grep -cE '^\s*(@[A-Za-z_]+(\([^)]*\))?\s+)*(public|open)\s' || true)
    imports=$(for f in $files; do git show "$commit:$f"; done | grep -cE '^\s*(public|open)\s+import\s' || true)
  else
    files=$(find "$dir" -name '*.swift' 2>/dev/null)
    [ -z "$files" ] && continue
    count=$(cat $files | grep -cE '^\s*(@[A-Za-z_]+(\([^)]*\))?\s+)*(public|open)\s' || true)
    imports=$(cat $files | grep -cE '^\s*(public|open)\s+import\s' || true)
  fi
  printf '%-28s %d\n' "$(basename "$dir")" $((count - imports))
done
