#!/usr/bin/env bash
# The seed post's pipeline, as a script: `cvsps -g` for the patchsets and their
# unified diffs, then diffstat on each patchset's diff. Prints one line per
# patchset: NUMBER<TAB>ADDED<TAB>REMOVED.
#
#   bash bench/seed-pipeline.sh CVSROOT MODULE
set -euo pipefail
root=$(realpath "$1")
module=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && HOME=$work TZ=UTC CVSROOT=$root CVSREADONLYFS=1 cvsps -x --norc -g "$module" >all.txt 2>cvsps.err)
cd "$work"
csplit -s -z -f ps all.txt '/^PatchSet /' '{*}'
for f in ps*; do
  n=$(sed -n 's/^PatchSet \([0-9]*\).*/\1/p' "$f" | head -1)
  [ -n "$n" ] || continue
  diffstat -t "$f" | awk -F, -v n="$n" 'NR > 1 { a += $1; d += $2 } END { printf "%s\t%d\t%d\n", n, a, d }'
done
