# lib.sh - what the benchmark scripts share (sourced): $tmp, removed at
# exit; pids+=() background processes, stopped at exit; port, a free TCP
# port on 127.0.0.1; $py, the system's python3.
tmp=$(mktemp -d)
pids=()
py=/usr/bin/python3
# Under the scripts' set -e, a process already gone (kill fails) must not
# end the trap before the others are stopped.
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
