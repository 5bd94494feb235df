/* store_incidents.c - incidents, members, timeline and the tracker outbox
 * in the SQLite store.
 *
 * The receiver writes an incident's changes and the outbox actions they
 * cause in one transaction (begin/commit in store.c), so an action exists
 * exactly when its cause does. The tracker worker reads the outbox on its
 * own connection; WAL lets it read while the receiver writes. */
#include "alerts/alerts.h"
#include "io/store_int.h"
#include "io/store_sql.h"

#include "core/buf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const stmt_sql[ST_COUNT] = {
    [ST_PUT_INCIDENT] = SQL_PUT_INCIDENT,
    [ST_PUT_MEMBER] = SQL_PUT_MEMBER,
    [ST_ADD_TIMELINE] = SQL_ADD_TIMELINE,
    [ST_ADD_OUTBOX] = SQL_ADD_OUTBOX,
    [ST_LIVE_INCIDENTS] = SQL_LIVE_INCIDENTS,
    [ST_RECENT_INCIDENTS] = SQL_RECENT_INCIDENTS,
    [ST_ONE_INCIDENT] = SQL_ONE_INCIDENT,
    [ST_MEMBERS_OF] = SQL_MEMBERS_OF,
    [ST_TIMELINE_OF] = SQL_TIMELINE_OF,
    [ST_NEXT_OUTBOX] = SQL_NEXT_OUTBOX,
    [ST_OUTBOX_ATTEMPT] = SQL_OUTBOX_ATTEMPT,
    [ST_OUTBOX_DONE] = SQL_OUTBOX_DONE,
    [ST_SET_ISSUE] = SQL_SET_ISSUE,
    [ST_OUTBOX_PENDING] = SQL_OUTBOX_PENDING,
    [ST_PUT_BLOB] = SQL_PUT_BLOB,
    [ST_GET_BLOB] = SQL_GET_BLOB,
    [ST_LOCK_INCIDENTS] = SQL_LOCK_INCIDENTS,
    [ST_INCIDENTS_REV] = SQL_INCIDENTS_REV,
    [ST_CHANGED_INCIDENTS] = SQL_CHANGED_INCIDENTS,
    [ST_MAX_INCIDENT] = SQL_MAX_INCIDENT,
};

/* The PostgreSQL text of a statement: ?N read as $N. */
const char *ob__store_sql(enum store_stmt which)
{
    return stmt_sql[which];
}

/* The statement, prepared on first use and reset for this one. */
static sqlite3_stmt *stmt(struct ob_store *s, enum store_stmt which)
{
    if (!s->stmt[which] &&
        sqlite3_prepare_v3(s->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[which],
                           NULL) != SQLITE_OK) {
        ob__store_fail(s, "preparing a statement");
        return NULL;
    }
    sqlite3_reset(s->stmt[which]);
    sqlite3_clear_bindings(s->stmt[which]);
    return s->stmt[which];
}

static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
    return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

/* Steps a write statement to its end. */
static int done(struct ob_store *s, sqlite3_stmt *st, int bind_rc, const char *what)
{
    int rc = bind_rc == SQLITE_OK ? sqlite3_step(st) : bind_rc;
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ob__store_fail(s, what);
}

int ob_store_set_durable(struct ob_store *s)
{
    if (s->pg)
        return ob__pg_set_durable(s);
    /* Its commits do not checkpoint (a checkpoint's fsync of the database
     * in the middle of a commit was the receiver's slowest one percent):
     * ob_store_checkpoint, on another connection, does it. */
    return ob__store_exec(s, "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0");
}

long ob_store_prune(struct ob_store *s)
{
    if (s->pg)
        return ob__pg_prune(s);
    if (ob__store_exec(s, SQL_PRUNE_FLUSH) < 0)
        return -1;
    return (long)sqlite3_changes(s->db);
}

int ob_store_checkpoint(struct ob_store *s)
{
    if (s->pg) { /* no WAL of ours to checkpoint; the flush rows to prune */
        double now = (double)time(NULL);
        if (now - s->pruned < 60)
            return 0;
        s->pruned = now;
        return ob_store_prune(s) < 0 ? -1 : 0;
    }
    int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : ob__store_fail(s, "checkpointing");
}

int ob_store_put_incident(struct ob_store *s, const struct ob_incident *inc)
{
    if (s->pg)
        return ob__pg_put_incident(s, inc);
    sqlite3_stmt *st = stmt(s, ST_PUT_INCIDENT);
    char *labels = ob_kv_to_json(inc->labels, inc->nlabels);
    char *ident = ob_kv_to_json(inc->identifying, inc->nidentifying);
    if (!st || !labels || !ident) {
        free(labels);
        free(ident);
        return st ? ob__store_fail(s, "out of memory") : -1;
    }
    int rc = sqlite3_bind_int64(st, 1, inc->id) | bind_text(st, 2, inc->uid) |
             bind_text(st, 3, inc->group_key) | bind_text(st, 4, labels) | bind_text(st, 5, ident) |
             bind_text(st, 6, inc->repo) | bind_text(st, 7, inc->external_url) |
             sqlite3_bind_int(st, 8, inc->state) | sqlite3_bind_int(st, 9, inc->severity) |
             sqlite3_bind_double(st, 10, inc->started) | sqlite3_bind_double(st, 11, inc->updated) |
             sqlite3_bind_double(st, 12, inc->resolved) | sqlite3_bind_int64(st, 13, s->rev);
    free(labels);
    free(ident);
    return done(s, st, rc, "saving an incident");
}

int ob_store_put_member(struct ob_store *s, int64_t incident, size_t seq, const struct ob_member *m)
{
    if (s->pg)
        return ob__pg_put_member(s, incident, seq, m);
    sqlite3_stmt *st = stmt(s, ST_PUT_MEMBER);
    if (!st)
        return -1;
    int rc = sqlite3_bind_int64(st, 1, incident) | bind_text(st, 2, m->key) |
             sqlite3_bind_int64(st, 3, (int64_t)seq) | sqlite3_bind_int(st, 4, m->kind) |
             bind_text(st, 5, m->labels) | bind_text(st, 6, m->summary) |
             sqlite3_bind_int(st, 7, m->firing) | sqlite3_bind_int(st, 8, m->severity) |
             sqlite3_bind_double(st, 9, m->since) | sqlite3_bind_double(st, 10, m->updated) |
             sqlite3_bind_double(st, 11, m->value);
    return done(s, st, rc, "saving an incident member");
}

int ob_store_add_timeline(struct ob_store *s, int64_t incident, double at, const char *event,
                          const char *member, const char *detail)
{
    if (s->pg)
        return ob__pg_add_timeline(s, incident, at, event, member, detail);
    sqlite3_stmt *st = stmt(s, ST_ADD_TIMELINE);
    if (!st)
        return -1;
    int rc = sqlite3_bind_int64(st, 1, incident) | sqlite3_bind_double(st, 2, at) |
             bind_text(st, 3, event) | bind_text(st, 4, member) | bind_text(st, 5, detail);
    return done(s, st, rc, "saving a timeline entry");
}

int ob_store_add_outbox(struct ob_store *s, int64_t incident, const char *action, const char *payload,
                        double now)
{
    if (s->pg)
        return ob__pg_add_outbox(s, incident, action, payload, now);
    sqlite3_stmt *st = stmt(s, ST_ADD_OUTBOX);
    if (!st)
        return -1;
    int rc = sqlite3_bind_int64(st, 1, incident) | bind_text(st, 2, action) |
             bind_text(st, 3, payload) | sqlite3_bind_double(st, 4, now);
    return done(s, st, rc, "queueing a tracker action");
}

/* ---- reading incidents back ---- */

static char *column_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return v ? strdup((const char *)v) : NULL;
}

static int read_members(struct ob_store *s, struct ob_incident *inc)
{
    sqlite3_stmt *st = stmt(s, ST_MEMBERS_OF);
    if (!st || sqlite3_bind_int64(st, 1, inc->id) != SQLITE_OK)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (ob_grow((void **)&inc->members, &inc->cap, inc->nmembers + 1, sizeof *inc->members) < 0)
            break;
        struct ob_member *m = &inc->members[inc->nmembers++];
        *m = (struct ob_member){
            .kind = sqlite3_column_int(st, 1), .key = column_dup(st, 0), .labels = column_dup(st, 2),
            .summary = column_dup(st, 3), .firing = sqlite3_column_int(st, 4),
            .severity = sqlite3_column_int(st, 5), .since = sqlite3_column_double(st, 6),
            .updated = sqlite3_column_double(st, 7), .value = sqlite3_column_double(st, 8)};
        if (!m->key || !m->labels || !m->summary)
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ob__store_fail(s, "reading incident members");
}

static struct ob_incident *read_incident(sqlite3_stmt *st)
{
    struct ob_incident *inc = calloc(1, sizeof *inc);
    if (!inc)
        return NULL;
    inc->id = sqlite3_column_int64(st, 0);
    snprintf(inc->uid, sizeof inc->uid, "%s", (const char *)sqlite3_column_text(st, 1));
    inc->group_key = column_dup(st, 2);
    inc->repo = column_dup(st, 5);
    inc->external_url = column_dup(st, 6);
    inc->state = sqlite3_column_int(st, 7);
    inc->severity = sqlite3_column_int(st, 8);
    inc->started = sqlite3_column_double(st, 9);
    inc->updated = sqlite3_column_double(st, 10);
    inc->resolved = sqlite3_column_double(st, 11);
    inc->issue_number = sqlite3_column_int64(st, 12);
    inc->issue_url = column_dup(st, 13);
    const char *labels = (const char *)sqlite3_column_text(st, 3);
    const char *ident = (const char *)sqlite3_column_text(st, 4);
    if (!inc->group_key || ob_kv_from_json(labels, &inc->labels, &inc->nlabels) < 0 ||
        ob_kv_from_json(ident, &inc->identifying, &inc->nidentifying) < 0) {
        ob_incident_free(inc);
        return NULL;
    }
    return inc;
}

/* Incidents are read whole before members are: one statement at a time. */
static long each_incident(struct ob_store *s, sqlite3_stmt *st, ob_store_incident_fn fn, void *arg)
{
    struct ob_incident **all = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ob_incident *inc = read_incident(st);
        if (!inc || ob_grow((void **)&all, &cap, n + 1, sizeof *all) < 0) {
            ob_incident_free(inc);
            rc = SQLITE_NOMEM;
            break;
        }
        all[n++] = inc;
    }
    sqlite3_reset(st);
    long got = rc == SQLITE_DONE ? 0 : ob__store_fail(s, "reading incidents");
    for (size_t i = 0; i < n; i++) {
        if (got >= 0 && read_members(s, all[i]) < 0)
            got = -1;
        if (got < 0)
            ob_incident_free(all[i]);
        else if (fn(arg, all[i]) == 0)
            got++;
    }
    free(all);
    return got;
}

long ob_store_live_incidents(struct ob_store *s, double since, ob_store_incident_fn fn, void *arg)
{
    if (s->pg)
        return ob__pg_incidents(s, ST_LIVE_INCIDENTS, since, 0, fn, arg);
    sqlite3_stmt *st = stmt(s, ST_LIVE_INCIDENTS);
    if (!st || sqlite3_bind_double(st, 1, since) != SQLITE_OK)
        return -1;
    return each_incident(s, st, fn, arg);
}

long ob_store_recent_incidents(struct ob_store *s, long limit, ob_store_incident_fn fn, void *arg)
{
    if (s->pg)
        return ob__pg_incidents(s, ST_RECENT_INCIDENTS, 0, limit, fn, arg);
    sqlite3_stmt *st = stmt(s, ST_RECENT_INCIDENTS);
    if (!st || sqlite3_bind_int64(st, 1, limit) != SQLITE_OK)
        return -1;
    return each_incident(s, st, fn, arg);
}

long ob_store_one_incident(struct ob_store *s, int64_t id, ob_store_incident_fn fn, void *arg)
{
    if (s->pg)
        return ob__pg_incidents(s, ST_ONE_INCIDENT, 0, id, fn, arg);
    sqlite3_stmt *st = stmt(s, ST_ONE_INCIDENT);
    if (!st || sqlite3_bind_int64(st, 1, id) != SQLITE_OK)
        return -1;
    return each_incident(s, st, fn, arg);
}

long ob_store_changed_incidents(struct ob_store *s, int64_t since, ob_store_incident_fn fn, void *arg)
{
    if (s->pg)
        return ob__pg_incidents(s, ST_CHANGED_INCIDENTS, 0, since, fn, arg);
    sqlite3_stmt *st = stmt(s, ST_CHANGED_INCIDENTS);
    if (!st || sqlite3_bind_int64(st, 1, since) != SQLITE_OK)
        return -1;
    return each_incident(s, st, fn, arg);
}

/* One integer from a statement of one row. */
static int one_int64(struct ob_store *s, enum store_stmt which, int64_t *v)
{
    if (s->pg)
        return ob__pg_int64(s, which, v);
    sqlite3_stmt *st = stmt(s, which);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    *v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : ob__store_fail(s, "reading the incidents' revision");
}

int ob_store_lock_incidents(struct ob_store *s, int64_t *rev)
{
    /* SQLite: BEGIN IMMEDIATE already made this the only writer. */
    int rc = one_int64(s, ST_LOCK_INCIDENTS, rev);
    s->rev = rc == 0 ? *rev : 0;
    s->turned = rc == 0;
    return rc;
}

int ob_store_incidents_rev(struct ob_store *s, int64_t *rev)
{
    return one_int64(s, ST_INCIDENTS_REV, rev);
}

int ob_store_max_incident_id(struct ob_store *s, int64_t *id)
{
    return one_int64(s, ST_MAX_INCIDENT, id);
}

long ob_store_timeline(struct ob_store *s, int64_t incident, ob_store_timeline_fn fn, void *arg)
{
    if (s->pg)
        return ob__pg_timeline(s, incident, fn, arg);
    sqlite3_stmt *st = stmt(s, ST_TIMELINE_OF);
    if (!st || sqlite3_bind_int64(st, 1, incident) != SQLITE_OK)
        return -1;
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        fn(arg, sqlite3_column_double(st, 0), (const char *)sqlite3_column_text(st, 1),
           (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3));
        n++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? n : ob__store_fail(s, "reading a timeline");
}

/* ---- the outbox ---- */

/* As PostgreSQL's SQL_PG_NEXT_OUTBOX does in one statement: the taken
 * action waits a minute for anyone else (its taker records its attempt).
 * Two steps are enough here: one process, one worker, owns a SQLite file. */
static int claim(struct ob_store *s, int64_t id, double now)
{
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE outbox SET next_at = %.17g WHERE id = %lld", now + 60,
             (long long)id);
    return ob__store_exec(s, sql);
}

int ob_store_next_outbox(struct ob_store *s, double now, struct ob_outbox_item *it)
{
    if (s->pg)
        return ob__pg_next_outbox(s, now, it);
    sqlite3_stmt *st = stmt(s, ST_NEXT_OUTBOX);
    if (!st || sqlite3_bind_double(st, 1, now) != SQLITE_OK)
        return -1;
    memset(it, 0, sizeof *it);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        it->id = sqlite3_column_int64(st, 0);
        it->incident = sqlite3_column_int64(st, 1);
        snprintf(it->action, sizeof it->action, "%s", (const char *)sqlite3_column_text(st, 2));
        it->payload = column_dup(st, 3);
        it->attempts = sqlite3_column_int(st, 4);
        it->repo = column_dup(st, 5);
        it->issue_number = sqlite3_column_int64(st, 6);
        snprintf(it->uid, sizeof it->uid, "%s", (const char *)sqlite3_column_text(st, 7));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW && !it->payload) {
        free(it->repo);
        return ob__store_fail(s, "out of memory");
    }
    if (rc == SQLITE_ROW && claim(s, it->id, now) < 0) {
        free(it->payload);
        free(it->repo);
        return -1;
    }
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : ob__store_fail(s, "reading the outbox");
}

int ob_store_outbox_attempt(struct ob_store *s, int64_t id, int attempts, double next_at,
                            const char *error)
{
    if (s->pg)
        return ob__pg_outbox_attempt(s, id, attempts, next_at, error);
    sqlite3_stmt *st = stmt(s, ST_OUTBOX_ATTEMPT);
    if (!st)
        return -1;
    int rc = sqlite3_bind_int64(st, 1, id) | sqlite3_bind_int(st, 2, attempts) |
             sqlite3_bind_double(st, 3, next_at) | bind_text(st, 4, error);
    return done(s, st, rc, "recording a tracker attempt");
}

int ob_store_outbox_done(struct ob_store *s, const struct ob_outbox_item *it, double now,
                         int64_t issue_number, const char *issue_url)
{
    if (s->pg)
        return ob__pg_outbox_done(s, it, now, issue_number, issue_url);
    if (ob_store_begin(s) < 0)
        return -1;
    sqlite3_stmt *st = stmt(s, ST_OUTBOX_DONE);
    int rc = st ? done(s, st, sqlite3_bind_int64(st, 1, it->id) | sqlite3_bind_double(st, 2, now),
                       "marking a tracker action sent")
                : -1;
    if (rc == 0 && issue_number > 0) {
        st = stmt(s, ST_SET_ISSUE);
        rc = st ? done(s, st,
                       sqlite3_bind_int64(st, 1, it->incident) | sqlite3_bind_int64(st, 2, issue_number) |
                           bind_text(st, 3, issue_url),
                       "recording the issue")
                : -1;
    }
    if (rc < 0) {
        ob_store_rollback(s);
        return -1;
    }
    return ob_store_commit(s);
}

int ob_store_outbox_pending(struct ob_store *s, long *n, double *oldest)
{
    if (s->pg)
        return ob__pg_outbox_pending(s, n, oldest);
    sqlite3_stmt *st = stmt(s, ST_OUTBOX_PENDING);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
    *oldest = rc == SQLITE_ROW ? sqlite3_column_double(st, 1) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : ob__store_fail(s, "counting the outbox");
}

/* ---- named blobs ---- */

int ob_store_put_blob(struct ob_store *s, const char *name, const void *blob, size_t len, double now)
{
    if (s->pg)
        return ob__pg_put_blob(s, name, blob, len, now);
    sqlite3_stmt *st = stmt(s, ST_PUT_BLOB);
    if (!st)
        return -1;
    int rc = bind_text(st, 1, name) | sqlite3_bind_blob(st, 2, blob, (int)len, SQLITE_STATIC) |
             sqlite3_bind_double(st, 3, now);
    return done(s, st, rc, "saving a blob");
}

int ob_store_get_blob(struct ob_store *s, const char *name, void **blob, size_t *len)
{
    if (s->pg)
        return ob__pg_get_blob(s, name, blob, len);
    sqlite3_stmt *st = stmt(s, ST_GET_BLOB);
    if (!st || bind_text(st, 1, name) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st), found = 0;
    *blob = NULL;
    *len = 0;
    if (rc == SQLITE_ROW) {
        *len = (size_t)sqlite3_column_bytes(st, 0);
        if ((*blob = malloc(*len ? *len : 1)))
            memcpy(*blob, sqlite3_column_blob(st, 0), *len);
        found = *blob ? 1 : -1;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : ob__store_fail(s, "reading a blob");
}

/* The timeline as JSON, for `opsbox incidents` and /api/v1/incidents/ID. */
static void add_entry(void *arg, double at, const char *event, const char *member, const char *detail)
{
    json_array_append_new(arg, json_pack("{sf ss ss? ss?}", "at", at, "event", event, "member", member,
                                         "detail", detail));
}

json_t *ob_store_timeline_json(struct ob_store *store, int64_t incident)
{
    json_t *tl = json_array();
    if (tl)
        ob_store_timeline(store, incident, add_entry, tl);
    return tl;
}
