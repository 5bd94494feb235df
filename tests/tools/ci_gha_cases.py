#!/usr/bin/env python3
"""Rewrites pass/fail log cases as GitHub Actions would show them.

usage: ci_gha_cases.py [--full] IN_DIR OUT_DIR [SEED]

For every case folder under IN_DIR (pass.log, fail.log, groundtruth), writes
the same case under OUT_DIR with every line prefixed by an ISO timestamp
("2024-05-01T12:34:56.1234567Z ", advancing, other times in the pass and the
fail log) and a few "##[group]Run ..." / "##[endgroup]" lines inserted; the
groundtruth's line numbers move with the inserted lines. --full writes the
downloaded form: "job<TAB>step<TAB>" before each timestamp. Lines are numbered
as str.splitlines() numbers them, as the groundtruth is. A second test set
for 'opsbox ci explain': its figures must hold on logs it has not seen."""
import datetime, os, random, sys

FULL = False

def rewrite(lines, rng, start):
    """Returns (new lines, map old line number -> new line number)."""
    n = len(lines)
    cuts = sorted(rng.sample(range(n), min(n, rng.randint(2, 5)))) if n else []
    out, where, t, grp = [], {}, start, False
    steps = ["Run actions/checkout@v4", "Set up job", "Run ./build.sh", "Run mvn -B verify",
             "Post job cleanup."]
    def stamp():
        nonlocal t
        t += datetime.timedelta(microseconds=rng.randint(0, 400000))
        ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + "%07dZ " % rng.randint(0, 9999999)
        return "build\t" + (steps[2] if grp else "Set up job") + "\t" + ts if FULL else ts
    for i, ln in enumerate(lines):
        if cuts and i == cuts[0]:
            cuts.pop(0)
            if grp:
                out.append(stamp() + "##[endgroup]")
            out.append(stamp() + "##[group]" + rng.choice(steps))
            grp = True
        out.append(stamp() + ln)
        where[i + 1] = len(out)
    if grp:
        out.append(stamp() + "##[endgroup]")
    return out, where

def main():
    global FULL
    if len(sys.argv) > 1 and sys.argv[1] == "--full":
        FULL = True
        del sys.argv[1]
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    for d, _, files in sorted(os.walk(src)):
        if not {"pass.log", "fail.log", "groundtruth"} <= set(files):
            continue
        rel = os.path.relpath(d, src)
        rng = random.Random(f"{seed}/{rel}")
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        maps = {}
        for name, start in (("pass.log", datetime.datetime(2024, 5, 1, 12, 34, 56)),
                            ("fail.log", datetime.datetime(2024, 5, 2, 9, 1, 2))):
            text = open(os.path.join(d, name), encoding="utf-8", errors="surrogateescape").read()
            lines, where = rewrite(text.splitlines(), rng, start)
            maps[name] = where
            with open(os.path.join(dst, rel, name), "w", encoding="utf-8",
                      errors="surrogateescape") as f:
                f.write("\n".join(lines) + "\n")
        where = maps["fail.log"]
        gt = open(os.path.join(d, "groundtruth")).read().splitlines()
        with open(os.path.join(dst, rel, "groundtruth"), "w") as f:
            f.write(gt[0] + "\n")
            for ln in gt[1:]:
                parts = ln.split()
                if len(parts) != 2:
                    continue
                a, _, b = parts[1].partition("-")
                a, b = int(a), int(b or a)
                # lines past the log's end (the labels allow it) keep their offset
                last = max(where) if where else 0
                na = where.get(a, where.get(last, 0) + a - last)
                nb = where.get(b, where.get(last, 0) + b - last)
                f.write(f"{parts[0]} {na}-{nb}\n" if nb != na else f"{parts[0]} {na}\n")

main()
