#!/usr/bin/env bash
# `opsbox ci explain` on the CiDiff pass/fail pairs (../shared/data/ci) with
# the benchmark's own scorer, K=20: recall of error intervals >= .85, as is
# and rewritten as GitHub Actions shows logs (timestamps, ##[group]), and
# above the last-20-lines baseline of the same run. Exit 77 without the data.
set -u
bin=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
shared=${OPSBOX_SHARED:-$top/../shared}
data=$shared/data/ci/breakages
score=$shared/ci-bench/score.py
[ -d "$data" ] && [ -f "$score" ] || { echo "no $data: skipped"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
recall() { K=20 python3 "$score" "$@" | tail -1 | awk '{print $4}'; }
python3 "$top/tests/tools/ci_gha_cases.py" "$data" "$tmp/gha"
fails=0
for set in "$data" "$tmp/gha"; do
    r=$(recall "$set" "$bin" ci explain --tsv)
    t=$(recall "$set" "$top/bench/ci_tail.sh")
    echo "$(basename "$set"): explain $r, tail -20 $t"
    python3 -c "import sys; sys.exit(0 if $r >= 0.85 and $r > $t else 1)" || fails=$((fails + 1))
done
[ $fails -eq 0 ]
