#!/usr/bin/env bash
# `opsbox disk` through the real binary on the shared data: every smartctl
# fixture (ATA, NVMe, SCSI, failed drives, Ceph's history) parses; both
# Backblaze column sets (2013, 2019) read; train -> model file -> predict;
# bad inputs give a located error and exit 2 while the other drives go on.
set -u
. "$(dirname "$0")/lib.sh"
bin=$1
data=${OPSBOX_SHARED:-$(cd "$(dirname "$0")/../../.." && pwd)/shared}/data/disk
# The shared data sits beside the clone (../shared); without it, say so and
# let CTest count the test as skipped (77), not passed.
[ -d "$data" ] || { echo "SKIP no shared data at $data (set OPSBOX_SHARED)"; exit 77; }
sc=$data/smartctl/scrutiny

# Every drive fixture parses, one line each, with its serial.
for f in smart-ata.json smart-ata-full.json smart-fail2.json smart-megaraid0.json smart-nvme.json \
         smart-nvme2.json smart-nvme-failed.json smart-scsi.json smartctl_info_nvme.json; do
    out=$("$bin" disk predict "$sc/$f" 2>"$tmp/err"); rc=$?
    serial=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("serial_number",""))' "$sc/$f")
    check "smartctl $f parses" bash -c "[ $rc -eq 0 ] && [ \$(echo '$out' | wc -l) -eq 2 ] && echo '$out' | tail -1 | grep -q ',$serial,'"
done
state() { "$bin" disk predict "$@" | tail -1 | cut -d, -f5; }
check "the failed ATA drive (Hitachi, SMART failed) is bad" [ "$(state "$sc/smart-fail2.json")" = bad ]
check "a healthy ATA drive is good" [ "$(state "$sc/smart-ata.json")" = good ]
check "NVMe without NVMe training data: unknown, with the reason" bash -c "'$bin' disk predict '$sc/smart-nvme.json' | tail -1 | grep -q ',unknown,the model was trained on no drive'"
check "an info-only output: unknown, nothing to go on" bash -c "'$bin' disk predict '$sc/smartctl_info_nvme.json' | tail -1 | grep -q ',unknown,no SMART attributes'"
check "Ceph's 6-day history reads as one drive" bash -c "'$bin' disk predict '$data/smartctl/ceph/sample_input.json' | tail -1 | grep -q '^,Z304KD7V,ST4000DM000,'"

# Bad input: named, exit 2, the other drives still reported.
printf '{"smartctl": {"version": [7, 3]}, "serial_number": "X1", "ata_smart_attributes": {"table": [' >"$tmp/trunc.json"
echo 'not json at all' >"$tmp/junk.json"
printf '{"smartctl": {"version": [7, 3]}, "serial_number": "X2", "ata_smart_attributes": {"table": []}, "local_time": {"time_t": 1e300}}' >"$tmp/when.json"
out=$("$bin" disk predict "$tmp/junk.json" "$sc/smart-ata.json" "$tmp/trunc.json" "$sc/smartctl_scan_simple.json" "$tmp/when.json" 2>"$tmp/err"); rc=$?
check "bad files: exit 2" [ $rc -eq 2 ]
check "bad files: each named" bash -c "grep -q 'junk.json:1:[0-9]*: not valid JSON' '$tmp/err' && grep -q 'trunc.json:1:.*not valid JSON' '$tmp/err' && grep -q 'smartctl --scan' '$tmp/err' && grep -q 'when.json: local_time.time_t: 1e+300 is not a time' '$tmp/err'"
check "bad files: the good drive still reported" bash -c "echo '$out' | grep -q ',9RK1XXXX,'"

# Backblaze: both column sets, gzip; one row out per row in.
rows13=$(zcat "$data/backblaze_2013_train.csv.gz" | tail -n +2 | wc -l)
rows19=$(zcat "$data/backblaze_2019_lastday_snapshot.csv.gz" | tail -n +2 | wc -l)
"$bin" disk predict --backblaze "$data/backblaze_2019_lastday_snapshot.csv.gz" >"$tmp/p19.csv"; rc=$?
check "Backblaze 2019 columns: read, one row per drive" [ $rc -eq 0 -a "$(tail -n +2 "$tmp/p19.csv" | wc -l)" -eq "$rows19" ]
check "Backblaze 2019: every state is one of Ceph's" bash -c "tail -n +2 '$tmp/p19.csv' | cut -d, -f5 | sort -u | grep -qvx -e good -e warning -e bad -e unknown && exit 1 || exit 0"
zcat "$data/backblaze_2013_train.csv.gz" | head -20001 >"$tmp/part.csv"
"$bin" disk predict --backblaze "$tmp/part.csv" >"$tmp/p13.csv"; rc=$?
check "Backblaze 2013 columns, plain CSV" [ $rc -eq 0 -a "$(tail -n +2 "$tmp/p13.csv" | wc -l)" -eq 20000 ]

# train -> model -> predict with it; eval prints the figures.
"$bin" disk train --backblaze "$data/backblaze_2013_train.csv.gz" --out "$tmp/m.json" >"$tmp/train.out"; rc=$?
check "train: exit 0, validation figures, model written" bash -c "[ $rc -eq 0 ] && grep -q 'recall at 1% false alarms' '$tmp/train.out' && [ -s '$tmp/m.json' ]"
check "predict with the trained model" bash -c "'$bin' disk predict --model '$tmp/m.json' '$sc/smart-fail2.json' | tail -1 | grep -q ',bad,'"
check "a model file that is not one: refused" bash -c "echo '{}' >'$tmp/bad.json'; ! '$bin' disk predict --model '$tmp/bad.json' '$sc/smart-ata.json' 2>/dev/null"

# A bad CSV: file, line and column.
printf 'date,serial_number,model,failure,smart_5_raw\n2013-04-10,A,M,0,12\n2013-04-11,A,M,0,x1\n' >"$tmp/bad.csv"
"$bin" disk predict --backblaze "$tmp/bad.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "bad CSV: exit 2 at file:line:col" bash -c "[ $rc -eq 2 ] && grep -q 'bad.csv:3:18: expected a number' '$tmp/err'"
printf 'a,b\n1,2\n' >"$tmp/other.csv"
"$bin" disk predict --backblaze "$tmp/other.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "not drive stats: said so" bash -c "[ $rc -eq 2 ] && grep -q 'not a Backblaze drive-stats file' '$tmp/err'"
head -c 30000 "$data/backblaze_2013_train.csv.gz" >"$tmp/trunc.csv.gz"
"$bin" disk predict --backblaze "$tmp/trunc.csv.gz" >/dev/null 2>"$tmp/err"; rc=$?
check "truncated gzip: an error, not a crash" bash -c "[ $rc -eq 2 ] && grep -q 'trunc.csv.gz' '$tmp/err'"
# In the daemon: a folder of smartctl outputs and a device read through a
# stand-in for smartctl (this machine has no drive to spare); the failed
# drive turns bad and opens an incident.
mkdir -p "$tmp/json" "$tmp/dev"
cp "$sc/smart-ata.json" "$sc/smart-nvme.json" "$sc/smart-scsi.json" "$tmp/json/"
cp "$sc/smart-fail2.json" "$tmp/dev/sdc.json"
printf '#!/bin/sh\ncat "%s/dev/$(basename "$3").json"\n' "$tmp" >"$tmp/smartctl"
chmod +x "$tmp/smartctl"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$tmp/serve.yml" <<YML
listen: 127.0.0.1:$port
store: $tmp/serve.db
disk: {devices: [/dev/sdc], json_dir: $tmp/json, smartctl: $tmp/smartctl, interval: 1h}
YML
"$bin" serve --config "$tmp/serve.yml" >"$tmp/serve.log" 2>&1 & pid=$!
for _ in $(seq 50); do curl -sf "127.0.0.1:$port/-/ready" -o /dev/null && break; sleep 0.1; done
sleep 0.5
curl -sf "127.0.0.1:$port/metrics" >"$tmp/m"
check "serve: a probability per drive" [ "$(grep -c '^opsbox_disk_failure_probability{' "$tmp/m")" -eq 4 ]
check "serve: the failed drive's state is bad" grep -qF 'opsbox_disk_state{device="/dev/sdc",model="Hitachi HDS721050DLE630",serial="MSK423Y20S3HBC",state="bad"} 1' "$tmp/m"
check "serve: the NVMe drive is unknown" grep -qF 'serial="BTNH93710FS91P0B",state="unknown"} 1' "$tmp/m"
check "serve: /api/v1/disks" bash -c "curl -sf 127.0.0.1:$port/api/v1/disks | grep -q '\"state\":\"bad\"'"
check "serve: a drive turning bad opens an incident" bash -c "curl -sf 127.0.0.1:$port/api/v1/incidents | grep -q 'DiskFailurePredicted.*MSK423Y20S3HBC'"
kill "$pid"; wait "$pid" 2>/dev/null

"$bin" disk >/dev/null 2>&1; rc=$?
check "no verb: exit 2" [ $rc -eq 2 ]
echo "$fails failed"
[ $fails -eq 0 ]
