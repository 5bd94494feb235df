#!/usr/bin/env bash
# Installs the Debian packages opsbox needs, only those missing.
#   scripts/install-deps.sh [build|run|test|stress|bench]   (default: build)
# stress = test + stress-ng, for tests/stress_loop.sh (not part of make test).
set -eu
# gcc brings the ThreadSanitizer runtime that make test's TSan build links
# (libgcc-12-dev depends on libtsan2); its setarch is util-linux's.
need=(gcc make cmake pkg-config libpcre2-dev libjansson-dev libyajl-dev libyaml-dev libcurl4-openssl-dev
      libmicrohttpd-dev libsqlite3-dev libpq-dev libssl-dev libxgboost-dev zlib1g-dev
      protobuf-c-compiler libprotobuf-c-dev libsnappy-dev libcrypt-dev libsystemd-dev libxml2-dev libgmime-3.0-dev)
case "${1:-build}" in
    build) ;;
    run) need+=(prometheus-node-exporter curl) ;;
    test|stress) need+=(libcmocka-dev clang libfuzzer-14-dev libclang-rt-14-dev python3 curl
                 prometheus-node-exporter prometheus prometheus-alertmanager victoria-metrics openssl
                 systemd-journal-remote postgresql sqlite3) ;;
    bench) need+=(python3 python3-pandas bc time r-cran-prophet postgresql python3-cachetools python3-jsonpickle) ;;
    *) echo "install-deps.sh: unknown set '$1' (build, run, test, stress or bench)" >&2; exit 2 ;;
esac
# npm fetches the web page's libraries; a machine with its own Node.js keeps it.
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
case "${1:-build}" in test|stress|bench) need+=(chromium) ;; esac
[ "${1:-build}" = stress ] && need+=(stress-ng)
missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
