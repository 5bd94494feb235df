#!/usr/bin/env python3
"""Compares opsbox's `prices changes --tsv` rows with prices_reference.py's:
same (SKU, region, kind) set, prices equal to 1e-9 relative, PERCENT equal
to (new - old) / old * 100 within 1e-3. Prints the counts; exits 1 on any
difference."""
import sys


def load(path, with_pct):
    rows = {}
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        rows[(f[0], f[1], f[2])] = (f[3], f[4], f[5] if with_pct else None)
    return rows


def close(a, b):
    if a == "" or b == "":
        return a == b
    a, b = float(a), float(b)
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-12)


got, want = load(sys.argv[1], True), load(sys.argv[2], False)
bad = 0
for k in set(got) | set(want):
    if k not in got or k not in want:
        print("only in", "opsbox" if k in got else "reference", *k)
        bad += 1
        continue
    (go, gn, gp), (wo, wn, _) = got[k], want[k]
    if not close(go, wo) or not close(gn, wn):
        print("price differs", *k, go, gn, wo, wn)
        bad += 1
    elif k[2] == "repriced" and float(wo) > 0:
        if abs(float(gp) - (float(wn) - float(wo)) / float(wo) * 100) > 1e-3:
            print("percent differs", *k, gp)
            bad += 1
    elif gp != "":
        print("percent where none is due", *k, gp)
        bad += 1
print("rows %d reference %d differences %d" % (len(got), len(want), bad))
sys.exit(1 if bad else 0)
