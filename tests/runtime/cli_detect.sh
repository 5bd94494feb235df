#!/usr/bin/env bash
# End-to-end tests of `opsbox detect` through the real binary: output shape,
# exit codes, error messages, stdin, --help and --version.
set -u
bin=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # check NAME CONDITION...
    local name=$1; shift
    if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}

# A daily sine at 5-minute steps with a spike near the end.
awk 'BEGIN { print "timestamp,value";
  srand(1);
  for (i = 0; i < 3000; i++) {
    v = 50 + 10 * sin(2 * 3.14159265 * i / 288) + rand();
    if (i == 2800) v += 60;
    printf "%d,%.4f\n", 1404172800 + i * 300, v } }' >"$tmp/sine.csv"

"$bin" detect "$tmp/sine.csv" >"$tmp/out.csv"; rc=$?
check "detect exits 0" [ $rc -eq 0 ]
check "header" [ "$(head -1 "$tmp/out.csv")" = "timestamp,value,anomaly_score,yhat,yhat_lower,yhat_upper,anomaly" ]
check "one row per input row" [ "$(wc -l <"$tmp/out.csv")" -eq 3001 ]
check "rows keep input order and timestamps" \
    [ "$(cut -d, -f1 "$tmp/out.csv")" = "$(cut -d, -f1 "$tmp/sine.csv")" ]
check "scores in [0,1], flags 0/1, band ordered" awk -F, 'NR > 1 {
    if ($3 < 0 || $3 > 1 || ($7 != 0 && $7 != 1) || $5 > $4 || $4 > $6) bad = 1 }
    END { exit bad }' "$tmp/out.csv"
check "spike row flagged" awk -F, 'NR == 2802 { found = ($7 == 1) } END { exit !found }' "$tmp/out.csv"
check "few flags elsewhere" awk -F, 'NR > 1 && NR != 2802 { n += $7 } END { exit !(n <= 5) }' "$tmp/out.csv"

"$bin" detect - <"$tmp/sine.csv" >"$tmp/stdin.csv"
check "stdin gives the same output" cmp -s "$tmp/out.csv" "$tmp/stdin.csv"
"$bin" detect --anomalies "$tmp/sine.csv" >"$tmp/only.csv"
check "--anomalies prints flagged rows only" awk -F, 'NR > 1 && $7 != 1 { bad = 1 } END { exit bad || NR < 2 }' "$tmp/only.csv"

printf 'timestamp,value\n2014-07-01 00:00:00,1\n2014-07-01 00:05:00,x1\n' >"$tmp/bad.csv"
"$bin" detect "$tmp/bad.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "bad value exits 2" [ $rc -eq 2 ]
check "error names file, line, column" grep -q "bad.csv:3:21: column 2 (value): 'x1' is not a number" "$tmp/err"
check "error is one line" [ "$(wc -l <"$tmp/err")" -eq 1 ]

: >"$tmp/empty.csv"
"$bin" detect "$tmp/empty.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "empty file exits 2" [ $rc -eq 2 ]
check "empty file error" grep -q "empty.csv:1:1: empty input" "$tmp/err"

"$bin" detect "$tmp/missing.csv" >/dev/null 2>&1; rc=$?
check "missing file exits 2" [ $rc -eq 2 ]
"$bin" detect --band 2 "$tmp/sine.csv" >/dev/null 2>&1; rc=$?
check "bad --band exits 2" [ $rc -eq 2 ]
"$bin" detect --nope >/dev/null 2>&1; rc=$?
check "unknown option exits 2" [ $rc -eq 2 ]
"$bin" frobnicate >/dev/null 2>&1; rc=$?
check "unknown command exits 2" [ $rc -eq 2 ]
check "--help" bash -c "'$bin' --help | grep -q detect"
check "detect --help" bash -c "'$bin' detect --help | grep -q yhat_lower"
check "--version" bash -c "'$bin' --version | grep -Eq '^opsbox [0-9]+\.[0-9]+\.[0-9]+$'"

# Gaps, duplicates, out-of-order, constant, negative and huge values are input.
printf 'timestamp,value\n1404172800,5\n1404172800,5\n1404172500,-5\n1404999999,1e300\n1404999999,-1e300\n' >"$tmp/odd.csv"
"$bin" detect "$tmp/odd.csv" >"$tmp/odd.out"; rc=$?
check "odd but valid input exits 0" [ $rc -eq 0 ]
check "odd input rows all out" [ "$(wc -l <"$tmp/odd.out")" -eq 6 ]

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all checks passed"
