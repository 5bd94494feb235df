#!/usr/bin/env bash
# End-to-end test of two opsbox replicas on one PostgreSQL store: a real
# PostgreSQL (pg_lib.sh: initdb/pg_ctl in the scratch folder), a real
# Alertmanager whose receiver has two webhook_configs (one per replica, so
# every notification reaches both), and the GitHub stand-in.
#
# Cases: each incident gets one issue although both replicas take its
# webhook; kill -9 of one replica (with the tracker down at that moment) and
# a new alert group still gets its one issue from the other; resolving
# closes both; the killed replica restarts, takes the notifications it
# missed, and makes no duplicate; three rounds, alternating the victim. Then
# PostgreSQL is restarted under webhook load: the replicas answer 503 while
# it is away, reconnect by themselves, and every webhook answered 200 is in
# the store. Exit 77 when PostgreSQL's server binaries are missing.
set -u
KILL_WITH=KILL
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/pg_lib.sh"
bin=$1
pg_test_begin

# ---- the GitHub stand-in ----
start_github_standin
state_of() { curl -sf "$gh/_state" | $py -c "
import json,sys
print(' '.join(i['state'] for i in json.load(sys.stdin)['issues'] if i['title']==sys.argv[1]))" "$1"; }
closed() { [ "$(state_of "$1")" = closed ]; }

# ---- two replicas on the one database ----
printf 'am-token\n' >"$tmp/receiver-token"
printf 'gh-token\n' >"$tmp/gh-token"
port_a=$(free_port); port_b=$(free_port)
declare -A port=([a]=$port_a [b]=$port_b) pid=()
for r in a b; do
    cat >"$tmp/$r.yml" <<YML
listen: 127.0.0.1:${port[$r]}
store: $pg_url
alerts:
  hold_off: 1m
  receiver: {bearer_token_file: $tmp/receiver-token}
github:
  api_url: http://$gh
  repo: acme/ops
  token_file: $tmp/gh-token
  timeout: 1s
  backoff_max: 1s
YML
done
launch() { "$bin" serve --config "$tmp/$1.yml" >>"$tmp/$1.log" 2>&1 & pid[$1]=$!; pids+=(${pid[$1]}); }
ready() { curl -sf "127.0.0.1:${port[$1]}/-/ready" -o /dev/null; }
start() { launch "$1"; wait_for 15 ready "$1"; } # start REPLICA
accepted() { curl -sf "127.0.0.1:${port[$1]}/metrics" | awk '/^opsbox_webhooks_total\{result="accepted"\}/ {print $2}'; }
took_more() { [ "$(accepted "$1")" -gt "$2" ] 2>/dev/null; } # took_more REPLICA N
both_took_more() { took_more a "$1" && took_more b "$2"; }
# Both start at once: the schema is made once (advisory lock), not twice.
launch a; launch b
both_ready() { ready a && ready b; }
check "two replicas start together on one fresh database" wait_for 20 both_ready

# ---- Alertmanager: one receiver, a webhook_config per replica ----
start_alertmanager "http://127.0.0.1:$port_a/v1/receiver" "http://127.0.0.1:$port_b/v1/receiver"
post_alert() { # post_alert NAME INSTANCE [ENDS_AT]
    curl -sf -XPOST -H 'Content-Type: application/json' "127.0.0.1:$am_port/api/v2/alerts" -d "[{
      \"labels\": {\"alertname\": \"$1\", \"instance\": \"$2\", \"job\": \"node\"},
      \"annotations\": {\"summary\": \"$1 on $2\"}${3:+, \"endsAt\": \"$3\"}}]" -o /dev/null
}
fire() { post_alert "$1" "$2"; }
# webhooks Alertmanager sent with success (attempts less failures)
am_sent() { curl -sf "127.0.0.1:$am_port/metrics" | awk '/^alertmanager_notifications_total\{.*integration="webhook"/ {t += $2}
    /^alertmanager_notifications_failed_total\{.*integration="webhook"/ {f += $2} END {print t - f + 0}'; }
resolve() { post_alert "$1" "$2" "$(date -u -d '-2 seconds' +%Y-%m-%dT%H:%M:%SZ)"; }
stored() { [ "$(sql "SELECT count(*) FROM incidents WHERE labels LIKE '%\"$1\"%'")" = 1 ]; }

# 1. Both replicas take the webhook; one incident, one issue.
a0=$(accepted a); b0=$(accepted b)
fire DiskFull db1
check "both replicas took the webhook" wait_for 20 both_took_more "$a0" "$b0"
check "...one incident in the store" stored DiskFull
check "...and one issue" wait_for 20 one_issue "DiskFull (instance=db1)"

# Each replica alone takes a group of its own (a webhook to one of them,
# as a load balancer sends it): two incidents, not one id for both.
hook() { # hook REPLICA GROUP: one firing alert of its own group, straight to the replica
    curl -sf -XPOST -H 'Authorization: Bearer am-token' "127.0.0.1:${port[$1]}/v1/receiver" -o /dev/null -d "{
      \"version\":\"4\",\"groupKey\":\"$2\",\"status\":\"firing\",\"groupLabels\":{\"alertname\":\"$2\"},
      \"commonLabels\":{\"alertname\":\"$2\"},\"alerts\":[{\"status\":\"firing\",\"fingerprint\":\"$2\",
      \"labels\":{\"alertname\":\"$2\"}}]}"
}
check "a group only replica a took" hook a SoloA
check "a group only replica b took" hook b SoloB
check "...are two incidents" test "$(sql "SELECT count(DISTINCT id) FROM incidents WHERE group_key IN ('SoloA', 'SoloB')")" = 2
check "...with an issue each" wait_for 20 one_issue "SoloB"
check "...(both)" wait_for 20 one_issue "SoloA"

# 2. kill -9 one replica (tracker down meanwhile), in a loop.
for round in 1 2 3; do
    if [ $((round % 2)) = 1 ]; then victim=a other=b; else victim=b other=a; fi
    control '{"down": true}'
    a0=$(accepted a); b0=$(accepted b); s0=$(am_sent)
    fire "Before$round" "db$round"
    # Alertmanager sends a resolved only to a receiver it told of the firing
    # (its notification log): the victim must have taken Before, and
    # Alertmanager logged it as sent to both, before the kill; waiting for the
    # store alone let a loaded machine kill the victim before its webhook.
    told_both() { both_took_more "$a0" "$b0" && [ "$(am_sent)" -ge $((s0 + 2)) ] && stored "Before$round"; }
    wait_for 20 told_both || echo "  (round $round: Before$round not sent to both before the kill)"
    kill -9 "${pid[$victim]}"; wait "${pid[$victim]}" 2>/dev/null
    fire "After$round" "db$round"
    check "round $round: the survivor stores the new group alone" wait_for 20 stored "After$round"
    control '{"down": false}'
    check "round $round: the queued incident gets its one issue" wait_for 20 one_issue "Before$round (instance=db$round)"
    check "round $round: the new group gets its one issue" wait_for 20 one_issue "After$round (instance=db$round)"
    resolve "Before$round" "db$round"; resolve "After$round" "db$round"
    both_closed() { closed "Before$round (instance=db$round)" && closed "After$round (instance=db$round)"; }
    both_one() { one_issue "Before$round (instance=db$round)" && one_issue "After$round (instance=db$round)"; }
    check "round $round: resolving closes both" wait_for 30 both_closed
    start "$victim" || { echo "FAIL $victim did not restart"; tail -20 "$tmp/$victim.log"; }
    # Alertmanager sends the restarted one what it missed (its own log of
    # that integration never recorded them): it must change nothing.
    check "round $round: the restarted replica takes the missed notifications" wait_for 20 took_more "$victim" 0
    check "round $round: ...and makes no duplicate" both_one
done
no_duplicates() { curl -sf "$gh/_state" | $py -c '
import json,sys,collections
c=collections.Counter(i["title"] for i in json.load(sys.stdin)["issues"])
sys.exit(0 if len(c) == 9 and max(c.values()) == 1 else 1)'; }
check "nine incidents, nine issues, no duplicate" no_duplicates
check "one open action per incident in the outbox" test "$(sql "SELECT count(*) FROM outbox WHERE action='open'")" = 9
every_alert_kept() {
    "$bin" incidents --store "$pg_url" --json | $py -c '
import json,sys
names={i["labels"].get("alertname") for i in json.load(sys.stdin)}
want={"DiskFull"} | {p + str(r) for p in ("Before", "After") for r in (1, 2, 3)}
sys.exit(0 if want <= names else 1)'
}
check "every accepted alert is in the store (opsbox incidents --store URL)" every_alert_kept

# 3. PostgreSQL restarted under webhook load.
cat >"$tmp/load.py" <<'PY'
# Posts webhooks, one new alert each, to the replicas in turn until told to
# stop; retries a webhook that was not answered 200 (as Alertmanager does).
# Writes "seq status" per answer.
import json, os, sys, time, urllib.request
urls, stop, out = sys.argv[1].split(","), sys.argv[2], open(sys.argv[3], "w", buffering=1)
seq = 0
while not os.path.exists(stop):
    seq += 1
    while True:
        body = {"version": "4", "groupKey": "load", "status": "firing", "receiver": "opsbox",
                "groupLabels": {"alertname": "Load"}, "commonLabels": {"alertname": "Load"},
                "alerts": [{"status": "firing", "fingerprint": "load%06d" % seq,
                            "labels": {"alertname": "Load", "seq": str(seq)}}]}
        req = urllib.request.Request(urls[seq % len(urls)], json.dumps(body).encode(),
                                     {"Authorization": "Bearer am-token"})
        try:
            status = urllib.request.urlopen(req, timeout=5).status
        except urllib.error.HTTPError as e:
            status = e.code
        except OSError:
            status = 0
        out.write("%d %d\n" % (seq, status))
        if status == 200 or os.path.exists(stop):
            break
        time.sleep(0.05)
    time.sleep(0.01)
PY
$py "$tmp/load.py" "http://127.0.0.1:$port_a/v1/receiver,http://127.0.0.1:$port_b/v1/receiver" \
    "$tmp/load.stop" "$tmp/load.out" & loader=$!; pids+=($loader)
answered() { [ "$(awk -v s="$1" '$2 == s' "$tmp/load.out" 2>/dev/null | wc -l)" -ge "${2:-1}" ]; }
wait_for 20 answered 200 20
pg_stop
check "PostgreSQL away: the receivers answer 503" wait_for 20 answered 503
only_200_503() { ! awk '$2 != 200 && $2 != 503 {f=1} END {exit !f}' "$tmp/load.out"; }
check "...and nothing else (no 500)" only_200_503
ok_before=$(awk '$2 == 200' "$tmp/load.out" | wc -l)
pg_ctl_start
check "PostgreSQL back: they reconnect by themselves and answer 200" wait_for 30 answered 200 $((ok_before + 20))
touch "$tmp/load.stop"; wait "$loader"
awk '$2 == 200 {print "load" sprintf("%06d", $1)}' "$tmp/load.out" | sort -u >"$tmp/load.ok"
sql "SELECT m.key FROM members m JOIN incidents i ON i.id = m.incident WHERE i.group_key = 'load' ORDER BY 1" >"$tmp/load.stored"
none_lost() { [ -s "$tmp/load.ok" ] && [ -z "$(comm -23 "$tmp/load.ok" "$tmp/load.stored")" ]; }
check "every webhook answered 200 is in the store ($(wc -l <"$tmp/load.ok") of them)" none_lost
check "...in one incident" test "$(sql "SELECT count(*) FROM incidents WHERE group_key = 'load'")" = 1
no_secret() { ! grep -q -e gh-token -e am-token "$tmp/a.log" "$tmp/b.log"; }
check "no secret in the logs" no_secret

if [ $fails -ne 0 ]; then
    for r in a b; do echo "--- replica $r log (tail)"; tail -25 "$tmp/$r.log"; done
    echo "--- stand-in state"; curl -s "$gh/_state" | head -c 2000; echo
fi
echo "$fails failed"
[ $fails -eq 0 ]
