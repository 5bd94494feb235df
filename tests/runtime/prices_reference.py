#!/usr/bin/env python3
"""The slow, obvious reference for `opsbox prices changes --tsv OLD NEW`:
each file loaded whole with json.load, its latest price per (SKU, region)
taken, the two compared. Understands AWS offer files (on-demand terms),
spot price history and Azure retail price pages, as docs/prices.md
describes their SKU and region. Prints the expected rows, sorted."""
import json
import sys
from datetime import datetime


def when(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def latest(path):
    doc = json.load(open(path))
    out = {}  # (sku, region) -> (time, order, price)
    n = 0
    if "products" in doc or "terms" in doc:
        prods = doc.get("products", {})
        for sku, terms in doc.get("terms", {}).get("OnDemand", {}).items():
            attrs = prods.get(sku, {}).get("attributes", {})
            region = attrs.get("regionCode", attrs.get("location", ""))
            for term in terms.values():
                for dim in term["priceDimensions"].values():
                    ppu = dim["pricePerUnit"]
                    price = float(ppu["USD"] if "USD" in ppu else next(iter(ppu.values())))
                    key = sku if dim.get("beginRange", "0") == "0" else sku + ":" + dim["beginRange"]
                    n += 1
                    out[(key, region)] = (0, n, price)
        return out
    for r in doc.get("SpotPriceHistory", []):
        key = (r["InstanceType"] + " " + r.get("ProductDescription", ""), r.get("AvailabilityZone", ""))
        n += 1
        v = (when(r["Timestamp"]), n, float(r["SpotPrice"]))
        if key not in out or v[:2] > out[key][:2]:
            out[key] = v
    items = doc.get("Items", []) if isinstance(doc, dict) else doc
    for r in items:
        if "SpotPrice" in r:
            continue
        sku = r.get("meterId") or r["skuId"]
        if r.get("type", "Consumption") != "Consumption":
            sku += "/" + r["type"] + ("/" + r["reservationTerm"] if r.get("reservationTerm") else "")
        if float(r.get("tierMinimumUnits", 0)) > 0:
            sku += "@" + str(r["tierMinimumUnits"])
        key = (sku, r.get("armRegionName") or r.get("location", ""))
        n += 1
        t = when(r["effectiveStartDate"]) if r.get("effectiveStartDate") else 0
        v = (t, n, float(r["retailPrice"] if "retailPrice" in r else r["unitPrice"]))
        if key not in out or v[:2] > out[key][:2]:
            out[key] = v
    return out


old, new = latest(sys.argv[1]), latest(sys.argv[2])
rows = []
for key in set(old) | set(new):
    if key not in new:
        rows.append((key[0], key[1], "removed", old[key][2], None))
    elif key not in old:
        rows.append((key[0], key[1], "added", None, new[key][2]))
    elif old[key][2] != new[key][2]:
        rows.append((key[0], key[1], "repriced", old[key][2], new[key][2]))
for r in sorted(rows):
    print("\t".join([r[0], r[1], r[2], "" if r[3] is None else repr(r[3]),
                     "" if r[4] is None else repr(r[4])]))
