#!/usr/bin/env bash
# End-to-end tests of `opsbox prices` through the real binary, on the real
# excerpts in tests/data/prices (see NOTICE.md there) and on generated data
# with known answers (prices_gen.py):
#   changes   against a slow, obvious reference (prices_reference.py, json.load)
#   history   injected level shifts and spikes: all found, none invented
#   fit       the expected monthly cost against a direct computation
#   forecast  the 90 % band's coverage of the true month and quarter totals
#   readers   truncated JSON, wrong types, huge numbers: exit 2, place named
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data/prices
. "$here/lib.sh"
gen="$py $here/prices_gen.py"

"$bin" prices --help >"$tmp/help"; rc=$?
check "--help exits 0" [ $rc -eq 0 ]
check "--help names the subcommands" grep -q "prices fit --vcpu" "$tmp/help"
"$bin" prices frobnicate 2>/dev/null; check "unknown subcommand exits 2" [ $? -eq 2 ]
"$bin" prices changes "$data/aws-offer-us-east-2.json" 2>/dev/null
check "changes with one file exits 2" [ $? -eq 2 ]

# ---- changes against the reference
changes_vs_reference() { # NAME OLD NEW
    "$bin" prices changes --tsv "$2" "$3" >"$tmp/got.tsv" || return 1
    $py "$here/prices_reference.py" "$2" "$3" >"$tmp/want.tsv" || return 1
    $py "$here/prices_compare.py" "$tmp/got.tsv" "$tmp/want.tsv" >"$tmp/cmp.txt" || { cat "$tmp/cmp.txt"; return 1; }
    echo "     $1: $(cat "$tmp/cmp.txt")"
}
$gen snapshots "$tmp/old.json" "$tmp/new.json" 11 5000
check "changes = reference, generated offers (5000 SKUs)" \
    changes_vs_reference generated "$tmp/old.json" "$tmp/new.json"
check "changes found all three kinds" \
    bash -c "cut -f3 '$tmp/got.tsv' | sort -u | tr '\n' ' ' | grep -qx 'added removed repriced '"
# real spot history: its first half as the old snapshot, the whole as the new
$py - "$data/aws-spot-m5large.json" "$tmp/spot-old.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["SpotPriceHistory"] = [r for r in d["SpotPriceHistory"] if r["Timestamp"] < "2021-01-25"]
json.dump(d, open(sys.argv[2], "w"))
PY
check "changes = reference, real spot history (half vs whole)" \
    changes_vs_reference spot "$tmp/spot-old.json" "$data/aws-spot-m5large.json"
check "changes = reference, real offers of two providers" \
    changes_vs_reference offers "$data/azure-retail-sample.json" "$data/aws-offer-us-east-2.json"
check "changes = reference, real CNY-only offer" \
    changes_vs_reference cny "$data/aws-offer-cn-northwest-1.json" "$data/aws-offer-us-east-2.json"

# the same real offer in its CSV form: nothing changed
$py - "$data/aws-offer-us-east-2.json" "$tmp/offer.csv" <<'PY'
import csv, json, sys
d = json.load(open(sys.argv[1]))
w = csv.writer(open(sys.argv[2], "w", newline=""), quoting=csv.QUOTE_ALL)
w.writerow(["FormatVersion", d["formatVersion"]]); w.writerow(["Disclaimer", d["disclaimer"]])
w.writerow(["Publication Date", d["publicationDate"]]); w.writerow(["Version", d["version"]])
w.writerow(["OfferCode", d["offerCode"]])
w.writerow(["SKU", "OfferTermCode", "RateCode", "TermType", "PriceDescription", "EffectiveDate",
            "StartingRange", "EndingRange", "Unit", "PricePerUnit", "Currency", "Product Family",
            "Location", "Instance Type", "vCPU", "Memory", "GPU", "Operating System", "Region Code"])
for sku, terms in d["terms"]["OnDemand"].items():
    a = d["products"][sku]["attributes"]
    for t in terms.values():
        for dim in t["priceDimensions"].values():
            w.writerow([sku, t["offerTermCode"], dim["rateCode"], "OnDemand", dim["description"],
                        t["effectiveDate"][:10], dim.get("beginRange", ""), dim.get("endRange", ""),
                        dim["unit"], dim["pricePerUnit"]["USD"], "USD",
                        d["products"][sku]["productFamily"], a["location"], a.get("instanceType", ""),
                        a.get("vcpu", ""), a.get("memory", ""), a.get("gpu", ""),
                        a.get("operatingSystem", ""), a["regionCode"]])
            w.writerow([sku, "X", "X", "Reserved", "", "", "", "", "Hrs", "0.01", "USD"])
PY
"$bin" prices changes --tsv "$data/aws-offer-us-east-2.json" "$tmp/offer.csv" >"$tmp/same.tsv"; rc=$?
check "offer JSON and its CSV form: no changes" [ $rc -eq 0 -a ! -s "$tmp/same.tsv" ]
"$bin" prices fit --vcpu 16 --memory 64G --gpu 4 "$tmp/offer.csv" >"$tmp/fitcsv"
check "CSV offer keeps sizes (fit finds the 4-GPU p3.8xlarge)" grep -q "p3.8xlarge" "$tmp/fitcsv"

# a folder is one snapshot: the Azure page cut into two pages reads the same
mkdir -p "$tmp/pages"
$py - "$data/azure-retail-sample.json" "$tmp/pages" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for i, item in enumerate(d["Items"]):
    page = dict(d, Items=[item], Count=1,
                NextPageLink=None if i + 1 == len(d["Items"]) else "https://prices.azure.com/api/retail/prices?$skip=%d" % (i + 1))
    json.dump(page, open("%s/page%d.json" % (sys.argv[2], i), "w"))
PY
"$bin" prices changes --tsv "$tmp/pages" "$data/azure-retail-sample.json" >"$tmp/pages.tsv"; rc=$?
check "a folder of Azure pages = the one page: no changes" [ $rc -eq 0 -a ! -s "$tmp/pages.tsv" ]
"$bin" prices changes --tsv "$tmp/pages" "$data/aws-offer-us-east-2.json" >"$tmp/pages.tsv"
check "a folder of Azure pages: both items" [ "$(grep -c removed "$tmp/pages.tsv")" -eq 2 ]

# plain CSV, with and without a header
printf 'time,sku,region,price,unit,vcpu,memory,gpu\n2024-01-01,a1,r1,0.10,Hrs,4,16,0\n2024-01-01,a2,r1,0.20,Hrs,8,32,0\n' >"$tmp/p1.csv"
printf '2024-02-01,a1,r1,0.11,Hrs,vcpu=4,memory=16G\n2024-02-01,a3,r1,0.30,Hrs,vcpu=8,memory=32G\n' >"$tmp/p2.csv"
"$bin" prices changes --tsv "$tmp/p1.csv" "$tmp/p2.csv" >"$tmp/plain.tsv"
check "plain CSV: repriced, removed, added" [ "$(cut -f1,3 "$tmp/plain.tsv" | sort | tr '\t\n' ':,')" = "a1:repriced,a2:removed,a3:added," ]
check "plain CSV: percent" [ "$(awk -F'\t' '$1 == "a1" { print $6 }' "$tmp/plain.tsv")" = "10.0000" ]

# ---- history: injected events all found, none invented (two seeds)
for seed in 21 22; do
    $gen history "$tmp/h.json" "$tmp/truth.tsv" $seed
    "$bin" prices history --tsv "$tmp/h.json" >"$tmp/found.tsv"
    check "history seed $seed: all injected found, none invented" \
        bash -c "$py '$here/prices_match.py' '$tmp/truth.tsv' '$tmp/found.tsv' | sed 's/^/     /'; exit \${PIPESTATUS[0]}"
done
$gen noisy "$tmp/noisy.csv" "$tmp/truth.tsv" 24
"$bin" prices history --tsv "$tmp/noisy.csv" >"$tmp/found.tsv"
check "history of hourly prices with 3 % noise: every shift and spike, nothing else" \
    bash -c "$py '$here/prices_match.py' '$tmp/truth.tsv' '$tmp/found.tsv' | sed 's/^/     /'; exit \${PIPESTATUS[0]}"
mkdir -p "$tmp/monthly"
$gen monthly "$tmp/monthly" "$tmp/truth.tsv" 23
"$bin" prices history --tsv "$tmp/monthly"/m*.csv >"$tmp/found.tsv"
check "history of 12 monthly list-price snapshots: every repricing, nothing else" \
    bash -c "$py '$here/prices_match.py' '$tmp/truth.tsv' '$tmp/found.tsv' | sed 's/^/     /'; exit \${PIPESTATUS[0]}"
"$bin" prices history "$data/aws-spot-m5large.json" >"$tmp/real.txt"; rc=$?
check "history on real spot creep exits 0 and reports 5 series" \
    bash -c "[ $rc -eq 0 ] && grep -q '^5 series, 5 with price changes' '$tmp/real.txt'"
check "history on real spot creep: no finding from steps of 0.01 cent" \
    grep -q '; 0 findings' "$tmp/real.txt"

# ---- fit: cheapest spot m5.large zone, monthly cost by direct computation
"$bin" prices fit --spot --vcpu 2 --memory 8G --tsv --region us-east-1 \
    "$data/aws-spot-m5large.json" "$data/aws-offer-us-east-2.json" >"$tmp/fit.tsv"
check "fit --spot: one row per zone (5), sizes from the offer file" \
    bash -c "[ \$(wc -l <'$tmp/fit.tsv') -eq 5 ] && awk -F'\t' '\$4 != 2 || \$5 != 8 { exit 1 }' '$tmp/fit.tsv'"
check "fit --spot: expected monthly = 730 h x time-weighted mean of the last 30 days" \
    $py - "$data/aws-spot-m5large.json" "$tmp/fit.tsv" <<'PY'
import json, sys
from datetime import datetime
rows = json.load(open(sys.argv[1]))["SpotPriceHistory"]
ts = lambda s: datetime.fromisoformat(s).timestamp()
end = max(ts(r["Timestamp"]) for r in rows)
want = {}
for z in {r["AvailabilityZone"] for r in rows}:
    pts = sorted((ts(r["Timestamp"]), float(r["SpotPrice"])) for r in rows if r["AvailabilityZone"] == z)
    a = max(end - 30 * 86400, pts[0][0]); s = 0
    for i, (t, p) in enumerate(pts):
        e = pts[i + 1][0] if i + 1 < len(pts) else end
        s += p * max(0, min(e, end) - max(t, a))
    want[z] = s / (end - a) * 730
got = {l.split("\t")[1]: float(l.split("\t")[7]) for l in open(sys.argv[2])}
order = [l.split("\t")[1] for l in open(sys.argv[2])]
ok = all(abs(got[z] - want[z]) < 0.01 for z in want) and order == sorted(want, key=want.get)
print("     monthly", {z: round(v, 2) for z, v in got.items()})
sys.exit(0 if ok else 1)
PY
"$bin" prices fit --vcpu 2 --memory 8G --gpu 8 "$data/aws-offer-us-east-2.json" >"$tmp/none"
check "fit with no match says so" grep -q "no on-demand offer fits" "$tmp/none"
"$bin" prices fit --vcpu 2 --memory lots "$data/aws-offer-us-east-2.json" 2>"$tmp/err"
check "fit --memory bogus exits 2" bash -c "[ $? -eq 2 ] && grep -q 'not a size' '$tmp/err'"

# ---- forecast: the 90 % band covers the true totals most of the time
$gen bill "$tmp/full.csv" 31 300
check "forecast: band covers the true month and quarter totals >= 80 % of 30 cuts" \
    $py - "$bin" "$tmp/full.csv" "$tmp/part.csv" <<'PY'
import collections, datetime, subprocess, sys
rows = [l.strip().split(",") for l in open(sys.argv[2])][1:]
tot = collections.defaultdict(float)
for d, s, c in rows:
    tot[d] += float(c)
days = sorted(tot)
hit_m = hit_q = n = 0
for cut in range(60, 270, 7):
    last = datetime.date.fromisoformat(days[cut])
    with open(sys.argv[3], "w") as f:
        f.write("date,service,cost\n" + "".join(",".join(r) + "\n" for r in rows if r[0] <= days[cut]))
    out = subprocess.run([sys.argv[1], "prices", "forecast", "--tsv", sys.argv[3]],
                         capture_output=True, text=True, check=True).stdout
    t = [l.split("\t") for l in out.splitlines() if l.startswith("TOTAL\t")][0]
    month = sum(v for d, v in tot.items() if d[:7] == days[cut][:7])
    q = (last.month - 1) // 3
    quarter = sum(v for d, v in tot.items() if d[:4] == days[cut][:4] and (int(d[5:7]) - 1) // 3 == q)
    n += 1
    hit_m += float(t[3]) <= month <= float(t[4])
    hit_q += float(t[7]) <= quarter <= float(t[8])
print("     cuts %d: month band coverage %.2f, quarter %.2f (nominal 0.90)" % (n, hit_m / n, hit_q / n))
sys.exit(0 if hit_m / n >= 0.8 and hit_q / n >= 0.8 else 1)
PY
printf 'date,service,cost\n2024-01-01,ec2,10\n2024-01-02,ec2,ten\n' >"$tmp/badbill.csv"
"$bin" prices forecast "$tmp/badbill.csv" 2>"$tmp/err"
check "forecast: a bad cost exits 2 naming line 3" bash -c "[ $? -eq 2 ] && grep -q 'badbill.csv:3:' '$tmp/err'"

# ---- readers: bad input is exit 2 with the place named
bad_input() { # NAME CONTENT PATTERN
    printf '%s' "$2" >"$tmp/bad.json"
    "$bin" prices history "$tmp/bad.json" >/dev/null 2>"$tmp/err"; local rc=$?
    [ $rc -eq 2 ] && grep -q -- "$3" "$tmp/err" || { echo "     rc=$rc: $(cat "$tmp/err")"; return 1; }
}
head -c 3000 "$data/aws-offer-us-east-2.json" >"$tmp/trunc.json"
"$bin" prices history "$tmp/trunc.json" >/dev/null 2>"$tmp/err"
check "truncated offer file: exit 2, byte offset and path" \
    bash -c "[ $? -eq 2 ] && grep -q 'byte [0-9]*, at \$.products.*invalid JSON' '$tmp/err'"
check "wrong type: SpotPrice an object" bad_input wrongtype \
    '{"SpotPriceHistory":[{"SpotPrice":{"x":1},"InstanceType":"a"}]}' 'SpotPriceHistory\[0\].SpotPrice: SpotPrice: expected a string or number'
check "wrong type: products an array" bad_input products '{"products":[1,2]}' 'at \$.products: expected an object'
check "wrong type: Items an object" bad_input items '{"Items":{"a":1}}' 'expected an array'
check "huge number: retailPrice 1e999" bad_input huge \
    '{"Items":[{"retailPrice":1e999,"meterId":"m"}]}' 'Items\[0\].retailPrice: retailPrice:.*not a finite number'
check "huge number: 400 digits" bad_input digits \
    "{\"Items\":[{\"retailPrice\":$(printf '9%.0s' $(seq 400)),\"meterId\":\"m\"}]}" 'not a finite number'
check "price of the wrong type: USD true" bad_input usd \
    '{"terms":{"OnDemand":{"S":{"S.T":{"priceDimensions":{"S.T.R":{"pricePerUnit":{"USD":true}}}}}}}}' 'pricePerUnit.USD: expected a price'
check "no prices at all" bad_input noprices '{"hello":"world"}' 'no prices'
check "empty file" bad_input empty '' 'empty input'
printf 'time,sku,region,price,unit\n2024-01-01,a,r,0.1,Hrs\n2024-01-02,a,r,cheap,Hrs\n' >"$tmp/bad.csv"
"$bin" prices history "$tmp/bad.csv" >/dev/null 2>"$tmp/err"
check "CSV: bad price names line and column" bash -c "[ $? -eq 2 ] && grep -q 'bad.csv:3:16: price' '$tmp/err'"
gzip -c "$data/aws-spot-m5large.json" >"$tmp/spot.json.gz"
check "gzip input reads the same" \
    bash -c "[ \"\$('$bin' prices history --tsv '$tmp/spot.json.gz'; '$bin' prices changes --tsv '$tmp/spot.json.gz' '$data/aws-spot-m5large.json')\" = '' ]"

# ---- the daemon: prices: files read by the worker, on /metrics and the API
port=$(free_port)
cat >"$tmp/serve.yml" <<YML
listen: 127.0.0.1:$port
store: $tmp/opsbox.db
scrape_configs: []
prices:
  files: ['$data/aws-spot-m5large.json', '$data/aws-offer-us-east-2.json', '$tmp/pages']
  interval: 1h
  vcpu: 2
  memory: 8G
  spot: true
  region: us-east-1
  limit: 3
YML
"$bin" serve --config "$tmp/serve.yml" >"$tmp/serve.log" 2>&1 & pids+=($!)
got_fit() { curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/metrics" && grep -q '^opsbox_prices_reads_total 1' "$tmp/metrics"; }
check "serve: prices read once" wait_for 20 got_fit
check "serve: the cheapest zone first, as fit says" \
    grep -q "^opsbox_prices_fit_monthly_cost{rank=\"1\",label=\"m5.large\",region=\"$(head -1 "$tmp/fit.tsv" | cut -f2)\",.*value_type=\"expected\"} $(head -1 "$tmp/fit.tsv" | cut -f8 | sed 's/0*$//')" "$tmp/metrics"
check "serve: 3 offers (limit)" [ "$(grep -c '^opsbox_prices_fit_hourly_price{' "$tmp/metrics")" -eq 3 ]
curl -sf "http://127.0.0.1:$port/api/v1/prices" >"$tmp/api.json"
check "serve: /api/v1/prices" $py -c "import json,sys; d=json.load(open('$tmp/api.json'))['data']; sys.exit(not (len(d['fit']) == 3 and d['observations'] > 250 and 'error' not in d))"
cat >"$tmp/bad.yml" <<YML
listen: 127.0.0.1:$port
prices: {files: [a], memory: lots}
YML
"$bin" serve --config "$tmp/bad.yml" >/dev/null 2>"$tmp/err"
check "serve: a bad prices.memory is refused with its line" bash -c "[ $? -ne 0 ] && grep -q 'prices.memory' '$tmp/err'"

[ $fails -eq 0 ] && echo "all passed" || echo "$fails failed"
exit $((fails > 0))
