#!/usr/bin/env bash
# prometheus-anomaly-detector's model (bench/pad_prophet.R, PAD's defaults:
# Prophet refitted every 120 minutes on the last 3 days, a point outside the
# 80 % band an anomaly) on all 58 NAB series, scored by NAB's own scorer
# beside opsbox. Slow: over 20 000 Prophet fits, two hours on 2 cores; that is
# why `make bench` runs bench/pad.sh (one series) and this one is separate.
# Prints "pad_nab <profile> <score> threshold <t>" per NAB profile, then
# "opsbox_nab <profile> <score>" (bench/nab.sh), then for each what its own
# rule reports: windows found, reports outside the windows.
#
#   bench/pad_nab.sh [OPSBOX_BINARY] [RESULTS_DIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
out=${2:-$(mktemp -d)}
shared=${OPSBOX_SHARED:-$top/../shared}
data=$shared/data/nab/data
command -v Rscript >/dev/null && Rscript -e 'library(prophet)' >/dev/null 2>&1 ||
    { echo "pad_nab.sh: needs Debian r-cran-prophet (make bench installs it)" >&2; exit 2; }
[ -d "$data" ] || { echo "pad_nab.sh: no NAB data at $data" >&2; exit 2; }
for f in "$data"/*/*.csv; do
    cat=$(basename "$(dirname "$f")")
    mkdir -p "$out/pad/$cat"
    echo "$f $out/pad/$cat/pad_$(basename "$f")"
done | xargs -P "$(nproc)" -n 2 sh -c \
    'Rscript "$0/bench/pad_prophet.R" "$1" "$2" 120 3 >/dev/null 2>&1 || { echo "pad_nab.sh: $1 failed" >&2; exit 255; }' "$top"
"$shared/nab-scorer/score" "$out" pad | sed 's/^nab /pad_nab /'
"$top/bench/nab.sh" "$bin" "$out" | sed -n 's/^nab \([A-Za-z_]* [0-9.-]*\).*/opsbox_nab \1/p'
# NAB's optimiser may find that a detector does best reporting nothing; so
# also what each reports by its own rule (PAD: outside the band; opsbox:
# its anomaly column): labelled windows with a report, and reports outside.
py=/usr/bin/python3; [ -x "$py" ] || py=python3
"$py" - "$out" "$shared/data/nab/labels/combined_windows.json" <<'PY'
import json, sys, pandas as pd
out, labels = sys.argv[1:]
windows = json.load(open(labels))
for det, col in (("pad", "anomaly_score"), ("opsbox", "anomaly")):
    hit = outside = total = 0
    for rel, wins in windows.items():
        cat, name = rel.split("/")
        d = pd.read_csv(f"{out}/{det}/{cat}/{det}_{name}")
        ts, flag = pd.to_datetime(d["timestamp"]), d[col] >= 0.5
        inside = pd.Series(False, index=d.index)
        for a, b in wins:
            w = (ts >= pd.Timestamp(a)) & (ts <= pd.Timestamp(b))
            inside |= w
            hit += bool((flag & w).any())
        total += len(wins)
        outside += int((flag & ~inside).sum())
    print(f"{det}_own_rule_windows_found {hit} of {total}")
    print(f"{det}_own_rule_reports_outside_windows {outside}")
PY
