#!/usr/bin/env bash
# Data pushed at `opsbox serve`, one connection, back to back
# (bench/ingest_load.c):
#   rw_samples_per_sec   remote write 1.0, 10k series x 10 samples a body:
#                        snappy, protobuf, modelled, 204 (goal 1M/s)
#   loki_json_lines_per_sec      Loki JSON pushes of 10k HDFS lines: decoded,
#                                mined, 204 (goal 500k/s)
#   loki_protobuf_lines_per_sec  the same as promtail sends by default:
#                                snappy-compressed protobuf
#   bench/ingest.sh [OPSBOX_BINARY] [LOAD_BINARY]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/opsbox}
load=${2:-$top/build/bench/ingest_load}
hdfs=${OPSBOX_SHARED:-$top/../shared}/data/loghub-2k/HDFS/HDFS_2k.log
. "$top/bench/lib.sh"
port=$(port)
printf 'listen: 127.0.0.1:%s\nstore: %s/opsbox.db\nsnapshot_interval: 1h\n' "$port" "$tmp" >"$tmp/opsbox.yml"
"$bin" serve --config "$tmp/opsbox.yml" >"$tmp/serve.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do curl -sf "127.0.0.1:$port/-/ready" -o /dev/null && break; sleep 0.1; done
"$load" rw "http://127.0.0.1:$port/api/v1/write" 10000 10 10
"$load" loki "http://127.0.0.1:$port/loki/api/v1/push" "$hdfs" 10000 8 json
"$load" loki "http://127.0.0.1:$port/loki/api/v1/push" "$hdfs" 10000 8 protobuf
