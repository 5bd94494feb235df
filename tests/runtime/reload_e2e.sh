#!/usr/bin/env bash
# SIGHUP under load: the daemon reads its config again 100 times while
# query sources (a real VictoriaMetrics), their selectors, scrape jobs and
# the github section (the GitHub stand-in) come and go between reloads, and
# while Alertmanager webhooks and remote-write bodies keep arriving. After:
# every reload was taken, every webhook answered 200 is in the store, and
# the daemon still serves what the last config says.
#   reload_e2e.sh OPSBOX_BINARY INGEST_LOAD_BINARY
set -u
KILL_WITH=KILL
. "$(dirname "$0")/lib.sh"
bin=$1
ingest=$2
reloads=${RELOADS:-100}
vm=$(command -v victoria-metrics || echo /usr/bin/victoria-metrics)
[ -x "$vm" ] || { echo "FAIL victoria-metrics is not installed"; exit 1; }
[ -x "$ingest" ] || { echo "FAIL no ingest_load helper given"; exit 1; }
start_github_standin
printf 'gh-token\n' >"$tmp/gh-token"
vm_port=$(free_port); ob_port=$(free_port)
"$vm" -httpListenAddr=127.0.0.1:$vm_port -storageDataPath="$tmp/vm" -retentionPeriod=100y \
    -search.latencyOffset=1s >"$tmp/vm.log" 2>&1 & pids+=($!)
wait_for 20 curl -sf "127.0.0.1:$vm_port/health" -o /dev/null || { echo "FAIL VictoriaMetrics did not start"; exit 1; }
now=$(date +%s)
awk -v now="$now" 'BEGIN { for (t = now - 600; t < now; t += 5) for (j = 0; j < 3; j++)
    printf "reload_wave{job=\"w%d\"} %d %.0f\n", j, 50 + (t / 5) % 7, t * 1000 }' |
    curl -sf -XPOST "127.0.0.1:$vm_port/api/v1/import/prometheus" --data-binary @- || echo "import failed"
curl -sf "127.0.0.1:$vm_port/internal/force_flush" -o /dev/null

# config I: the I-th config; what changes cycles with different periods so
# that sections are added and removed in many combinations.
config() {
    local i=$1 j
    {
        printf 'listen: 127.0.0.1:%s\nstore: %s/opsbox.db\nsnapshot_interval: 1s\n' "$ob_port" "$tmp"
        printf 'alerts: {hold_off: 1m}\n'
        if [ $((i % 3)) -ne 0 ]; then
            printf 'query_sources:\n'
            for j in $(seq 1 $((i % 3))); do
                printf '  - url: http://127.0.0.1:%s\n    step: 1s\n    backfill: 5m\n    page: 1m\n' "$vm_port"
                printf '    match: ['
                for k in $(seq 0 $(((i + j) % 3))); do printf "'reload_wave{job=\"w%d\"}', " "$k"; done
                printf "'up']\n"
            done
        fi
        if [ $((i % 2)) -eq 0 ]; then
            printf 'github: {api_url: "http://%s", repo: acme/ops, token_file: %s/gh-token, timeout: 2s, backoff_max: 1s}\n' "$gh" "$tmp"
        fi
        printf 'scrape_configs:\n'
        for j in $(seq 0 $((i % 4))); do
            printf '  - {job_name: self%d, scrape_interval: 100ms, static_configs: [{targets: ["127.0.0.1:%s"]}]}\n' "$j" "$ob_port"
        done
    } >"$tmp/opsbox.yml.new"
    mv "$tmp/opsbox.yml.new" "$tmp/opsbox.yml"
}
# Start with two query sources and the github section, so that their
# threads run while reloads add and remove them.
config 2
"$bin" serve --config "$tmp/opsbox.yml" >"$tmp/serve.log" 2>&1 & ob=$!; pids+=($ob)
wait_for 20 curl -sf "127.0.0.1:$ob_port/-/ready" -o /dev/null || { echo "FAIL opsbox did not start"; cat "$tmp/serve.log"; exit 1; }

# The load: webhooks, each a new group with one alert, its name written to
# accepted.txt when answered 200; remote write back to back.
cat >"$tmp/hooks.py" <<'PY'
import json, os, sys, urllib.request
url, out, stop = sys.argv[1], sys.argv[2], sys.argv[3]
n = 0
with open(out, "w") as f:
    while not os.path.exists(stop):
        n += 1
        name = "Reload%d" % n
        body = {"version": "4", "groupKey": "{}:{alertname=\"%s\"}" % name, "status": "firing",
                "groupLabels": {"alertname": name}, "commonLabels": {"alertname": name},
                "alerts": [{"status": "firing", "labels": {"alertname": name, "instance": "i%d" % (n % 7)}}]}
        req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                if r.status == 200:
                    f.write(name + "\n"); f.flush()
        except Exception:
            pass
PY
$py "$tmp/hooks.py" "http://127.0.0.1:$ob_port/v1/receiver" "$tmp/accepted.txt" "$tmp/stop" & hooks=$!; pids+=($hooks)
"$ingest" rw "http://127.0.0.1:$ob_port/api/v1/write" 20 5 3600 >"$tmp/ingest.log" 2>&1 & rw=$!; pids+=($rw)

reloaded() { [ "$(grep -c 'SIGHUP: .* read again' "$tmp/serve.log")" -ge "$1" ]; }
done_reloads=0
for i in $(seq 1 "$reloads"); do
    config "$i"
    kill -HUP "$ob" 2>/dev/null || break
    wait_for 20 reloaded "$i" || break
    done_reloads=$i
done
check "all $reloads reloads taken" [ "$done_reloads" -eq "$reloads" ]
touch "$tmp/stop"; wait "$hooks" 2>/dev/null
kill "$rw" 2>/dev/null; wait "$rw" 2>/dev/null
check "the daemon is still running" kill -0 "$ob"
check "...and serving" wait_for 20 curl -sf "127.0.0.1:$ob_port/-/ready" -o /dev/null
n_ok=$(wc -l <"$tmp/accepted.txt")
check "webhooks were accepted during the reloads ($n_ok)" [ "$n_ok" -ge 10 ]
rw_done() { curl -sf "127.0.0.1:$ob_port/metrics" | awk '/^opsbox_remote_write_samples_total /{ n = $2 } END { exit !(n > 0) }'; }
check "remote write was taken during the reloads" rw_done
every_alert_stored() {
    sqlite3 "$tmp/opsbox.db" 'SELECT labels FROM incidents' 2>/dev/null >"$tmp/stored.txt" &&
        $py - "$tmp/accepted.txt" "$tmp/stored.txt" <<'PY'
import json, sys
want = {l.strip() for l in open(sys.argv[1]) if l.strip()}
have = {json.loads(l).get("alertname") for l in open(sys.argv[2]) if l.strip()}
lost = sorted(want - have)
if lost:
    print("  lost %d of %d, first: %s" % (len(lost), len(want), lost[:5]))
sys.exit(1 if lost else 0)
PY
}
check "every accepted alert is in the store" every_alert_stored
# The last config (RELOADS mod 4 + 1 scrape jobs) is the one in force.
last_jobs=$((reloads % 4 + 1))
jobs_up() { [ "$(curl -sf "127.0.0.1:$ob_port/metrics" | grep -c '^opsbox_target_up{job="self[0-9]"')" -eq "$last_jobs" ]; }
check "the last config's $last_jobs scrape jobs are the ones scraped" wait_for 20 jobs_up
check "no crash report in the log" bash -c "! grep -Eq 'ERROR: (Address|Thread|Undefined)Sanitizer|WARNING: ThreadSanitizer|runtime error' '$tmp/serve.log'"
kill -TERM "$ob"; wait "$ob"; rc=$?
check "SIGTERM stops it with exit 0" [ $rc -eq 0 ]
if [ $fails -ne 0 ]; then echo "--- serve log (tail)"; tail -30 "$tmp/serve.log"; fi
echo "$fails failed"
[ $fails -eq 0 ]
