#!/usr/bin/env python3
"""Writes a CVS repository (RCS ,v files) with a generated history, for bench/cvs.sh.

Real `cvs` would need a second per commit (it waits for the clock to pass the
commit's second), so the ,v files are written directly: trunk revisions with
reverse-delta edit scripts, dates, authors and commitids, exactly as CVS stores
them. `cvs rlog`, `cvs rdiff` and cvsps read them like any repository.

    python3 bench/gen-cvs.py ROOT --commits 2000
"""
import argparse
import difflib
import os
import random

AUTHORS = ["ada", "bob", "chen", "dana", "emil", "fay"]


def at(s):
    return s.replace("@", "@@")


def script(new, old):
    """RCS edit script turning `new` into `old` (lists of lines with newlines)."""
    out = []
    sm = difflib.SequenceMatcher(a=new, b=old, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag in ("delete", "replace"):
            out.append(f"d{i1 + 1} {i2 - i1}\n")
        if tag in ("insert", "replace"):
            out.append(f"a{i2} {j2 - j1}\n")
            out.extend(old[j1:j2])
    return "".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--commits", type=int, default=2000)
    ap.add_argument("--files", type=int, default=150)
    ap.add_argument("--seed", type=int, default=20100117)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    module = os.path.join(a.root, "big")
    os.makedirs(os.path.join(a.root, "CVSROOT"), exist_ok=True)
    os.makedirs(module, exist_ok=True)
    files = {f"src/f{i:03d}.c": None for i in range(a.files)}  # path -> list of revisions
    history = {p: [] for p in files}  # path -> [(date, author, commitid, log, lines)]
    t = 1230768000  # 2009-01-01
    texts = {}
    for n in range(a.commits):
        t += rnd.randint(600, 30000)
        author = rnd.choice(AUTHORS)
        commitid = f"{rnd.getrandbits(64):016X}"
        log = f"change {n}: {rnd.choice(['fix', 'tidy', 'add', 'rework'])} things\n"
        for path in rnd.sample(list(files), rnd.randint(1, 3)):
            lines = list(texts.get(path, []))
            if not lines:
                lines = [f"{path} line {k}\n" for k in range(rnd.randint(5, 60))]
            else:
                for _ in range(rnd.randint(1, 4)):
                    k = rnd.randrange(len(lines) + 1)
                    if rnd.random() < 0.4 and lines:
                        del lines[min(k, len(lines) - 1)]
                    else:
                        lines.insert(k, f"c{n} edit {rnd.getrandbits(32):08x}\n")
            texts[path] = lines
            history[path].append((t, author, commitid, log, lines))
    for path, revs in history.items():
        if not revs:
            continue
        full = os.path.join(module, path + ",v")
        os.makedirs(os.path.dirname(full), exist_ok=True)
        count = len(revs)
        with open(full, "w", encoding="utf-8") as f:
            f.write(f"head\t1.{count};\naccess;\nsymbols;\nlocks; strict;\ncomment\t@ * @;\n\n\n")
            for i in range(count, 0, -1):
                date, author, commitid, _, _ = revs[i - 1]
                import time
                d = time.strftime("%Y.%m.%d.%H.%M.%S", time.gmtime(date))
                nxt = f"1.{i - 1}" if i > 1 else ""
                f.write(f"1.{i}\ndate\t{d};\tauthor {author};\tstate Exp;\nbranches;\nnext\t{nxt};\ncommitid\t{commitid};\n\n")
            f.write("\ndesc\n@@\n")
            for i in range(count, 0, -1):
                _, _, _, log, lines = revs[i - 1]
                body = "".join(lines) if i == count else script(revs[i][4], lines)
                f.write(f"\n\n1.{i}\nlog\n@{at(log)}@\ntext\n@{at(body)}@\n")


if __name__ == "__main__":
    main()
