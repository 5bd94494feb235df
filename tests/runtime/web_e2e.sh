#!/usr/bin/env bash
# The web page in a real browser (web/test/page.test.mjs: Debian's chromium
# driven by puppeteer-core) against `opsbox serve` fed by a test target whose
# value jumps and by an Alertmanager webhook. Screenshots go to ARTIFACTS.
#   web_e2e.sh OPSBOX_BINARY ARTIFACTS_DIR
set -u
. "$(dirname "$0")/lib.sh"
bin=$1
shots=${2:-/tmp/opsbox-web-artifacts}
top=$(cd "$(dirname "$0")/../.." && pwd)
for need in /usr/bin/chromium "$top/web/node_modules/puppeteer-core"; do
    [ -e "$need" ] || { echo "FAIL missing $need (make test installs it)"; exit 1; }
done
web_port=$(free_port); ob_port=$(free_port)
mkdir "$tmp/web"
calm() { for i in 1 2 3 4 5; do echo "calm_gauge{n=\"$i\"} $((i * 10))"; done; }
{ echo "test_gauge 10"; calm; } >"$tmp/web/metrics"
(cd "$tmp/web" && exec $py -m http.server "$web_port" --bind 127.0.0.1) >/dev/null 2>&1 & pids+=($!)
cat >"$tmp/opsbox.yml" <<YML
listen: 127.0.0.1:$ob_port
store: $tmp/opsbox.db
logs: {rate_interval: 1s}
prices: {files: ['$top/tests/data/prices/aws-spot-m5large.json', '$top/tests/data/prices/aws-offer-us-east-2.json'], vcpu: 2, memory: 8G, spot: true}
scrape_configs:
  - job_name: jumpy
    scrape_interval: 40ms
    scrape_timeout: 30ms
    static_configs: [{targets: ['127.0.0.1:$web_port']}]
YML
wait_for 10 curl -sf "127.0.0.1:$web_port/metrics" -o /dev/null
"$bin" serve --config "$tmp/opsbox.yml" >"$tmp/serve.log" 2>&1 & pids+=($!)
m() { curl -sf "127.0.0.1:$ob_port/metrics"; }
# Past the detector's warm-up (150 points): counted in points modelled, not
# in scrapes, since on a loaded machine many 30 ms scrapes time out.
warmed() { curl -sf "127.0.0.1:$ob_port/api/v1/series?match=test_gauge&limit=1" |
    $py -c 'import json,sys; d=json.load(sys.stdin)["data"]; sys.exit(not (d and d[0]["points"] >= 170))'; }
wait_for 180 warmed || { echo "FAIL the test target did not warm up"; exit 1; }
{ echo "test_gauge 100"; calm; } >"$tmp/web/metrics.new" && mv "$tmp/web/metrics.new" "$tmp/web/metrics"
flagged() { m | grep -q '^test_gauge_opsbox{.*value_type="anomaly"} 1'; }
wait_for 20 flagged || { echo "FAIL the jump was not flagged"; m | grep -E "^test_gauge|scrapes_total"; tail "$tmp/serve.log"; exit 1; }
# The chart shows the last 64 points; at 40 ms a scrape the flagged one would
# scroll out while a busy machine starts the browser. Stopping the target
# keeps the history as it is (scrapes fail, no points are added).
kill "${pids[0]}" 2>/dev/null; wait "${pids[0]}" 2>/dev/null
curl -sf -XPOST "127.0.0.1:$ob_port/v1/receiver" -o /dev/null -d '{"version":"4",
  "groupKey":"{}:{alertname=\"TargetJumped\"}","status":"firing",
  "groupLabels":{"alertname":"TargetJumped"},
  "commonLabels":{"alertname":"TargetJumped","instance":"127.0.0.1:'"$web_port"'","job":"jumpy"},
  "alerts":[{"status":"firing","labels":{"alertname":"TargetJumped","instance":"127.0.0.1:'"$web_port"'","job":"jumpy"}}]}'
ns=$(date +%s%N)
curl -sf -XPOST "127.0.0.1:$ob_port/loki/api/v1/push" -o /dev/null -d '{"streams":[{"stream":{"job":"jumpy"},
  "values":[["'"$ns"'","Received block blk_1 of size 64 from 10.0.0.1"],["'"$ns"'","Received block blk_2 of size 128 from 10.0.0.2"]]}]}'
node "$top/web/test/page.test.mjs" "http://127.0.0.1:$ob_port" "$shots"
