#!/usr/bin/env python3
"""Lines per second of Drain3 (the reference system for opsbox logs) on a
file, with the masks of Drain3's own example configuration, whole process.
Drain3 is not part of opsbox: pass a checkout of github.com/logpai/Drain3.

    drain3_speed.py DRAIN3_CHECKOUT LOGFILE   ->   lines per second
"""
import os
import sys
import time


def main():
    checkout, path = sys.argv[1], sys.argv[2]
    sys.path.insert(0, checkout)
    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    config = TemplateMinerConfig()
    config.load(os.path.join(checkout, "examples", "drain3.ini"))
    config.profiling_enabled = False
    start = time.perf_counter()
    miner = TemplateMiner(config=config)
    n = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            miner.add_log_message(line.rstrip("\n"))
            n += 1
    print(f"{n / (time.perf_counter() - start):.0f}")


if __name__ == "__main__":
    main()
