#!/usr/bin/env bash
# `opsbox detect` as a whole process (read CSV, score, write CSV) on one
# 1.2 M-point series, beside `awk '{print}'` copying the same file in the
# same run: the floor for any program that reads and writes it line by line.
# The series is NAB's values as written (all 58 files in order, repeated) at
# 5-minute steps, so the number formats are those of real metrics.
# Medians of five interleaved runs, output to /dev/null; one figure a line:
#   detect_points_per_sec, awk_points_per_sec, detect_vs_awk_time, and
#   the same by CPU time (..._per_cpu_sec, detect_vs_awk_cpu_time)
#
#   bench/detect_speed.sh [OPSBOX_BINARY]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
data=${OPSBOX_SHARED:-$top/../shared}/data/nab/data
points=1200000
[ -x "$bin" ] || { echo "detect_speed.sh: no binary at $bin (build first)" >&2; exit 2; }
[ -d "$data" ] || { echo "detect_speed.sh: no NAB data at $data" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
awk -v N=$points -f "$top/bench/detect_series.awk" "$data"/*/*.csv >"$tmp/series.csv"

# On a shared machine the wall clock also counts waiting for a core, so the
# CPU time (user + system) of each run is given too.
seconds() { # seconds CMD...: "wall cpu" of one run, output discarded
    /usr/bin/time -f '%e %U %S' -o "$tmp/t" "$@" >/dev/null
    awk '{ print $1, $2 + $3 }' "$tmp/t"
}
for _ in 1 2 3 4 5; do
    echo "$(seconds "$bin" detect "$tmp/series.csv") $(seconds awk '{print}' "$tmp/series.csv")"
done >"$tmp/times"
med() { cut -d' ' -f"$1" "$tmp/times" | sort -g | sed -n 3p; }
rate() { echo "$points / $1" | bc -l | xargs printf '%.0f'; }
dw=$(med 1) dc=$(med 2) aw=$(med 3) ac=$(med 4)
echo "detect_points_per_sec $(rate "$dw")"
echo "awk_points_per_sec $(rate "$aw")"
printf 'detect_vs_awk_time %.1f\n' "$(echo "$dw / $aw" | bc -l)"
echo "detect_points_per_cpu_sec $(rate "$dc")"
echo "awk_points_per_cpu_sec $(rate "$ac")"
printf 'detect_vs_awk_cpu_time %.1f\n' "$(echo "$dc / $ac" | bc -l)"
