#!/usr/bin/env bash
# End-to-end tests of `opsbox ci` through the real binary: explain's line
# numbers on CR-only and invalid UTF-8 logs (against Python's splitlines),
# --tsv rows, learn/--model, exit codes; ci tests on real JUnit files of
# seven tools, a truncated file, a TestGrid grid, and the generated
# histories (tests/runtime/ci_tests_check.py --quick).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
check() {
    local name=$1; shift
    if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}

# a passing and a failed log; progress bars with lone CRs before the error
{ for i in $(seq 1 300); do printf '[INFO] step %d done in %d ms\n' "$i" $((i * 3)); done
  printf 'Progress 10%%\rProgress 50%%\rProgress 100%%\r\n'; echo "[INFO] BUILD SUCCESS"; } >"$tmp/pass.log"
{ for i in $(seq 1 300); do printf '[INFO] step %d done in %d ms\n' "$i" $((i * 5)); done
  printf 'Progress 10%%\rProgress 70%%\rProgress 100%%\r\n'
  printf '[ERROR] Failed to execute goal compile: cannot find symbol\n'
  echo "[INFO] BUILD FAILURE"; } >"$tmp/fail.log"
want=$(python3 -c 'import sys; t=open(sys.argv[1],"rb").read().decode("utf-8","replace").splitlines(); print(next(i+1 for i,l in enumerate(t) if "cannot find symbol" in l))' "$tmp/fail.log")
"$bin" ci explain --tsv --pass "$tmp/pass.log" "$tmp/fail.log" >"$tmp/out.tsv"; rc=$?
check "explain exits 0" [ $rc -eq 0 ]
check "error line first or second, numbered as splitlines ($want)" \
    bash -c "head -2 '$tmp/out.tsv' | cut -f1 | grep -qx '$want'"
check "tsv has four fields" bash -c "awk -F'\t' 'NF != 4 { bad = 1 } END { exit bad }' '$tmp/out.tsv'"
check "reason names the new template" bash -c "grep -q \"^$want	[0-9.-]*	[^	]*new template\" '$tmp/out.tsv'"
"$bin" ci learn --out "$tmp/m.model" "$tmp/pass.log" 2>/dev/null
check "learn writes a model" [ -s "$tmp/m.model" ]
"$bin" ci explain --tsv --model "$tmp/m.model" "$tmp/fail.log" >"$tmp/out2.tsv"
check "--model gives what --pass gives" cmp -s "$tmp/out.tsv" "$tmp/out2.tsv"
"$bin" ci explain --top 3 "$tmp/fail.log" >"$tmp/alone.txt"; rc=$?
check "without a passing log: exit 0, 3 lines" [ $rc -eq 0 -a "$(wc -l <"$tmp/alone.txt")" -eq 3 ]

# CR-only log (old Mac, progress output), with invalid UTF-8 and a NUL
printf 'start\rfetch \xff\xfe\rok\rstep \x00 two\rfatal: unable to access repo\rdone' >"$tmp/cr.log"
"$bin" ci explain --tsv "$tmp/cr.log" >"$tmp/cr.tsv"; rc=$?
check "CR-only log: exit 0" [ $rc -eq 0 ]
check "CR-only log: fatal is line 5" bash -c "head -1 '$tmp/cr.tsv' | cut -f1 | grep -qx 5"
check "CR-only log: 6 lines reported at most" [ "$(wc -l <"$tmp/cr.tsv")" -le 6 ]
printf 'a\vb\fc\x1cd\xc2\x85e\xe2\x80\xa8f\nERROR: g\n' >"$tmp/ends.log"
want=$(python3 -c 'import sys; print(len(open(sys.argv[1],"rb").read().decode("utf-8","replace").splitlines()))' "$tmp/ends.log")
check "Python's other line ends count ($want lines)" \
    bash -c "'$bin' ci explain --tsv '$tmp/ends.log' | head -1 | cut -f1 | grep -qx '$want'"

"$bin" ci explain --tsv --pass "$tmp/pass.log" - <"$tmp/fail.log" >"$tmp/stdin.tsv"
check "the failed log from stdin gives the same" cmp -s "$tmp/out.tsv" "$tmp/stdin.tsv"
"$bin" ci explain >/dev/null 2>&1; check "no log: exit 2" [ $? -eq 2 ]
"$bin" ci explain "$tmp/nope.log" >/dev/null 2>&1; check "missing log: exit 2" [ $? -eq 2 ]
"$bin" ci explain --model "$tmp/pass.log" "$tmp/fail.log" 2>"$tmp/err" >/dev/null; rc=$?
check "not a model: exit 2" [ $rc -eq 2 ]
check "not a model: the message names the file" grep -q 'pass.log: not a model' "$tmp/err"
"$bin" ci explain --top 0 "$tmp/fail.log" >/dev/null 2>&1; check "--top 0: exit 2" [ $? -eq 2 ]
"$bin" ci --help >/dev/null; check "ci --help: exit 0" [ $? -eq 0 ]
"$bin" ci frob >/dev/null 2>&1; check "unknown subcommand: exit 2" [ $? -eq 2 ]

# ci tests: real files of seven tools parse
data=$here/../data/junit
for f in pytest-horovod surefire-flaky gradle-junit5 scalatest-maven mocha jest-junit go-junit-report; do
    "$bin" ci tests --json "$data/$f.xml" >"$tmp/$f.json" 2>"$tmp/err"; rc=$?
    check "real JUnit $f parses" [ $rc -eq 0 ]
    check "real JUnit $f has tests" python3 -c "import json,sys; sys.exit(0 if json.load(open('$tmp/$f.json'))['runs'][0]['tests'] > 0 else 1)"
done
check "surefire reruns: two flaky" python3 -c "
import json; d = json.load(open('$tmp/surefire-flaky.json'))
assert sorted(t['name'] for t in d['tests'] if t['flaky']) == ['failsAssertionOnlyFirstAttempt', 'throwsOnlyFirstAttempt']"
"$bin" ci tests "$data/bad-corrupt.xml" >/dev/null 2>"$tmp/err"; rc=$?
check "truncated JUnit: exit 2" [ $rc -eq 2 ]
check "truncated JUnit: message names file and line" grep -q 'bad-corrupt.xml: line [0-9]' "$tmp/err"
head -c 150 "$data/mocha.xml" >"$tmp/cut.xml"
"$bin" ci tests "$tmp/cut.xml" >/dev/null 2>&1; check "cut JUnit: exit 2" [ $? -eq 2 ]
# a folder is one run (Prow's artifacts/junit_*.xml)
mkdir -p "$tmp/run1/artifacts" && cp "$data/gradle-junit5.xml" "$tmp/run1/artifacts/junit_1.xml" &&
    cp "$data/go-junit-report.xml" "$tmp/run1/artifacts/junit_2.xml"
"$bin" ci tests --json "$tmp/run1" >"$tmp/dir.json"
check "a folder is one run of all its files" python3 -c "
import json; d = json.load(open('$tmp/dir.json')); assert len(d['runs']) == 1 and d['runs'][0]['tests'] == 28, d['runs']"
# generated histories: flaky, regressions, outages found; few false reports
python3 "$here/ci_tests_check.py" "$bin" --quick >"$tmp/gen.txt"; rc=$?
tail -3 "$tmp/gen.txt"
check "generated histories: >= 95 % found, <= 2 % false" [ $rc -eq 0 ]
[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
