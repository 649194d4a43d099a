#!/usr/bin/env bash
# Benchmark: drawing the chart of 200,000 commits, vcscope against matplotlib (the
# seed post's tool), in one run, from the same JSON Lines stream, same size.
#
#   bash bench/render.sh            # prints timings, ratios and the SVG's size
#
# Target (issue 5): PNG at least 10x faster than matplotlib, and a 200,000-commit
# SVG a browser still opens (when chromium is installed, the bench opens it
# headless and times that too). matplotlib is installed in bench/out/venv with pip.
# Everything it makes goes to bench/out/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
. scripts/need.sh
need python3:python3 hyperfine:hyperfine
python3 -c 'import venv, ensurepip' 2>/dev/null || need _no_such_command_:python3-venv

commits=${COMMITS:-200000}
stream=$out/stream-$commits.jsonl
[ -s "$stream" ] || python3 bench/gen-stream.py --commits "$commits" >"$stream"
echo "input: $stream, $commits commits, $(($(stat -c %s "$stream") / 1000000)) MB" >&2

venv=$out/venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q matplotlib
fi
echo "matplotlib $("$venv/bin/python" -c 'import matplotlib; print(matplotlib.__version__)')" >&2

cargo build --release -q
bin=target/release/vcscope
common=(render -q --no-config --size 1200x680 "$stream")

hyperfine --warmup 1 --runs 3 --export-json "$out/render.json" \
  -n "vcscope png" "$bin ${common[*]} -o $out/v.png" \
  -n "vcscope svg" "$bin ${common[*]} -o $out/v.svg" \
  -n "matplotlib png" "$venv/bin/python bench/plot-matplotlib.py $stream $out/m.png" \
  -n "matplotlib svg" "$venv/bin/python bench/plot-matplotlib.py $stream $out/m.svg"

python3 - "$out/render.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"PNG: vcscope {r['vcscope png']:.2f} s, matplotlib {r['matplotlib png']:.2f} s: "
      f"{r['matplotlib png'] / r['vcscope png']:.1f}x faster (target >= 10x)")
print(f"SVG: vcscope {r['vcscope svg']:.2f} s, matplotlib {r['matplotlib svg']:.2f} s: "
      f"{r['matplotlib svg'] / r['vcscope svg']:.1f}x faster")
PY
circles=$(grep -c '<circle' "$out/v.svg" || true)
echo "vcscope SVG: $(($(stat -c %s "$out/v.svg") / 1000)) kB, $circles circles (commits merged where too small to tell apart)"
echo "matplotlib SVG: $(($(stat -c %s "$out/m.svg") / 1000)) kB"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ]; then
  start=$(date +%s.%N)
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$(mktemp -d)" \
    --window-size=1200,680 --screenshot="$PWD/$out/v-svg-in-chromium.png" "file://$PWD/$out/v.svg" >/dev/null 2>&1
  end=$(date +%s.%N)
  echo "chromium opened the vcscope SVG and drew it in $(python3 -c "print(f'{$end - $start:.1f}')") s ($out/v-svg-in-chromium.png)"
else
  echo "chromium not installed: skipped opening the SVG in a browser (apt-get install chromium)"
fi
