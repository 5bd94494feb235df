#!/usr/bin/env python3
"""Generates price data with known answers for tests/runtime/cli_prices.sh.

  prices_gen.py history OUT.json TRUTH.tsv SEED
      a spot price history (the JSON `aws ec2 describe-spot-price-history`
      prints) of 40 series over 60 days: prices creep in small random
      steps, and some series get one injected level shift or spike, listed
      in TRUTH.tsv as SKU, ZONE, KIND, START, END (unix seconds)
  prices_gen.py snapshots OLD.json NEW.json SEED [N]
      two AWS offer files of N products with SKUs added, removed and
      repriced between them (the answer is computed by the test itself)
  prices_gen.py noisy OUT.csv TRUTH.tsv SEED
      20 hourly series of 60 days (plain CSV) with +-3 % noise every hour, a
      level shift of +30 % in some and a doubling for 2-6 hours in others
  prices_gen.py monthly DIR TRUTH.tsv SEED
      twelve monthly snapshots DIR/mMM.csv (plain CSV) of 60 list prices, 20
      of them cut or raised once (5-20 %) from the fourth month on: each a
      level shift in TRUTH.tsv
  prices_gen.py bill OUT.csv SEED [DAYS]
      a daily bill date,service,cost of DAYS (120) days: a weekly pattern,
      growth of 0.2 % a day, noise of +-10 %
"""
import json
import random
import sys
import datetime

DAY = 86400


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S+00:00")


def history(out, truth, seed):
    rnd = random.Random(seed)
    t0 = 1_700_000_000 - 1_700_000_000 % DAY
    span = 60 * DAY
    rows, answers = [], []
    types = ["m5.large", "c5.xlarge", "r5.2xlarge", "g4dn.xlarge", "t3.medium"]
    zones = ["us-east-1a", "us-east-1b", "eu-west-1a", "eu-west-1c",
             "ap-south-1a", "ap-south-1b", "us-west-2a", "us-west-2d"]
    for s in range(40):
        itype, zone = types[s % 5], zones[s // 5]
        base = rnd.uniform(0.02, 1.5)
        # one event in two series of three, anywhere but the very edges
        kind = ["shift", "spike", "none"][s % 3]
        ev_start = t0 + rnd.uniform(0.02, 0.95) * span
        ev_len = rnd.uniform(2, 8) * 3600
        ev_size = rnd.choice([-1, 1]) * rnd.uniform(0.15, 0.5)
        if kind == "spike":
            ev_size = rnd.uniform(0.6, 2.0)  # spot spikes go up
        t, price = t0, base
        while t < t0 + span:
            # creep: a change of a hundredth of a cent every few hours
            price = max(0.001, price + rnd.choice([-1, 1]) * 0.0001)
            p = price
            if kind == "shift" and t >= ev_start:
                p = price * (1 + ev_size)
            if kind == "spike" and ev_start <= t < ev_start + ev_len:
                p = price * (1 + ev_size)
            rows.append({"AvailabilityZone": zone, "InstanceType": itype,
                         "ProductDescription": "Linux/UNIX",
                         "SpotPrice": "%.6f" % p, "Timestamp": iso(t)})
            nxt = t + rnd.uniform(1, 6) * 3600
            # a change exactly at the event's edges, as a real one would be
            for edge in (ev_start, ev_start + ev_len if kind == "spike" else None):
                if kind != "none" and edge and t < edge < nxt:
                    nxt = edge
            t = nxt
        if kind != "none":
            end = ev_start + (ev_len if kind == "spike" else 0)
            answers.append((itype + " Linux/UNIX", zone, kind, ev_start, end))
    rows.sort(key=lambda r: r["Timestamp"], reverse=True)  # AWS prints newest first
    json.dump({"SpotPriceHistory": rows}, open(out, "w"), indent=1)
    with open(truth, "w") as f:
        for a in answers:
            f.write("%s\t%s\t%s\t%.0f\t%.0f\n" % a)


def offer(products, prices, pub):
    doc = {"formatVersion": "v1.0", "disclaimer": "generated", "offerCode": "AmazonEC2",
           "version": pub.replace("-", ""), "publicationDate": pub + "T00:00:00Z",
           "products": {}, "terms": {"OnDemand": {}, "Reserved": {}}}
    for sku, (family, region, itype) in products.items():
        doc["products"][sku] = {"sku": sku, "productFamily": family, "attributes": {
            "servicecode": "AmazonEC2", "regionCode": region, "instanceType": itype,
            "vcpu": "4", "memory": "16 GiB", "operatingSystem": "Linux",
            "tenancy": "Shared", "capacitystatus": "Used"}}
        if sku not in prices:
            continue
        doc["terms"]["OnDemand"][sku] = {sku + ".JRTCKXETXF": {
            "offerTermCode": "JRTCKXETXF", "sku": sku, "effectiveDate": pub + "T00:00:00Z",
            "priceDimensions": {sku + ".JRTCKXETXF.6YS6EN2CT7": {
                "rateCode": sku + ".JRTCKXETXF.6YS6EN2CT7", "description": "generated",
                "beginRange": "0", "endRange": "Inf", "unit": "Hrs",
                "pricePerUnit": {"USD": "%.10f" % prices[sku]}, "appliesTo": []}},
            "termAttributes": {}}}
        doc["terms"]["Reserved"][sku] = {sku + ".4NA7Y494T4": {
            "offerTermCode": "4NA7Y494T4", "sku": sku, "priceDimensions": {
                sku + ".4NA7Y494T4.6YS6EN2CT7": {"unit": "Hrs", "pricePerUnit": {
                    "USD": "%.10f" % (prices[sku] * 0.6)}}},
            "termAttributes": {"LeaseContractLength": "1yr"}}}
    return doc


def snapshots(old, new, seed, n):
    rnd = random.Random(seed)
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    def sku():
        return "".join(rnd.choice(letters) for _ in range(16))
    families = ["Compute Instance", "Storage", "Data Transfer"]
    regions = ["us-east-1", "eu-west-1", "ap-south-1"]
    products = {sku(): (rnd.choice(families), rnd.choice(regions), "m5.%dxlarge" % rnd.randint(1, 24))
                for _ in range(n)}
    prices = {k: round(rnd.uniform(0.001, 30), 4) for k in products}
    prod2, prices2 = dict(products), dict(prices)
    for k in list(products):
        r = rnd.random()
        if r < 0.05:
            del prod2[k], prices2[k]                       # removed
        elif r < 0.15:
            prices2[k] = round(prices[k] * rnd.uniform(0.5, 1.5), 4)  # repriced
        elif r < 0.17:
            prices2[k] = prices[k] + 1e-10 * 0             # unchanged but rewritten
    for _ in range(n // 20):
        k = sku()
        prod2[k] = (rnd.choice(families), rnd.choice(regions), "c6i.large")
        prices2[k] = round(rnd.uniform(0.001, 30), 4)      # added
    json.dump(offer(products, prices, "2024-01-01"), open(old, "w"), indent=1)
    json.dump(offer(prod2, prices2, "2024-02-01"), open(new, "w"), indent=1)


def noisy(out, truth, seed):
    rnd = random.Random(seed)
    t0 = 1_700_000_000
    with open(out, "w") as f, open(truth, "w") as t:
        f.write("time,sku,region,price,unit\n")
        for s in range(20):
            base, kind = rnd.uniform(0.05, 2), ["shift", "spike", "none"][s % 3]
            at, ln = int(rnd.uniform(0.03, 0.95) * 60 * 24), rnd.randint(2, 6)
            for h in range(60 * 24):
                p = base * (1 + rnd.uniform(-0.03, 0.03))
                if kind == "shift" and h >= at:
                    p *= 1.3
                if kind == "spike" and at <= h < at + ln:
                    p *= 2
                f.write("%d,N%02d,r,%.5f,Hrs\n" % (t0 + h * 3600, s, p))
            if kind != "none":
                t.write("N%02d\tr\t%s\t%d\t%d\n" % (s, kind, t0 + at * 3600, t0 + (at + ln) * 3600))


def monthly(out, truth, seed):
    rnd = random.Random(seed)
    skus = ["S%03d" % i for i in range(60)]
    base = {s: round(rnd.uniform(0.01, 5), 4) for s in skus}
    events = {s: (rnd.randint(1, 11), rnd.choice([-0.2, -0.1, -0.05, 0.05, 0.15])) for s in skus[:20]}
    for m in range(12):
        with open("%s/m%02d.csv" % (out, m), "w") as f:
            f.write("time,sku,region,price,unit\n")
            for s in skus:
                p = base[s] * (1 + events[s][1]) if s in events and m >= events[s][0] else base[s]
                f.write("2023-%02d-01,%s,us-east-1,%.4f,Hrs\n" % (m + 1, s, p))
    with open(truth, "w") as f:
        for s, (m, c) in sorted(events.items()):
            t = datetime.datetime(2023, m + 1, 1, tzinfo=datetime.timezone.utc).timestamp()
            f.write("%s\tus-east-1\tshift\t%.0f\t%.0f\n" % (s, t, t))


def bill(out, seed, days):
    rnd = random.Random(seed)
    d0 = datetime.date(2024, 1, 1)
    with open(out, "w") as f:
        f.write("date,service,cost\n")
        for i in range(days):
            d = d0 + datetime.timedelta(days=i)
            week = 0.6 if d.weekday() >= 5 else 1.0
            for svc, base in (("AmazonEC2", 400.0), ("AmazonS3", 50.0), ("AWSLambda", 8.0)):
                f.write("%s,%s,%.2f\n" % (d.isoformat(), svc,
                                          base * week * (1 + 0.002 * i) * rnd.uniform(0.9, 1.1)))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "history":
        history(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "snapshots":
        snapshots(sys.argv[2], sys.argv[3], int(sys.argv[4]),
                  int(sys.argv[5]) if len(sys.argv) > 5 else 2000)
    elif cmd == "noisy":
        noisy(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "monthly":
        monthly(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "bill":
        bill(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 120)
    else:
        sys.exit(__doc__)
