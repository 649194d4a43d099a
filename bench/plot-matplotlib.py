#!/usr/bin/env python3
"""The reference for bench/render.sh: the seed post's scatter drawn with matplotlib,
from the same JSON Lines stream, at the same size (1200x680 px).

x = commit date, marker area proportional to lines added + removed, colour = author
(the 8 biggest, the rest grey), y = seeded random jitter, month/year ticks.

    python3 bench/plot-matplotlib.py stream.jsonl out.png|out.svg
"""
import collections
import datetime
import json
import random
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

PALETTE = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000"]


def main():
    src, dst = sys.argv[1], sys.argv[2]
    xs, sizes, authors = [], [], []
    for line in open(src, encoding="utf-8"):
        c = json.loads(line)
        xs.append(datetime.datetime.strptime(c["time"], "%Y-%m-%dT%H:%M:%SZ"))
        sizes.append(c["added"] + c["removed"])
        authors.append(c["author"]["name"])
    totals = collections.Counter()
    for a, s in zip(authors, sizes):
        totals[a] += s
    colour = {a: PALETTE[i] for i, (a, _) in enumerate(totals.most_common(8))}
    rnd = random.Random(1)
    ys = [rnd.random() for _ in xs]
    biggest = max(sizes) or 1
    fig, ax = plt.subplots(figsize=(12, 6.8), dpi=100)
    ax.scatter(xs, ys, s=[3000.0 * s / biggest for s in sizes],
               c=[colour.get(a, "#999999") for a in authors], alpha=0.55, linewidths=0.5)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_yticks([])
    ax.set_xlabel("commit date (UTC)")
    ax.set_title(f"{len(xs)} commits")
    fig.savefig(dst)


if __name__ == "__main__":
    main()
