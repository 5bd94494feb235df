#!/usr/bin/env python3
"""Slow, obvious references for `opsbox mail`, from Python's own email package.

  mail_reference.py headers MBOX OPSBOX_HEADERS_TSV
      decodes every message's Subject and From with email (policy=default,
      RFC 2047) and compares with `opsbox mail headers`, matched by
      Message-ID; prints the agreement and exits 1 below --min (default 1.0).
  mail_reference.py threads MBOX OPSBOX_THREADS_TSV
      threads by References and In-Reply-To only (union-find: every message
      in one thread with each it names), and scores opsbox's threads against
      it with B-cubed precision and recall; exits 1 when recall < --recall
      or precision < --precision.
"""
import argparse
import email.policy
import mailbox
import re
import sys
import unicodedata

ID = re.compile(r"<([^<>]*)>")


def messages(path):
    box = mailbox.mbox(path, factory=None, create=False)
    for key in box.iterkeys():
        raw = box.get_bytes(key)
        yield email.message_from_bytes(raw, policy=email.policy.default)


def ids(value):
    return [i.strip() for i in ID.findall(str(value or "")) if i.strip()]


def norm(text):
    """Whitespace and Unicode form are presentation: compare without them."""
    text = unicodedata.normalize("NFC", str(text))
    return " ".join(text.split())


def header(msg, name):
    try:
        v = msg[name]
        return "" if v is None else str(v)
    except Exception:  # a header Python itself cannot parse
        return None


def cmd_headers(args):
    ours = {}
    for line in open(args.tsv, encoding="utf-8", errors="replace"):
        f = line.rstrip("\n").split("\t")
        if len(f) == 4:
            ours.setdefault(f[0], f)
    total = same = 0
    for msg in messages(args.mbox):
        mid = ids(header(msg, "Message-ID"))
        if not mid or mid[0] not in ours:
            continue
        for name, col in (("Subject", 3), ("From", 2)):
            want = header(msg, name)
            if want is None:
                continue
            total += 1
            got = ours[mid[0]][col]
            if norm(got) == norm(want):
                same += 1
            elif args.verbose:
                print(f"differ {mid[0]} {name}: ours={got!r} python={want!r}", file=sys.stderr)
    share = same / total if total else 0
    print(f"headers agreeing with Python email: {same}/{total} = {share:.4f}")
    return 0 if total and share >= args.min else 1


def cmd_threads(args):
    ours = {}
    for line in open(args.tsv, encoding="utf-8", errors="replace"):
        f = line.rstrip("\n").split("\t")
        if len(f) == 2:
            ours[f[1]] = f[0]
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    seen = []
    for msg in messages(args.mbox):
        mid = ids(header(msg, "Message-ID"))
        if not mid or mid[0] not in ours or mid[0] in seen:
            continue
        seen.append(mid[0])
        find(mid[0])
        for ref in ids(header(msg, "References")) + ids(header(msg, "In-Reply-To")):
            union(mid[0], ref)
    ref_group = {m: find(m) for m in seen}
    our_group = {m: ours[m] for m in seen}

    def members(groups):
        out = {}
        for m, g in groups.items():
            out.setdefault(g, set()).add(m)
        return out

    ref_sets, our_sets = members(ref_group), members(our_group)
    p = r = 0.0
    for m in seen:
        a, b = our_sets[our_group[m]], ref_sets[ref_group[m]]
        both = len(a & b)
        p += both / len(a)
        r += both / len(b)
    n = len(seen)
    p, r = (p / n, r / n) if n else (0, 0)
    print(f"threads vs References-only: {n} messages, {len(our_sets)} opsbox threads, "
          f"{len(ref_sets)} reference threads, B-cubed precision {p:.4f} recall {r:.4f}")
    return 0 if n and r >= args.recall and p >= args.precision else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["headers", "threads"])
    ap.add_argument("mbox")
    ap.add_argument("tsv")
    ap.add_argument("--min", type=float, default=1.0)
    ap.add_argument("--recall", type=float, default=1.0)
    ap.add_argument("--precision", type=float, default=0.9)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    return cmd_headers(args) if args.what == "headers" else cmd_threads(args)


if __name__ == "__main__":
    sys.exit(main())
