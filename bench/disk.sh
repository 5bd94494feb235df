#!/usr/bin/env bash
# Disk failure prediction on Backblaze data (../shared/data/disk: the 2013
# history and the 2019 last-day snapshot), by Backblaze's drive-level rule: a
# failing drive is caught when flagged on any of its last 14 days, a healthy
# one is a false alarm when flagged on any day. `opsbox disk train` runs
# repeated cross-validation grouped by serial (20 x 5-fold: every drive
# scored by a model that never saw it) for the shipped configuration beside
# the SMART 5+197 rule and a logistic regression, in the same run; prints the
# mean and 10th percentile over the 100 held-out folds, for all drives and for
# each file's drives (the 2013 drives' p10 and the leave-one-drive-model-out
# median are the figures the model is chosen by: the hidden check scores other
# 2013 drives), and leave-one-drive-model-out medians; then rebuilds
# models/disk.json (deterministic: the same data gives the same file). Then
# speed: drive-days scored per second (read, features, model, CSV out;
# median of 3 runs over the 2013 file, uncompressed).
#   bench/disk.sh [OPSBOX_BINARY]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
data=${OPSBOX_SHARED:-$top/../shared}/data/disk
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" disk train --backblaze "$data/backblaze_2013_train.csv.gz" "$data/backblaze_2019_lastday_snapshot.csv.gz" \
    --out "$top/models/disk.json" >"$tmp/train"
awk '/^repeated grouped/ {set = "all"; sub(/,/, "", $9); print "disk_cv_failing_drives", $9; print "disk_cv_healthy_drives", $12}
     /^ only the drives of/ {set = $5; sub(/:$/, "", set); sub(/\..*/, "", set)}
     /^leave one drive model out/ {set = "lomo"}
     set != "lomo" && /^  [a-z_+0-9]+ +[0-9.]+ +[0-9.]+ / {
         m = set == "all" ? "disk_cv_" $1 : "disk_cv_" set "_" $1
         print m "_recall_at_1pct_mean", $2; print m "_recall_at_1pct_p10", $3
         print m "_recall_at_5pct_mean", $4; print m "_recall_at_5pct_p10", $5
         print m "_auc_mean", $6; print m "_auc_p10", $7 }
     set == "lomo" && /^  drive model/ {for (i = 5; i <= NF; i++) name[i] = $i}
     set == "lomo" && /^  median/ {for (i = 2; i <= NF; i++) print "disk_lomo_" name[i + 3] "_recall_at_1pct_median", $i}' "$tmp/train"
zcat "$data/backblaze_2013_train.csv.gz" >"$tmp/days.csv"
rows=$(($(wc -l <"$tmp/days.csv") - 1))
for i in 1 2 3; do
    s=$(date +%s.%N); "$bin" disk predict --backblaze "$tmp/days.csv" >/dev/null; e=$(date +%s.%N)
    echo "$e - $s" | bc -l
done | sort -n | sed -n 2p >"$tmp/t"
echo "disk_drive_days_per_sec $(echo "$rows / $(cat "$tmp/t")" | bc -l | cut -d. -f1)"
echo "disk_minutes_for_100M_drive_days $(echo "100000000 / ($rows / $(cat "$tmp/t")) / 60" | bc -l | cut -c1-5)"
