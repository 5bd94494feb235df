#!/usr/bin/env bash
# End-to-end test of the config's metrics: section in `opsbox serve`: one
# steady target (python3's http.server serving a file) scraped as two jobs,
# a and b. An override with threshold 0 flags every point of the series it
# matches and no other; SIGHUP moves it to the other job; a restart applies
# the config to the models brought back from the store.
set -u
. "$(dirname "$0")/lib.sh"
bin=$1
ob_port=$(free_port); web_port=$(free_port)
mkdir "$tmp/web"; printf 'steady_gauge 5\n' >"$tmp/web/metrics"
(cd "$tmp/web" && exec $py -m http.server "$web_port" --bind 127.0.0.1) >/dev/null 2>&1 & pids+=($!)
config() { # config JOB: threshold 0 for the series of job JOB
    cat >"$tmp/opsbox.yml.new" <<YML
listen: 127.0.0.1:$ob_port
store: $tmp/opsbox.db
metrics:
  band: 0.9
  overrides:
    - {match: {job: $1, __name__: steady_gauge}, threshold: 0}
scrape_configs:
  - {job_name: a, scrape_interval: 100ms, static_configs: [{targets: ['127.0.0.1:$web_port']}]}
  - {job_name: b, scrape_interval: 100ms, static_configs: [{targets: ['127.0.0.1:$web_port']}]}
YML
    mv "$tmp/opsbox.yml.new" "$tmp/opsbox.yml"
}
start() {
    "$bin" serve --config "$tmp/opsbox.yml" >>"$tmp/ob.log" 2>&1 & ob=$!; pids+=($ob)
}
m() { curl -sf "127.0.0.1:$ob_port/metrics"; }
anomaly() { # anomaly JOB VALUE: steady_gauge of job JOB shows anomaly VALUE
    m | grep -q "^steady_gauge_opsbox{instance=\"127.0.0.1:$web_port\",job=\"$1\",value_type=\"anomaly\"} $2\$"
}
wait_for 10 curl -sf "127.0.0.1:$web_port/metrics" -o /dev/null
config a
start
check "the matched series is flagged at threshold 0" wait_for 20 anomaly a 1
check "the other job's is not" wait_for 20 anomaly b 0
config b
kill -HUP "$ob"
check "after SIGHUP the override reaches the running model of job b" wait_for 20 anomaly b 1
kill -TERM "$ob"; wait "$ob" 2>/dev/null
config a
start
check "restart: models brought back from the store" wait_for 20 grep -q ' [1-9][0-9]* models from' "$tmp/ob.log"
check "restart: the restored model of job a takes the config's threshold" wait_for 20 anomaly a 1
check "restart: the restored model of job b takes the default again" wait_for 20 anomaly b 0
check "a bad metrics section is refused with its line" bash -c "printf 'metrics: {threshold: 2}\n' >'$tmp/bad.yml'; '$bin' serve --config '$tmp/bad.yml' 2>&1 | grep -q 'bad.yml:1: metrics.threshold'"
[ $fails -eq 0 ] && echo "all checks passed"
exit $((fails > 0))
