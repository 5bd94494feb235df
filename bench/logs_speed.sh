#!/usr/bin/env bash
# Throughput of `opsbox logs` on one core, whole process, default masks.
# Medians of five runs (three for the long templates); prints one figure
# per line, wall clock, and for the templates figures also by the CPU time
# of the process (user + system; `_cpu_`), which a shared machine does not
# halve:
#   logs_templates_lines_per_sec  HDFS_2k x100 (200k lines), templates only
#   logs_parse_lines_per_sec      the same through `logs parse --csv OUT`
#   logs_startup_ms               the process with no input (in every figure)
#   logs_{1k,10k,50k}_templates_lines_per_sec  200k lines over that many
#                                 distinct templates (short: 7 constants)
#   logs_50k_long_templates_lines_per_sec  the same with 15 constants, so a
#                                 line may miss one (the near index's case)
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
# N templates: a distinct digit-free word (base-26 of i) twice in a fixed
# frame (two positions differ, so no two are one template with a
# parameter), all of one length and first token, each seen 200k/N times
# with different numbers: the case where scanning every template would
# crawl. The long frame has enough constants that a line may miss one.
gen() { # gen N TAIL
    awk -v N="$1" -v tail="$2" 'BEGIN { R = int(200000 / N); for (r = 0; r < R; r++) for (i = 0; i < N; i++) {
        w = ""; n = i; do { w = w sprintf("%c", 97 + n % 26); n = int(n / 26) } while (n > 0)
        printf "081109 203615 %d INFO dfs.X: event %s %s happened on node %d after %d ms%s\n", i, w, w, r, i * r, tail } }'
}
for n in 1000 10000 50000; do gen $n "" >"$tmp/t$n.log"; done
gen 50000 " while the job was in its final stage" >"$tmp/long50k.log"

runs() { # runs K LINES CMD...: K runs, each "wall-rate cpu-rate" (lines/s)
    local k=$1 lines=$2; shift 2
    local TIMEFORMAT='%R %U %S'
    for _ in $(seq "$k"); do
        { time "$@" >/dev/null 2>&1; } 2>&1 | awk -v l="$lines" '{ printf "%d %d\n", l / $1, l / ($2 + $3) }'
    done
}
median_col() { # median_col FILE COLUMN
    cut -d' ' -f"$2" "$1" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
median_rate() { # median_rate LINES CMD...: wall lines per second, median of 5
    runs 5 "$@" | cut -d' ' -f1 | sort -g | sed -n 3p
}
runs 5 200000 "$bin" logs templates --format "$fmt" "$tmp/hdfs200k.log" >"$tmp/r"
echo "logs_templates_lines_per_sec $(median_col "$tmp/r" 1)"
echo "logs_templates_cpu_lines_per_sec $(median_col "$tmp/r" 2)"
parse=$(median_rate 200000 "$bin" logs parse --format "$fmt" --csv "$tmp/out.csv" "$tmp/hdfs200k.log")
echo "logs_parse_lines_per_sec $parse"
echo "logs_startup_ms $(for _ in 1 2 3 4 5; do t0=$(date +%s%N); "$bin" logs templates /dev/null >/dev/null; t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000)); done | sort -n | sed -n 3p)"
for n in 1000 10000 50000; do
    runs 5 200000 "$bin" logs templates --format "$fmt" "$tmp/t$n.log" >"$tmp/r"
    echo "logs_$((n / 1000))k_templates_lines_per_sec $(median_col "$tmp/r" 1)"
    echo "logs_$((n / 1000))k_templates_cpu_lines_per_sec $(median_col "$tmp/r" 2)"
done
echo "logs_50k_templates_found $("$bin" logs templates --format "$fmt" "$tmp/t50000.log" | wc -l)"
runs 3 200000 "$bin" logs templates --format "$fmt" "$tmp/long50k.log" >"$tmp/r"
echo "logs_50k_long_templates_lines_per_sec $(median_col "$tmp/r" 1)"
echo "logs_50k_long_templates_cpu_lines_per_sec $(median_col "$tmp/r" 2)"
echo "logs_50k_long_templates_found $("$bin" logs templates --format "$fmt" "$tmp/long50k.log" | wc -l)"
if [ -n "${DRAIN3:-}" ]; then
    py=/usr/bin/python3; [ -x "$py" ] || py=python3
    ours=$(median_rate 200000 "$bin" logs templates "$tmp/hdfs200k.log")
    theirs=$("$py" "$top/bench/drain3_speed.py" "$DRAIN3" "$tmp/hdfs200k.log")
    echo "logs_raw_lines_per_sec $ours"
    echo "drain3_raw_lines_per_sec $theirs"
    printf 'opsbox_vs_drain3_speed %.1f\n' "$(echo "$ours / $theirs" | bc -l)"
    printf 'opsbox_parse_vs_drain3_speed %.1f\n' "$(echo "$parse / $theirs" | bc -l)"
fi
