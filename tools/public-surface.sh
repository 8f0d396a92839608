#!/usr/bin/env bash
# Counts the public declarations of each module (lines that declare something `public` or
# `open`; `public import` lines not counted) and its `package` declarations (`package import`
# lines not counted) at a commit (default: the work tree), e.g.
#   bash tools/public-surface.sh            # the work tree
#   bash tools/public-surface.sh 21a2f33    # an earlier commit
# A rough but repeatable measure of each module's surface for docs/DESIGN-NOTES.md.
set -euo pipefail
cd "$(dirname "$0")/.."
commit="${1:-}"
# The module folders are the `path:`s of the root package's source targets.
modules=$(grep -oE 'path: "(Sources|apps)/[^"]+"' Package.swift | sed -E 's/path: "(.*)"/\1/')
printf '%-28s %7s %8s\n' module public package
for dir in $modules; do
  dir=${dir%/}
  if [ -n "$commit" ]; then
    files=$(git ls-tree -r --name-only "$commit" -- "$dir" | grep '\.swift$' || true)
    [ -z "$files" ] && continue
    text=$(for f in $files; do git show "$commit:$f"; done)
  else
    files=$(find "$dir" -name '*.swift' 2>/dev/null)
    [ -z "$files" ] && continue
    text=$(cat $files)
  fi
  count() { grep -cE "^\\s*(@[A-Za-z_]+(\\([^)]*\\))?\\s+)*($1)\\s" <<<"$text" || true; }
  imports() { grep -cE "^\\s*($1)\\s+import\\s" <<<"$text" || true; }
  printf '%-28s %7d %8d\n' "$(basename "$dir")" $(($(count 'public|open') - $(imports 'public|open'))) \
    $(($(count package) - $(imports package)))
done
