#!/usr/bin/env bash
# End-to-end tests of `opsbox mail`: a real Apache list archive (gzip) scored
# against Python's email package and References-only threading, From-line
# quoting, truncated and non-mbox input, unknown charsets, and a synthetic
# archive whose injected burst and silence trends must find.
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
data=$here/../data/mail/asterix-dev-2017-09.mbox.gz
gunzip -c "$data" >"$tmp/a.mbox"

"$bin" mail threads --tsv "$data" >"$tmp/t.tsv" 2>/dev/null; rc=$?
check "threads gzip exits 0" [ $rc -eq 0 ]
check "one row per message" [ "$(wc -l <"$tmp/t.tsv")" -eq 53 ]
check "threads vs References-only (recall 1)" $py "$here/mail_reference.py" threads "$tmp/a.mbox" "$tmp/t.tsv" --recall 1.0 --precision 0.95
"$bin" mail headers "$data" >"$tmp/h.tsv" 2>/dev/null
check "headers agree with Python email" $py "$here/mail_reference.py" headers "$tmp/a.mbox" "$tmp/h.tsv" --min 1.0

printf 'From a@b Mon Jan  1 00:00:00 2024\nMessage-ID: <q1@x>\nSubject: =?x-unknown-cs?q?caf=E9?= and =?iso-8859-1?q?caf=E9?=\nFrom: a@b\n\n>From the start\n>>From deeper\n\nFrom here on, not a message\n\nFrom b@c Mon Jan  1 01:00:00 2024\nMessage-ID: <q2@x>\nIn-Reply-To: <q1@x>\nSubject: Re: cafe\nFrom: b@c\n\nok\n' >"$tmp/q.mbox"
"$bin" mail threads --tsv "$tmp/q.mbox" >"$tmp/q.tsv" 2>"$tmp/q.err"
check "From-quoted body and unquoted From line: two messages" [ "$(wc -l <"$tmp/q.tsv")" -eq 2 ]
check "reply threaded to its parent" grep -q $'^q1@x\tq2@x$' "$tmp/q.tsv"
"$bin" mail headers "$tmp/q.mbox" >"$tmp/qh.tsv" 2>"$tmp/qh.err"
check "unknown charset reported" grep -q "unknown charset" "$tmp/qh.err"
check "known charset decoded beside it" grep -q "café" "$tmp/qh.tsv"

head -c 20000 "$data" >"$tmp/cut.mbox.gz"
"$bin" mail threads "$tmp/cut.mbox.gz" >/dev/null 2>"$tmp/cut.err"; rc=$?
check "truncated gzip exits 2" [ $rc -eq 2 ]
check "truncated gzip says so" grep -q "truncated" "$tmp/cut.err"
echo "hello" >"$tmp/not.mbox"
"$bin" mail threads "$tmp/not.mbox" >/dev/null 2>"$tmp/not.err"; rc=$?
check "not an mbox exits 2 naming the line" [ $rc -eq 2 ] && grep -q "not.mbox:1: not an mbox" "$tmp/not.err"

$py "$here/mail_gen.py" --days 300 --rate 10 --seed 5 --burst 230:60:kerberos --silence 200:5 >"$tmp/s.mbox" 2>/dev/null
"$bin" mail trends --tsv "$tmp/s.mbox" >"$tmp/s.tsv"
check "burst found on its day" awk -F'\t' '$3=="messages" && $2=="2023-08-19" && $9==1 {f=1} END {exit !f}' "$tmp/s.tsv"
check "silence found on its first day" awk -F'\t' '$3=="messages" && $2=="2023-07-20" && $9==1 && $4==0 {f=1} END {exit !f}' "$tmp/s.tsv"
"$bin" mail trends "$tmp/s.mbox" >"$tmp/s.txt"
check "burst topic is its word" grep -q "keyword kerberos" "$tmp/s.txt"
"$bin" mail nope x 2>/dev/null; check "unknown subcommand exits 2" [ $? -eq 2 ]
exit $((fails > 0))
