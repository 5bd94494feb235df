#!/usr/bin/env bash
# bench/config.sh - `opsbox config` on the configuration-error benchmark
# (../shared/config-bench) beside its frequency-rule baseline, in the same
# run: for each seed, inject.py splits the corpus and seeds errors, opsbox
# learns on train/ and checks test/, score.py scores both (strict, then
# --differential). Then the speed: learning 10,000 files and checking 1,000.
#   bench/config.sh [OPSBOX] [PROGRAM] [CORPUS]   (default build/opsbox mysql ../shared/data/config)
# SEEDS="1 2 3 4 5" and CLASSES=typo,type,range,misplaced,missing override.
set -eu
bin=$(realpath "${1:-build/opsbox}")
program=${2:-mysql}
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${OPSBOX_SHARED:-$(cd "$here/.." && pwd)/shared}
corpus=${3:-$shared/data/config}
B=$shared/config-bench
[ -d "$B" ] && [ -d "$corpus/$program" ] || { echo "config.sh: no benchmark at $B or corpus at $corpus/$program" >&2; exit 2; }
seeds=${SEEDS:-1 2 3 4 5}
classes=${CLASSES:-typo,type,range,misplaced,missing}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

score() { # RUN PRED [--differential] -> "P R F1 fp_per_clean"
    python3 "$B/score.py" --run "$1" --pred "$2" ${3:-} --json |
        python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["precision"], r["recall"], r["f1"], r["fp_per_clean_file"])'
}
printf '%-6s %-8s %-12s %6s %6s %6s %8s\n' seed who mode P R F1 fp/clean
: >"$tmp/all"
for s in $seeds; do
    run=$tmp/run$s
    python3 "$B/inject.py" --program "$program" --corpus "$corpus" --out "$run" --seed "$s" \
        --classes "$classes" >/dev/null
    "$bin" config learn --out "$run/model.json" "$run/train" >/dev/null
    rc=0; "$bin" config check --model "$run/model.json" --tsv "$run/test" >"$run/opsbox.tsv" || rc=$?
    [ $rc -le 1 ] || { echo "config.sh: check failed ($rc)" >&2; exit 1; }
    python3 "$B/baseline_detect.py" --run "$run" --out "$run/base.tsv" >/dev/null
    for who in opsbox base; do
        for mode in strict differential; do
            flag=""; [ $mode = differential ] && flag=--differential
            read -r p r f fc < <(score "$run" "$run/$who.tsv" $flag)
            printf '%-6s %-8s %-12s %6.3f %6.3f %6.3f %8.3f\n' "$s" "$who" "$mode" "$p" "$r" "$f" "$fc"
            echo "$who $mode $p $r $f $fc" >>"$tmp/all"
        done
    done
done
python3 - "$tmp/all" <<'PY'
import sys, statistics as st, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    who, mode, *v = line.split()
    rows[(who, mode)].append([float(x) for x in v])
for (who, mode), vs in sorted(rows.items(), key=lambda kv: (kv[0][1] != 'strict', kv[0][0] != 'opsbox')):
    cols = list(zip(*vs))
    m = [st.mean(c) for c in cols]
    sd = [st.stdev(c) if len(c) > 1 else 0 for c in cols]
    print(f"mean   {who:<8} {mode:<12} P {m[0]:.3f}±{sd[0]:.3f}  R {m[1]:.3f}±{sd[1]:.3f}  "
          f"F1 {m[2]:.3f}±{sd[2]:.3f}  fp/clean {m[3]:.3f}")
PY
[ -n "${NO_SPEED:-}" ] && exit 0

# Speed: 10,000 files learned, then 1,000 checked per second, on one core.
mkdir -p "$tmp/many"
src=$tmp/run${seeds%% *}/train
n=0
while [ $n -lt 10000 ]; do
    for f in "$src"/*; do
        [ $n -lt 10000 ] || break
        cp "$f" "$tmp/many/f$n"
        n=$((n + 1))
    done
done
t0=$(date +%s.%N)
taskset -c 0 "$bin" config learn --out "$tmp/many.json" "$tmp/many" >/dev/null
t1=$(date +%s.%N)
rc=0; taskset -c 0 "$bin" config check --model "$tmp/many.json" --tsv "$tmp/many" >/dev/null || rc=$?
t2=$(date +%s.%N)
echo "speed: learn $(echo "10000 / ($t1 - $t0)" | bc) files/s, check $(echo "10000 / ($t2 - $t1)" | bc) files/s (10,000 $program files, one core)"
