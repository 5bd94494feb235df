#!/usr/bin/env bash
# Disk failure prediction on Backblaze data (../shared/data/disk), by
# Backblaze's drive-level rule: a failing drive is caught when flagged on any
# of its last 14 days, a healthy one is a false alarm when flagged on any
# day. 5-fold cross-validation by serial (each drive scored by a model that
# never saw it), beside the rule people use (SMART 5 + 197 raw, same drives),
# then speed: drive-days scored per second (read, features, model, CSV out;
# median of 3 runs over the 2013 file, uncompressed).
#   bench/disk.sh [OPSBOX_BINARY]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
data=${OPSBOX_SHARED:-$top/../shared}/data/disk
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" disk eval --backblaze "$data/backblaze_2013_train.csv.gz" >"$tmp/eval"
awk '/^5-fold/ {m = "disk_cv_"} /^rule/ {m = "disk_rule_"}
     /recall at 1%/ {print m "recall_at_1pct_false_alarms", $NF}
     /recall at 5%/ {print m "recall_at_5pct_false_alarms", $NF}
     /AUC/ {print m "auc", $NF}
     /held out/ && m == "disk_cv_" {print "disk_cv_failing_drives", $5; print "disk_cv_healthy_drives", $8}' "$tmp/eval"
zcat "$data/backblaze_2013_train.csv.gz" >"$tmp/days.csv"
rows=$(($(wc -l <"$tmp/days.csv") - 1))
for i in 1 2 3; do
    s=$(date +%s.%N); "$bin" disk predict --backblaze "$tmp/days.csv" >/dev/null; e=$(date +%s.%N)
    echo "$e - $s" | bc -l
done | sort -n | sed -n 2p >"$tmp/t"
echo "disk_drive_days_per_sec $(echo "$rows / $(cat "$tmp/t")" | bc -l | cut -d. -f1)"
echo "disk_minutes_for_100M_drive_days $(echo "100000000 / ($rows / $(cat "$tmp/t")) / 60" | bc -l | cut -c1-5)"
