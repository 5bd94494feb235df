#!/usr/bin/env bash
# with_pg.sh CMD...: runs CMD with OPSBOX_TEST_PG set to a PostgreSQL started
# for it in a scratch folder (pg_lib.sh), and stops that server after.
# Exit 77 (skipped) when the PostgreSQL server binaries are not installed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/pg_lib.sh"
pg_have || { echo "SKIP: no PostgreSQL server binaries (Debian's postgresql)"; exit 77; }
trap 'pg_stop; cleanup' EXIT
pg_start || { echo "FAIL: PostgreSQL did not start"; cat "$tmp/pg/log" 2>/dev/null; exit 1; }
OPSBOX_TEST_PG=$pg_url "$@"
