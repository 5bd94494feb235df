#!/usr/bin/env bash
# End-to-end test of the daemon's ci: section: a folder of 30 generated
# JUnit runs (tests/tools/junit_gen.py: flaky tests, two regressions, an
# outage) read by `opsbox serve`; /metrics shows the runs, the pass rate and
# the flaky tests; each regression opens exactly one GitHub issue on the
# stand-in (github_standin.py), also after a restart and more runs.
set -u
. "$(dirname "$0")/lib.sh"
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
$py "$here/../tools/junit_gen.py" "$tmp/runs" --runs 30 --tests 40 --flaky 0.1 --p 0.4 \
    --regressions 0.05 --outages 1 --noise 0 --seed 7
mv "$tmp/runs/truth.json" "$tmp/truth.json"
start_github_standin
printf 'gh-token\n' >"$tmp/gh-token"
port=$(free_port)
cat >"$tmp/opsbox.yml" <<YML
listen: 127.0.0.1:$port
store: $tmp/opsbox.db
ci: {results_dir: $tmp/runs, interval: 1s, new_failure_runs: 3}
github: {api_url: 'http://$gh', repo: acme/ci, token_file: $tmp/gh-token, timeout: 2s, backoff_max: 1s}
YML
ob=
start_opsbox() {
    "$bin" serve --config "$tmp/opsbox.yml" >>"$tmp/serve.log" 2>&1 & ob=$!; pids+=($ob)
    wait_for 10 curl -sf "127.0.0.1:$port/-/ready" -o /dev/null
}
start_opsbox || { echo "FAIL opsbox did not start"; cat "$tmp/serve.log"; exit 1; }
metrics() { curl -sf "127.0.0.1:$port/metrics"; }
runs_are() { metrics | grep -qx "opsbox_ci_runs $1"; }
check "all 30 runs read" wait_for 15 runs_are 30
check "one outage run" bash -c "curl -sf 127.0.0.1:$port/metrics | grep -qx 'opsbox_ci_infra_runs 1'"
check "pass rate exported" bash -c "curl -sf 127.0.0.1:$port/metrics | grep -q '^opsbox_ci_pass_rate 0\.'"
flaky=$($py -c "import json; print(sorted(json.load(open('$tmp/truth.json'))['flaky_shown'])[0])")
suite=${flaky%.*}; name=${flaky##*.}
check "a flaky test is flagged ($flaky)" \
    bash -c "curl -sf 127.0.0.1:$port/metrics | grep -qF 'opsbox_ci_test_flaky{suite=\"$suite\",test=\"$name\"} 1'"
check "runs counted per result" \
    bash -c "curl -sf 127.0.0.1:$port/metrics | grep -qF 'opsbox_ci_test_runs_total{suite=\"$suite\",test=\"$name\",result=\"fail\"}'"
nreg=$($py -c "import json; print(len(json.load(open('$tmp/truth.json'))['regressions']))")
issues() { curl -sf "$gh/_state" | $py -c "import json,sys; print(sum(1 for i in json.load(sys.stdin)['issues'] if 'CiNewFailure' in i['title']))"; }
issues_are() { [ "$(issues)" = "$1" ]; }
check "one issue per regression ($nreg)" wait_for 20 issues_are "$nreg"
check "each regression's issue names its test" bash -c "
curl -sf $gh/_state | $py -c \"
import json, sys
st = json.load(sys.stdin); regs = json.load(open('$tmp/truth.json'))['regressions']
text = ' '.join(i['title'] + ' ' + i.get('body', '') for i in st['issues'])
sys.exit(0 if all(t in text for t in regs) else 1)\""
# Every issue action sent, then more ticks (interval 1s) make no second issue.
outbox_empty() { [ "$(sqlite3 "$tmp/opsbox.db" 'SELECT count(*) FROM outbox WHERE done IS NULL' 2>/dev/null)" = 0 ]; }
check "the outbox drains" wait_for 20 outbox_empty
check "still one issue each after more ticks" stays 3 issues_are "$nreg"
kill -TERM "$ob"; wait "$ob" 2>/dev/null
# two more runs while it was down: the regressions still fail
$py "$here/../tools/junit_gen.py" "$tmp/more" --runs 32 --tests 40 --flaky 0.1 --p 0.4 \
    --regressions 0.05 --outages 1 --noise 0 --seed 7
cp "$tmp/more/run_00031.xml" "$tmp/more/run_00032.xml" "$tmp/runs/"
start_opsbox || { echo "FAIL opsbox did not restart"; exit 1; }
check "restart reads the new runs" wait_for 15 runs_are 32
check "after restart: the outbox drains" wait_for 20 outbox_empty
check "after restart: still one issue each" stays 3 issues_are "$nreg"
[ $fails -eq 0 ] || { echo "$fails failed"; tail -20 "$tmp/serve.log"; exit 1; }
