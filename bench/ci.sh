#!/usr/bin/env bash
# `opsbox ci`: accuracy of explain beside two baselines, and speed. One
# figure per line, all measured in this run:
#   ci_explain_recall_k20            the benchmark's scorer (../shared/ci-bench/score.py,
#                                    K=20) on ../shared/data/ci/breakages
#   ci_tail20_recall_k20             baseline: the last 20 lines (bench/ci_tail.sh)
#   ci_diff_recall_k20               baseline: diff's added lines (bench/ci_diff.sh)
#   ci_gha_*_recall_k20              the same three on the cases rewritten as GitHub
#                                    Actions shows logs (tests/tools/ci_gha_cases.py:
#                                    a timestamp on every line, ##[group] markers)
#   ci_ghafull_explain_recall_k20    explain on them in the downloaded form
#                                    ("job<TAB>step<TAB>" before the timestamp)
#   ci_explain_alone_recall_k20      explain without the passing log
#   ci_explain_100mb_seconds         explain --pass on a 100 MB failed log (median of 3)
#   ci_tests_testgrid_10k_x_1k_seconds  ci tests on a TestGrid grid of 10,000 runs x
#                                    1,000 tests (median of 3)
#   ci_tests_junit_10k_x_1k_seconds  the same as 10,000 JUnit files (median of 3)
#
#   bench/ci.sh [OPSBOX_BINARY]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
shared=${OPSBOX_SHARED:-$top/../shared}
data=$shared/data/ci/breakages
score=$shared/ci-bench/score.py
[ -d "$data" ] && [ -f "$score" ] || { echo "ci.sh: no $data or $score" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

recall() { K=20 python3 "$score" "$@" | tail -1 | awk '{print $4}'; }
echo "ci_explain_recall_k20 $(recall "$data" "$bin" ci explain --tsv)"
echo "ci_tail20_recall_k20 $(recall "$data" "$top/bench/ci_tail.sh")"
echo "ci_diff_recall_k20 $(recall "$data" "$top/bench/ci_diff.sh")"
python3 "$top/tests/tools/ci_gha_cases.py" "$data" "$tmp/gha"
echo "ci_gha_explain_recall_k20 $(recall "$tmp/gha" "$bin" ci explain --tsv)"
echo "ci_gha_tail20_recall_k20 $(recall "$tmp/gha" "$top/bench/ci_tail.sh")"
echo "ci_gha_diff_recall_k20 $(recall "$tmp/gha" "$top/bench/ci_diff.sh")"
rm -rf "$tmp/gha"
python3 "$top/tests/tools/ci_gha_cases.py" --full "$data" "$tmp/gha"
echo "ci_ghafull_explain_recall_k20 $(recall "$tmp/gha" "$bin" ci explain --tsv)"
rm -rf "$tmp/gha"
echo "ci_explain_alone_recall_k20 $(recall "$data" "$top/bench/ci_alone.sh" "$bin")"

median_time() { # median_time CMD...: seconds, median of 3
    for _ in 1 2 3; do
        local t0 t1
        t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N)
        echo "$t1 - $t0" | bc -l
    done | sort -g | sed -n 2p | awk '{printf "%.2f\n", $1}'
}
python3 - "$data" "$tmp/100mb.log" <<'EOF'
import os, sys
d, out = sys.argv[1], sys.argv[2]
parts = [open(os.path.join(d, c, "fail.log"), "rb").read() for c in sorted(os.listdir(d))
         if os.path.isfile(os.path.join(d, c, "fail.log"))]
with open(out, "wb") as f:
    n = i = 0
    while n < 100 << 20:
        f.write(parts[i % len(parts)]); n += len(parts[i % len(parts)]); i += 1
EOF
pass=$(ls -d "$data"/*/ | head -1)pass.log
echo "ci_explain_100mb_seconds $(median_time "$bin" ci explain --tsv --pass "$pass" "$tmp/100mb.log")"
rm -f "$tmp/100mb.log"
python3 "$top/tests/tools/junit_gen.py" "$tmp/tg" --format testgrid --runs 10000 --tests 1000
echo "ci_tests_testgrid_10k_x_1k_seconds $(median_time "$bin" ci tests "$tmp/tg/grid.json")"
rm -rf "$tmp/tg"
python3 "$top/tests/tools/junit_gen.py" "$tmp/ju" --format surefire --runs 10000 --tests 1000
echo "ci_tests_junit_10k_x_1k_seconds $(median_time "$bin" ci tests "$tmp"/ju/run_*.xml)"
