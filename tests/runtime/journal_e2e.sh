#!/usr/bin/env bash
# The systemd journal as a log source: a real journal file, written by
# systemd-journal-remote (this machine runs no journald), read by opsbox;
# its lines become templates; a restart resumes after the saved cursor:
# nothing counted twice, nothing skipped.
set -u
. "$(dirname "$0")/lib.sh"
bin=$(readlink -f "$1")
jr=/lib/systemd/systemd-journal-remote
[ -x "$jr" ] || { echo "SKIP no $jr to write a journal with (Debian: systemd-journal-remote)"; exit 77; }
entry() { # entry USER IP SECONDS: one sshd-like journal entry, export format
    printf '__REALTIME_TIMESTAMP=%s000000\nMESSAGE=Accepted password for %s from %s port 22\n_SYSTEMD_UNIT=ssh.service\n_HOSTNAME=web1\nPRIORITY=6\n\n' "$3" "$1" "$2"
}
mkdir "$tmp/journal"
{ entry alice 10.0.0.1 1700000000; entry alice 10.0.0.2 1700000001; } |
    "$jr" --output="$tmp/journal/a.journal" - 2>/dev/null || { echo "FAIL cannot write a journal"; exit 1; }
port=$(free_port)
cat >"$tmp/opsbox.yml" <<YML
listen: 127.0.0.1:$port
store: $tmp/opsbox.db
snapshot_interval: 1s
journal: {directory: $tmp/journal}
YML
start() { "$bin" serve --config "$tmp/opsbox.yml" >>"$tmp/serve.log" 2>&1 & ob=$!; pids+=($ob);
          wait_for 10 curl -sf "127.0.0.1:$port/-/ready" -o /dev/null; }
count() { curl -sf "127.0.0.1:$port/api/v1/templates" | /usr/bin/python3 -c '
import json, sys
t = [x for x in json.load(sys.stdin)["data"] if x["template"] == "Accepted password for alice from <*> port <*>"]
print(t[0]["count"] if t else 0)'; }
is() { [ "$(count)" = "$1" ]; }
start
check "journal entries become a template" wait_for 10 is 2
check "an example line from the journal" bash -c "curl -sf 127.0.0.1:$port/api/v1/templates | grep -q '\"example\":\"Accepted password for alice from 10.0.0.1 port 22\"'"
kill -TERM $ob; wait $ob
start
check "the log says it resumed" wait_for 10 grep -q "resuming after the saved cursor" "$tmp/serve.log"
check "after a restart: nothing counted twice" stays 2 is 2
kill -TERM $ob; wait $ob
entry alice 10.0.0.3 1700000002 | "$jr" --output="$tmp/journal/b.journal" - 2>/dev/null
start
check "after a restart: nothing skipped (the new entry counts)" wait_for 10 is 3
echo "$fails failed"
[ $fails -eq 0 ]
