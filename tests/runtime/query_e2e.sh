#!/usr/bin/env bash
# query_sources with the real VictoriaMetrics (Debian's victoria-metrics) as
# the Prometheus-compatible query API: two hours of a series are imported,
# opsbox backfills them in pages at start (the model is warm before any live
# point), then follows, and a jump written after is flagged. And remote
# write out: opsbox's scores go to a second VictoriaMetrics that starts late,
# so they wait in the on-disk queue first, then arrive and are queryable.
set -u
. "$(dirname "$0")/lib.sh"
bin=$1
vm=$(command -v victoria-metrics || echo /usr/bin/victoria-metrics)
[ -x "$vm" ] || { echo "FAIL victoria-metrics is not installed"; exit 1; }
vm_port=$(free_port); ob_port=$(free_port); vm2_port=$(free_port)
"$vm" -httpListenAddr=127.0.0.1:$vm_port -storageDataPath="$tmp/vm" -retentionPeriod=100y \
    -search.latencyOffset=1s -search.disableCache >"$tmp/vm.log" 2>&1 & pids+=($!)
wait_for 20 curl -sf "127.0.0.1:$vm_port/health" -o /dev/null || { echo "FAIL VictoriaMetrics did not start"; cat "$tmp/vm.log"; exit 1; }

# Two hours at 5 s: a daily-ish wave with noise, ending now.
now=$(date +%s)
awk -v now="$now" 'BEGIN { srand(7); for (t = now - 7200; t < now - 5; t += 5)
    printf "test_wave{job=\"imported\",instance=\"vm\"} %.3f %.0f\n", 50 + 10 * sin(t / 600) + rand(), t * 1000 }' >"$tmp/import.txt"
curl -sf -XPOST "127.0.0.1:$vm_port/api/v1/import/prometheus" --data-binary @"$tmp/import.txt" || echo "import failed"
curl -sf "127.0.0.1:$vm_port/internal/force_flush" -o /dev/null
imported=$(wc -l <"$tmp/import.txt")

cat >"$tmp/opsbox.yml" <<YML
listen: 127.0.0.1:$ob_port
store: $tmp/opsbox.db
query_sources:
  - url: http://127.0.0.1:$vm_port
    match: ['test_wave{job="imported"}']
    step: 5s
    backfill: 2h
    page: 30m
remote_write:
  - url: http://127.0.0.1:$vm2_port/api/v1/write
    interval: 1s
YML
"$bin" serve --config "$tmp/opsbox.yml" >"$tmp/serve.log" 2>&1 & pids+=($!)
points() { curl -sf "127.0.0.1:$ob_port/api/v1/series?match=test_wave" | $py -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d[0]["points"] if d else 0)' 2>/dev/null || echo 0; }
backfilled() { curl -sf "127.0.0.1:$ob_port/metrics" | grep -q '^opsbox_query_source_backfilled 1'; }
check "backfill completes" wait_for 30 backfilled
n=$(points)
check "the history came in pages, every point ($n of $imported)" [ "$n" -ge $((imported - 2)) ]
check "the log shows the pages, to the last" grep -Eq "backfill page ([2-9])/\1, " "$tmp/serve.log"
check "the model is warm: a forecast and a band" bash -c "curl -sf '127.0.0.1:$ob_port/metrics' | grep -q '^test_wave_opsbox{instance=\"vm\",job=\"imported\",value_type=\"yhat_upper\"} [0-9]'"
# Live: a jump written now is read at the next step and flagged.
printf 'test_wave{job="imported",instance="vm"} 500 %d\n' "$(( $(date +%s) * 1000 ))" |
    curl -sf -XPOST "127.0.0.1:$vm_port/api/v1/import/prometheus" --data-binary @-
curl -sf "127.0.0.1:$vm_port/internal/force_flush" -o /dev/null
flagged() { curl -sf "127.0.0.1:$ob_port/metrics" | grep -q '^test_wave_opsbox{instance="vm",job="imported",value_type="anomaly"} 1'; }
check "following: a jump after the backfill is flagged" wait_for 30 flagged
# Remote write out, to a receiver that is down at first.
queued() { curl -sf "127.0.0.1:$ob_port/metrics" | awk '/^opsbox_remote_write_out_queued_batches/ { n = $2 } END { exit !(n >= 2) }'; }
check "receiver down: batches wait on disk" wait_for 20 queued
check "...in files" bash -c "ls '$tmp'/opsbox.db.rw-queue-0/*.rw >/dev/null 2>&1"
"$vm" -httpListenAddr=127.0.0.1:$vm2_port -storageDataPath="$tmp/vm2" -retentionPeriod=100y \
    -search.latencyOffset=1s -search.disableCache >"$tmp/vm2.log" 2>&1 & pids+=($!)
drained() { curl -sf "127.0.0.1:$ob_port/metrics" | grep -q '^opsbox_remote_write_out_queued_batches{[^}]*} 0$'; }
check "receiver up: the queue drains" wait_for 30 drained
stored() { curl -sf "127.0.0.1:$vm2_port/internal/force_flush" -o /dev/null;
           curl -sf "127.0.0.1:$vm2_port/api/v1/query" --data-urlencode 'query=test_wave_opsbox{value_type="yhat",job="imported"}' | grep -q '"value":\['; }
check "the scores are queryable in VictoriaMetrics" wait_for 20 stored
check "all five output types arrived" wait_for 20 bash -c "curl -sf '127.0.0.1:$vm2_port/api/v1/series' --data-urlencode 'match[]=test_wave_opsbox' | grep -o 'value_type\":\"[a-z_]*' | sort -u | wc -l | grep -qx 5"
[ $fails -eq 0 ] || { echo "--- serve log"; tail -20 "$tmp/serve.log"; }
echo "$fails failed"
[ $fails -eq 0 ]
