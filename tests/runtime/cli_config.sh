#!/usr/bin/env bash
# `opsbox config` through the real binary: learn a model from a generated
# corpus, check files against it (human and TSV output, exit 0/1/2), every
# dialect read, broken files named by file:line while the others go on; then,
# with the shared benchmark beside the clone, one seed scored by its own
# score.py above the frequency baseline.
set -u
. "$(dirname "$0")/lib.sh"
bin=$1
shared=${OPSBOX_SHARED:-$(cd "$(dirname "$0")/../../.." && pwd)/shared}

# A corpus: 130 INI files; [server] always, the replication pair in 50.
mkdir -p "$tmp/corpus"
for i in $(seq 0 129); do
    {
        echo "[server]"
        echo "port = $((3000 + i))"
        echo "buffer-size = $((16 + i % 48))M"
        echo "enable_cache = $([ $((i % 2)) = 0 ] && echo on || echo off)"
        echo "data_dir = /var/lib/db$((i % 3))"
        echo "timeout = $((10 + i % 50))"
        [ $i -lt 50 ] && printf 'replication\nreplica_id = %d\n' $((i + 1))
        echo "[client]"
        echo "user = app"
        echo "socket = /tmp/db.sock"
    } >"$tmp/corpus/c$i.cnf"
done
out=$("$bin" config learn --out "$tmp/m.json" "$tmp/corpus"); rc=$?
check "learn: exit 0, what it learned in a few lines" bash -c "[ $rc -eq 0 ] && echo '$out' | grep -q '^learned from 130 files (0 skipped): .* 2 sections' && [ \$(echo '$out' | wc -l) -le 6 ]"
check "learn: a versioned JSON model" $py -c "import json,sys; m=json.load(open(sys.argv[1])); assert m['format']=='opsbox-config-model' and m['version']==1" "$tmp/m.json"

cp "$tmp/corpus/c7.cnf" "$tmp/clean.cnf"
"$bin" config check --model "$tmp/m.json" "$tmp/clean.cnf" >"$tmp/out" 2>&1; rc=$?
check "a clean file: exit 0, nothing said" bash -c "[ $rc -eq 0 ] && [ ! -s '$tmp/out' ]"

sed -e 's/^enable_cache/enable_cahce/' "$tmp/corpus/c7.cnf" >"$tmp/typo.cnf"
sed -e 's/^port = .*/port = high/' "$tmp/corpus/c7.cnf" >"$tmp/type.cnf"
sed -e 's/^timeout = .*/timeout = 45000/' "$tmp/corpus/c7.cnf" >"$tmp/range.cnf"
sed -e '/^data_dir/d' -e 's/^user = app/user = app\ndata_dir = \/x/' "$tmp/corpus/c7.cnf" >"$tmp/misplaced.cnf"
sed -e '/^replica_id/d' "$tmp/corpus/c7.cnf" >"$tmp/missing.cnf"
"$bin" config check --model "$tmp/m.json" --tsv "$tmp/typo.cnf" "$tmp/type.cnf" "$tmp/range.cnf" \
    "$tmp/misplaced.cnf" "$tmp/missing.cnf" "$tmp/clean.cnf" >"$tmp/tsv"; rc=$?
check "findings: exit 1" [ $rc -eq 1 ]
has() { grep -qP "^$1\t$2\t$3\t.+" "$tmp/tsv"; }
check "TSV: typo on its line, with the key it is close to" bash -c "$(declare -f has); tmp=$tmp; has '$tmp/typo.cnf' 4 typo && grep -q 'enable_cache is in 130 of 130 files' '$tmp/tsv'"
check "TSV: type" bash -c "$(declare -f has); tmp=$tmp; has '$tmp/type.cnf' 2 type"
check "TSV: range" bash -c "$(declare -f has); tmp=$tmp; has '$tmp/range.cnf' 6 range"
check "TSV: misplaced in [client]" bash -c "$(declare -f has); tmp=$tmp; has '$tmp/misplaced.cnf' 10 misplaced"
check "TSV: missing names the key instead of a line" bash -c "$(declare -f has); tmp=$tmp; has '$tmp/missing.cnf' replica_id missing"
check "TSV: exactly four columns, one finding per broken file" bash -c "[ \$(wc -l <'$tmp/tsv') -eq 5 ] && awk -F'\t' 'NF!=4{exit 1}' '$tmp/tsv'"
"$bin" config check --model "$tmp/m.json" "$tmp/typo.cnf" >"$tmp/human"
check "human output: file:line: [section]key: class (confidence, support): evidence" \
    grep -qE "typo.cnf:4: \[server\]enable_cahce: typo \(confidence 0\.[0-9]+, 130 files\): " "$tmp/human"

# Broken input: named with its line, exit 2, the other files still checked.
printf '[server\nport=1\n' >"$tmp/bad.cnf"
"$bin" config check --model "$tmp/m.json" --tsv "$tmp/bad.cnf" "$tmp/typo.cnf" >"$tmp/tsv" 2>"$tmp/err"; rc=$?
check "broken file: exit 2, file:line: what" bash -c "[ $rc -eq 2 ] && grep -q 'bad.cnf:1: section header without' '$tmp/err'"
check "broken file: the others still checked" grep -q typo "$tmp/tsv"
"$bin" config check --model "$tmp/missing-model.json" "$tmp/clean.cnf" 2>"$tmp/err"; rc=$?
check "no model: exit 2, named" bash -c "[ $rc -eq 2 ] && grep -q 'missing-model.json' '$tmp/err'"
echo '{"format": "opsbox-config-model", "version": 7}' >"$tmp/v7.json"
"$bin" config check --model "$tmp/v7.json" "$tmp/clean.cnf" 2>"$tmp/err"; rc=$?
check "a model of another version: exit 2, said so" bash -c "[ $rc -eq 2 ] && grep -q 'model version 7' '$tmp/err'"
"$bin" config learn "$tmp/corpus" 2>/dev/null; r1=$?
"$bin" config check --model "$tmp/m.json" --format toml "$tmp/clean.cnf" 2>/dev/null; r2=$?
"$bin" config frob 2>/dev/null; r3=$?
"$bin" config learn --out "$tmp/x.json" "$tmp/nonexistent" 2>/dev/null; r4=$?
check "bad usage: exit 2" bash -c "[ $r1 -eq 2 ] && [ $r2 -eq 2 ] && [ $r3 -eq 2 ] && [ $r4 -eq 2 ]"
check "--help: exit 0, the TSV columns described" bash -c "'$bin' config --help | grep -q 'FILE<TAB>LINE<TAB>CLASS<TAB>EVIDENCE'"

# The other dialects, each told from its content.
mkdir -p "$tmp/apache" "$tmp/kv" "$tmp/yaml" "$tmp/xml"
for i in $(seq 0 9); do
    printf 'Listen %d\nUser www\nGroup www\nServerRoot /etc/httpd\nPidFile run/httpd.pid\nTimeout %d\nKeepAlive On\n<VirtualHost *:80>\n  ServerName h%d\n  <Directory /var/www>\n    Options None\n    AllowOverride None\n  </Directory>\n</VirtualHost>\n' $((8000 + i)) $((100 + i)) $i >"$tmp/apache/a$i.conf"
    printf 'net.core.somaxconn = %d\nvm.swappiness=%d\nappendonly yes\n' $((128 + i)) $((10 + i)) >"$tmp/kv/k$i.conf"
    printf 'server:\n  port: %d\n  workers: %d\nlog:\n  level: info\n' $((9000 + i)) $((2 + i)) >"$tmp/yaml/y$i.yml"
    printf '<?xml version="1.0"?>\n<configuration>\n  <property>\n    <name>dfs.replication</name>\n    <value>%d</value>\n  </property>\n</configuration>\n' $((2 + i % 2)) >"$tmp/xml/x$i.xml"
done
printf 'Listen 8080\nUser www\nGroup www\nServerRoot /etc/httpd\nPidFile run/httpd.pid\nKeepAlive On\n<VirtualHost *:80>\n  ServerName x\n  <Directory /var/www>\n    TimeOut 120\n    Options None\n  </Directory>\n</VirtualHost>\n' >"$tmp/a-bad.conf"
printf 'net.core.somaxconn = 128\nvm.swapiness=10\nappendonly yes\n' >"$tmp/k-bad.conf"
printf 'server:\n  port: nine\n  workers: 3\nlog:\n  level: info\n' >"$tmp/y-bad.yml"
printf '<?xml version="1.0"?>\n<configuration>\n  <property>\n    <name>dfs.replicaton</name>\n    <value>3</value>\n  </property>\n</configuration>\n' >"$tmp/x-bad.xml"
for d in apache:a-bad.conf:10:misplaced kv:k-bad.conf:2:typo yaml:y-bad.yml:2:type xml:x-bad.xml:4:typo; do
    IFS=: read -r dir file line cls <<<"$d"
    "$bin" config learn --out "$tmp/$dir.json" "$tmp/$dir" >/dev/null
    got=$("$bin" config check --model "$tmp/$dir.json" --tsv "$tmp/$file" | cut -f2,3 | tr '\t' ' ')
    check "$dir: $cls on line $line" [ "$got" = "$line $cls" ]
done
printf 'a:\n  b: [1, 2\n' >"$tmp/broken.yml"
printf '<?xml version="1.0"?>\n<c>\n<p><name>a</nam>\n</c>\n' >"$tmp/broken.xml"
"$bin" config check --model "$tmp/yaml.json" "$tmp/broken.yml" 2>"$tmp/err"; r1=$?
"$bin" config check --model "$tmp/xml.json" "$tmp/broken.xml" 2>>"$tmp/err"; r2=$?
check "broken YAML and XML: exit 2, file:line" bash -c "[ $r1 -eq 2 ] && [ $r2 -eq 2 ] && grep -q 'broken.yml:[0-9]*: ' '$tmp/err' && grep -q 'broken.xml:3: ' '$tmp/err'"
printf '<IfModule x>\nUser a\n' >"$tmp/open.conf"
"$bin" config check --model "$tmp/apache.json" "$tmp/open.conf" 2>"$tmp/err" >/dev/null
check "an Apache block never closed: read on, the line named" grep -q 'open.conf:1: <ifmodule> is never closed (read on)' "$tmp/err"

# The benchmark, one seed, scored by its own scorer beside its baseline.
B=$shared/config-bench
if [ -d "$B" ] && [ -d "$shared/data/config/mysql" ]; then
    python3 "$B/inject.py" --program mysql --corpus "$shared/data/config" --out "$tmp/run" --seed 1 \
        --classes typo,type,range,misplaced,missing >/dev/null
    "$bin" config learn --out "$tmp/run.json" "$tmp/run/train" >/dev/null
    "$bin" config check --model "$tmp/run.json" --tsv "$tmp/run/test" >"$tmp/run.tsv"
    python3 "$B/baseline_detect.py" --run "$tmp/run" --out "$tmp/base.tsv" >/dev/null
    f1() { python3 "$B/score.py" --run "$tmp/run" --pred "$1" --json | $py -c 'import json,sys; print(json.load(sys.stdin)["f1"])'; }
    ours=$(f1 "$tmp/run.tsv"); base=$(f1 "$tmp/base.tsv")
    echo "     mysql seed 1 strict F1: opsbox $ours, baseline $base"
    check "benchmark seed 1: strict F1 >= 0.70 and above the baseline" $py -c "import sys; a,b=map(float,sys.argv[1:]); sys.exit(not (a>=0.70 and a>b))" "$ours" "$base"
else
    echo "SKIP benchmark part: no shared data at $shared"
fi
[ $fails -eq 0 ]
