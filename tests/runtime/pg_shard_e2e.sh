#!/usr/bin/env bash
# End-to-end test of two sharded opsbox replicas on one PostgreSQL store
# (pg_lib.sh: initdb/pg_ctl in the scratch folder): `--shard 0/2` and
# `--shard 1/2` scrape the same target (python3's http.server serving an
# exposition file of many series).
#
# Cases: the two sets of modelled series are disjoint and their union is
# every series the target exposes; each replica's models are in the store
# under its own shard; one replica is stopped and the target taken away, and
# when it starts again its models are all back from the store (nothing to
# relearn them from), the other shard's models untouched; once the target is
# back, the split is the same. Exit 77 when PostgreSQL is missing.
set -u
KILL_WITH=KILL
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/pg_lib.sh"
bin=$1
pg_test_begin

# ---- the target: 64 series, two names, a label that varies ----
mkdir "$tmp/web"
for i in $(seq 0 31); do
    printf 'shard_test_gauge{slot="%d"} %d\nshard_test_other{slot="%d",kind="b"} %d.5\n' $i $((i % 7)) $i $((i % 5))
done >"$tmp/web/metrics"
web_port=$(free_port)
start_target() {
    (cd "$tmp/web" && exec $py -m http.server "$web_port" --bind 127.0.0.1) >/dev/null 2>&1 &
    target=$!; pids+=($target)
    wait_for 10 curl -sf -o /dev/null "127.0.0.1:$web_port/metrics"
}
start_target || { echo "FAIL the test target did not start"; exit 1; }
# Every series the target exposes, as opsbox names them (job and instance added).
$py - "$tmp/web/metrics" "127.0.0.1:$web_port" >"$tmp/all" <<'PY'
import re, sys
instance = sys.argv[2]
out = []
for line in open(sys.argv[1]):
    m = re.match(r'(\w+)\{(.*)\} ', line)
    labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
    labels.update(job="shard", instance=instance)
    out.append(m.group(1) + "_opsbox{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())))
print("\n".join(sorted(out)))
PY

# ---- two replicas, one database ----
port_a=$(free_port); port_b=$(free_port)
declare -A port=([a]=$port_a [b]=$port_b) shard=([a]=0/2 [b]=1/2) pid=()
for r in a b; do
    cat >"$tmp/$r.yml" <<YML
listen: 127.0.0.1:${port[$r]}
store: $pg_url
snapshot_interval: 1s
scrape_configs:
  - job_name: shard
    scrape_interval: 100ms
    static_configs: [{targets: ['127.0.0.1:$web_port']}]
YML
done
start() { # start a|b
    "$bin" serve --config "$tmp/$1.yml" --shard "${shard[$1]}" >>"$tmp/$1.log" 2>&1 &
    pid[$1]=$!; pids+=(${pid[$1]})
    wait_for 20 curl -sf -o /dev/null "127.0.0.1:${port[$1]}/-/ready"
}
start a && start b || { echo "FAIL a replica did not start"; cat "$tmp/a.log" "$tmp/b.log"; exit 1; }

# Series keys name{labels} on stdin, named as on /metrics (name_opsbox,
# labels sorted).
norm() {
    $py -c '
import re, sys
for line in sys.stdin:
    name, labels = re.match(r"(\w+)\{(.*)\}$", line.strip()).groups()
    kv = dict(re.findall(r"(\w+)=\"([^\"]*)\"", labels))
    print(name + "_opsbox{" + ",".join(f"{k}=\"{v}\"" for k, v in sorted(kv.items())))' | sort
}
# The series a replica models and has seen a point of (its JSON API).
series_of() {
    curl -sf "127.0.0.1:${port[$1]}/api/v1/series?limit=10000" |
        $py -c 'import json, sys; print("\n".join(s["series"] for s in json.load(sys.stdin)["data"]))' | norm
}
# The series whose models the store holds for a shard, and a digest of them.
stored_series() { sql "SELECT series FROM models WHERE shard = '$1'" | norm; }
digest() { sql "SELECT md5(string_agg(series || md5(blob), ',' ORDER BY series)) FROM models WHERE shard = '$1'"; }
models_of() { curl -sf "127.0.0.1:${port[$1]}/metrics" | awk '/^opsbox_series_models /{print $2}'; }
split_whole() { # both replicas together model every series, none twice
    series_of a >"$tmp/sa" && series_of b >"$tmp/sb" && [ -s "$tmp/sa" ] && [ -s "$tmp/sb" ] &&
        [ -z "$(comm -12 "$tmp/sa" "$tmp/sb")" ] && sort -m "$tmp/sa" "$tmp/sb" | cmp -s - "$tmp/all"
}
stored() { sql "SELECT count(*) FROM models WHERE shard = '$1'"; }
# The store holds each replica's models under its shard, as many as it models.
saved() { [ "$(stored 0/2)" = "$(models_of a)" ] && [ "$(stored 1/2)" = "$(models_of b)" ] &&
    [ "$(sql "SELECT count(*) FROM models")" = "$(wc -l <"$tmp/all")" ]; }

check "the two shards are disjoint and together every series" wait_for 20 split_whole
check "each shard has a real part (not all in one)" bash -c "[ \$(wc -l <'$tmp/sa') -ge 8 ] && [ \$(wc -l <'$tmp/sb') -ge 8 ]"
check "each replica's models are in the store under its shard" wait_for 20 saved
cp "$tmp/sa" "$tmp/sa.before"
n_a=$(wc -l <"$tmp/sa"); n_b=$(stored 1/2)
echo "     shard 0/2: $n_a series, shard 1/2: $n_b, target: $(wc -l <"$tmp/all")"

# ---- replica a stops; with the target away, only the store can give its models back ----
kill -TERM ${pid[a]}; wait ${pid[a]}; rc=$?
check "replica a exits 0 on SIGTERM" [ $rc -eq 0 ]
kill -TERM $target; wait $target 2>/dev/null
stored_series 0/2 >"$tmp/sa.stored"
check "the store holds replica a's series under its shard" cmp -s "$tmp/sa.before" "$tmp/sa.stored"
sum_a=$(digest 0/2)
check "the target is away" bash -c "! curl -sf -o /dev/null 127.0.0.1:$web_port/metrics"
start a || { echo "FAIL replica a did not start again"; cat "$tmp/a.log"; exit 1; }
check "restarted replica a has all its models back, from the store" [ "$(models_of a)" = "$n_a" ]
check "the log says they came from the store" bash -c "grep 'listening on' '$tmp/a.log' | tail -1 | grep -q '; $n_a models from postgresql:'"
# A model brought back and saved again is the same bytes; one relearned is not.
snapped() { [ "$(curl -sf "127.0.0.1:${port[a]}/metrics" | awk '/^opsbox_store_snapshots_total /{print $2}')" -ge 1 ] 2>/dev/null; }
wait_for 10 snapped
check "its next snapshot saves the very models it was stopped with" [ "$(digest 0/2)" = "$sum_a" ]
check "the other shard's models are still in the store" [ "$(stored 1/2)" = "$n_b" ]
check "after that snapshot the store still has both shards whole" saved

# ---- the target is back: the same split ----
start_target || { echo "FAIL the test target did not start again"; exit 1; }
check "after the restart, still disjoint and together every series" wait_for 20 split_whole
check "replica a models exactly what it did before" cmp -s "$tmp/sa.before" "$tmp/sa"

kill -TERM ${pid[a]} ${pid[b]}; wait ${pid[a]} ${pid[b]}
[ $fails -eq 0 ] || { echo "$fails check(s) failed"; tail -n 20 "$tmp/a.log" "$tmp/b.log"; exit 1; }
echo "all checks passed"
