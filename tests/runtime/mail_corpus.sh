#!/usr/bin/env bash
# `opsbox mail` on more real archives (tests/data/mail, Apache PonyMail test
# corpus, see NOTICE.md): encoded words in ISO-8859-1, UTF-8 and ISO-2022-JP
# and the corpus's edge cases (HTML only, text/enriched, an ancient
# boundary, empty bodies, no Date, a mboxrd ">>>From" line), each scored
# against Python's email package and References-only threading; message
# counts against Python's mailbox module, never a number written here.
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
d=$here/../data/mail
count() { $py -c 'import mailbox, sys; print(len(mailbox.mbox(sys.argv[1], create=False)))' "$1"; }

gunzip -c "$d/encoded-words.mbox.gz" >"$tmp/e.mbox"
"$bin" mail headers "$d/encoded-words.mbox.gz" >"$tmp/eh.tsv" 2>"$tmp/eh.err"; rc=$?
check "encoded words: headers exits 0" [ $rc -eq 0 ]
check "encoded words: one row per message" [ "$(wc -l <"$tmp/eh.tsv")" -eq "$(count "$tmp/e.mbox")" ]
check "encoded words: Subject and From as Python's email decodes them" \
    $py "$here/mail_reference.py" headers "$tmp/e.mbox" "$tmp/eh.tsv" --min 1.0
"$bin" mail threads --tsv "$d/encoded-words.mbox.gz" >"$tmp/et.tsv" 2>/dev/null
check "encoded words: threads vs References-only" \
    $py "$here/mail_reference.py" threads "$tmp/e.mbox" "$tmp/et.tsv" --recall 1.0 --precision 0.95

gunzip -c "$d/edge-cases.mbox.gz" >"$tmp/x.mbox"
"$bin" mail headers "$d/edge-cases.mbox.gz" >"$tmp/xh.tsv" 2>"$tmp/xh.err"; rc=$?
check "edge cases: headers exits 0" [ $rc -eq 0 ]
check "edge cases: one row per message" [ "$(wc -l <"$tmp/xh.tsv")" -eq "$(count "$tmp/x.mbox")" ]
# One From differs on purpose: "addr (Name)", the RFC 822 comment form, is
# "Name <addr>" here (GMime) and the bare address in Python.
check "edge cases: headers as Python's email (all but the comment-name form)" \
    $py "$here/mail_reference.py" headers "$tmp/x.mbox" "$tmp/xh.tsv" --min 0.95
"$bin" mail threads --tsv "$d/edge-cases.mbox.gz" >"$tmp/xt.tsv" 2>/dev/null; rc=$?
check "edge cases: threads exits 0, every message once" \
    [ $rc -eq 0 -a "$(cut -f2 "$tmp/xt.tsv" | sort -u | wc -l)" -eq "$(count "$tmp/x.mbox")" ]
"$bin" mail trends "$d/edge-cases.mbox.gz" >/dev/null 2>"$tmp/xr.err"; rc=$?
check "edge cases: trends exits 0 (too short to score is no error)" [ $rc -eq 0 ]
exit $((fails > 0))
