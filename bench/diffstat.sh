#!/usr/bin/env bash
# Benchmark: vcscope's diff counting against `diffstat` and `wc -l`, in one run, on
# the same large unified diff (`git log -p` of a generated history, >= 100 MB).
#
#   bash bench/diffstat.sh            # prints timings and the ratios
#
# Targets (issue 3): at least 5x faster than diffstat, within 3x of wc -l.
# Needs git, diffstat, python3 and hyperfine (installed with apt-get when missing).
# Everything it makes goes to bench/out/ (ignored by git); the history is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"

. scripts/need.sh
need git:git diffstat:diffstat python3:python3 hyperfine:hyperfine

commits=${COMMITS:-34000}
repo=$out/history-$commits
diff=$out/log-p-$commits.diff
if [ ! -s "$diff" ]; then
  echo "generating a $commits-commit history (once; kept in $out)" >&2
  rm -rf "$repo"
  git init -q -b main "$repo"
  python3 bench/gen-history.py --commits "$commits" | git -C "$repo" fast-import --quiet
  git -C "$repo" log -p --no-renames --no-color main >"$diff.tmp"
  mv "$diff.tmp" "$diff"
fi
size=$(stat -c %s "$diff")
echo "input: $diff, $((size / 1000000)) MB, $(wc -l <"$diff") lines" >&2

cargo build --release -q
bin=target/release/vcscope

# Same numbers first: vcscope, diffstat and git's own numstat.
ours=$($bin stat --total "$diff" | cut -f1,2)
theirs=$(diffstat -t "$diff" | awk -F, 'NR>1 {a+=$1; r+=$2} END {print a "\t" r}')
git_ns=$(git -C "$repo" log --numstat --no-renames --format= main | awk '{a+=$1; r+=$2} END {print a "\t" r}')
echo "totals (added, removed): vcscope $ours | diffstat $theirs | git log --numstat $git_ns" >&2
if [ "$ours" != "$theirs" ] || [ "$ours" != "$git_ns" ]; then
  echo "MISMATCH: the tools disagree; timings would mean nothing" >&2
  exit 1
fi

hyperfine -N --warmup 2 --runs "${RUNS:-15}" --export-json "$out/diffstat.json" \
  -n "wc -l" "wc -l $diff" \
  -n "diffstat" "diffstat $diff" \
  -n "vcscope stat" "$bin stat --total $diff" \
  -n "vcscope stat -j1" "$bin stat -j1 --total $diff" >&2

python3 - "$out/diffstat.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
wc, ds, vs, v1 = (r[k]["mean"] for k in ("wc -l", "diffstat", "vcscope stat", "vcscope stat -j1"))
print(f"mean seconds: wc -l {wc:.4f}, diffstat {ds:.4f}, vcscope {vs:.4f} (one thread {v1:.4f})")
print(f"vcscope is {ds / vs:.1f}x faster than diffstat (one thread: {ds / v1:.1f}x); target >= 5x")
print(f"vcscope takes {vs / wc:.2f}x the time of wc -l (one thread: {v1 / wc:.2f}x); target <= 3x")
PY
