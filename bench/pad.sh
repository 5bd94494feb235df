#!/usr/bin/env bash
# prometheus-anomaly-detector's model beside opsbox's on one NAB series, as
# PAD runs by default (bench/pad_prophet.R: Prophet with daily and weekly
# seasonality on a rolling 3-day window, refitted every 120 minutes, a point
# outside the 80 % band an anomaly). PAD itself is Python on PyPI; Prophet is
# in Debian as r-cran-prophet, so its model runs here through R. Prints:
#   pad_fits, pad_seconds_per_fit       Prophet fits over the series
#   pad_cpu_seconds_per_series_day      12 fits a day per series
#   opsbox_cpu_seconds_per_series_day   `opsbox detect` over the same series,
#                                       scaled to a day of 15 s points
#   pad_vs_opsbox_cpu                   how many times more CPU PAD needs
#   pad_flagged_share, opsbox_flagged_share  points each flags
#
#   bench/pad.sh [OPSBOX_BINARY] [NAB_FILE]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
shared=${OPSBOX_SHARED:-$top/../shared}
file=${2:-$shared/data/nab/data/realAWSCloudwatch/ec2_cpu_utilization_24ae8d.csv}
command -v Rscript >/dev/null && Rscript -e 'library(prophet)' >/dev/null 2>&1 ||
    { echo "pad.sh: needs Debian r-cran-prophet (make bench installs it)" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fit=$(Rscript "$top/bench/pad_prophet.R" "$file" "$tmp/pad.csv" 120 3 2>/dev/null | awk '/^fits/ {print $2, $4}')
set -- $fit
echo "pad_fits $1"
echo "pad_seconds_per_fit $(echo "$2 / $1" | bc -l | xargs printf '%.3f')"
pad_day=$(echo "12 * $2 / $1" | bc -l)
printf 'pad_cpu_seconds_per_series_day %.2f\n' "$pad_day"
# opsbox: the median of 5 runs over the same points, per point, times a
# day of 15 s points (5760).
rows=$(($(wc -l <"$file") - 1))
per=$(for _ in 1 2 3 4 5; do
    s=$(date +%s.%N); "$bin" detect "$file" >"$tmp/ob.csv"; e=$(date +%s.%N)
    echo "($e - $s) / $rows" | bc -l
done | sort -g | sed -n 3p)
ob_day=$(echo "$per * 5760" | bc -l)
printf 'opsbox_cpu_seconds_per_series_day %.6f\n' "$ob_day"
printf 'pad_vs_opsbox_cpu %.0f\n' "$(echo "$pad_day / $ob_day" | bc -l)"
awk -F, 'NR > 1 { n++; s += $3 } END { printf "pad_flagged_share %.3f\n", s / n }' "$tmp/pad.csv"
awk -F, 'NR > 1 { n++; s += $7 } END { printf "opsbox_flagged_share %.3f\n", s / n }' "$tmp/ob.csv"
