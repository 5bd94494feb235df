#!/usr/bin/env python3
"""Matches `opsbox prices history --tsv` findings against a truth file from
prices_gen.py: every injected event found (same series, same kind, start
within TOL seconds), nothing else reported. Prints found/missed/invented;
exits 1 on any miss or invention."""
import calendar
import sys
import time

TOL = 2 * 3600


def ts(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


truth = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
found = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
kinds = {"shift": "level-shift", "spike": "spike"}
used = set()
missed = []
for sku, zone, kind, start, end in truth:
    hit = None
    for j, f in enumerate(found):
        if j in used or f[1] != sku or f[2] != zone or f[3] != kinds[kind]:
            continue
        if abs(ts(f[0]) - float(start)) <= TOL:
            hit = j
            break
    if hit is None:
        missed.append((sku, zone, kind, start))
    else:
        used.add(hit)
invented = [f for j, f in enumerate(found) if j not in used]
print("injected %d found %d missed %d invented %d" %
      (len(truth), len(truth) - len(missed), len(missed), len(invented)))
for m in missed:
    print("missed", *m)
for f in invented:
    print("invented", *f[:4])
sys.exit(1 if missed or invented else 0)
