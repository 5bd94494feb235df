#!/usr/bin/env bash
# The Alertmanager receiver of `opsbox serve` under load (bench/webhook_load.c).
# GitHub is configured but unreachable, so every action is queued in the
# outbox like in production (the worker backs off; nothing is sent).
#   1. 3000 incidents open; then for 20 s, 8 connections post webhooks of 10
#      alerts each to random open incidents, every alert new: durable
#      (synchronous=FULL) commit before each 200.
#        alerts_webhooks_per_sec, alerts_per_sec, alerts_latency_p50_ms,
#        alerts_latency_p99_ms, alerts_errors
#   2. The same load on a PostgreSQL store (a scratch server, fsync on,
#      synchronous_commit on: durable before each 200), in the same run:
#      one replica (pg1_), then two replicas taking the connections in turn
#      (pg2_), the receiver's figures as in 1. Skipped without PostgreSQL.
#   3. A fresh daemon with 100000 open alerts (1000 groups of 100):
#        alerts_rss_bytes_100k_open, alerts_rss_bytes_per_open_alert
#
#   bench/alerts_load.sh [OPSBOX_BINARY] [LOAD_BINARY]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
load=${2:-$top/build/bench/webhook_load}
. "$top/bench/lib.sh"
. "$top/tests/runtime/pg_lib.sh"
seconds=${ALERTS_LOAD_SECONDS:-20}
start() { # start NAME [STORE]: a daemon with its own store (or STORE); sets ob and pid
    ob=$(port)
    cat >"$tmp/$1.yml" <<YML
listen: 127.0.0.1:$ob
store: ${2:-$tmp/$1.db}
alerts: {receiver: {bearer_token: bench}}
github: {api_url: 'http://127.0.0.1:1', repo: bench/bench, timeout: 1s}
YML
    GITHUB_TOKEN=x "$bin" serve --config "$tmp/$1.yml" >"$tmp/$1.log" 2>&1 & pid=$!; pids+=($pid)
    for _ in $(seq 100); do curl -sf "127.0.0.1:$ob/-/ready" -o /dev/null && return 0; sleep 0.1; done
    echo "opsbox did not start" >&2; exit 1
}
rss() { awk '/VmRSS/ {print $2 * 1024}' /proc/$1/status; }

start load
"$load" "http://127.0.0.1:$ob/v1/receiver" bench 8 0 3000 1 open >/dev/null
"$load" "http://127.0.0.1:$ob/v1/receiver" bench 8 "$seconds" 3000 10 | sed "s/^/receiver_/"
kill "$pid"; wait "$pid" 2>/dev/null || true

if pg_have; then
    trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pg_stop; rm -rf "$tmp"' EXIT
    pg_start
    start pg1 "$pg_url"
    one="http://127.0.0.1:$ob/v1/receiver"
    "$load" "$one" bench 8 0 3000 1 open >/dev/null
    "$load" "$one" bench 8 "$seconds" 3000 10 | sed "s/^/pg1_receiver_/"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    "$pg_bin/psql" -X -q "$pg_url" -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public" 2>/dev/null ||
        psql -X -q "$pg_url" -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public"
    start pg2a "$pg_url"; a="http://127.0.0.1:$ob/v1/receiver"; pa=$pid
    start pg2b "$pg_url"; b="http://127.0.0.1:$ob/v1/receiver"
    "$load" "$a" bench 8 0 3000 1 open >/dev/null
    "$load" "$a,$b" bench 8 "$seconds" 3000 10 | sed "s/^/pg2_receiver_/"
    kill "$pa" "$pid"; wait "$pa" "$pid" 2>/dev/null || true
    pg_stop
else
    echo "# PostgreSQL server binaries missing: pg1_/pg2_ skipped" >&2
fi

start memory
base=$(rss "$pid")
"$load" "http://127.0.0.1:$ob/v1/receiver" bench 8 0 1000 100 open >/dev/null
open=$(curl -sf "127.0.0.1:$ob/metrics" | awk '/^opsbox_alerts_received_total/ {print $2}')
[ "$open" = 100000 ] || { echo "expected 100000 alerts, got $open" >&2; exit 1; }
now=$(rss "$pid")
echo "alerts_rss_bytes_100k_open $now"
echo "alerts_rss_bytes_per_open_alert $(( (now - base) / 100000 ))"
