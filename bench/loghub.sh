#!/usr/bin/env bash
# Loghub-2k accuracy of `opsbox logs parse` with its defaults (one
# configuration for every set; only each set's log_format is passed, as
# Loghub does for every parser). Prints per set and the average:
#   loghub <set> grouping <GA> parsing <PA>
#   loghub average grouping <GA> parsing <PA>
#
#   bench/loghub.sh [OPSBOX_BINARY]
# Needs ../shared/data/loghub-2k and Debian python3-pandas.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
data=${OPSBOX_SHARED:-$top/../shared}/data/loghub-2k
py=/usr/bin/python3
[ -x "$py" ] || py=python3
[ -x "$bin" ] || { echo "loghub.sh: no binary at $bin (build first)" >&2; exit 2; }
[ -f "$data/settings.tsv" ] || { echo "loghub.sh: no Loghub data at $data" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sum_ga=0; sum_pa=0; n=0
while IFS=$'\t' read -r name format _; do
    [ "$name" = dataset ] && continue
    log=$data/$name/${name}_2k.log
    truth=$log"_structured_corrected.csv"
    [ -f "$truth" ] || truth=$log"_structured.csv"
    "$bin" logs parse --format "$format" --csv "$tmp/$name.csv" "$log"
    read -r ga pa < <("$py" "$top/bench/loghub_eval.py" "$truth" "$tmp/$name.csv")
    echo "loghub $name grouping $ga parsing $pa"
    sum_ga=$(echo "$sum_ga + $ga" | bc -l); sum_pa=$(echo "$sum_pa + $pa" | bc -l); n=$((n + 1))
done <"$data/settings.tsv"
printf 'loghub average grouping %.4f parsing %.4f\n' "$(echo "$sum_ga / $n" | bc -l)" "$(echo "$sum_pa / $n" | bc -l)"
