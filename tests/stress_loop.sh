#!/usr/bin/env bash
# The runtime suite (every test whose command is a tests/runtime script), N
# times in a row while stress-ng keeps both cores busy: shows that no
# end-to-end check passes or fails by timing. Stops at the first failure and
# says which test failed in which iteration (its output in BUILD_DIR/stress/).
# Not part of `make test`: it takes N times the runtime suite.
#   tests/stress_loop.sh BUILD_DIR [N]        (default N = 10)
#   STRESS_JOBS=2 tests/stress_loop.sh ...    tests two at a time (more load)
#   KEEP_GOING=1 tests/stress_loop.sh ...     runs all N, then counts (to find
#                                             every flaky test in one run)
#   scripts/install-deps.sh stress            installs stress-ng
set -u
[ $# -ge 1 ] && [ -d "$1" ] || { echo "usage: tests/stress_loop.sh BUILD_DIR [N]" >&2; exit 2; }
build=$(cd "$1" && pwd)
n=${2:-10}
case $n in ''|*[!0-9]*) echo "stress_loop.sh: N must be a number, not '$n'" >&2; exit 2 ;; esac
command -v stress-ng >/dev/null || { echo "stress_loop.sh: needs stress-ng (scripts/install-deps.sh stress)" >&2; exit 2; }
cd "$build" || exit 2
names=$(ctest -N --show-only=json-v1 | /usr/bin/python3 -c '
import json, sys
for t in json.load(sys.stdin)["tests"]:
    if any("/tests/runtime/" in a for a in t.get("command", [])):
        print(t["name"])')
[ -n "$names" ] || { echo "stress_loop.sh: no runtime tests in $build (configure with -DOPSBOX_TESTS=ON)" >&2; exit 2; }
re="^($(echo $names | tr ' ' '|'))\$"
echo "runtime tests: $(echo $names | wc -w) ($(echo $names))"
mkdir -p stress
stress-ng --cpu 2 --quiet & load=$!
trap 'kill $load 2>/dev/null; wait $load 2>/dev/null' EXIT
failed=0
for i in $(seq 1 "$n"); do
    start=$SECONDS
    if ctest --output-on-failure -j"${STRESS_JOBS:-1}" -R "$re" >"stress/iteration-$i.log" 2>&1; then
        echo "iteration $i of $n: passed ($((SECONDS - start)) s, $(grep -c 'Not Run\|Skipped' "stress/iteration-$i.log") skipped)"
    else
        echo "iteration $i of $n: FAILED after $((SECONDS - start)) s:"
        sed 's/^/    /' Testing/Temporary/LastTestsFailed.log 2>/dev/null
        echo "    output: $build/stress/iteration-$i.log"
        [ -n "${KEEP_GOING:-}" ] || exit 1
        failed=$((failed + 1))
    fi
done
echo "$((n - failed)) of $n iterations passed under stress-ng --cpu 2"
[ "$failed" -eq 0 ]
