#!/usr/bin/env bash
# Throughput of `opsbox logs` on one core, whole process, default masks.
# Medians of five runs; prints one figure per line:
#   logs_templates_lines_per_sec  HDFS_2k x100 (200k lines), templates only
#   logs_parse_lines_per_sec      the same through `logs parse --csv OUT`
#   logs_startup_ms               the process with no input (in every figure)
#   logs_50k_templates_lines_per_sec  200k lines over 50k distinct templates
# and, when DRAIN3 names a checkout of github.com/logpai/Drain3 (the
# reference; needs Debian python3-cachetools and python3-jsonpickle, which
# scripts/install-deps.sh bench installs; `git clone` or any copy of the
# repository's files will do), both
# on the same raw lines (no header parsing), Drain3 with its example masks:
#   logs_raw_lines_per_sec, drain3_raw_lines_per_sec, opsbox_vs_drain3_speed
# and the whole `logs parse --format F --csv OUT` against Drain3's mining:
#   opsbox_parse_vs_drain3_speed
#
#   [DRAIN3=PATH] bench/logs_speed.sh [OPSBOX_BINARY]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
data=${OPSBOX_SHARED:-$top/../shared}/data/loghub-2k/HDFS/HDFS_2k.log
fmt='<Date> <Time> <Pid> <Level> <Component>: <Content>'
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
[ -f "$data" ] || { echo "logs_speed.sh: no $data" >&2; exit 2; }
for _ in $(seq 100); do cat "$data"; done >"$tmp/hdfs200k.log"
# 50k templates: a distinct digit-free word (base-26 of i) twice in a fixed
# frame (two positions differ, so no two are one template with a
# parameter), all of one length and first token, each seen four times with
# different numbers: the case where scanning every template would crawl.
awk 'BEGIN { for (r = 0; r < 4; r++) for (i = 0; i < 50000; i++) {
    w = ""; n = i; do { w = w sprintf("%c", 97 + n % 26); n = int(n / 26) } while (n > 0)
    printf "081109 203615 %d INFO dfs.X: event %s %s happened on node %d after %d ms\n", i, w, w, r, i * r } }' \
    >"$tmp/t50k.log"

median_rate() { # median_rate LINES CMD...: lines per second, median of 5
    local lines=$1; shift
    for _ in 1 2 3 4 5; do
        local t0 t1
        t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N)
        echo "$lines / ($t1 - $t0)" | bc -l
    done | sort -g | sed -n 3p | cut -d. -f1
}
echo "logs_templates_lines_per_sec $(median_rate 200000 "$bin" logs templates --format "$fmt" "$tmp/hdfs200k.log")"
parse=$(median_rate 200000 "$bin" logs parse --format "$fmt" --csv "$tmp/out.csv" "$tmp/hdfs200k.log")
echo "logs_parse_lines_per_sec $parse"
echo "logs_startup_ms $(for _ in 1 2 3 4 5; do t0=$(date +%s%N); "$bin" logs templates /dev/null >/dev/null; t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000)); done | sort -n | sed -n 3p)"
echo "logs_50k_templates_lines_per_sec $(median_rate 200000 "$bin" logs templates --format "$fmt" "$tmp/t50k.log")"
echo "logs_50k_templates_found $("$bin" logs templates --format "$fmt" "$tmp/t50k.log" | wc -l)"
if [ -n "${DRAIN3:-}" ]; then
    py=/usr/bin/python3; [ -x "$py" ] || py=python3
    ours=$(median_rate 200000 "$bin" logs templates "$tmp/hdfs200k.log")
    theirs=$("$py" "$top/bench/drain3_speed.py" "$DRAIN3" "$tmp/hdfs200k.log")
    echo "logs_raw_lines_per_sec $ours"
    echo "drain3_raw_lines_per_sec $theirs"
    printf 'opsbox_vs_drain3_speed %.1f\n' "$(echo "$ours / $theirs" | bc -l)"
    printf 'opsbox_parse_vs_drain3_speed %.1f\n' "$(echo "$parse / $theirs" | bc -l)"
fi
