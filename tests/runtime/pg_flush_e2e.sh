#!/usr/bin/env bash
# A receiver on PostgreSQL whose flush (the durable write after a commit,
# store_pg.c) fails: first refused by a trigger on store_flush (the
# receiver answers 500), then ending the backend between the commit and
# the flush (503). Each time the webhook is not answered 200, the one sent
# again after the fault is answered 200, the next new one too, and every
# alert answered 200 is in the store. Exit 77 without PostgreSQL.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/pg_lib.sh"
bin=$1
pg_test_begin

ob_port=$(free_port)
cat >"$tmp/ob.yml" <<YML
listen: 127.0.0.1:$ob_port
store: $pg_url
alerts: {receiver: {bearer_token: am-token}}
YML
"$bin" serve --config "$tmp/ob.yml" >"$tmp/ob.log" 2>&1 & pids+=($!)
ready() { curl -sf "127.0.0.1:$ob_port/-/ready" -o /dev/null; }
check "opsbox starts on PostgreSQL" wait_for 15 ready
hook() { # hook NAME: the HTTP status of a webhook with one new alert NAME
    curl -s -o /dev/null -w '%{http_code}' -XPOST -H 'Authorization: Bearer am-token' \
        "127.0.0.1:$ob_port/v1/receiver" -d "{
      \"version\":\"4\",\"groupKey\":\"flush\",\"status\":\"firing\",\"groupLabels\":{\"alertname\":\"F\"},
      \"commonLabels\":{\"alertname\":\"F\"},\"alerts\":[{\"status\":\"firing\",\"fingerprint\":\"$1\",
      \"labels\":{\"alertname\":\"F\",\"n\":\"$1\"}}]}"
}
accepted=()
answers() { # answers NAME CODE: the hook is answered CODE
    local got; got=$(hook "$1")
    [ "$got" = 200 ] && accepted+=("$1")
    [ "$got" = "$2" ] || { echo "  $1 answered $got, not $2"; return 1; }
}
check "a webhook before any fault: 200" answers a1 200

sql "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
     \$\$BEGIN RAISE EXCEPTION 'flush refused'; END\$\$;
     CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON store_flush FOR EACH ROW EXECUTE FUNCTION refuse()"
check "flush refused: 500" answers b1 500
check "...the same webhook again (nothing new to write): 500" answers b1 500
sql "DROP TRIGGER refuse ON store_flush"
check "fault gone: the webhook sent again is answered 200" answers b1 200
check "...and the next new one" answers b2 200

sql "CREATE FUNCTION vanish() RETURNS trigger LANGUAGE plpgsql AS
     \$\$BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END\$\$;
     CREATE TRIGGER vanish BEFORE INSERT OR UPDATE ON store_flush FOR EACH ROW EXECUTE FUNCTION vanish()"
check "backend ended between commit and flush: 503" answers c1 503
sql "DROP TRIGGER vanish ON store_flush"
check "fault gone: sent again, 200 (on a new connection)" answers c1 200
check "...and the next new one" answers c2 200

stored=$(sql "SELECT m.key FROM members m JOIN incidents i ON i.id = m.incident WHERE i.group_key = 'flush'")
kept() { for n in "${accepted[@]}"; do grep -q "$n" <<<"$stored" || { echo "  $n lost"; return 1; }; done; }
check "every alert answered 200 is in the store (${#accepted[@]})" kept
check "one incident" test "$(sql "SELECT count(*) FROM incidents WHERE group_key = 'flush'")" = 1
[ $fails -ne 0 ] && tail -20 "$tmp/ob.log"
echo "$fails failed"
[ $fails -eq 0 ]
