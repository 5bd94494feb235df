#!/usr/bin/env bash
# /metrics as Prometheus's own parser reads it: one `opsbox serve` with
# every part that writes families (scrapes and their forecasts, a label
# value with a backslash, a quote and a newline, the Alertmanager receiver,
# the GitHub tracker, Loki pushes, disks, prices, CI results, remote write
# in and out, with remote-written series whose names or values the format
# cannot carry, a value_type of their own, more than 64 labels), scraped and piped to `promtool check metrics` (Debian's prometheus),
# which must find neither a parse error nor a lint problem. Skips (77)
# without promtool.
set -u
. "$(dirname "$0")/lib.sh"
bin=$1
rw_push=$2
here=$(cd "$(dirname "$0")" && pwd)
promtool=$(command -v promtool || echo /usr/bin/promtool)
[ -x "$promtool" ] || { echo "SKIP promtool (Debian's prometheus) is not installed"; exit 77; }

ob_port=$(free_port); web_port=$(free_port)
# A target whose label values need every escape of the text format.
mkdir "$tmp/web"
printf '# TYPE odd_value gauge\nodd_value{path="C:\\\\dir\\"quoted\\"\\nnext",plain="x"} 3\nodd_value{path="ünïcode"} 4\nother_value 5\n' \
    >"$tmp/web/metrics"
(cd "$tmp/web" && exec $py -m http.server "$web_port" --bind 127.0.0.1) >/dev/null 2>&1 & pids+=($!)
$py "$here/../tools/junit_gen.py" "$tmp/runs" --runs 12 --tests 10 --flaky 0.2 --p 0.4 \
    --regressions 0.1 --outages 1 --noise 0 --seed 3 >/dev/null
rm "$tmp/runs/truth.json"
mkdir "$tmp/json"
cp "$here/../data/smartctl/smart-nvme.json" "$here/../data/smartctl/smart-scsi.json" "$tmp/json/"
start_github_standin
printf 'gh-token\n' >"$tmp/gh-token"
prices=$here/../data/prices
cat >"$tmp/opsbox.yml" <<YML
listen: 127.0.0.1:$ob_port
store: $tmp/opsbox.db
logs: {warmup: 5, rate_interval: 1s}
alerts: {hold_off: 1m}
github: {api_url: 'http://$gh', repo: acme/ops, token_file: $tmp/gh-token, timeout: 2s, backoff_max: 1s}
disk: {json_dir: $tmp/json, interval: 200ms}
ci: {results_dir: $tmp/runs, interval: 1s, new_failure_runs: 3}
prices:
  files: ['$prices/aws-spot-m5large.json', '$prices/aws-offer-us-east-2.json']
  interval: 1h
  vcpu: 2
  memory: 8G
  spot: true
  limit: 3
remote_write:
  - url: http://127.0.0.1:1/api/v1/write
    interval: 1s
scrape_configs:
  - job_name: odd
    scrape_interval: 100ms
    static_configs: [{targets: ['127.0.0.1:$web_port'], labels: {note: 'a "quoted" \\ label'}}]
  - job_name: self
    scrape_interval: 200ms
    static_configs: [{targets: ['127.0.0.1:$ob_port']}]
  # The same two families from a second job: in the registry's order each
  # is split (odd's odd_value, other_value, then odd_again's), and /metrics
  # must group them.
  - job_name: odd_again
    scrape_interval: 300ms
    static_configs: [{targets: ['127.0.0.1:$web_port']}]
YML
wait_for 10 curl -sf "127.0.0.1:$web_port/metrics" -o /dev/null
"$bin" serve --config "$tmp/opsbox.yml" >"$tmp/serve.log" 2>&1 & pids+=($!)
wait_for 10 curl -sf "127.0.0.1:$ob_port/-/ready" -o /dev/null ||
    { echo "FAIL opsbox did not start"; cat "$tmp/serve.log"; exit 1; }
m() { curl -sf "127.0.0.1:$ob_port/metrics" >"$tmp/m"; }
has() { m && grep -q "$1" "$tmp/m"; }

now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat >"$tmp/hook.json" <<JSON
{"version":"4","groupKey":"{}:{alertname=\"Odd\"}","status":"firing","receiver":"opsbox",
 "groupLabels":{"alertname":"Odd"},"commonLabels":{"alertname":"Odd"},"commonAnnotations":{},
 "externalURL":"http://am","truncatedAlerts":0,
 "alerts":[{"status":"firing","labels":{"alertname":"Odd","instance":"a \\"b\\"\\\\c"},
            "annotations":{"summary":"line one\\nline two"},"startsAt":"$now","endsAt":"0001-01-01T00:00:00Z",
            "generatorURL":"http://x","fingerprint":"f1"}]}
JSON
check "webhook accepted" bash -c "curl -sf -XPOST 127.0.0.1:$ob_port/v1/receiver -H 'Content-Type: application/json' --data-binary @'$tmp/hook.json' -o /dev/null"
ns=$(date +%s%N)
lines=$(for i in $(seq 8); do printf '["%s","worker %d took %d ms"],' "$ns" $i $((i * 7)); done)
check "Loki push: 204" [ "$(curl -s -o /dev/null -w '%{http_code}' -XPOST 127.0.0.1:$ob_port/loki/api/v1/push \
    -d '{"streams":[{"stream":{"job":"odd","file":"C:\\logs\\\"x\".log"},"values":['"${lines%,}"']}]}')" = 204 ]

# Every part's families are there before the parser reads them.
check "forecasts of the odd series" wait_for 20 has '^odd_value_opsbox{.*value_type="anomaly_score"}'
check "and of the second job's" wait_for 20 has '^odd_value_opsbox{.*job="odd_again".*value_type="anomaly_score"}'
check "disks read" wait_for 20 has '^opsbox_disk_state{'
check "prices read" wait_for 20 has '^opsbox_prices_reads_total 1$'
check "CI runs read" wait_for 20 has '^opsbox_ci_runs 12$'
check "log stream counts" wait_for 20 has '^opsbox_log_stream_lines_total{'
check "the tracker's" wait_for 20 has '^opsbox_tracker_actions_sent_total [1-9]'
check "remote write out" wait_for 20 has '^opsbox_remote_write_out_batches_total{url="http://127.0.0.1:1/api/v1/write"} [1-9]'
check "forecasts of opsbox itself (self-scrape)" wait_for 20 has '^opsbox_points_ingested_total_opsbox{'

# Remote write in: names outside the grammar, a value not UTF-8 and a
# label twice are left out and counted; a series with value_type and
# exported_value_type of its own, and one with 71 labels, come out whole.
# After the self-scrape's check: opsbox's own scrape parser takes 64 labels.
wide=(); for i in $(seq 0 69); do wide+=("l$i=$i"); done
push() {
    [ "$("$rw_push" "http://127.0.0.1:$ob_port/api/v1/write" rw_good job=rw -- $'bad\nname' job=rw \
        -- 'bad"name' job=rw -- rw_bad 'a"b=x' -- rw_bad 'a,b=x' -- rw_bad path=$'caf\xe9' \
        -- rw_typed job=rw value_type=a exported_value_type=b -- rw_wide value_type=w "${wide[@]}")" = 204 ]
}
check "remote write with bad series: 204" push
check "bad series counted (5 a push)" bash -c "curl -sf 127.0.0.1:$ob_port/metrics | grep -qE '^opsbox_remote_write_invalid_labels_samples_total ([1-9][0-9]*)\$' &&
    [ \$(( \$(curl -sf 127.0.0.1:$ob_port/metrics | sed -n 's/^opsbox_remote_write_invalid_labels_samples_total //p') % 5 )) = 0 ]"
pushed_has() { push; has "$1"; }
typed='^rw_typed_opsbox{.*value_type="yhat"}'
check "a series' own value_type and exported_value_type both kept" wait_for 20 pushed_has "$typed"
check "as exported_exported_value_type and exported_value_type" bash -c "grep '$typed' '$tmp/m' |
    grep 'exported_exported_value_type=\"a\"' | grep -q '[{,]exported_value_type=\"b\"'"
check "all 71 labels of a remote-written series" wait_for 20 pushed_has '^rw_wide_opsbox{.*l69="69".*value_type="yhat"}'
check "no bad name or value on /metrics" bash -c "m() { curl -sf 127.0.0.1:$ob_port/metrics; }; ! m | grep -q 'rw_bad\|^bad\|^name_opsbox\|caf'"


m
check "promtool check metrics: no parse error, no lint problem" bash -c "'$promtool' check metrics <'$tmp/m' >'$tmp/promtool.out' 2>&1"
check "the label value with \\\\, \" and a newline as written by the target" \
    grep -qF 'odd_value_opsbox{instance="127.0.0.1:'"$web_port"'",job="odd",note="a \"quoted\" \\ label",path="C:\\dir\"quoted\"\nnext",plain="x",value_type="yhat"} ' "$tmp/m"
check "one # TYPE per family" bash -c "[ -z \"\$(grep '^# TYPE ' '$tmp/m' | sort | uniq -d)\" ]"
# A family's samples together: no name comes back after another began.
check "each family's samples in one group" bash -c "grep -v '^#' '$tmp/m' | sed 's/[{ ].*//' | uniq | sort | uniq -d | grep -q . && exit 1 || exit 0"
if [ $fails -ne 0 ]; then
    echo "$fails failed"; cat "$tmp/promtool.out"; tail -20 "$tmp/serve.log"; exit 1
fi
