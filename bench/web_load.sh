#!/usr/bin/env bash
# The web page with 10k series: its weight (the page, its scripts and styles
# as served, and gzip-compressed as a proxy would send them) and the time to
# first render (navigation to the ranked list drawn; median of 7 loads in
# headless chromium, cache off). Goals: < 200 KB compressed, < 300 ms.
#   bench/web_load.sh [OPSBOX_BINARY] [SERIES]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
n=${2:-10000}
. "$top/bench/lib.sh"
web=$(port); ob=$(port)
mkdir "$tmp/web"
awk -v n="$n" 'BEGIN { srand(1); for (i = 0; i < n; i++) printf "bench_gauge{id=\"%d\"} %.3f\n", i, 100 + 10 * rand() }' >"$tmp/web/metrics"
(cd "$tmp/web" && exec "$py" -m http.server "$web" --bind 127.0.0.1) >/dev/null 2>&1 & pids+=($!)
cat >"$tmp/opsbox.yml" <<YML
listen: 127.0.0.1:$ob
store: $tmp/opsbox.db
scrape_configs:
  - job_name: bench
    scrape_interval: 2s
    static_configs: [{targets: ['127.0.0.1:$web']}]
YML
"$bin" serve --config "$tmp/opsbox.yml" >"$tmp/serve.log" 2>&1 & pids+=($!)
models() { curl -sf "127.0.0.1:$ob/api/v1/status" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["data"]["models"])' 2>/dev/null || echo 0; }
for _ in $(seq 300); do [ "$(models)" -ge "$n" ] && break; sleep 0.1; done
sleep 4 # a few scrapes: every series has points and a history
echo "web_series $(models)"
"$py" - "127.0.0.1:$ob" <<'PY'
import gzip, re, sys, urllib.request
base = "http://" + sys.argv[1]
html = urllib.request.urlopen(base + "/").read()
assets = re.findall(rb'(?:src|href)="(static/[^"]+)"', html)
raw = [html] + [urllib.request.urlopen(base + "/" + a.decode()).read() for a in assets]
api = [urllib.request.urlopen(base + "/api/v1/" + p).read() for p in
       ("series?limit=50", "incidents?limit=30", "targets", "status")]
print("web_page_bytes", sum(map(len, raw)))
print("web_page_gzip_bytes", sum(len(gzip.compress(b, 6)) for b in raw))
print("web_first_data_bytes", sum(map(len, api)))
PY
node "$top/web/test/first-render.mjs" "http://127.0.0.1:$ob" 7
