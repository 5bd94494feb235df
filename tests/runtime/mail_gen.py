#!/usr/bin/env python3
"""Synthetic mailing list archives with known answers, as mboxrd.

  mail_gen.py --days 240 --rate 12 [--burst DAY:COUNT[:WORD]]... [--silence DAY:LEN]...
              [--messages N] [--seed S] > list.mbox

Each day gets Poisson(rate) messages (weekends half): new threads and
replies to recent ones (References and In-Reply-To, a quoted line and a
signature; one reply in ten carries only a "Re:" subject, no links), some
subjects RFC 2047 encoded, some bodies with a "From " line to quote. A
burst adds COUNT messages on DAY, all in threads about WORD; a silence makes
LEN days from DAY empty. --messages N instead writes N messages over --days
(for speed benchmarks). Printed on stderr: the truth, one line per burst or
silence.
"""
import argparse
import base64
import math
import random
import sys

WORDS = ("build release plugin version test maven java module issue change "
         "compile deploy docs site dependency report branch merge review patch").split()
LIST = "<dev.example.org>"


def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, int(rng.gauss(lam, math.sqrt(lam)) + 0.5))
    l, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= l:
            return k
        k += 1


def encoded(subject, rng):
    if rng.random() < 0.5:
        return "=?utf-8?b?" + base64.b64encode(subject.encode()).decode() + "?="
    return "=?utf-8?q?" + subject.replace(" ", "_").replace("?", "=3F") + "?="


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=240)
    ap.add_argument("--rate", type=float, default=12)
    ap.add_argument("--burst", action="append", default=[])
    ap.add_argument("--silence", action="append", default=[])
    ap.add_argument("--messages", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=1672531200)  # 2023-01-01
    a = ap.parse_args()
    rng = random.Random(a.seed)
    bursts = {}
    for b in a.burst:
        f = b.split(":")
        bursts[int(f[0])] = (int(f[1]), f[2] if len(f) > 2 else "outage")
    quiet = set()
    for s in a.silence:
        d, n = map(int, s.split(":"))
        quiet.update(range(d, d + n))
    per_day = [0.0] * a.days
    for d in range(a.days):
        weekend = (d + 6) % 7 >= 5  # 2023-01-01 is a Sunday
        per_day[d] = 0 if d in quiet else a.rate * (0.5 if weekend else 1)
    if a.messages:
        scale = a.messages / sum(per_day)
        per_day = [x * scale for x in per_day]
    out = sys.stdout.buffer
    senders = [f"user{i}@example.org" for i in range(200)]
    recent = []  # (message-id, references, subject, author)
    n = 0
    written = 0
    for d in range(a.days):
        count = int(per_day[d]) if a.messages else poisson(rng, per_day[d])
        if a.messages and rng.random() < per_day[d] - int(per_day[d]):
            count += 1
        topic = None
        if d in bursts:
            extra, topic = bursts[d]
            count += extra
        if a.messages and d == a.days - 1:
            count = max(0, a.messages - written)
        times = sorted(rng.randrange(86400) for _ in range(count))
        burst_threads = []
        for i, t in enumerate(times):
            n += 1
            mid = f"m{n}.{a.seed}@gen.example.org"
            author = rng.choice(senders)
            in_burst = topic is not None and i >= count - bursts[d][0]
            if in_burst and burst_threads and rng.random() < 0.7:
                parent = rng.choice(burst_threads)
            elif not in_burst and recent and rng.random() < 0.6:
                parent = recent[int(len(recent) * rng.random() ** 0.3)]
            else:
                parent = None
            if parent:
                refs = (parent[1] + [parent[0]])[-10:]
                subject = "Re: " + parent[2]
                linked = rng.random() >= 0.1
            else:
                refs = []
                w = [rng.choice(WORDS) for _ in range(3)]
                if in_burst:
                    w = [topic] + w[:2]
                subject = " ".join(w) + f" {n % 97}"
                linked = True
            shown = encoded(subject, rng) if rng.random() < 0.05 else subject
            date = a.start + d * 86400 + t
            head = [f"From {author} {format_ctime(date)}",
                    f"Message-ID: <{mid}>", f"From: User <{author}>",
                    f"Subject: {shown}", f"Date: {format_date(date)}", f"List-Id: {LIST}"]
            if refs and linked:
                head.append("References: " + " ".join(f"<{r}>" for r in refs))
                head.append(f"In-Reply-To: <{refs[-1]}>")
            body = [f"Some words about {subject.split()[-2] if len(subject.split()) > 1 else 'it'}."]
            if parent:
                body = [f"On day {d} {parent[3]} wrote:", "> the earlier text", ""] + body
            if rng.random() < 0.02:
                body.append(">From here on it was quoted by mboxrd")
            body += ["", "-- ", author]
            text = "\n".join(head) + "\n\n" + "\n".join(body) + "\n\n"
            out.write(text.encode())
            written += 1
            entry = (mid, refs, subject[4:] if subject.startswith("Re: ") else subject, author)
            if in_burst:
                burst_threads.append(entry)
            recent.append(entry)
            if len(recent) > 300:
                recent.pop(0)
    for d, (c, w) in sorted(bursts.items()):
        print(f"burst day {d} +{c} {w}", file=sys.stderr)
    for d in sorted(quiet):
        print(f"silent day {d}", file=sys.stderr)


MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
DAYS = "Mon Tue Wed Thu Fri Sat Sun".split()


def civil(t):
    import time
    return time.gmtime(t)


def format_date(t):
    g = civil(t)
    return (f"{DAYS[g.tm_wday]}, {g.tm_mday} {MONTHS[g.tm_mon - 1]} {g.tm_year} "
            f"{g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d} +0000")


def format_ctime(t):
    g = civil(t)
    return (f"{DAYS[g.tm_wday]} {MONTHS[g.tm_mon - 1]} {g.tm_mday:2d} "
            f"{g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d} {g.tm_year}")


if __name__ == "__main__":
    main()
