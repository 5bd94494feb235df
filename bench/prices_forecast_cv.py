#!/usr/bin/env python3
"""Coverage of `opsbox prices forecast`'s 90 % band, rolling origin.

Each bill is cut every 7 days from day 60 on; at each cut the forecast of
the month and quarter totals is compared with the truth (cuts whose period
ends after the data are left out). Bills: the test generator
(tests/runtime/prices_gen.py bill: weekly pattern, +0.2 %/day, uniform
±10 % noise) on seeds 1-6; a generator with persistent noise (AR(1),
phi 0.7, sd 8 %, +0.1 %/day) on seeds 1-3; and a real series, NYC taxi
passengers summed per day (NAB, ../shared/data, skipped when absent).
One line per source and in total:
  forecast_coverage SOURCE month M quarter Q cuts N width_month W
W: the median band width over the true month total.

  bench/prices_forecast_cv.py OPSBOX_BINARY
"""
import collections
import datetime
import math
import os
import random
import subprocess
import sys
import tempfile

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(top, "tests", "runtime"))


def gen_iid(seed, days=300):
    path = os.path.join(tmp, "iid%d.csv" % seed)
    subprocess.run([sys.executable, os.path.join(top, "tests/runtime/prices_gen.py"), "bill",
                    path, str(seed), str(days)], check=True)
    return read(path)


def gen_ar(seed, days=300):
    rnd = random.Random(seed)
    d0 = datetime.date(2024, 1, 1)
    e, out = 0.0, collections.OrderedDict()
    for i in range(days):
        d = d0 + datetime.timedelta(days=i)
        e = 0.7 * e + rnd.gauss(0, 0.08 * math.sqrt(1 - 0.49))
        week = 0.7 if d.weekday() >= 5 else 1.0
        out[d.isoformat()] = 500 * week * (1 + 0.001 * i) * math.exp(e)
    return out


def taxi():
    p = os.path.join(top, "..", "shared", "data", "nab", "data", "realKnownCause", "nyc_taxi.csv")
    if not os.path.exists(p):
        return None
    out = collections.OrderedDict()
    for line in open(p).read().split("\n")[1:]:
        if line:
            ts, v = line.split(",")
            out[ts[:10]] = out.get(ts[:10], 0.0) + float(v) / 1000
    return out


def read(path):
    tot = collections.OrderedDict()
    for line in open(path).read().split("\n")[1:]:
        if line:
            d, _, c = line.split(",")
            tot[d] = tot.get(d, 0.0) + float(c)
    return tot


def quarter_of(d):
    return d[:4], (int(d[5:7]) - 1) // 3


def cover(binary, tot):
    days = list(tot)
    hit_m = hit_q = nm = nq = 0
    widths = []
    for cut in range(60, len(days), 7):
        last = days[cut]
        mend = [d for d in days if d[:7] == last[:7]][-1]
        month_complete = (datetime.date.fromisoformat(mend) + datetime.timedelta(days=1)).day == 1
        q = quarter_of(last)
        qdays = [d for d in days if quarter_of(d) == q]
        qend = datetime.date.fromisoformat(qdays[-1]) + datetime.timedelta(days=1)
        quarter_complete = qend.day == 1 and qend.month in (1, 4, 7, 10)
        if not month_complete:
            break
        path = os.path.join(tmp, "part.csv")
        with open(path, "w") as f:
            f.write("date,service,cost\n")
            for d in days[:cut + 1]:
                f.write("%s,all,%.4f\n" % (d, tot[d]))
        out = subprocess.run([binary, "prices", "forecast", "--tsv", path],
                             capture_output=True, text=True, check=True).stdout
        t = [l.split("\t") for l in out.splitlines() if l.startswith("TOTAL\t")][0]
        month = sum(tot[d] for d in days if d[:7] == last[:7])
        nm += 1
        hit_m += float(t[3]) <= month <= float(t[4])
        widths.append((float(t[4]) - float(t[3])) / month)
        if quarter_complete:
            quarter = sum(tot[d] for d in qdays)
            nq += 1
            hit_q += float(t[7]) <= quarter <= float(t[8])
    return hit_m, nm, hit_q, nq, widths


def main():
    binary = sys.argv[1]
    sources = [("iid%d" % s, gen_iid(s)) for s in range(1, 7)]
    sources += [("ar%d" % s, gen_ar(s)) for s in range(1, 4)]
    t = taxi()
    if t:
        sources.append(("nyc_taxi", t))
    all_m = all_nm = all_q = all_nq = 0
    all_w = []
    for name, tot in sources:
        hm, nm, hq, nq, w = cover(binary, tot)
        all_m, all_nm, all_q, all_nq = all_m + hm, all_nm + nm, all_q + hq, all_nq + nq
        all_w += w
        print("forecast_coverage %s month %.2f quarter %.2f cuts %d/%d width_month %.3f"
              % (name, hm / nm, hq / nq if nq else float("nan"), nm, nq, sorted(w)[len(w) // 2]))
    print("forecast_coverage all month %.3f quarter %.3f cuts %d/%d width_month %.3f"
          % (all_m / all_nm, all_q / all_nq, all_nm, all_nq, sorted(all_w)[len(all_w) // 2]))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        main()
