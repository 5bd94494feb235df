#!/usr/bin/env bash
# End-to-end tests of `opsbox logs` through the real binary: the CSV rows,
# quoting, formats, templates as a table and JSON, hostile input, exit codes.
set -u
bin=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
check() {
    local name=$1; shift
    if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
fmt='<Date> <Time> <Pid> <Level> <Component>: <Content>'
{
    for i in $(seq 1 50); do
        echo "081109 2036$((i % 60)) $i INFO dfs.DataNode: Receiving block blk_$((i * 7919)) src: /10.250.$((i % 200)).$i:50010"
        echo "081109 2036$((i % 60)) $i INFO dfs.FSNamesystem: BLOCK* ask 10.250.$i.1:50010 to delete blk_$i, blk_$((i + 1))"
    done
    printf '081109 203700 1 WARN dfs.X: quote " and, comma\r\n'
    echo "not in the format at all"
} >"$tmp/hdfs.log"

"$bin" logs parse --format "$fmt" "$tmp/hdfs.log" >"$tmp/out.csv"; rc=$?
check "parse exits 0" [ $rc -eq 0 ]
check "header" [ "$(head -1 "$tmp/out.csv")" = "LineId,EventId,EventTemplate,ParameterList" ]
check "one row per line" [ "$(tail -n +2 "$tmp/out.csv" | grep -c '^[0-9]')" -eq 102 ]
check "line ids in order" bash -c "tail -n +2 '$tmp/out.csv' | cut -d, -f1 | paste -sd' ' | grep -q '^1 2 3 .* 101 102\$'"
check "receiving lines share one template" \
    grep -q '^1,E1,Receiving block <\*> src: <\*>,"\[""blk_7919"",""/10.250.1.1:50010""\]"$' "$tmp/out.csv"
check "all 50 receiving lines in E1" [ "$(grep -c ',E1,Receiving block' "$tmp/out.csv")" -eq 50 ]
check "delete lines share one template" [ "$(grep -c ',E2,BLOCK\* ask <\*> to delete <\*> <\*>,' "$tmp/out.csv")" -eq 50 ]
check "quotes and commas are CSV-quoted" grep -q '^101,E3,"quote "" and, comma",\[\]$' "$tmp/out.csv"
check "unmatched line kept whole" grep -q '^102,E4,not in the format at all,\[\]$' "$tmp/out.csv"

"$bin" logs parse --format "$fmt" --csv "$tmp/o2.csv" - <"$tmp/hdfs.log"
check "--csv and stdin give the same" cmp -s "$tmp/out.csv" "$tmp/o2.csv"

"$bin" logs templates --warmup 100 --format "$fmt" "$tmp/hdfs.log" >"$tmp/t.txt"
check "templates table" grep -Eq '^E1 +50 +Receiving block <\*> src: <\*>$' "$tmp/t.txt"
check "template after warm-up is new" grep -Eq '^E4 +1 new  not in the format at all$' "$tmp/t.txt"
"$bin" logs templates --json --warmup 100 --format "$fmt" "$tmp/hdfs.log" >"$tmp/t.json"
check "templates json" /usr/bin/python3 -c "
import json,sys; t=json.load(open('$tmp/t.json'))
assert t[1] == {'id': 'E2', 'template': 'BLOCK* ask <*> to delete <*> <*>', 'count': 50,
               'first_line': 2, 'new': False}, t[1]
assert t[3]['new'] is True and t[3]['first_line'] == 102, t[3]"

# --state: two runs over halves give the ids of one run over the whole.
head -60 "$tmp/hdfs.log" >"$tmp/a.log"; tail -n +61 "$tmp/hdfs.log" >"$tmp/b.log"
"$bin" logs templates --format "$fmt" --state "$tmp/state" "$tmp/a.log" >/dev/null
check "--state file written" [ -s "$tmp/state" ]
"$bin" logs parse --format "$fmt" --state "$tmp/state" "$tmp/b.log" | tail -n +2 | cut -d, -f2 >"$tmp/ids_b"
tail -n +62 "$tmp/out.csv" | cut -d, -f2 >"$tmp/ids_whole"
check "--state resumes with the same ids" cmp -s "$tmp/ids_b" "$tmp/ids_whole"
"$bin" logs templates --state "$tmp/state" /dev/null >"$tmp/t2.txt"
check "--state keeps counts" grep -Eq '^E1 +50 +Receiving block' "$tmp/t2.txt"
printf 'garbage' >"$tmp/bad.state"
"$bin" logs templates --state "$tmp/bad.state" /dev/null >/dev/null 2>"$tmp/err"; rc=$?
check "bad --state exits 2" [ $rc -eq 2 ]
check "bad --state says why" grep -q "not a miner state" "$tmp/err"
check "bad --state left alone" [ "$(cat "$tmp/bad.state")" = garbage ]

head -c 200000 /dev/urandom >"$tmp/junk.bin"
"$bin" logs parse "$tmp/junk.bin" >"$tmp/junk.csv"; rc=$?
check "binary junk parses" [ $rc -eq 0 ]
awk 'BEGIN { for (i = 0; i < 3000000; i++) printf "w%d ", i % 10; print "" }' >"$tmp/long.log"
"$bin" logs parse "$tmp/long.log" >/dev/null; rc=$?
check "a 9 MB line parses" [ $rc -eq 0 ]

"$bin" logs parse --format '<Date> <Time>' "$tmp/hdfs.log" >/dev/null 2>"$tmp/err"; rc=$?
check "format without Content exits 2" [ $rc -eq 2 ]
check "format error says why" grep -q "no <Content> field" "$tmp/err"
"$bin" logs parse --similarity 2 "$tmp/hdfs.log" >/dev/null 2>&1; rc=$?
check "bad --similarity exits 2" [ $rc -eq 2 ]
"$bin" logs frob >/dev/null 2>&1; rc=$?
check "unknown subcommand exits 2" [ $rc -eq 2 ]
"$bin" logs parse "$tmp/none.log" >/dev/null 2>&1; rc=$?
check "missing file exits 2" [ $rc -eq 2 ]
check "logs --help" bash -c "'$bin' logs --help | grep -q ParameterList"

# User masks (PCRE2): names of any length become one parameter.
printf 'session of John Smith Jr opened\nsession of Ann opened\n' >"$tmp/names.log"
check "without a mask: two templates" [ "$("$bin" logs templates "$tmp/names.log" | wc -l)" -eq 2 ]
"$bin" logs templates --json --mask '(?<=of )[A-Z][a-z]+( [A-Z][a-z]+)*' "$tmp/names.log" >"$tmp/masked.json"; rc=$?
check "with --mask: one template, the match as <*>" bash -c "[ $rc -eq 0 ] && grep -q '\"template\": \"session of <\*> opened\"' '$tmp/masked.json' && grep -q '\"count\": 2' '$tmp/masked.json'"
"$bin" logs templates --mask 'a(' "$tmp/names.log" >/dev/null 2>"$tmp/err"; rc=$?
check "a bad mask: exit 2, the pattern and why" bash -c "[ $rc -eq 2 ] && grep -q \"mask 'a(': missing closing parenthesis\" '$tmp/err'"
"$bin" logs templates --mask 'x*' "$tmp/names.log" >/dev/null 2>"$tmp/err"; rc=$?
check "a mask matching nothing at all is refused" bash -c "[ $rc -eq 2 ] && grep -q 'matches the empty string' '$tmp/err'"

# Parameters are written as JSON by hand (no library call per row): quotes,
# backslashes, control characters, UTF-8 and a byte that is not UTF-8.
printf 'x "q1" a\\1 \001z9 caf\303\2511 \360\237\230\2002 b\3773 4\t5\n' >"$tmp/esc.log"
"$bin" logs parse --csv "$tmp/esc.csv" "$tmp/esc.log"
check "parameters are JSON, escaped" /usr/bin/python3 -c "
import csv, json, sys
row = list(csv.DictReader(open('$tmp/esc.csv', encoding='ascii')))[0]
got = json.loads(row['ParameterList'])
sys.exit(got != ['\"q1\"', 'a\\\\1', '\\x01z9', 'caf\\u00e91', '\\U0001F6002', 'b\\ufffd3', '4', '5'])"

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all checks passed"
