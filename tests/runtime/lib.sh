# lib.sh - what the end-to-end scripts share (sourced, after `set -u`):
#   $tmp      a scratch folder, removed at exit
#   pids+=()  background processes, stopped at exit (with $KILL_WITH, default
#             TERM; a script whose processes may hang on exit sets KILL)
#   check NAME CMD...        runs CMD, prints ok/FAIL, counts failures in $fails
#   wait_for SECONDS CMD...  until CMD succeeds, or 1 after SECONDS
#   stays SECONDS CMD...     CMD succeeds at every look for SECONDS, else 1 at
#                            once (for "nothing more happens": no duplicate)
#   free_port                a free TCP port on 127.0.0.1
#   start_github_standin     github_standin.py on a free port: sets $gh and
#                            defines control, issues_titled, one_issue
#   start_alertmanager URL...  Debian's Alertmanager, one webhook_config per URL
#                            (bearer token am-token): sets $am_port
#   $py       the system's python3 (the tests' helper language)
#
# Every end-to-end check waits for the state it needs, never for a time: a
# loaded machine or a sanitizer build only makes it wait longer. The bounds
# are generous, and OB_WAIT_SCALE (an integer, default 1) multiplies them
# for slow builds (the ThreadSanitizer build sets 4).
tmp=$(mktemp -d)
pids=()
fails=0
py=/usr/bin/python3
lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cleanup() {
    for p in "${pids[@]}"; do kill "-${KILL_WITH:-TERM}" "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
check() {
    local name=$1; shift
    if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
wait_for() {
    local end=$((SECONDS + $1 * ${OB_WAIT_SCALE:-1})); shift
    until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done
}
stays() {
    local end=$((SECONDS + $1)); shift
    while [ $SECONDS -lt $end ]; do "$@" || return 1; sleep 0.2; done
    "$@"
}
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_github_standin() {
    $py "$lib_dir/github_standin.py" "$tmp/gh.port" gh-token >"$tmp/gh.log" 2>&1 & pids+=($!)
    wait_for 10 test -s "$tmp/gh.port" || { echo "FAIL stand-in did not start"; exit 1; }
    gh="127.0.0.1:$(cat "$tmp/gh.port")"
}
control() { curl -sf -XPOST "$gh/_control" -d "$1" -o /dev/null; }
# issues_titled TITLE: how many issues have exactly this title
issues_titled() { curl -sf "$gh/_state" | $py -c "import json,sys; print(sum(1 for i in json.load(sys.stdin)['issues'] if i['title']==sys.argv[1]))" "$1"; }
one_issue() { [ "$(issues_titled "$1")" = 1 ]; }

start_alertmanager() {
    local am url
    am=$(command -v prometheus-alertmanager || echo /usr/bin/prometheus-alertmanager)
    [ -x "$am" ] || { echo "FAIL prometheus-alertmanager is not installed"; exit 1; }
    am_port=$(free_port)
    {
        printf 'route:\n  receiver: opsbox\n  group_by: [alertname, instance]\n'
        printf '  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\n'
        printf 'receivers:\n  - name: opsbox\n    webhook_configs:\n'
        for url in "$@"; do
            printf '      - url: %s\n        send_resolved: true\n' "$url"
            printf '        http_config: {authorization: {credentials: am-token}}\n'
        done
    } >"$tmp/am.yml"
    "$am" --config.file="$tmp/am.yml" --storage.path="$tmp/am" --web.listen-address=127.0.0.1:$am_port \
        --cluster.listen-address= >"$tmp/am.log" 2>&1 & pids+=($!)
    wait_for 20 curl -sf "127.0.0.1:$am_port/-/ready" -o /dev/null ||
        { echo "FAIL alertmanager did not start"; cat "$tmp/am.log"; exit 1; }
}
