#!/usr/bin/env python3
"""Writes a `git fast-import` stream for a synthetic history, deterministically.

    python3 bench/gen-history.py --commits 20000 | git -C REPO fast-import --quiet

Each commit edits one to four of FILES text files (inserts, deletes and
replacements of a few lines at random places); a few commits add or delete whole
files. Authors, dates (one to six hours apart from 2000-01-01) and content all
come from a seeded generator, so the same arguments give the same history.
"""
import argparse
import random
import sys

WORDS = "alpha beta gamma delta kernel page lock queue timer irq slab vfs inode uart sched".split()


def line(rng):
    return "    %s_%d(%s, %d);\n" % (rng.choice(WORDS), rng.randrange(1000), rng.choice(WORDS), rng.randrange(100000))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--commits", type=int, default=20000)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--lines", type=int, default=300, help="initial lines per file")
    ap.add_argument("--edits", type=int, default=6, help="most edits per changed file")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout.buffer
    authors = ["%s <%s@example.org>" % (n, n.split()[0].lower()) for n in
               ["Ada Byron", "Brian Kern", "Chen Wei", "Dana Scully", "Emil Post", "Fran Allen", "Gus Grissom"]]
    files = {}
    t = 946684800

    def data(b):
        out.write(b"data %d\n" % len(b))
        out.write(b)
        out.write(b"\n")

    for c in range(args.commits):
        t += rng.randrange(3600, 6 * 3600)
        who = authors[min(int(rng.expovariate(0.8)), len(authors) - 1)]
        out.write(b"commit refs/heads/main\n")
        out.write(("author %s %d +0000\ncommitter %s %d +0000\n" % (who, t, who, t)).encode())
        data(("change %d\n" % c).encode())
        changes = []
        if c == 0:
            for i in range(args.files):
                path = "src/dir%02d/file%03d.c" % (i % 17, i)
                files[path] = [line(rng) for _ in range(args.lines)]
                changes.append(path)
        else:
            roll = rng.random()
            if roll < 0.01 and len(files) > 10:
                path = rng.choice(sorted(files))
                del files[path]
                out.write(("D %s\n" % path).encode())
            elif roll < 0.02:
                path = "src/new/file%05d.c" % c
                files[path] = [line(rng) for _ in range(rng.randrange(10, 200))]
                changes.append(path)
            names = sorted(files)
            for path in rng.sample(names, min(len(names), rng.randrange(1, 5))):
                body = files[path]
                for _ in range(rng.randrange(1, args.edits + 1)):
                    at = rng.randrange(len(body) + 1)
                    k = rng.randrange(1, 6)
                    kind = rng.randrange(3)
                    if kind == 0:
                        body[at:at] = [line(rng) for _ in range(k)]
                    elif kind == 1:
                        del body[at:at + k]
                    else:
                        body[at:at + k] = [line(rng) for _ in range(k)]
                changes.append(path)
        for path in dict.fromkeys(changes):
            if path in files:
                out.write(("M 100644 inline %s\n" % path).encode())
                data("".join(files[path]).encode())
        out.write(b"\n")


if __name__ == "__main__":
    main()
