#!/usr/bin/env bash
# `opsbox serve` under load: one test target (python3's http.server serving
# a file) with N gauge series (default 100000) whose values move a little on
# each scrape, scraped every 15 s. After the models exist, prints:
#   serve_series N
#   serve_points_per_sec   parse + score throughput of one scrape
#   serve_cpu_share_at_15s the share of one core that scoring N series
#                          every 15 s takes
#   serve_rss_bytes_per_series  resident memory / series
#   serve_rss_bytes_per_added_series  (resident memory - that of an idle
#                          daemon) / series: what one more series costs
#   serve_shutdown_seconds  SIGTERM to exit: saving every model to SQLite
#   serve_restore_seconds   start to every model loaded back
#
#   bench/serve_load.sh [OPSBOX_BINARY] [SERIES]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
n=${2:-100000}
. "$top/bench/lib.sh"
web=$(port); ob=$(port)
mkdir "$tmp/web"
write_target() { # write_target SEED: N series, values around 100
    awk -v n="$n" -v seed="$1" 'BEGIN { srand(seed); for (i = 0; i < n; i++)
        printf "bench_gauge{shard=\"%d\",id=\"%d\"} %.3f\n", i % 100, i, 100 + 10 * rand() }' \
        >"$tmp/web/metrics.new" && mv "$tmp/web/metrics.new" "$tmp/web/metrics"
}
write_target 1
(cd "$tmp/web" && exec "$py" -m http.server "$web" --bind 127.0.0.1) >/dev/null 2>&1 & pids+=($!)
cat >"$tmp/opsbox.yml" <<YML
listen: 127.0.0.1:$ob
store: $tmp/opsbox.db
snapshot_interval: 1h
scrape_configs:
  - job_name: bench
    scrape_interval: 15s
    scrape_timeout: 14s
    static_configs: [{targets: ['127.0.0.1:$web']}]
YML
sleep 0.5
"$bin" serve --config "$tmp/opsbox.yml" >"$tmp/serve.log" 2>&1 & pid=$!; pids+=($pid)
metric() { curl -sf "127.0.0.1:$ob/metrics" | awk -v m="$1" '$1 ~ "^"m { print $2; exit }'; }
rss_of() { awk '/VmRSS/ {print $2 * 1024}' "/proc/$1/status"; }
# The same daemon with nothing to model: what every series shares.
printf 'listen: 127.0.0.1:%s\nstore: %s/idle.db\n' "$(port)" "$tmp" >"$tmp/idle.yml"
"$bin" serve --config "$tmp/idle.yml" >"$tmp/idle.log" 2>&1 & idle=$!; pids+=($idle)
sleep 1; rss0=$(rss_of $idle)
for _ in $(seq 300); do
    [ "$(metric opsbox_series_models 2>/dev/null || echo 0)" = "$n" ] && break
    sleep 0.1
done
# Steady state: wait for the next scrapes (models exist, values change).
write_target 2
scrapes=$(metric opsbox_scrapes_total)
for _ in $(seq 400); do
    [ "$(metric opsbox_scrapes_total)" -ge $((scrapes + 1)) ] && break
    sleep 0.1
done
proc=$(metric 'opsbox_scrape_processing_seconds')
rss=$(rss_of $pid)
echo "serve_series $n"
echo "serve_points_per_sec $(echo "$n / $proc" | bc -l | cut -d. -f1)"
printf 'serve_cpu_share_at_15s %.3f\n' "$(echo "$proc / 15" | bc -l)"
echo "serve_rss_bytes_per_series $((rss / n))"
echo "serve_rss_bytes_per_added_series $(((rss - rss0) / n))"
t0=$(date +%s.%N)
kill -TERM $pid; wait $pid || true
printf 'serve_shutdown_seconds %.2f\n' "$(echo "$(date +%s.%N) - $t0" | bc -l)"
t0=$(date +%s.%N)
"$bin" serve --config "$tmp/opsbox.yml" --listen 127.0.0.1:$(port) >"$tmp/serve2.log" 2>&1 & p2=$!; pids+=($p2)
for _ in $(seq 300); do grep -qs 'models from' "$tmp/serve2.log" && break; sleep 0.05; done
t1=$(date +%s.%N)
kill -TERM $p2; wait $p2 || true
printf 'serve_restore_seconds %.2f\n' "$(echo "$t1 - $t0" | bc -l)"
