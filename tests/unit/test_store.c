/* test_store.c - the store, the same cases on both backends: schema on
 * first open, models saved in a transaction and read back after reopening
 * (per shard), refusal of a newer schema, incidents and their revisions,
 * the writers' turn, the outbox (one open per incident, claimed once),
 * blobs. `test_store` runs them on a SQLite file; `test_store pg` on the
 * PostgreSQL at $OPSBOX_TEST_PG (tests/runtime/with_pg.sh starts one), each
 * case on an emptied database. Then, without a server: foreign files,
 * unreachable servers and passwords in URLs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>

#include "alerts/alerts.h"
#include "io/store.h"

static const char *pg_url;   /* the PostgreSQL run */
static char target[256];     /* this case's store */

/* ---- each case on an empty store ---- */

static void pg_sql(const char *sql)
{
    PGconn *c = PQconnectdb(pg_url);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, sql);
    int st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static void remove_sqlite(void)
{
    char name[300];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "%s%s", target, suffix[i]);
        unlink(name);
    }
}

static int setup(void **state)
{
    (void)state;
    if (pg_url) {
        snprintf(target, sizeof target, "%s", pg_url);
        pg_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    } else {
        snprintf(target, sizeof target, "/tmp/opsbox-store-%d.db", (int)getpid());
        remove_sqlite();
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (!pg_url)
        remove_sqlite();
    return 0;
}

static struct ob_store *open_store(void)
{
    char err[512];
    struct ob_store *s = ob_store_open(target, err, sizeof err);
    if (!s)
        fail_msg("opening %s: %s", target, err);
    return s;
}

/* One number from the case's store, read on a connection of the test's own. */
static long scalar(const char *sql)
{
    long v = -1;
    if (pg_url) {
        PGconn *c = PQconnectdb(pg_url);
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r))
            v = atol(PQgetvalue(r, 0, 0));
        else
            fail_msg("%s: %s", sql, PQerrorMessage(c));
        PQclear(r);
        PQfinish(c);
        return v;
    }
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(target, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void exec_sql(const char *sql)
{
    if (pg_url) {
        pg_sql(sql);
        return;
    }
    sqlite3 *db;
    assert_int_equal(sqlite3_open(target, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
}

/* ---- models ---- */

struct got {
    int n;
    char last[64];
};

static int collect(void *arg, const char *series, size_t len, const void *blob, size_t blen)
{
    struct got *g = arg;
    g->n++;
    if (len + blen + 1 < sizeof g->last) { /* binary: copied, not printed */
        memcpy(g->last, series, len);
        g->last[len] = '=';
        memcpy(g->last + len + 1, blob, blen);
    }
    return 0;
}

static void test_models(void **state)
{
    (void)state;
    struct ob_store *s = open_store();
    assert_int_equal(ob_store_begin(s), 0);
    assert_int_equal(ob_store_put_model(s, "up{job=\"a\"}", 11, "v1", 2, 1.0), 0);
    assert_int_equal(ob_store_put_model(s, "up{job=\"a\"}", 11, "v\0002", 3, 2.0), 0);
    assert_int_equal(ob_store_commit(s), 0);
    assert_int_equal(ob_store_begin(s), 0);
    assert_int_equal(ob_store_put_model(s, "lost", 4, "x", 1, 3.0), 0);
    ob_store_rollback(s);
    ob_store_close(s);

    s = open_store();
    struct got g = {0};
    assert_int_equal(ob_store_each_model(s, collect, &g), 1);
    assert_memory_equal(g.last, "up{job=\"a\"}=v\0002", 15); /* binary-safe */
    ob_store_close(s);
}

/* Two shards on one store: each clears only its own models. */
static void test_models_by_shard(void **state)
{
    (void)state;
    struct ob_store *a = open_store(), *b = open_store();
    ob_store_set_shard(a, "0/2");
    ob_store_set_shard(b, "1/2");
    assert_int_equal(ob_store_begin(a), 0);
    assert_int_equal(ob_store_put_model(a, "a1", 2, "x", 1, 1), 0);
    assert_int_equal(ob_store_commit(a), 0);
    assert_int_equal(ob_store_begin(b), 0);
    assert_int_equal(ob_store_clear_models(b), 0);
    assert_int_equal(ob_store_put_model(b, "b1", 2, "y", 1, 1), 0);
    assert_int_equal(ob_store_commit(b), 0);
    assert_int_equal(ob_store_begin(a), 0); /* a's next snapshot: only a2 */
    assert_int_equal(ob_store_clear_models(a), 0);
    assert_int_equal(ob_store_put_model(a, "a2", 2, "z", 1, 1), 0);
    assert_int_equal(ob_store_commit(a), 0);
    struct got g = {0};
    assert_int_equal(ob_store_each_model(a, collect, &g), 2); /* a2 and b1 */
    ob_store_close(a);
    ob_store_close(b);
}

static void test_newer_schema(void **state)
{
    (void)state;
    ob_store_close(open_store());
    if (pg_url) {
        pg_sql("UPDATE opsbox_schema SET version = 99");
    } else {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "python3 -c \"import sqlite3; c=sqlite3.connect('%s'); "
                 "c.execute('PRAGMA user_version=99'); c.commit()\"", target);
        if (system(cmd) != 0)
            skip();
    }
    char err[512];
    assert_null(ob_store_open(target, err, sizeof err));
    assert_non_null(strstr(err, "newer than this opsbox knows"));
}

/* ---- incidents ---- */

static struct ob_incident *incident(int64_t id, const char *group, int members)
{
    struct ob_incident *inc = calloc(1, sizeof *inc);
    assert_non_null(inc);
    inc->id = id;
    snprintf(inc->uid, sizeof inc->uid, "%016llx", (unsigned long long)id * 7919);
    inc->group_key = strdup(group);
    assert_int_equal(ob_kv_from_json("{\"alertname\":\"Down\",\"instance\":\"h:1\"}", &inc->labels,
                                     &inc->nlabels), 0);
    assert_int_equal(ob_kv_from_json("{\"instance\":\"h:1\"}", &inc->identifying, &inc->nidentifying), 0);
    inc->repo = strdup("acme/ops");
    inc->severity = 2;
    inc->started = inc->updated = 1000.5 + (double)id;
    inc->members = calloc((size_t)members + 1, sizeof *inc->members);
    for (int i = 0; i < members; i++) {
        char key[32];
        snprintf(key, sizeof key, "fp%d", i);
        inc->members[i] = (struct ob_member){OB_MEMBER_ALERT, strdup(key), strdup("{\"a\":\"b\"}"),
                                             strdup("disk full"), 1, 2, 1000.25, 1001.0, 0.125};
    }
    inc->nmembers = inc->cap = (size_t)members;
    return inc;
}

/* Writes inc, its members and one timeline entry in a turn of its own;
 * returns the turn's revision. */
static int64_t write_incident(struct ob_store *s, const struct ob_incident *inc)
{
    int64_t rev = 0;
    assert_int_equal(ob_store_begin(s), 0);
    assert_int_equal(ob_store_lock_incidents(s, &rev), 0);
    assert_int_equal(ob_store_put_incident(s, inc), 0);
    for (size_t i = 0; i < inc->nmembers; i++)
        assert_int_equal(ob_store_put_member(s, inc->id, i, &inc->members[i]), 0);
    assert_int_equal(ob_store_add_timeline(s, inc->id, 1002, "opened", NULL, "x -> y"), 0);
    assert_int_equal(ob_store_commit(s), 0);
    return rev;
}

struct seen {
    int n;
    int64_t ids[8];
    struct ob_incident *first;
};

static int keep(void *arg, struct ob_incident *inc)
{
    struct seen *v = arg;
    if (v->n < 8)
        v->ids[v->n] = inc->id;
    if (!v->first)
        v->first = inc;
    else
        ob_incident_free(inc);
    v->n++;
    return 0;
}

static void test_incidents(void **state)
{
    (void)state;
    struct ob_store *s = open_store();
    struct ob_incident *a = incident(1, "{}:{alertname=\"Down\"}", 2), *b = incident(2, "{}:{x=\"y\"}", 0);
    int64_t r1 = write_incident(s, a), r2 = write_incident(s, b);
    assert_int_equal(r2, r1 + 1);
    int64_t rev = 0, max = 0;
    assert_int_equal(ob_store_incidents_rev(s, &rev), 0);
    assert_int_equal(rev, r2);
    assert_int_equal(ob_store_max_incident_id(s, &max), 0);
    assert_int_equal(max, 2);

    struct seen v = {0};
    assert_int_equal(ob_store_one_incident(s, 1, keep, &v), 1);
    struct ob_incident *got = v.first;
    assert_string_equal(got->uid, a->uid);
    assert_string_equal(got->group_key, a->group_key);
    assert_string_equal(got->repo, "acme/ops");
    assert_null(got->external_url);
    assert_int_equal(got->nlabels, 2);
    assert_string_equal(ob_kv_get(got->labels, got->nlabels, "instance"), "h:1");
    assert_true(got->started == a->started); /* doubles come back exact */
    assert_int_equal(got->nmembers, 2);
    assert_string_equal(got->members[1].key, "fp1");
    assert_true(got->members[1].value == 0.125 && got->members[1].since == 1000.25);
    ob_incident_free(got);

    /* Only what a later turn wrote counts as changed. */
    a->state = OB_INCIDENT_RESOLVED;
    a->resolved = 2000;
    write_incident(s, a);
    memset(&v, 0, sizeof v);
    assert_int_equal(ob_store_changed_incidents(s, r2, keep, &v), 1);
    assert_int_equal(v.ids[0], 1);
    assert_int_equal(v.first->state, OB_INCIDENT_RESOLVED);
    ob_incident_free(v.first);
    memset(&v, 0, sizeof v);
    assert_int_equal(ob_store_live_incidents(s, 2500, keep, &v), 1); /* b still firing */
    assert_int_equal(v.ids[0], 2);
    ob_incident_free(v.first);
    memset(&v, 0, sizeof v);
    assert_int_equal(ob_store_recent_incidents(s, 10, keep, &v), 2);
    assert_int_equal(v.ids[0], 2); /* newest first */
    ob_incident_free(v.first);
    ob_incident_free(a);
    ob_incident_free(b);
    ob_store_close(s);
}

static void on_entry(void *arg, double at, const char *event, const char *member, const char *detail)
{
    int *n = arg;
    assert_true(at == 1002);
    assert_string_equal(event, "opened");
    assert_null(member);
    assert_string_equal(detail, "x -> y");
    (*n)++;
}

static void test_timeline(void **state)
{
    (void)state;
    struct ob_store *s = open_store();
    struct ob_incident *a = incident(5, "g", 1);
    write_incident(s, a);
    write_incident(s, a);
    int n = 0;
    assert_int_equal(ob_store_timeline(s, 5, on_entry, &n), 2);
    assert_int_equal(n, 2);
    ob_incident_free(a);
    ob_store_close(s);
}

/* Two writers: the second's turn comes after the first's commit, and it
 * sees that commit. */
struct writer {
    struct ob_store *s;
    int64_t rev, before;
};

static void *second_writer(void *arg)
{
    struct writer *w = arg;
    if (ob_store_begin(w->s) == 0 && ob_store_lock_incidents(w->s, &w->rev) == 0) {
        ob_store_max_incident_id(w->s, &w->before);
        ob_store_commit(w->s);
    }
    return NULL;
}

static void test_turns(void **state)
{
    (void)state;
    struct ob_store *a = open_store(), *b = open_store();
    int64_t r = 0;
    assert_int_equal(ob_store_begin(a), 0);
    assert_int_equal(ob_store_lock_incidents(a, &r), 0);
    struct writer w = {b, 0, -1};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, second_writer, &w), 0);
    struct ob_incident *inc = incident(9, "g9", 0);
    assert_int_equal(ob_store_put_incident(a, inc), 0);
    assert_int_equal(ob_store_commit(a), 0);
    pthread_join(t, NULL);
    assert_int_equal(w.rev, r + 1);
    assert_int_equal(w.before, 9); /* it waited for a's incident */
    ob_incident_free(inc);
    ob_store_close(a);
    ob_store_close(b);
}

/* ---- the outbox ---- */

static void test_outbox(void **state)
{
    (void)state;
    struct ob_store *s = open_store(), *other = open_store();
    struct ob_incident *inc = incident(3, "g3", 0);
    write_incident(s, inc);
    assert_int_equal(ob_store_begin(s), 0);
    assert_int_equal(ob_store_add_outbox(s, 3, "open", "{\"title\":\"t\"}", 10), 0);
    assert_int_equal(ob_store_add_outbox(s, 3, "open", "{\"title\":\"again\"}", 10), 0); /* ignored */
    assert_int_equal(ob_store_add_outbox(s, 3, "comment", "{\"body\":\"c\"}", 11), 0);
    assert_int_equal(ob_store_commit(s), 0);
    long n = 0;
    double oldest = 0;
    assert_int_equal(ob_store_outbox_pending(s, &n, &oldest), 0);
    assert_int_equal(n, 2);
    assert_true(oldest == 10);

    struct ob_outbox_item it, none;
    assert_int_equal(ob_store_next_outbox(s, 20, &it), 1);
    assert_string_equal(it.action, "open");
    assert_string_equal(it.payload, "{\"title\":\"t\"}");
    assert_string_equal(it.repo, "acme/ops");
    assert_string_equal(it.uid, inc->uid);
    assert_int_equal(it.issue_number, 0);
    /* Taken: no other worker gets it, nor the comment behind it. */
    assert_int_equal(ob_store_next_outbox(other, 20, &none), 0);
    assert_int_equal(ob_store_outbox_attempt(s, it.id, 1, 25, "sending"), 0);
    assert_int_equal(ob_store_next_outbox(other, 24, &none), 0);
    assert_int_equal(ob_store_next_outbox(other, 26, &none), 1); /* its taker died: due again */
    assert_int_equal(none.id, it.id);
    assert_int_equal(none.attempts, 1);
    free(none.payload);
    free(none.repo);
    assert_int_equal(ob_store_outbox_done(s, &it, 27, 42, "https://x/42"), 0);
    free(it.payload);
    free(it.repo);
    assert_int_equal(ob_store_next_outbox(s, 28, &it), 1);
    assert_string_equal(it.action, "comment");
    assert_int_equal(it.issue_number, 42);
    free(it.payload);
    free(it.repo);
    assert_int_equal(ob_store_outbox_pending(s, &n, &oldest), 0);
    assert_int_equal(n, 1);
    ob_incident_free(inc);
    ob_store_close(s);
    ob_store_close(other);
}

static void test_blobs(void **state)
{
    (void)state;
    struct ob_store *s = open_store();
    void *blob;
    size_t len;
    assert_int_equal(ob_store_get_blob(s, "miner", &blob, &len), 0);
    assert_int_equal(ob_store_begin(s), 0);
    assert_int_equal(ob_store_put_blob(s, "miner", "a\0b", 3, 1), 0);
    assert_int_equal(ob_store_commit(s), 0);
    assert_int_equal(ob_store_get_blob(s, "miner", &blob, &len), 1);
    assert_int_equal(len, 3);
    assert_memory_equal(blob, "a\0b", 3);
    free(blob);
    ob_store_close(s);
}

/* One durable turn that writes incident id: the receiver's commit. */
static int durable_turn(struct ob_store *s, int64_t id)
{
    int64_t rev;
    struct ob_incident *inc = incident(id, "gf", 0);
    int rc = ob_store_begin(s);
    if (rc == 0)
        rc = ob_store_lock_incidents(s, &rev);
    if (rc == 0)
        rc = ob_store_put_incident(s, inc);
    if (rc == 0)
        rc = ob_store_commit(s);
    else
        ob_store_rollback(s);
    ob_incident_free(inc);
    return rc;
}

static long pruned_within(struct ob_store *s, long want, int seconds)
{
    long total = 0;
    for (int i = 0; i < seconds * 20 && total < want; i++) {
        long n = ob_store_prune(s);
        assert_true(n >= 0);
        total += n;
        if (total < want)
            nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    return total;
}

/* store_flush holds a row per live PostgreSQL connection that flushed,
 * and none (after a prune) of connections that ended; SQLite none. */
static void test_prune_flush(void **state)
{
    (void)state;
    struct ob_store *a = open_store(), *b = open_store();
    assert_int_equal(ob_store_set_durable(a), 0);
    assert_int_equal(ob_store_set_durable(b), 0);
    long live = pg_url ? 1 : 0; /* rows a flushing connection keeps */
    /* rows of connections long gone (no backend has a negative pid) */
    exec_sql("INSERT INTO store_flush VALUES (-1, 7)");
    exec_sql("INSERT INTO store_flush VALUES (-2, 9)");
    assert_int_equal(durable_turn(a, 1), 0);
    assert_int_equal(durable_turn(b, 2), 0);
    assert_int_equal(scalar("SELECT count(*) FROM store_flush"), 2 + 2 * live);
    assert_int_equal(ob_store_prune(a), 2);
    assert_int_equal(scalar("SELECT count(*) FROM store_flush"), 2 * live);
    /* b ends: its backend leaves (soon after, not at once), then its row */
    ob_store_close(b);
    assert_int_equal(pruned_within(a, live, 10), live);
    assert_int_equal(scalar("SELECT count(*) FROM store_flush"), live);
    assert_int_equal(ob_store_prune(a), 0); /* a's own row stays */
    assert_int_equal(durable_turn(a, 3), 0);
    assert_int_equal(scalar("SELECT count(*) FROM store_flush"), live);
    /* a new PostgreSQL connection prunes as it is made; SQLite's open
     * writes nothing (test_open_while_writing) */
    exec_sql("INSERT INTO store_flush VALUES (-3, 1)");
    ob_store_close(open_store());
    assert_int_equal(scalar("SELECT count(*) FROM store_flush"), pg_url ? live : 1);
    assert_int_equal(scalar("SELECT count(*) FROM incidents"), 3);
    ob_store_close(a);
}

/* PostgreSQL: a commit whose flush fails returns -1 (the receiver answers
 * 500, or 503 when the connection went), so does a turn that wrote
 * nothing; the next turn succeeds. The trigger refuses the flush's write;
 * the second one ends the backend between the commit and the flush. */
static void test_failed_flush(void **state)
{
    (void)state;
    if (!pg_url)
        skip(); /* SQLite's commit is its flush */
    struct ob_store *a = open_store();
    assert_int_equal(ob_store_set_durable(a), 0);
    assert_int_equal(durable_turn(a, 1), 0);
    pg_sql("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
           "$$BEGIN RAISE EXCEPTION 'flush refused'; END$$;"
           "CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON store_flush "
           "FOR EACH ROW EXECUTE FUNCTION refuse()");
    assert_int_equal(durable_turn(a, 2), -1);
    assert_non_null(strstr(ob_store_error(a), "flushing the commit"));
    assert_int_equal(ob_store_unavailable(a), 0); /* 500 */
    /* the commit before the flush happened (not promised to anyone) */
    assert_int_equal(scalar("SELECT count(*) FROM incidents WHERE id = 2"), 1);
    int64_t rev;
    assert_int_equal(ob_store_begin(a), 0);
    assert_int_equal(ob_store_lock_incidents(a, &rev), 0);
    assert_int_equal(ob_store_rollback(a), -1); /* what it read: not durable */
    pg_sql("DROP TRIGGER refuse ON store_flush");
    assert_int_equal(durable_turn(a, 3), 0);
    assert_int_equal(ob_store_begin(a), 0);
    assert_int_equal(ob_store_lock_incidents(a, &rev), 0);
    assert_int_equal(ob_store_rollback(a), 0);

    pg_sql("CREATE FUNCTION vanish() RETURNS trigger LANGUAGE plpgsql AS "
           "$$BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END$$;"
           "CREATE TRIGGER vanish BEFORE INSERT OR UPDATE ON store_flush "
           "FOR EACH ROW EXECUTE FUNCTION vanish()");
    assert_int_equal(durable_turn(a, 4), -1);
    assert_int_equal(ob_store_unavailable(a), 1); /* 503 */
    pg_sql("DROP TRIGGER vanish ON store_flush");
    assert_int_equal(durable_turn(a, 5), 0); /* made again by itself */
    assert_int_equal(ob_store_unavailable(a), 0);
    assert_int_equal(scalar("SELECT count(*) FROM incidents WHERE id IN (1, 3, 5)"), 3);
    assert_int_equal(scalar("SELECT count(*) FROM store_flush"), 1); /* the dead one's pruned */
    ob_store_close(a);
}

/* One good turn: a model written and committed. */
static int good_turn(struct ob_store *s, const char *key)
{
    int rc = ob_store_begin(s);
    if (rc == 0)
        rc = ob_store_put_model(s, key, strlen(key), "ok", 2, 1);
    if (rc == 0)
        rc = ob_store_commit(s);
    else
        ob_store_rollback(s);
    return rc;
}

/* A write the server refuses (a key that is not UTF-8) fails its commit
 * (PostgreSQL; SQLite takes the bytes), and only that one: the reads and
 * turns after it succeed, durable or not, whose caller ended it by commit
 * (snapshots, the outbox) or by nothing at all. */
static void test_failed_write(void **state)
{
    (void)state;
    static const char bad[] = "m{a=\"\xff\"}";
    struct ob_store *s = open_store(), *d = open_store();
    assert_int_equal(ob_store_set_durable(d), 0);
    struct ob_store *both[] = {s, d};
    for (int h = 0; h < 2; h++) {
        char key[32];
        assert_int_equal(ob_store_begin(both[h]), 0);
        int put = ob_store_put_model(both[h], bad, sizeof bad - 1, "x", 1, 1);
        int rc = put == 0 ? ob_store_commit(both[h]) : -1;
        if (put != 0)
            ob_store_rollback(both[h]);
        if (pg_url)
            assert_int_equal(rc, -1);
        struct got g = {0}; /* a read before any turn, as the outbox's count */
        if (ob_store_each_model(both[h], collect, &g) < 0)
            fail_msg("reading after the failed write: %s", ob_store_error(both[h]));
        for (int i = 0; i < 3; i++) {
            snprintf(key, sizeof key, "good%d_%d", h, i);
            if (good_turn(both[h], key) != 0)
                fail_msg("turn %d after the failed write: %s", i, ob_store_error(both[h]));
        }
    }
    long models = pg_url ? 6 : 7; /* SQLite: the bad key once (both wrote it) */
    if (pg_url) {
        /* a turn left with neither end: the next begins on its own, and
         * the left one's writes (refused or not) are not in it */
        assert_int_equal(ob_store_begin(s), 0);
        assert_int_equal(ob_store_put_model(s, bad, sizeof bad - 1, "x", 1, 1), 0);
        assert_int_equal(good_turn(s, "after_refused"), 0);
        assert_int_equal(ob_store_begin(s), 0);
        assert_int_equal(ob_store_put_model(s, "left", 4, "x", 1, 1), 0);
        assert_int_equal(ob_store_lock_incidents(s, &(int64_t){0}), 0); /* sent and run */
        assert_int_equal(good_turn(s, "after_left"), 0);
        models += 2;
        assert_int_equal(scalar("SELECT count(*) FROM models WHERE series = 'left'"), 0);
    }
    struct got g = {0};
    assert_int_equal(ob_store_each_model(s, collect, &g), models);
    ob_store_close(s);
    ob_store_close(d);
}

/* Opening a SQLite store writes nothing: while the daemon's writer holds
 * its turn (BEGIN IMMEDIATE), a reader (`opsbox incidents`) opens and
 * reads at once rather than waiting out the busy timeout and failing. */
static void test_open_while_writing(void **state)
{
    (void)state;
    if (pg_url)
        skip();
    ob_store_close(open_store()); /* the schema made */
    exec_sql("INSERT INTO store_flush VALUES (-1, 1)"); /* a row left by nobody */
    sqlite3 *w;
    assert_int_equal(sqlite3_open(target, &w), SQLITE_OK);
    assert_int_equal(sqlite3_exec(w, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    time_t t0 = time(NULL);
    char err[512];
    struct ob_store *s = ob_store_open(target, err, sizeof err);
    if (!s)
        fail_msg("opening beside a writer: %s", err);
    struct got g = {0};
    assert_int_equal(ob_store_each_model(s, collect, &g), 0);
    int64_t id = -1;
    assert_int_equal(ob_store_max_incident_id(s, &id), 0);
    assert_true(time(NULL) - t0 < 3); /* not the busy timeout's 5 s */
    ob_store_close(s);
    assert_int_equal(sqlite3_exec(w, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(w);
}

/* ---- one backend's own ---- */

static void test_foreign_file(void **state)
{
    (void)state;
    char path[] = "/tmp/opsbox-store-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "this is not a database, just text long enough to matter....", 60), 60);
    close(fd);
    char err[256];
    assert_null(ob_store_open(path, err, sizeof err));
    assert_non_null(strstr(err, path));
    unlink(path);
    assert_null(ob_store_open("/nonexistent-dir/x.db", err, sizeof err));
}

static void test_urls(void **state)
{
    (void)state;
    char err[512];
    assert_true(ob_store_is_url("postgresql://u@h/db"));
    assert_false(ob_store_is_url("/var/lib/opsbox/opsbox.db"));
    /* A password in the URL is refused, and not repeated. */
    assert_null(ob_store_connect("postgresql://u:s3cret@127.0.0.1:1/db", NULL, err, sizeof err));
    assert_non_null(strstr(err, "store_password_file"));
    assert_null(strstr(err, "s3cret"));
    assert_null(ob_store_connect("postgresql://u@127.0.0.1:1/db?password=s3cret", NULL, err, sizeof err));
    assert_null(strstr(err, "s3cret"));
    /* Nobody there: the error names the target. */
    assert_null(ob_store_connect("postgresql://u@127.0.0.1:1/db?sslmode=disable", NULL, err, sizeof err));
    assert_non_null(strstr(err, "127.0.0.1:1/db"));
    assert_null(ob_store_connect("postgresql://u@127.0.0.1:1/db", "/nonexistent/pw", err, sizeof err));
    assert_non_null(strstr(err, "store_password_file"));
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "pg")) {
        pg_url = getenv("OPSBOX_TEST_PG");
        if (!pg_url || !*pg_url) {
            fprintf(stderr, "test_store pg: OPSBOX_TEST_PG is not set (tests/runtime/with_pg.sh)\n");
            return 77;
        }
    }
    const struct CMUnitTest both[] = {
        cmocka_unit_test_setup_teardown(test_models, setup, teardown),
        cmocka_unit_test_setup_teardown(test_models_by_shard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incidents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_turns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prune_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_while_writing, setup, teardown),
    };
    const struct CMUnitTest own[] = {cmocka_unit_test(test_foreign_file), cmocka_unit_test(test_urls)};
    int failed = cmocka_run_group_tests_name(pg_url ? "postgresql" : "sqlite", both, NULL, NULL);
    if (!pg_url) /* neither needs a server */
        failed += cmocka_run_group_tests_name("targets", own, NULL, NULL);
    return failed ? 1 : 0;
}
