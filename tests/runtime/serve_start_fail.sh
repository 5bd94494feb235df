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
# A query API that answers every page at once, so the query thread is
# busy feeding points when the start fails: a thread left running then
# touches the freed registry (ASan reports it).
cat >"$tmp/qapi.py" <<'PY'
import json, sys, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        start, end = float(q.get("start", [0])[0]), float(q.get("end", [0])[0])
        vals = [[start + i, "1"] for i in range(int(max(0, end - start)) + 1)]
        body = json.dumps({"status": "success", "data": {"resultType": "matrix",
                "result": [{"metric": {"__name__": "up", "job": "q"}, "values": vals}]}}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_port)); s.serve_forever()
PY
$py "$tmp/qapi.py" "$tmp/qport" & pids+=($!)
wait_for 10 test -s "$tmp/qport" || { echo "FAIL the query stand-in did not start"; exit 1; }
qport=$(cat "$tmp/qport")
cat >"$tmp/opsbox.yml" <<YML
listen: 127.0.0.1:$port
store: $tmp/opsbox.db
scrape_configs: []
query_sources:
  - url: http://127.0.0.1:$qport
    match: ['up']
    step: 1s
    backfill: 24h
    page: 1m
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
