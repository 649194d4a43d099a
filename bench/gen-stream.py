#!/usr/bin/env python3
"""Writes a synthetic vcscope commit stream (JSON Lines) for the render benchmark.

Pinned seed, so the same arguments give the same bytes: N commits over YEARS years,
40 authors with Zipf-like activity, commit sizes drawn from a log-normal law (most
commits small, a few huge), like real histories.

    python3 bench/gen-stream.py --commits 200000 > stream.jsonl
"""
import argparse
import datetime
import json
import random
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=200_000)
    ap.add_argument("--years", type=int, default=12)
    ap.add_argument("--seed", type=int, default=20100117)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    people = [(f"Dev {i:02d}", f"dev{i:02d}@example.org") for i in range(40)]
    weights = [1.0 / (i + 1) for i in range(len(people))]
    start = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    span = a.years * 365 * 86400
    times = sorted(rnd.randrange(span) for _ in range(a.commits))
    out = sys.stdout
    for i, t in enumerate(times):
        name, email = rnd.choices(people, weights)[0]
        size = int(rnd.lognormvariate(2.5, 1.4))
        added = rnd.randint(0, size)
        when = (start + datetime.timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%SZ")
        out.write(json.dumps({
            "id": f"{rnd.getrandbits(160):040x}", "time": when,
            "author": {"name": name, "email": email}, "message": f"change {i}",
            "parents": [], "added": added, "removed": size - added,
            "files": [{"path": f"src/f{i % 500}.c", "added": added, "removed": size - added,
                       "binary": False, "status": "modified"}],
        }, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
