#!/usr/bin/env bash
# Baseline for bench/ci.sh: the lines `diff` says the failed log added to the
# passing one, in order, numbered as str.splitlines() numbers them (both
# logs are split that way first, so a lone CR ends a line for diff too).
#   ci_diff.sh --pass PASS.log FAIL.log
set -eu
[ "$1" = --pass ] || { echo "usage: ci_diff.sh --pass PASS.log FAIL.log" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
split() {
    python3 -c '
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8", "surrogateescape")
sys.stdout.buffer.write("".join(l + "\n" for l in t.splitlines()).encode("utf-8", "surrogateescape"))
' "$1" > "$2"
}
split "$2" "$tmp/p"
split "$3" "$tmp/f"
diff --new-line-format='%dn	added
' --old-line-format='' --unchanged-line-format='' "$tmp/p" "$tmp/f" || true
