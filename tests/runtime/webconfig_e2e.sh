#!/usr/bin/env bash
# --web.config.file (Prometheus's format): TLS and bcrypt basic auth on every
# endpoint, checked with curl and with Debian's Prometheus scraping opsbox
# over HTTPS with basic auth.
set -u
. "$(dirname "$0")/lib.sh"
bin=$(readlink -f "$1")
cd "$tmp"
openssl req -x509 -newkey rsa:2048 -nodes -keyout server.key -out server.crt -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null || { echo "FAIL openssl cannot make a certificate"; exit 1; }
hash=$($py -W ignore -c "import crypt; print(crypt.crypt('s3cret-pw', crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10)))")
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  alice: %s\n' "$hash" >web.yml
port=$(free_port)
"$bin" serve --web.config.file web.yml --listen 127.0.0.1:$port --store "$tmp/o.db" >serve.log 2>&1 & pids+=($!)
code() { curl -s -o /dev/null -w '%{http_code}' --cacert server.crt "$@"; }
up() { [ "$(code -u alice:s3cret-pw "https://127.0.0.1:$port/-/ready")" = 200 ]; }
check "HTTPS with the right user: 200" wait_for 10 up
check "no credentials: 401" [ "$(code "https://127.0.0.1:$port/metrics")" = 401 ]
check "a wrong password: 401" [ "$(code -u alice:wrong "https://127.0.0.1:$port/metrics")" = 401 ]
check "every endpoint: the receiver too" [ "$(code -XPOST -d '{}' "https://127.0.0.1:$port/v1/receiver")" = 401 ]
check "plain HTTP is not served" [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics")" = 000 ]
check "the password is not logged" bash -c "! grep -q s3cret-pw serve.log"
check "the embedded default does not scrape itself over plain HTTP then" bash -c "! grep -q '(opsbox) failed' serve.log"

# Prometheus scrapes it as it would any exporter behind the same config.
prom_port=$(free_port)
cat >prometheus.yml <<YML
global: {scrape_interval: 1s}
scrape_configs:
  - job_name: opsbox
    scheme: https
    tls_config: {ca_file: $tmp/server.crt}
    basic_auth: {username: alice, password: s3cret-pw}
    static_configs: [{targets: ['127.0.0.1:$port']}]
YML
/usr/bin/prometheus --config.file=prometheus.yml --storage.tsdb.path="$tmp/tsdb" \
    --web.listen-address=127.0.0.1:$prom_port >prom.log 2>&1 & pids+=($!)
scraped() { curl -sf "127.0.0.1:$prom_port/api/v1/query" --data-urlencode 'query=up{job="opsbox"} == 1' | grep -q '"result":\[{'; }
check "Prometheus scrapes it over HTTPS with basic auth" wait_for 30 scraped

printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n' >bad.yml
"$bin" serve --web.config.file bad.yml --listen 127.0.0.1:0 --store "$tmp/b.db" >/dev/null 2>err; rc=$?
check "an option opsbox lacks: exit 2, named" bash -c "[ $rc -eq 2 ] && grep -q 'bad.yml:4: tls_server_config: not supported by opsbox: client_auth_type' err"
echo "$fails failed"
[ $fails -eq 0 ]
