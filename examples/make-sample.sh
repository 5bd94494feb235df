#!/usr/bin/env bash
# Writes examples/sample.csv: four weeks of a CPU-like series at 5-minute
# steps (a daily cycle, quieter weekends, noise) with two incidents in the
# last week: a spike on day 24 and a stuck-high plateau on day 26.
# Synthetic, so it can live in the repo.
awk 'BEGIN {
  srand(2026); print "timestamp,cpu_percent"; t0 = 1767225600  # Thu 2026-01-01
  for (i = 0; i < 8064; i++) {
    t = t0 + i * 300; h = (t % 86400) / 3600; day = int(i / 288)
    v = 30 + 15 * sin((h - 8) / 24 * 2 * 3.14159265) + 4 * (rand() - 0.5)
    if (day % 7 == 2 || day % 7 == 3) v -= 8
    if (i == 24 * 288 + 150) v += 45
    if (i >= 26 * 288 + 100 && i < 26 * 288 + 150) v = 92 + rand()
    printf "%d,%.2f\n", t, v } }' >"$(dirname "$0")/sample.csv"
