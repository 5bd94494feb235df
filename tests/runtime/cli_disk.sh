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
# NVMe and SCSI: the rules, a state and a reason for every drive with a health log.
check "a healthy NVMe drive: good, its health log clean" bash -c "'$bin' disk predict '$sc/smart-nvme.json' | tail -1 | grep -q ',good,health log clean'"
check "an NVMe drive logging error entries only: good" bash -c "'$bin' disk predict '$sc/smart-nvme2.json' | tail -1 | grep -q ',good,'"
check "the failed NVMe drive (7 media errors): bad, saying why" bash -c "'$bin' disk predict '$sc/smart-nvme-failed.json' | tail -1 | grep -q ',bad,7 media errors'"
check "the SCSI drive with 56 grown defects: warning, saying why" bash -c "'$bin' disk predict '$sc/smart-scsi.json' | tail -1 | grep -q ',warning,grown defect list: 56'"
for f in "$sc"/*.json; do
    grep -q -e '"nvme_smart_health_information_log"' -e '"scsi_grown_defect_list"' -e '"scsi_error_counter_log"' "$f" || continue
    line=$("$bin" disk predict "$f" | tail -1)
    check "$(basename "$f"): a state and a reason" bash -c "echo '$line' | cut -d, -f5- | grep -Eq '^(good|warning|bad),.+'"
done
check "an info-only output: unknown, nothing to go on" bash -c "'$bin' disk predict '$sc/smartctl_info_nvme.json' | tail -1 | grep -q ',unknown,no health log'"
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
"$bin" disk train --backblaze "$data/backblaze_2013_train.csv.gz" --repeats 1 --folds 2 --out "$tmp/m.json" >"$tmp/train.out"; rc=$?
check "train: exit 0, the cross-validation table, model written" bash -c "[ $rc -eq 0 ] && grep -q '^  xgboost  *0\.[0-9]* *0\.[0-9]*' '$tmp/train.out' && grep -q '^  logistic ' '$tmp/train.out' && [ -s '$tmp/m.json' ]"
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
# drive turns bad and opens an incident; then an NVMe drive's health log
# turns bad (reliability degraded) and it does too.
mkdir -p "$tmp/json" "$tmp/dev"
cp "$sc/smart-ata.json" "$sc/smart-nvme.json" "$sc/smart-scsi.json" "$tmp/json/"
cp "$sc/smart-fail2.json" "$tmp/dev/sdc.json"
printf '#!/bin/sh\ncat "%s/dev/$(basename "$3").json"\n' "$tmp" >"$tmp/smartctl"
chmod +x "$tmp/smartctl"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$tmp/serve.yml" <<YML
listen: 127.0.0.1:$port
store: $tmp/serve.db
disk: {devices: [/dev/sdc], json_dir: $tmp/json, smartctl: $tmp/smartctl, interval: 200ms}
YML
"$bin" serve --config "$tmp/serve.yml" >"$tmp/serve.log" 2>&1 & pid=$!
# Waits (at most 20 s) until /metrics has the line; keeps it in $tmp/m.
has_metric() { curl -sf "127.0.0.1:$port/metrics" -o "$tmp/m" && grep -qF "$1" "$tmp/m"; }
wait_metric() { wait_for 20 has_metric "$1"; }
nvme='serial="BTNH93710FS91P0B"'
check "serve: the NVMe drive is good" wait_metric "$nvme,state=\"good\"} 1"
check "serve: a probability per drive" [ "$(grep -c '^opsbox_disk_failure_probability{' "$tmp/m")" -eq 4 ]
check "serve: the failed drive's state is bad" grep -qF 'opsbox_disk_state{device="/dev/sdc",model="Hitachi HDS721050DLE630",serial="MSK423Y20S3HBC",state="bad"} 1' "$tmp/m"
check "serve: the SCSI drive is warning" grep -qF 'serial="Z1Z5DWJK0000XXXXXXXX",state="warning"} 1' "$tmp/m"
check "serve: /api/v1/disks" bash -c "curl -sf 127.0.0.1:$port/api/v1/disks | grep -q '\"state\":\"bad\"'"
check "serve: a drive turning bad opens an incident" wait_for 20 bash -c "curl -sf 127.0.0.1:$port/api/v1/incidents | grep -q 'DiskFailurePredicted.*MSK423Y20S3HBC'"
check "serve: no incident for the good NVMe drive" bash -c "! curl -sf 127.0.0.1:$port/api/v1/incidents | grep -q 'BTNH93710FS91P0B'"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["nvme_smart_health_information_log"]["critical_warning"]=4; json.dump(d,open(sys.argv[2],"w"))' \
    "$sc/smart-nvme.json" "$tmp/nvme-bad.json"
mv "$tmp/nvme-bad.json" "$tmp/json/smart-nvme.json"
check "serve: the NVMe drive turning bad: its state" wait_metric "$nvme,state=\"bad\"} 1"
check "serve: its probability is the rule's" grep -q "^opsbox_disk_failure_probability{.*$nvme} 0.9" "$tmp/m"
incident() { # the incident, then its members' summary (with the rule's reason)
    id=$(curl -sf "127.0.0.1:$port/api/v1/incidents" | /usr/bin/python3 -c 'import json,sys
for i in json.load(sys.stdin)["data"]:
    if i["labels"].get("serial") == "BTNH93710FS91P0B" and i["state"] == "firing": print(i["id"])')
    [ -n "$id" ] && curl -sf "127.0.0.1:$port/api/v1/incidents/$id" | grep -q 'critical warning: NVM subsystem reliability degraded'
}
check "serve: the NVMe drive turning bad opens an incident, with the reason" wait_for 20 incident
kill "$pid"; wait "$pid" 2>/dev/null

"$bin" disk >/dev/null 2>&1; rc=$?
check "no verb: exit 2" [ $rc -eq 2 ]
echo "$fails failed"
[ $fails -eq 0 ]
