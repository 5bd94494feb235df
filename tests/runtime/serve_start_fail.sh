#!/bin/bash
# serve_start_fail.sh - a daemon whose start fails half way exits 1 with its
# reason, having stopped what it started: the listen port taken after the
# query-source and remote-write threads are up (an ASan/TSan build catches a
# thread left running on freed state), and a store that cannot be opened.
# Usage: serve_start_fail.sh OPSBOX
set -u
bin=$1
. "$(dirname "$0")/lib.sh"

port=$(free_port) dead=$(free_port)
# Holds the port for the test's length (stopped at exit).
$py -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); open(sys.argv[2], "w").close(); time.sleep(120)' \
    "$port" "$tmp/held" & pids+=($!)
wait_for 10 test -e "$tmp/held" || { echo "FAIL the port could not be held"; exit 1; }
cat >"$tmp/opsbox.yml" <<YML
listen: 127.0.0.1:$port
store: $tmp/opsbox.db
scrape_configs: []
query_sources:
  - url: http://127.0.0.1:$dead
    match: ['up']
    step: 1s
    backfill: 1m
remote_write:
  - url: http://127.0.0.1:$dead/api/v1/write
    interval: 1s
YML
timeout 30 "$bin" serve --config "$tmp/opsbox.yml" >"$tmp/port.log" 2>&1
rc=$?
check "port taken: exit 1 (not a hang, not a crash)" test "$rc" = 1
check "...saying why" grep -q "opsbox serve: .*$port" "$tmp/port.log"
check "...no sanitizer report" bash -c "! grep -q 'Sanitizer' '$tmp/port.log'"

mkdir "$tmp/not-a-db"
timeout 30 "$bin" serve --config "$tmp/opsbox.yml" --listen 127.0.0.1:$(free_port) \
    --store "$tmp/not-a-db" >"$tmp/store.log" 2>&1
rc=$?
check "bad store: exit 1" test "$rc" = 1
check "...saying why" grep -q "opsbox serve: .*not-a-db" "$tmp/store.log"
check "...no sanitizer report" bash -c "! grep -q 'Sanitizer' '$tmp/store.log'"

[ $fails -eq 0 ] || { sed 's/^/  port: /' "$tmp/port.log"; sed 's/^/  store: /' "$tmp/store.log"; }
exit $((fails > 0))
