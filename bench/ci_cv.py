#!/usr/bin/env python3
"""Leave-one-project-out and repeated grouped 3-fold cross-validation of the
weights of `opsbox ci explain` (the constants in src/ci/explain.c).

usage: ci_cv.py OPSBOX DATA_DIR [MODE]    MODE: pass (default) or alone

For every setting in a small grid (OPSBOX_CI_TUNE), runs the benchmark's own
scorer (../shared/ci-bench/score.py, K=20) once and keeps its per-case
recall. Then, for each held-out project (the case name before its last '_'),
picks the setting best on the other projects and scores it on the held-out
one; prints the mean held-out recall, the same for 20 random 3-fold splits
by project (median and range), and the defaults' own recall for comparison."""
import itertools, os, random, statistics as st, subprocess, sys

GRID = {"late": [0.4, 0.8, 1.6], "heading": [0.0, 0.3, 0.6], "block_pen": [0.5, 1.0, 2.0]}
GRID_ALONE = {"self_late": [1.0, 2.0, 3.0, 4.0], "heading": [0.0, 0.3], "late": [0.4, 0.8]}

def run(opsbox, data, tune, mode):
    here = os.path.dirname(os.path.abspath(__file__))
    scorer = os.path.join(os.environ.get("OPSBOX_SHARED", os.path.join(here, "..", "..", "shared")),
                          "ci-bench", "score.py")
    cmd = [sys.executable, scorer, data]
    cmd += [opsbox, "ci", "explain", "--tsv"] if mode == "pass" else [os.path.join(here, "ci_alone.sh"), opsbox]
    env = dict(os.environ, K="20", OPSBOX_CI_TUNE=tune)
    out = subprocess.run(cmd, capture_output=True, text=True, env=env).stdout
    per = {}
    for ln in out.splitlines():
        f = ln.split("\t")
        if len(f) == 3 and f[1].startswith("recall "):
            a, b = f[1].split()[1].split("/")
            per[f[0]] = int(a) / int(b)
    return per

def main():
    opsbox, data = sys.argv[1], sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else "pass"
    grid = GRID if mode == "pass" else GRID_ALONE
    names = list(grid)
    res = {}
    for vals in itertools.product(*(grid[n] for n in names)):
        tune = ",".join(f"{n}={v}" for n, v in zip(names, vals))
        res[tune] = run(opsbox, data, tune, mode)
    default = run(opsbox, data, "", mode)
    cases = sorted(default)
    proj = {c: c.rsplit("_", 1)[0] for c in cases}
    projects = sorted(set(proj.values()))
    def best_on(train):
        return max(res, key=lambda t: (st.mean(res[t][c] for c in train), t == ""))
    held = []
    for p in projects:
        train = [c for c in cases if proj[c] != p]
        t = best_on(train)
        held += [res[t][c] for c in cases if proj[c] == p]
    print(f"mode {mode}: defaults {st.mean(default.values()):.3f} on all {len(cases)} cases")
    print(f"leave-one-project-out ({len(projects)} projects): held-out recall {st.mean(held):.3f}")
    rng, folds = random.Random(1), []
    for _ in range(20):
        ps = projects[:]
        rng.shuffle(ps)
        fold_rec = []
        for k in range(3):
            test = set(ps[k::3])
            t = best_on([c for c in cases if proj[c] not in test])
            fold_rec += [res[t][c] for c in cases if proj[c] in test]
        folds.append(st.mean(fold_rec))
    print(f"grouped 3-fold x20: held-out recall median {st.median(folds):.3f} "
          f"range {min(folds):.3f}-{max(folds):.3f}")
    best = max(res, key=lambda t: st.mean(res[t].values()))
    print(f"best setting in-sample: {best} {st.mean(res[best].values()):.3f}; "
          f"grid spread {min(st.mean(r.values()) for r in res.values()):.3f}-"
          f"{max(st.mean(r.values()) for r in res.values()):.3f}")

main()
