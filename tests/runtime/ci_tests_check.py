#!/usr/bin/env python3
"""Checks `opsbox ci tests` on generated histories (tests/tools/junit_gen.py):
flaky tests, regressions and outages found, and false reports, over a range
of flake probabilities, sizes, noise and formats.

usage: ci_tests_check.py OPSBOX [--quick]
Prints one line per setting and the totals; exits 1 when any kind is found
under 95 % or false reports of any kind exceed 2 %."""
import json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "tools", "junit_gen.py")

def settings(quick):
    out, seed = [], 1
    for runs, tests in ([(60, 80), (150, 300)] if quick else [(60, 80), (150, 300), (400, 500)]):
        for p in ([0.05, 0.3] if quick else [0.03, 0.1, 0.3, 0.5]):
            for noise in ([0.0, 0.05] if quick else [0.0, 0.05, 0.15]):
                fmt = ["surefire", "pytest", "gotestsum", "testgrid"][seed % 4]
                out.append(dict(runs=runs, tests=tests, p=p, noise=noise, fmt=fmt, seed=seed))
                seed += 1
    return out

def run(opsbox, s, tmp):
    d = os.path.join(tmp, f"s{s['seed']}")
    subprocess.run([sys.executable, GEN, d, "--runs", str(s["runs"]), "--tests", str(s["tests"]),
                    "--p", str(s["p"]), "--noise", str(s["noise"]), "--format", s["fmt"],
                    "--flaky", "0.08", "--regressions", "0.04", "--outages", "3",
                    "--seed", str(s["seed"])], check=True)
    truth = json.load(open(os.path.join(d, "truth.json")))
    files = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".xml") or f == "grid.json")
    r = subprocess.run([opsbox, "ci", "tests", "--json"] + files, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"opsbox ci tests failed ({r.returncode}): {r.stderr}")
    rep = json.loads(r.stdout)
    def tid(t):
        return (t["suite"] + "." if t["suite"] else "") + t["name"]
    flaky = {tid(t) for t in rep["tests"] if t["flaky"]}
    new = {tid(t): t["failing_since"] for t in rep["tests"] if t["failing_since"] is not None}
    infra = {x["run"] for x in rep["runs"] if x["infra"]}
    shown, regs, outs = set(truth["flaky_shown"]), truth["regressions_seen"], set(truth["outages"])
    c = {}
    c["flaky"] = (len(flaky & shown), len(shown), len(flaky - set(truth["flaky"])), len(flaky),
                  len(set(truth["flaky"])))
    ok_new = sum(1 for t, n in regs.items() if n is not None and new.get(t) == n)
    c["new"] = (ok_new, sum(1 for n in regs.values() if n is not None),
                sum(1 for t, n in new.items() if regs.get(t) != n), len(new), len(regs))
    c["infra"] = (len(infra & outs), len(outs), len(infra - outs), len(infra), len(outs))
    return c

def main():
    opsbox, quick = sys.argv[1], "--quick" in sys.argv
    tot = {k: [0, 0, 0, 0, 0] for k in ("flaky", "new", "infra")}
    bad = False
    with tempfile.TemporaryDirectory() as tmp:
        for s in settings(quick):
            c = run(opsbox, s, tmp)
            row = []
            for k, v in c.items():
                for j in range(5):
                    tot[k][j] += v[j]
                row.append(f"{k} {v[0]}/{v[1]} (of {v[4]} planted) false {v[2]}/{v[3]}")
            print(f"runs {s['runs']} tests {s['tests']} p {s['p']} noise {s['noise']} {s['fmt']}: "
                  + "; ".join(row))
    for k, (found, want, false, reported, planted) in tot.items():
        rec = found / want if want else 1.0
        fr = false / reported if reported else 0.0
        print(f"total {k}: found {found}/{want} = {rec:.3f} (planted {planted}: "
              f"{found / planted if planted else 1:.3f}); false reports {false}/{reported} = {fr:.3f}")
        if rec < 0.95 or fr > 0.02:
            bad = True
    sys.exit(1 if bad else 0)

main()
