#!/usr/bin/env bash
# End-to-end test of alerts -> incidents -> GitHub issues, with the real
# Alertmanager (Debian's prometheus-alertmanager) sending its webhook to
# `opsbox serve`, and the GitHub stand-in (github_standin.py) in place of
# api.github.com. All on 127.0.0.1 with free ports.
#
# Cases: one issue per incident; a second alert of the group adds a comment,
# not an issue; resolving closes it; 5xx, 429 with Retry-After, 403 with a
# rate-limit reset and a time-out are each retried until the issue exists
# exactly once; kill -9 of opsbox while the tracker is down, and while an
# issue creation is in flight, loses no accepted alert and makes no
# duplicate after the restart, in a loop.
set -u
KILL_WITH=KILL # a killed opsbox must not linger waiting on the stand-in
. "$(dirname "$0")/lib.sh"
bin=$1
here=$(cd "$(dirname "$0")" && pwd)

# ---- the GitHub stand-in ----
start_github_standin
issue_field() { # issue_field TITLE FIELD
    curl -sf "$gh/_state" | $py -c "
import json,sys
d=json.load(sys.stdin); t,f=sys.argv[1],sys.argv[2]
for i in d['issues']:
    if i['title']==t:
        print(len(d['comments'].get(str(i['number']),[])) if f=='comments' else i[f])" "$1" "$2"
}

# ---- opsbox ----
ob_port=$(free_port)
printf 'am-token\n' >"$tmp/receiver-token"
printf 'gh-token\n' >"$tmp/gh-token"
cat >"$tmp/opsbox.yml" <<YML
listen: 127.0.0.1:$ob_port
store: $tmp/opsbox.db
alerts:
  hold_off: 1m
  receiver: {bearer_token_file: $tmp/receiver-token}
github:
  api_url: http://$gh
  repo: acme/ops
  token_file: $tmp/gh-token
  labels: [opsbox, incident]
  timeout: 2s
  backoff_max: 2s
YML
ob=
start_opsbox() {
    "$bin" serve --config "$tmp/opsbox.yml" >>"$tmp/serve.log" 2>&1 & ob=$!; pids+=($ob)
    wait_for 10 curl -sf "127.0.0.1:$ob_port/-/ready" -o /dev/null
}
start_opsbox || { echo "FAIL opsbox did not start"; cat "$tmp/serve.log"; exit 1; }

# ---- Alertmanager, sending to opsbox ----
start_alertmanager "http://127.0.0.1:$ob_port/v1/receiver"

# fire NAME INSTANCE [EXTRA_LABELS_JSON] / resolve ...: through Alertmanager's API
post_alert() {
    local name=$1 inst=$2 extra=${3:-} ends=${4:-}
    curl -sf -XPOST -H 'Content-Type: application/json' "127.0.0.1:$am_port/api/v2/alerts" -d "[{
      \"labels\": {\"alertname\": \"$name\", \"instance\": \"$inst\", \"job\": \"node\"$extra},
      \"annotations\": {\"summary\": \"$name on $inst\"}${ends:+, \"endsAt\": \"$ends\"}}]" -o /dev/null
}
fire() { post_alert "$1" "$2" "${3:-}"; }
resolve() { post_alert "$1" "$2" "${3:-}" "$(date -u -d '-2 seconds' +%Y-%m-%dT%H:%M:%SZ)"; }

# 1. One issue per incident; the group's second alert is a comment.
fire DiskFull db1 ', "severity": "warning"'
check "an alert through Alertmanager opens one issue" wait_for 20 one_issue "DiskFull (instance=db1)"
check "the issue carries the configured labels" bash -c "curl -sf $gh/_state | grep -q '\"name\": \"incident\"'"
fire DiskFull db1 ', "severity": "critical", "device": "sdb"'
comments_ok() { # one comment (what changed in one webhook) says both
    curl -sf "$gh/_state" | $py -c "
import json,sys
d=json.load(sys.stdin)
n=[i['number'] for i in d['issues'] if i['title']=='DiskFull (instance=db1)'][0]
c=d['comments'].get(str(n),[])
sys.exit(0 if len(c)==1 and 'Joined: alert' in c[0]['body'] and 'Severity rose from warning to critical' in c[0]['body'] else 1)"
}
check "one comment: joined, and severity rose" wait_for 20 comments_ok
check "...and opens no second issue" one_issue "DiskFull (instance=db1)"

# 2. The receiver's door: a token, and a clear 400.
code=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "127.0.0.1:$ob_port/v1/receiver" -d '{}')
check "no token: 401" test "$code" = 401
out=$(curl -s -w ' %{http_code}' -XPOST -H 'Authorization: Bearer am-token' "127.0.0.1:$ob_port/v1/receiver" \
      -d '{"version":"4","groupKey":"g","status":"firing","alerts":[{"status":"firing","labels":{"a":1}}]}')
says_field() { grep -q 'alerts\[0\]\.labels\.a: expected a string' <<<"$out" && [ "${out##* }" = 400 ]; }
check "bad shape: 400 naming the field" says_field

code=$(head -c 33554433 /dev/zero | curl -s -o /dev/null -w '%{http_code}' -XPOST \
       -H 'Authorization: Bearer am-token' --data-binary @- "127.0.0.1:$ob_port/v1/receiver")
check "a body over 32 MiB: 413" test "$code" = 413

# 3. Resolving closes the issue.
resolve DiskFull db1 ', "severity": "warning"'
resolve DiskFull db1 ', "severity": "critical", "device": "sdb"'
closed() { [ "$(issue_field 'DiskFull (instance=db1)' state)" = closed ]; }
check "resolved: the issue is closed" wait_for 30 closed
fire DiskFull db1 ', "severity": "warning"'
reopened() { [ "$(issue_field 'DiskFull (instance=db1)' state)" = open ]; }
check "firing again within the hold-off reopens the same issue" wait_for 30 reopened
incidents_open() { curl -sf "127.0.0.1:$ob_port/metrics" | awk -v n="$1" '/^opsbox_incidents_open /{f=1; exit !($2 == n)} END{if (!f) exit 1}'; }
check "opsbox_incidents_open counts the reopened one" incidents_open 1
check "...with a comment, and no second issue" bash -c "curl -sf $gh/_state | grep -q 'Firing again within the hold-off' && [ \"\$(curl -sf $gh/_state | grep -o '\"title\": \"DiskFull (instance=db1)\"' | wc -l)\" = 1 ]"
resolve DiskFull db1 ', "severity": "warning"'
check "and closes again when it resolves" wait_for 30 closed
check "...and opsbox_incidents_open is back to 0" incidents_open 0

# 4. Tracker failures are retried until the issue exists exactly once.
control '{"fail": 3, "status": 503}'
fire CPUHot db2
check "5xx three times, then one issue" wait_for 30 one_issue "CPUHot (instance=db2)"
control '{"fail": 2, "status": 429, "retry_after": 1}'
fire MemLow db3
check "429 with Retry-After, then one issue" wait_for 30 one_issue "MemLow (instance=db3)"
control '{"fail": 1, "status": 403, "ratelimit_reset_in": 1}'
fire NetDown db4
check "403 rate limit, then one issue" wait_for 30 one_issue "NetDown (instance=db4)"
control '{"hang_after_create": 1, "seconds": 4}'
fire SlowApi db5
check "a time-out after the issue was made: found by its marker, not made twice" \
    wait_for 30 one_issue "SlowApi (instance=db5)"
# The slow reply is over when every issue action in the store is done.
outbox_empty() { [ "$(sqlite3 "$tmp/opsbox.db" 'SELECT count(*) FROM outbox WHERE done IS NULL' 2>/dev/null)" = 0 ]; }
check "...the outbox drains after the slow reply" wait_for 30 outbox_empty
check "...still one after the slow reply" stays 2 one_issue "SlowApi (instance=db5)"
errors_counted() { curl -sf "127.0.0.1:$ob_port/metrics" | awk '/^opsbox_tracker_errors_total/{n = $2} END {exit !(n >= 6)}'; }
check "retries were counted" wait_for 20 errors_counted

# 5. kill -9 with the tracker down, and with a creation in flight, in a loop.
incident_stored() { "$bin" incidents --store "$tmp/opsbox.db" --json | grep -q "\"alertname\": \"$1\""; }
for round in 1 2 3; do
    control '{"down": true}'
    fire "Crash$round" "db$round"
    wait_for 20 incident_stored "Crash$round" || echo "  (round $round: not stored before the kill)"
    kill -9 "$ob"; wait "$ob" 2>/dev/null
    control '{"down": false}'
    control '{"hang_after_create": 1, "seconds": 30}'
    start_opsbox
    # the creation hangs; kill opsbox while it waits for the reply
    created() { curl -sf "$gh/_state" | grep -q "\"title\": \"Crash$round (instance=db$round)\""; }
    wait_for 20 created
    kill -9 "$ob"; wait "$ob" 2>/dev/null
    control '{"hang_after_create": 0}'
    start_opsbox
    check "round $round: after two kill -9, exactly one issue" wait_for 30 one_issue "Crash$round (instance=db$round)"
done
check "the outbox drains" wait_for 30 outbox_empty
check "no duplicates anywhere" bash -c "curl -sf $gh/_state | $py -c '
import json,sys,collections
c=collections.Counter(i[\"title\"] for i in json.load(sys.stdin)[\"issues\"])
sys.exit(0 if c and max(c.values())==1 else 1)'"
every_alert_kept() {
    "$bin" incidents --store "$tmp/opsbox.db" --json | $py -c '
import json,sys
names={i["labels"].get("alertname") for i in json.load(sys.stdin)}
want={"DiskFull","CPUHot","MemLow","NetDown","SlowApi","Crash1","Crash2","Crash3"}
sys.exit(0 if want <= names else 1)'
}
check "every accepted alert is in the store" every_alert_kept
check "opsbox incidents show" bash -c "'$bin' incidents show 1 --store '$tmp/opsbox.db' | grep -q 'joined'"
check "opsbox incidents: missing store is an error" bash -c "! '$bin' incidents --store '$tmp/nope.db' 2>/dev/null"

# Basic auth on the receiver, as Alertmanager's http_config.basic_auth sends it.
b_port=$(free_port)
printf 'pw-from-file\n' >"$tmp/receiver-password"
cat >"$tmp/basic.yml" <<YML
listen: 127.0.0.1:$b_port
store: $tmp/basic.db
alerts:
  receiver: {basic_auth: {username: am, password_file: $tmp/receiver-password}}
YML
"$bin" serve --config "$tmp/basic.yml" >"$tmp/basic.log" 2>&1 & pids+=($!)
wait_for 10 curl -sf "127.0.0.1:$b_port/-/ready" -o /dev/null
hook='{"version":"4","groupKey":"b","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"B"}}]}'
code_as() { curl -s -o /dev/null -w '%{http_code}' -XPOST "$@" "127.0.0.1:$b_port/v1/receiver" -d "$hook"; }
check "basic auth: right password 200" test "$(code_as -u am:pw-from-file)" = 200
check "basic auth: wrong password 401" test "$(code_as -u am:nope)" = 401
check "basic auth: none 401" test "$(code_as)" = 401
check "secrets are not logged" bash -c "! grep -q -e pw-from-file -e gh-token -e am-token '$tmp/basic.log' '$tmp/serve.log'"

if [ $fails -ne 0 ]; then
    echo "--- opsbox log (tail)"; tail -40 "$tmp/serve.log"
    echo "--- stand-in state"; curl -s "$gh/_state" | head -c 3000; echo
fi
echo "$fails failed"
[ $fails -eq 0 ]
