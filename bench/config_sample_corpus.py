#!/usr/bin/env python3
"""Builds a corpus of configuration files from one commented sample file
(postgresql.conf.sample, redis.conf, sysctl.conf: settings written out and
commented, with their defaults), for checking `opsbox config` on dialects
no real corpus is at hand for: each file uncomments every setting with
probability P and, for a number, scales it by a factor from 1/4 to 4 (its
unit kept), as tuned deployments do. Synthetic: the figures it gives say
how the rules behave on a dialect, not how they do on real files.

  config_sample_corpus.py SAMPLE OUTDIR [--files 200] [--p 0.4] [--seed 1]
Standard library only; the same arguments give the same files.
"""
import argparse
import os
import random
import re

SETTING = re.compile(r'^#\s?([a-z][\w.\-]*)(\s*=\s*|\s+)(\S.*?)?\s*$')
NUM = re.compile(r'^(\'?)(\d+)([A-Za-z]*)(\'?)$')


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('sample')
    ap.add_argument('out')
    ap.add_argument('--files', type=int, default=200)
    ap.add_argument('--p', type=float, default=0.4)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    lines = open(a.sample, encoding='utf-8', errors='replace').read().split('\n')
    os.makedirs(a.out, exist_ok=True)
    ext = os.path.splitext(a.sample)[1] or '.conf'
    for i in range(a.files):
        out = []
        for raw in lines:
            m = SETTING.match(raw)
            # a commented setting, not a comment sentence: one value token
            # (or a quoted one) before any trailing comment
            if not m or not m.group(3) or rng.random() >= a.p:
                out.append(raw)
                continue
            value = re.split(r'\s+#', m.group(3))[0].strip()
            if ' ' in value.strip("'\"") or value[-1] in '.,:;)' or value.lower() in ('the', 'a', 'an'):
                out.append(raw)
                continue
            n = NUM.match(value)
            if n and rng.random() < 0.5:
                f = rng.choice([0.25, 0.5, 2, 4])
                v = max(1, int(int(n.group(2)) * f)) if int(n.group(2)) > 1 else int(n.group(2))
                value = f'{n.group(1)}{v}{n.group(3)}{n.group(4)}'
            out.append(f'{m.group(1)}{m.group(2)}{value}')
        with open(os.path.join(a.out, f's{i:04d}{ext}'), 'w') as fh:
            fh.write('\n'.join(out))


if __name__ == '__main__':
    main()
