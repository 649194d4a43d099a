#!/usr/bin/env bash
# Benchmark: the CVS backend against the seed post's pipeline (`cvsps -g`, then
# diffstat per patchset: bench/seed-pipeline.sh), in one run, on a generated CVS
# repository of 2,000 commits (bench/gen-cvs.py writes its ,v files).
#
#   bash bench/cvs.sh            # checks both find the same patchsets, then times them
#
# Target (issue 6): at least 3x faster on 2 cores, same patchsets.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
. scripts/need.sh
need cvs:cvs cvsps:cvsps diffstat:diffstat python3:python3 hyperfine:hyperfine csplit:coreutils

commits=${COMMITS:-2000}
root=$out/cvs-$commits
[ -d "$root/big" ] || python3 bench/gen-cvs.py "$root" --commits "$commits"
cargo build --release -q
bin=target/release/vcscope

# Same patchsets, and how the numbers compare.
"$bin" ingest -q --backend cvsps -f csv "$root/big" | tail -n +2 | awk -F, '{ print $1 "\t" $5 "\t" $6 }' | sort -n >"$out/cvs-vcscope.tsv"
bash bench/seed-pipeline.sh "$root" big | sort -n >"$out/cvs-seed.tsv"
a=$(wc -l <"$out/cvs-vcscope.tsv")
b=$(wc -l <"$out/cvs-seed.tsv")
echo "patchsets: vcscope $a, seed pipeline $b"
[ "$a" = "$b" ] && [ "$(cut -f1 "$out/cvs-vcscope.tsv")" = "$(cut -f1 "$out/cvs-seed.tsv")" ] || { echo "the patchsets differ" >&2; exit 1; }
echo "patchsets whose counts differ: $(paste "$out/cvs-vcscope.tsv" "$out/cvs-seed.tsv" | awk '$2 != $5 || $3 != $6' | wc -l)"

hyperfine --warmup 1 --runs 3 --export-json "$out/cvs.json" \
  -n vcscope "$bin ingest -q --backend cvsps -o /dev/null $root/big" \
  -n "cvsps -g + diffstat" "bash bench/seed-pipeline.sh $root big"
python3 - "$out/cvs.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"vcscope {r['vcscope']:.2f} s, seed pipeline {r['cvsps -g + diffstat']:.2f} s: "
      f"{r['cvsps -g + diffstat'] / r['vcscope']:.1f}x faster (target >= 3x)")
PY
