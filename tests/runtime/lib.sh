# lib.sh - what the end-to-end scripts share (sourced, after `set -u`):
#   $tmp      a scratch folder, removed at exit
#   pids+=()  background processes, stopped at exit (with $KILL_WITH, default
#             TERM; a script whose processes may hang on exit sets KILL)
#   check NAME CMD...     runs CMD, prints ok/FAIL, counts failures in $fails
#   wait_for SECONDS CMD...  until CMD succeeds, or 1 after SECONDS
#   free_port             a free TCP port on 127.0.0.1
#   $py       the system's python3 (the tests' helper language)
tmp=$(mktemp -d)
pids=()
fails=0
py=/usr/bin/python3
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
    local end=$((SECONDS + $1)); shift
    until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done
}
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
