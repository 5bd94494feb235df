#!/usr/bin/env bash
# `opsbox prices` streaming a generated 1 GB AWS EC2-shaped offer file
# (bench/prices_gen_offer.py) on one core: the whole command a user runs
# (`prices fit --vcpu 8 --memory 32G FILE`), medians of three runs, beside
# reading the file with cat (the I/O floor) in the same run, and its peak
# memory beside that for a quarter-size file (flat: memory follows the SKUs
# kept, not the bytes). Prints one figure per line:
#   prices_offer_bytes, prices_offer_skus
#   prices_1gb_seconds, prices_1gb_mb_per_sec, cat_1gb_seconds
#   prices_1gb_max_rss_mb, prices_256mb_max_rss_mb, prices_rss_bytes_per_sku
#
#   bench/prices.sh [OPSBOX_BINARY]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
. "$top/bench/lib.sh"
"$py" "$top/bench/prices_gen_offer.py" $((1 << 30)) "$tmp/big.json" 2>"$tmp/skus"
"$py" "$top/bench/prices_gen_offer.py" $((1 << 28)) "$tmp/quarter.json" 2>/dev/null
bytes=$(stat -c %s "$tmp/big.json")
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
run() { # run FILE: "seconds max_rss_kb" of one opsbox run on one core
    taskset -c 0 /usr/bin/time -f "%e %M" -o "$tmp/t" "$bin" prices fit --vcpu 8 --memory 32G "$1" >/dev/null
    cat "$tmp/t"
}
for _ in 1 2 3; do run "$tmp/big.json"; done >"$tmp/runs"
for _ in 1 2 3; do
    taskset -c 0 /usr/bin/time -f "%e" -o "$tmp/t" cat "$tmp/big.json" >/dev/null; cat "$tmp/t"
done >"$tmp/cat"
secs=$(cut -d' ' -f1 "$tmp/runs" | median)
rss=$(cut -d' ' -f2 "$tmp/runs" | median)
rss_q=$(run "$tmp/quarter.json" | cut -d' ' -f2)
skus=$(cat "$tmp/skus")
echo "prices_offer_bytes $bytes"
echo "prices_offer_skus $skus"
echo "prices_1gb_seconds $secs"
awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "prices_1gb_mb_per_sec %.0f\n", b / 1048576 / s }'
echo "cat_1gb_seconds $(median <"$tmp/cat")"
awk -v r="$rss" 'BEGIN { printf "prices_1gb_max_rss_mb %.1f\n", r / 1024 }'
awk -v r="$rss_q" 'BEGIN { printf "prices_256mb_max_rss_mb %.1f\n", r / 1024 }'
awk -v r="$rss" -v n="$skus" 'BEGIN { printf "prices_rss_bytes_per_sku %.0f\n", r * 1024 / n }'
