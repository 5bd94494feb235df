#!/usr/bin/env python3
"""Generates test histories with known flaky tests, regressions and outages.

usage: junit_gen.py OUT_DIR [--runs R] [--tests T] [--flaky SHARE] [--p P | --p-range A B]
                    [--regressions SHARE] [--outages N] [--noise Q] [--format F] [--seed S]

Writes OUT_DIR/run_00001.xml ... (one JUnit file per run, oldest first) or,
with --format testgrid, OUT_DIR/grid.json (TestGrid's table: newest column
first, run-length encoded), and OUT_DIR/truth.json:
  flaky:        tests failing with probability p in every run, independent
                of anything else (their p);
  regressions:  tests passing until run N (1-based), failing in every run
                from N on;
  outages:      runs (1-based) where each test fails with probability 0.7-0.95;
  stable:       the rest, which fail only in outages.
Noise Q: each result is missing (the test did not run) with probability Q and
skipped with probability Q/2. Formats: surefire (some flaky failures written
as <flakyFailure> in a passing case: passed on rerun), pytest, gotestsum
(a rerun written as a second <testcase> of the same name), testgrid."""
import argparse, json, os, random
from xml.sax.saxutils import quoteattr

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--tests", type=int, default=200)
    ap.add_argument("--flaky", type=float, default=0.05)
    ap.add_argument("--p", type=float)
    ap.add_argument("--p-range", type=float, nargs=2, default=[0.05, 0.5])
    ap.add_argument("--regressions", type=float, default=0.02)
    ap.add_argument("--outages", type=int, default=2)
    ap.add_argument("--noise", type=float, default=0.02)
    ap.add_argument("--format", default="surefire", choices=["surefire", "pytest", "gotestsum", "testgrid"])
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    R, T = a.runs, a.tests
    names = [(f"org.example.mod{i % 17}.Case{i // 17}Test", f"test_{i:05d}") for i in range(T)]
    kinds = ["stable"] * T
    idx = list(range(T))
    rng.shuffle(idx)
    nf, nr = round(a.flaky * T), round(a.regressions * T)
    p, since = {}, {}
    for i in idx[:nf]:
        kinds[i] = "flaky"
        p[i] = a.p if a.p is not None else rng.uniform(*a.p_range)
    for i in idx[nf:nf + nr]:
        kinds[i] = "regression"
        since[i] = rng.randint(max(2, R // 3), max(2, R - 8))  # 1-based run
    outages = sorted(rng.sample(range(1, R + 1), min(a.outages, R)))
    severity = {r: rng.uniform(0.7, 0.95) for r in outages}
    # grid[i][r]: None (missing), "pass", "fail", "skip", "retry" (passed on rerun)
    grid = [[None] * R for _ in range(T)]
    for i in range(T):
        for r in range(1, R + 1):
            u = rng.random()
            if u < a.noise:
                continue
            if u < 1.5 * a.noise:
                grid[i][r - 1] = "skip"
                continue
            fail = False
            if kinds[i] == "flaky":
                fail = rng.random() < p[i]
            elif kinds[i] == "regression":
                fail = r >= since[i]
            if r in severity and rng.random() < severity[r]:
                fail = True
            res = "fail" if fail else "pass"
            if fail and kinds[i] == "flaky" and r not in severity and a.format != "pytest" \
                    and rng.random() < 0.3:
                res = "retry"
            grid[i][r - 1] = res
    # a flaky test shows itself by a failure a pass follows, or a retry,
    # outside outages; with a small p and few runs some never do
    def shows(i):
        row = [c for r, c in enumerate(grid[i]) if r + 1 not in severity and c in ("pass", "fail", "retry")]
        return "retry" in row or any(c == "fail" and "pass" in row[k + 1:] for k, c in enumerate(row))
    # a regression's streak starts at the first run from N that has its result
    def first_seen(i):
        for r in range(since[i], R + 1):
            if grid[i][r - 1] in ("pass", "fail", "retry") and r not in severity:
                return r
        return None
    truth = {"runs": R, "tests": T,
             "flaky_shown": sorted(f"{names[i][0]}.{names[i][1]}" for i in p if shows(i)),
             "regressions_seen": {f"{names[i][0]}.{names[i][1]}": first_seen(i) for i in since},
             "flaky": {f"{names[i][0]}.{names[i][1]}": p[i] for i in p},
             "regressions": {f"{names[i][0]}.{names[i][1]}": since[i] for i in since},
             "outages": outages}
    if a.format == "testgrid":
        write_testgrid(a.out, names, grid, R)
    else:
        for r in range(R):
            write_junit(os.path.join(a.out, f"run_{r + 1:05d}.xml"), names, [g[r] for g in grid],
                        a.format, rng)
    with open(os.path.join(a.out, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)

def write_junit(path, names, col, fmt, rng):
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    fails = sum(1 for c in col if c == "fail")
    if fmt == "pytest":
        out.append(f'<testsuites><testsuite name="pytest" errors="0" failures="{fails}" '
                   f'tests="{len(col)}">')
    elif fmt == "gotestsum":
        out.append(f'<testsuites tests="{len(col)}" failures="{fails}">'
                   '<testsuite name="example.org/pkg" tests="1">')
    else:
        out.append(f'<testsuite name="org.example.AllTests" tests="{len(col)}" failures="{fails}">')
    for (cls, name), c in zip(names, col):
        if c is None:
            continue
        attrs = f'classname={quoteattr(cls)} name={quoteattr(name)} time="{rng.random():.3f}"'
        if c == "pass":
            out.append(f"<testcase {attrs}/>")
        elif c == "skip":
            out.append(f'<testcase {attrs}><skipped message="disabled"/></testcase>')
        elif c == "fail":
            out.append(f'<testcase {attrs}><failure message="expected &lt;1&gt; but was &lt;2&gt;" '
                       f'type="AssertionError">at {cls}.{name}({name}.java:42)</failure></testcase>')
        elif c == "retry" and fmt == "gotestsum":
            out.append(f'<testcase {attrs}><failure message="Failed">--- FAIL: {name}</failure></testcase>')
            out.append(f"<testcase {attrs}/>")
        elif c == "retry":
            out.append(f'<testcase {attrs}><flakyFailure message="timeout" type="java.io.IOException">'
                       f'<stackTrace>java.io.IOException: timeout</stackTrace></flakyFailure></testcase>')
    out.append("</testsuite></testsuites>" if fmt in ("pytest", "gotestsum") else "</testsuite>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")

def write_testgrid(out, names, grid, R):
    code = {None: 0, "pass": 1, "skip": 0, "fail": 12, "retry": 13}
    tests = []
    for (cls, name), row in zip(names, grid):
        vals = [code[c] for c in reversed(row)]  # newest first
        st = []
        for v in vals:
            if st and st[-1]["value"] == v:
                st[-1]["count"] += 1
            else:
                st.append({"count": 1, "value": v})
        tests.append({"name": f"{cls}.{name}", "statuses": st})
    stamps = [1714567000000 + 3600000 * (R - 1 - c) for c in range(R)]
    with open(os.path.join(out, "grid.json"), "w") as f:
        json.dump({"tests": tests, "timestamps": stamps,
                   "changelists": [f"build-{R - c}" for c in range(R)]}, f)

main()
