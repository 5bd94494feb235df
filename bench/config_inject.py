#!/usr/bin/env python3
"""A small, dialect-generic error injector and scorer for `opsbox config`,
to check it on corpora the shared benchmark does not cover (key=value files
such as sysctl.conf, postgresql.conf or redis.conf; INI; Hadoop-style XML
properties). It mimics the benchmark's classes (ConfErr-style, one error per
mutated copy, plus an untouched clean control per held-out file):

  typo     a key misspelt by one letter (omit, insert/substitute a QWERTY
           neighbour, transpose), never giving a key seen in the corpus
  type     a number made a word, a switch made a path or a number
  range    a number x1000, x1024 or negative
  missing  a key deleted that, in the training files, is present in >= 95 %
           of the >= 10 files holding another key of this file (label: the
           deleted key, no line)
  misplaced (INI only) an entry moved into another section of the file
           that it is never seen in across the training files

Usage:
  config_inject.py inject --corpus DIR --out RUN --seed S
  config_inject.py score --run RUN --pred PRED.tsv      (strict, as the
      benchmark: a finding on an untouched line or a clean file is false)
Standard library only. The corpus itself is never copied anywhere else.
"""
import argparse
import collections
import json
import os
import random
import re
import shutil
import sys

QWERTY = ['1234567890-', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm']
POS = {ch: (r, c) for r, row in enumerate(QWERTY) for c, ch in enumerate(row)}
NEIGH = {ch: sorted(o for o, (r2, c2) in POS.items()
                    if o != ch and abs(r - r2) <= 1 and abs(c - c2) <= 1 and o.isalpha())
         for ch, (r, c) in POS.items()}
BOOLS = {'on', 'off', 'true', 'false', 'yes', 'no', 'enabled', 'disabled'}
NUM = re.compile(r'^-?\d+(\.\d+)?([kKmMgGtT][bB]?)?$')


def norm(k):
    return k.strip().lower().replace('-', '_')


class Entry:
    def __init__(self, line, section, key, kspan, vline, vspan, value):
        self.line, self.section, self.key, self.kspan = line, section, key, kspan
        self.vline, self.vspan, self.value = vline, vspan, value


def parse(lines):
    """Entries with the line and span of key and value, for XML
    <name>/<value> properties, INI sections and key=value / key value."""
    out, section = [], ''
    xml = any('<name>' in l for l in lines)
    for i, raw in enumerate(lines, 1):
        if xml:
            m = re.search(r'<name>\s*([^<]*?)\s*</name>', raw)
            if not m:
                continue
            vline, vm = i, re.search(r'<value>([^<]*)</value>', raw)
            for j in range(i, min(i + 4, len(lines))):
                vm = re.search(r'<value>([^<]*)</value>', lines[j - 1])
                if vm:
                    vline = j
                    break
                if '</property>' in lines[j - 1]:
                    break
            out.append(Entry(i, '', norm(m.group(1)), m.span(1), vline,
                             vm.span(1) if vm else None, vm.group(1) if vm else None))
            continue
        s = raw.strip()
        if not s or s[0] in '#;':
            continue
        m = re.match(r'^\s*\[([^\]]*)\]', raw)
        if m:
            section = m.group(1).strip().lower()
            continue
        m = re.match(r'^(\s*)([A-Za-z_][\w.\-]*)(\s*=\s*|\s+)?(.*?)\s*$', raw)
        if not m:
            continue
        v = m.group(4)
        if '#' in v:
            v = v.split(' #')[0].rstrip()
        vs = m.end(3) if m.group(3) else None
        out.append(Entry(i, section, norm(m.group(2)), m.span(2), i,
                         (vs, vs + len(v)) if vs is not None and v else None, v or None))
    return out


def read(path):
    return open(path, encoding='utf-8', errors='replace').read().replace('\r\n', '\n').split('\n')


def typo(e, lines, vocab, rng):
    key = lines[e.line - 1][e.kspan[0]:e.kspan[1]]
    letters = [i for i, c in enumerate(key) if c.isalpha()]
    if len(key) < 5 or len(letters) < 3:
        return None
    for _ in range(20):
        i, op = rng.choice(letters), rng.choice(['omit', 'insert', 'substitute', 'transpose'])
        nb = NEIGH.get(key[i].lower()) or ['x']
        if op == 'omit':
            new = key[:i] + key[i + 1:]
        elif op == 'insert':
            new = key[:i] + rng.choice(nb) + key[i:]
        elif op == 'substitute':
            new = key[:i] + rng.choice(nb) + key[i + 1:]
        elif i + 1 < len(key) and key[i + 1].isalpha() and key[i] != key[i + 1]:
            new = key[:i] + key[i + 1] + key[i] + key[i + 2:]
        else:
            continue
        if norm(new) in vocab or any(v.startswith(norm(new)) for v in vocab):
            continue
        return e.line, e.kspan, new
    return None


def type_(e, lines, rng):
    v = (e.value or '').strip('"\'')
    if not e.vspan or not v:
        return None
    if NUM.match(v) and v not in ('0', '1'):
        return e.vline, e.vspan, rng.choice(['ON', 'auto', 'yes', 'default', 'high'])
    if v.lower() in BOOLS or v in ('0', '1'):
        return e.vline, e.vspan, rng.choice(['/var/log/x.log', '64M', 'enabled1', 'Onn'])
    return None


def range_(e, lines, rng):
    v = (e.value or '').strip('"\'')
    m = re.match(r'^(\d+)([kKmMgGtT][bB]?)?$', v)
    if not e.vspan or not m or v in ('0', '1') or int(m.group(1)) == 0:
        return None
    n, unit = m.group(1), m.group(2) or ''
    new = rng.choice([n + '000' + unit, str(int(n) * 1024) + unit, '-' + v])
    return e.vline, e.vspan, new


def inject(args):
    rng = random.Random(args.seed)
    files = sorted(os.path.join(args.corpus, f) for f in os.listdir(args.corpus))
    order = files[:]
    rng.shuffle(order)
    n_test = max(1, round(len(order) * 0.2))
    test, train = sorted(order[:n_test]), sorted(order[n_test:])
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    for d in ('train', 'test'):
        os.makedirs(os.path.join(args.out, d))
    for f in train:
        shutil.copyfile(f, os.path.join(args.out, 'train', os.path.basename(f)))
    vocab = {e.key for f in files for e in parse(read(f))}
    present = [{e.key for e in parse(read(f))} for f in train]
    sec_keys = collections.defaultdict(set)
    for f in train:
        for e in parse(read(f)):
            sec_keys[e.section].add(e.key)
    kf = collections.Counter(k for p in present for k in p)
    deps = collections.defaultdict(set)  # b -> {a}: a present => b present
    for a, na in kf.items():
        if na < 10:
            continue
        for b in kf:
            if b != a and sum(1 for p in present if a in p and b in p) >= 0.95 * na:
                deps[b].add(a)
    ext = os.path.splitext(files[0])[1]
    produced, classes = [], ['typo', 'type', 'range', 'missing', 'misplaced']
    for fi, f in enumerate(test):
        base = read(f)
        for v in range(3):
            tried = classes[(fi * 3 + v) % len(classes):] + classes[:(fi * 3 + v) % len(classes)]
            for cls in tried:
                lines, es = list(base), parse(base)
                rng.shuffle(es)
                lab = None
                for e in es:
                    if cls == 'missing':
                        keys = {x.key for x in es}
                        if deps.get(e.key, set()) & (keys - {e.key}) and \
                                sum(1 for x in es if x.key == e.key) == 1:
                            lines[e.line - 1] = ''
                            if e.vline != e.line:
                                lines[e.vline - 1] = ''
                            lab = (0, e.key, cls)
                    elif cls == 'misplaced':
                        heads = [i for i, l in enumerate(lines, 1)
                                 if re.match(r'^\s*\[[^\]]*\]', l)
                                 and l.strip()[1:-1].strip().lower() != e.section]
                        heads = [h for h in heads if e.key not in
                                 sec_keys.get(lines[h - 1].strip()[1:-1].strip().lower(), ())]
                        if heads and e.section and len(sec_keys.get(e.section, ())) and \
                                kf[e.key] >= 3:
                            h = rng.choice(heads)
                            raw = lines.pop(e.line - 1).strip()
                            at = h if e.line > h else h - 1
                            lines.insert(at, raw)
                            lab = (at + 1, e.key, cls)
                    else:
                        r = {'typo': lambda: typo(e, lines, vocab, rng),
                             'type': lambda: type_(e, lines, rng),
                             'range': lambda: range_(e, lines, rng)}[cls]()
                        if r:
                            ln, span, new = r
                            lines[ln - 1] = lines[ln - 1][:span[0]] + new + lines[ln - 1][span[1]:]
                            lab = (e.line, e.key, cls)
                    if lab:
                        break
                if lab:
                    produced.append((lines, lab))
                    break
        produced.append((list(base), None))
    ids = list(range(1, len(produced) + 1))
    rng.shuffle(ids)
    labels = []
    for (lines, lab), i in zip(produced, ids):
        name = f't{i:04d}{ext}'
        open(os.path.join(args.out, 'test', name), 'w').write('\n'.join(lines))
        labels.append({'file': name, 'label': lab})
    json.dump(labels, open(os.path.join(args.out, 'labels.json'), 'w'), indent=0)
    c = collections.Counter(l['label'][2] for l in labels if l['label'])
    print(json.dumps({'train': len(train), 'test_files': len(produced), 'labels': dict(c)}))


def score(args):
    labels = json.load(open(os.path.join(args.run, 'labels.json')))
    lab = {l['file']: l['label'] for l in labels}
    credited, tp, fp, fp_clean, seen = set(), 0, 0, 0, set()
    for row in open(args.pred):
        p = row.rstrip('\n').split('\t')
        if len(p) < 2 or p[0].startswith('#'):
            continue
        f = os.path.basename(p[0])
        if (f, p[1]) in seen:
            continue
        seen.add((f, p[1]))
        L = lab.get(f)
        hit = L and ((L[0] > 0 and p[1] == str(L[0])) or (L[0] == 0 and norm(p[1]) == L[1]))
        if hit and f not in credited:
            credited.add(f)
            tp += 1
        elif not hit:
            fp += 1
            fp_clean += L is None
    n = sum(1 for l in labels if l['label'])
    P = tp / (tp + fp) if tp + fp else 0
    R = len(credited) / n if n else 0
    F = 2 * P * R / (P + R) if P + R else 0
    by = collections.Counter(l['label'][2] for l in labels if l['label'])
    got = collections.Counter(lab[f][2] for f in credited)
    print(json.dumps({'precision': round(P, 4), 'recall': round(R, 4), 'f1': round(F, 4),
                      'fp_on_clean': fp_clean,
                      'recall_by_class': {c: round(got[c] / by[c], 3) for c in sorted(by)}}))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    a = sub.add_parser('inject')
    a.add_argument('--corpus', required=True)
    a.add_argument('--out', required=True)
    a.add_argument('--seed', type=int, default=1)
    b = sub.add_parser('score')
    b.add_argument('--run', required=True)
    b.add_argument('--pred', required=True)
    args = ap.parse_args()
    inject(args) if args.cmd == 'inject' else score(args)


if __name__ == '__main__':
    sys.exit(main())
