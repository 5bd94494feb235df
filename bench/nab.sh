#!/usr/bin/env bash
# Scores `opsbox detect` (no options) on all 58 NAB v1.1 series with NAB's own
# scorer, and prints one line per profile: "nab <profile> <score> ...".
#
#   bench/nab.sh [OPSBOX_BINARY] [RESULTS_DIR]
#
# Needs ../shared/data/nab, ../shared/nab-scorer and Debian python3-pandas.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
out=${2:-$(mktemp -d)}
shared=${OPSBOX_SHARED:-$top/../shared}
data=$shared/data/nab/data
[ -x "$bin" ] || { echo "nab.sh: no binary at $bin (build first)" >&2; exit 2; }
[ -d "$data" ] || { echo "nab.sh: no NAB data at $data" >&2; exit 2; }
n=0
for f in "$data"/*/*.csv; do
    cat=$(basename "$(dirname "$f")")
    mkdir -p "$out/opsbox/$cat"
    "$bin" detect "$f" >"$out/opsbox/$cat/opsbox_$(basename "$f")"
    n=$((n + 1))
done
echo "nab series $n"
"$shared/nab-scorer/score" "$out" opsbox
