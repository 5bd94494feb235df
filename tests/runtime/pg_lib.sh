# pg_lib.sh - a throwaway PostgreSQL for the tests and benchmarks (sourced,
# after lib.sh, which gives $tmp and free_port/port):
#   pg_have            0 when Debian's PostgreSQL server binaries are there
#   pg_start           initdb + pg_ctl start in $tmp/pg on a free port of
#                      127.0.0.1 (as the postgres user when run as root);
#                      sets $pg_url (a postgresql:// URL) and $pg_port
#   pg_stop / pg_restart [SECONDS_AWAY]
#   pg_test_begin      for an end-to-end script: exit 77 without the server
#                      binaries, start it, and on exit kill ${pids[@]}, stop it
#                      and remove $tmp; gives sql "STATEMENT" (psql -Atq)
# The caller stops it (pg_stop) in its own exit path; pg_cleanup is for
# a trap.
pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
pg_have() { [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] && [ -x "$pg_bin/pg_ctl" ]; }
pg_as() { # pg_as CMD...: as the postgres user when we are root (initdb refuses root)
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_start() {
    pg_dir=$tmp/pg
    mkdir -p "$pg_dir"
    if [ "$(id -u)" = 0 ]; then chmod o+x "$tmp"; chown postgres "$pg_dir"; chmod 700 "$pg_dir"; fi
    pg_port=$( (free_port || port) 2>/dev/null)
    pg_as "$pg_bin/initdb" -D "$pg_dir/data" -U opsbox --auth=trust -E UTF8 >"$tmp/pg-initdb.log" 2>&1 ||
        { cat "$tmp/pg-initdb.log" >&2; return 1; }
    pg_ctl_start
    pg_url="postgresql://opsbox@127.0.0.1:$pg_port/postgres?sslmode=disable"
}
pg_ctl_start() {
    pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -t 30 \
        -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=50 -c fsync=${PG_FSYNC:-on}" \
        start >/dev/null
}
pg_stop() { [ -d "${pg_dir:-}/data" ] && pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1; true; }
pg_cleanup() { pg_stop; }
pg_test_begin() {
    pg_have || { echo "SKIP: no PostgreSQL server binaries (Debian's postgresql)"; exit 77; }
    trap 'for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; wait 2>/dev/null; pg_stop; rm -rf "$tmp"' EXIT
    pg_start || { echo "FAIL PostgreSQL did not start"; cat "$tmp/pg/log"; exit 1; }
    psql=$pg_bin/psql
    [ -x "$psql" ] || psql=psql
}
sql() { "$psql" -X -Atq "$pg_url" -c "$1"; }
