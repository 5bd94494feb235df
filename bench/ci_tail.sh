#!/usr/bin/env bash
# Baseline for bench/ci.sh: the last 20 lines of the failed log, last first,
# numbered as str.splitlines() numbers them (the scorer's numbering).
#   ci_tail.sh [--pass P]... FAIL.log
set -eu
while [ $# -gt 1 ]; do shift; done
exec python3 -c '
import sys
n = len(open(sys.argv[1], "rb").read().decode("utf-8", "replace").splitlines())
for i in range(n, max(0, n - 20), -1):
    print(f"{i}\ttail")
' "$1"
