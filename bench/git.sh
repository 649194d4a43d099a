#!/usr/bin/env bash
# Benchmark: `vcscope ingest` of a Git repository against
# `git log --numstat --no-renames --format=%H`, in one run, on the same generated
# 20,000-commit history, both warm (page cache filled by warm-up runs).
#
#   bash bench/git.sh
#
# Targets (issue 4): vcscope's wall time <= 0.7x git's on 2 cores, peak RSS <= 512 MB,
# identical numbers (checked first). Needs git, python3, hyperfine (apt-get).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
. scripts/need.sh
need git:git python3:python3 hyperfine:hyperfine

commits=${COMMITS:-20000}
repo=$out/git-history-$commits
if [ ! -e "$repo/.done" ]; then
  echo "generating a $commits-commit history (once; kept in $repo)" >&2
  rm -rf "$repo"
  git init -q -b main "$repo"
  python3 bench/gen-history.py --commits "$commits" | git -C "$repo" fast-import --quiet
  git -C "$repo" gc -q --aggressive
  touch "$repo/.done"
fi
cargo build --release -q
bin=target/release/vcscope

# Same numbers first: totals and per-commit sums.
git -C "$repo" log --numstat --no-renames --format=@%H main |
  awk '/^@/ {id=substr($0,2); next} NF==3 {a[id]+=$1; r[id]+=$2} END {for (k in a) print k, a[k], r[k]}' | sort >"$out/git-ref.txt"
$bin ingest -q --rev main "$repo" -f csv | awk -F, 'NR>1 && $7>0 {print $1, $5, $6}' | sort >"$out/git-ours.txt"
if ! cmp -s "$out/git-ref.txt" "$out/git-ours.txt"; then
  echo "MISMATCH between vcscope and git log --numstat:" >&2
  diff "$out/git-ref.txt" "$out/git-ours.txt" | head >&2
  exit 1
fi
echo "numbers agree on $(wc -l <"$out/git-ref.txt") commits with changes" >&2

hyperfine -N --warmup 2 --runs "${RUNS:-5}" --export-json "$out/git.json" \
  -n "git log --numstat" "git -C $repo log --numstat --no-renames --format=%H main" \
  -n "vcscope ingest" "$bin ingest -q --rev main -o /dev/null $repo" >&2 \
  --output=null

rss_git=$(/usr/bin/time -f %M git -C "$repo" log --numstat --no-renames --format=%H main 2>&1 >/dev/null | tail -1)
rss_ours=$(/usr/bin/time -f %M "$bin" ingest -q --rev main "$repo" 2>&1 >/dev/null | tail -1)
python3 - "$out/git.json" "$rss_git" "$rss_ours" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
g, v = r["git log --numstat"], r["vcscope ingest"]
print(f"mean seconds: git log --numstat {g:.3f}, vcscope ingest {v:.3f}")
print(f"vcscope takes {v / g:.2f}x git's time (target <= 0.7x)")
print(f"peak RSS: git {int(sys.argv[2]) // 1024} MB, vcscope {int(sys.argv[3]) // 1024} MB (target <= 512 MB)")
PY
