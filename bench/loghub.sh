#!/usr/bin/env bash
# Loghub-2k accuracy of `opsbox logs parse` with its defaults (one
# configuration for every set; only each set's log_format is passed, as
# Loghub does for every parser). Prints per set and the average:
#   loghub <set> grouping <GA> parsing <PA>
#   loghub average grouping <GA> parsing <PA>
#
#   [LOGHUB_EXTRA=DIR] bench/loghub.sh [OPSBOX_BINARY]
# Needs ../shared/data/loghub-2k and Debian python3-pandas. LOGHUB_EXTRA
# names a folder laid out the same way (DIR/settings.tsv with dataset and
# log_format columns, DIR/NAME/NAME_2k.log and its _structured.csv or
# _structured_corrected.csv), e.g. the Loghub sets that are not in shared/
# (github.com/logpai/loghub; corrected truth in logpai/logparser's
# data/loghub_2k_corrected); its sets are scored and averaged on their own:
#   loghub-extra <set> grouping <GA> parsing <PA>
#   loghub-extra average grouping <GA> parsing <PA>
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
data=${OPSBOX_SHARED:-$top/../shared}/data/loghub-2k
py=/usr/bin/python3
[ -x "$py" ] || py=python3
[ -x "$bin" ] || { echo "loghub.sh: no binary at $bin (build first)" >&2; exit 2; }
[ -f "$data/settings.tsv" ] || { echo "loghub.sh: no Loghub data at $data" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
score() { # score DIR LABEL: every set of DIR/settings.tsv, then the average
    local dir=$1 label=$2 sum_ga=0 sum_pa=0 n=0 name format log truth ga pa
    while IFS=$'\t' read -r name format _; do
        [ "$name" = dataset ] && continue
        log=$dir/$name/${name}_2k.log
        truth=$log"_structured_corrected.csv"
        [ -f "$truth" ] || truth=$log"_structured.csv"
        "$bin" logs parse --format "$format" --csv "$tmp/$name.csv" "$log"
        read -r ga pa < <("$py" "$top/bench/loghub_eval.py" "$truth" "$tmp/$name.csv")
        echo "$label $name grouping $ga parsing $pa"
        sum_ga=$(echo "$sum_ga + $ga" | bc -l); sum_pa=$(echo "$sum_pa + $pa" | bc -l); n=$((n + 1))
    done <"$dir/settings.tsv"
    printf '%s average grouping %.4f parsing %.4f\n' "$label" "$(echo "$sum_ga / $n" | bc -l)" "$(echo "$sum_pa / $n" | bc -l)"
}
score "$data" loghub
if [ -n "${LOGHUB_EXTRA:-}" ]; then
    [ -f "$LOGHUB_EXTRA/settings.tsv" ] || { echo "loghub.sh: no $LOGHUB_EXTRA/settings.tsv" >&2; exit 2; }
    score "$LOGHUB_EXTRA" loghub-extra
fi
