#!/usr/bin/env bash
# Speed of `opsbox mail threads --tsv` on 1 M generated messages (one core,
# whole command), median of three runs, one figure per line:
#   mail_threads_1m_seconds, mail_threads_msgs_per_sec, and beside them
#   cat_mbox_seconds (reading the same file: the I/O floor, same run)
#   [N=1000000] bench/mail.sh [OPSBOX_BINARY]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
n=${N:-1000000}
source "$top/bench/lib.sh"
"$py" "$top/tests/runtime/mail_gen.py" --messages "$n" --days 1000 >"$tmp/m.mbox" 2>/dev/null
for _ in 1 2 3; do
    t0=$(date +%s.%N); taskset -c 0 "$bin" mail threads --tsv "$tmp/m.mbox" >/dev/null; t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
done | sort -g | sed -n 2p >"$tmp/med"
echo "mail_threads_1m_seconds $(printf '%.2f' "$(cat "$tmp/med")")"
echo "mail_threads_msgs_per_sec $(echo "$n / $(cat "$tmp/med")" | bc)"
for _ in 1 2 3; do
    t0=$(date +%s.%N); taskset -c 0 cat "$tmp/m.mbox" >/dev/null; t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
done | sort -g | sed -n 2p >"$tmp/cat"
echo "cat_mbox_seconds $(printf '%.2f' "$(cat "$tmp/cat")")"
