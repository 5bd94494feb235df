#!/usr/bin/env bash
# Makes sure a node_exporter answers on 127.0.0.1:9100 for `make run`:
# starts Debian's prometheus-node-exporter in the background when nothing
# answers there (a machine without systemd does not start it on install).
set -eu
if curl -sf -o /dev/null http://127.0.0.1:9100/metrics; then
    exit 0
fi
ne=$(command -v prometheus-node-exporter || echo /usr/bin/prometheus-node-exporter)
nohup "$ne" --web.listen-address=127.0.0.1:9100 >/tmp/opsbox-node-exporter.log 2>&1 &
for _ in $(seq 50); do
    curl -sf -o /dev/null http://127.0.0.1:9100/metrics && { echo "started node_exporter on 127.0.0.1:9100"; exit 0; }
    sleep 0.1
done
echo "start-node-exporter.sh: node_exporter did not come up; see /tmp/opsbox-node-exporter.log" >&2
exit 1
