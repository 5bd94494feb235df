#!/usr/bin/env bash
# For bench/ci.sh: `opsbox ci explain` without the passing log (normal is
# learned from the failed log itself, and from MODEL when given).
#   ci_alone.sh OPSBOX [MODEL] --pass P FAIL.log
set -eu
bin=$1; shift
model=()
[ "$1" != --pass ] && { model=(--model "$1"); shift; }
while [ $# -gt 1 ]; do shift; done
exec "$bin" ci explain --tsv "${model[@]}" "$1"
