/* store_pg.c - the PostgreSQL store: several opsbox replicas on one
 * database.
 *
 * The same tables, versions and statements as the SQLite store (SQL in
 * store_sql.h, ?N read as $N), over libpq. What differs is what sharing
 * asks for:
 *   - commits are durable on the server on the receiver's connection, and
 *     not waited for (synchronous_commit=off, like SQLite's NORMAL) on the
 *     others. A durable commit is two steps: COMMIT without waiting for
 *     the WAL flush, which releases the incidents' turn (and every row
 *     lock) at once, then a one-row write of its own committed with
 *     synchronous_commit=on, whose flush covers the commit before it.
 *     Only then does the commit return (and the receiver answer 200). So
 *     the turn no longer spans an fsync: replicas' flushes overlap and
 *     the server merges them. A replica that reads another's commit in its
 *     turn before that is flushed writes after it in the WAL, so its own
 *     flush covers both; a turn that wrote nothing flushes as it ends,
 *     for the same reason;
 *   - migrations run under an advisory lock, so replicas that start at
 *     once apply each one once;
 *   - incident writers take turns on the incident_rev row (store_sql.h)
 *     and the outbox is claimed with FOR UPDATE SKIP LOCKED;
 *   - a lost connection fails the call with ob_store_unavailable() set and
 *     is made again by a later call outside a transaction; a statement
 *     outside a transaction that failed for that reason is sent once more
 *     on the new connection (each such statement may run twice safely).
 * Inside a transaction everything goes out in libpq's pipeline mode, and
 * is read at the next statement whose result is wanted: BEGIN waits for
 * the turn's UPDATE (one round trip), the rows (prepared once per
 * connection) wait for COMMIT, and the flush goes right behind COMMIT (one
 * round trip for the batch, however many rows). A failure among the
 * writes is reported there, and the commit then fails and rolls back.
 * store_flush's rows of backends that ended are pruned (ob__pg_prune).
 * One mutex per handle: a PGconn serves one call at a time. */
#include "alerts/alerts.h"
#include "io/store_int.h"
#include "io/store_sql.h"

#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 16
#define SCHEMA_LOCK 0x6f7073626f78LL /* "opsbox" */

struct params {
    const char *v[MAX_PARAMS];
    int len[MAX_PARAMS], fmt[MAX_PARAMS];
    char num[MAX_PARAMS][32];
    int n;
};

static void p_text(struct params *p, const char *v)
{
    p->v[p->n] = v;
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

static void p_bin(struct params *p, const void *v, size_t len)
{
    p->v[p->n] = v;
    p->len[p->n] = (int)len;
    p->fmt[p->n++] = 1;
}

static void p_i64(struct params *p, int64_t v)
{
    snprintf(p->num[p->n], sizeof p->num[0], "%lld", (long long)v);
    p_text(p, p->num[p->n]);
}

static void p_f64(struct params *p, double v)
{
    snprintf(p->num[p->n], sizeof p->num[0], "%.17g", v);
    p_text(p, p->num[p->n]);
}

/* SQLite's ?N as PostgreSQL's $N (no statement has a ? otherwise). */
static const char *dialect(const char *sql, char *buf, size_t cap)
{
    size_t n = strlen(sql);
    if (n >= cap)
        return sql;
    for (size_t i = 0; i <= n; i++)
        buf[i] = sql[i] == '?' ? '$' : sql[i];
    return buf;
}

static int connection_lost(const struct ob_store *s, const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return PQstatus(s->pg) != CONNECTION_OK ||
           (state && (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3)));
}

static void record(struct ob_store *s, const char *what, const PGresult *r)
{
    const char *msg = r && PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r) : PQerrorMessage(s->pg);
    snprintf(s->error, sizeof s->error, "%s: %s", what, msg);
    s->error[strcspn(s->error, "\n")] = '\0';
    s->lost = connection_lost(s, r);
}

static PGresult *attempt(struct ob_store *s, const char *sql, const struct params *p, int binary)
{
    return PQexecParams(s->pg, sql, p ? p->n : 0, NULL, p ? p->v : NULL, p ? p->len : NULL,
                        p ? p->fmt : NULL, binary);
}

static int ok(const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Sends a statement in the pipeline (entering it), with pg_mu held. */
static int pipe_send(struct ob_store *s, const char *sql, const struct params *p, int binary)
{
    if (PQpipelineStatus(s->pg) == PQ_PIPELINE_OFF && PQenterPipelineMode(s->pg) != 1)
        return -1;
    if (PQsendQueryParams(s->pg, sql, p ? p->n : 0, NULL, p ? p->v : NULL, p ? p->len : NULL,
                          p ? p->fmt : NULL, binary) != 1)
        return -1;
    s->piped++;
    return 0;
}

/* Reads the results of what was sent in the pipeline, up to a Sync sent
 * now (with pg_mu held): 0, or -1 with the first failure recorded (as
 * what, or as the commit's or the flush's when one of those failed). A
 * COMMIT that answers ROLLBACK (its transaction had failed) is a failure.
 * *last, when given, gets the result of the last statement sent, for the
 * caller to read and clear. Leaves pipeline mode. */
static int drain(struct ob_store *s, const char *what, PGresult **last)
{
    if (last)
        *last = NULL;
    if (!s->piped)
        return 0;
    int rc = PQpipelineSync(s->pg) == 1 ? 0 : -1;
    if (rc < 0)
        record(s, "sending", NULL);
    PGresult *kept = NULL;
    int k = 0; /* statements whose result was read */
    for (int idle = 0; rc == 0 || PQstatus(s->pg) == CONNECTION_OK;) {
        PGresult *r = PQgetResult(s->pg);
        if (!r) {
            /* NULL ends each statement's results; many in a row: nothing more comes */
            if (PQstatus(s->pg) != CONNECTION_OK || ++idle > 2 * s->piped + 4) {
                if (rc == 0)
                    record(s, what, NULL);
                rc = -1;
                break;
            }
            continue;
        }
        idle = 0;
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        int i = k++;
        int good = ok(r) && (i != s->commit_at || !strcmp(PQcmdStatus(r), "COMMIT"));
        if (!good && rc == 0) {
            record(s, i == s->flush_at ? "flushing the commit" : i == s->commit_at ? "committing" : what, r);
            if (ok(r))
                snprintf(s->error, sizeof s->error, "committing: the transaction had failed");
            rc = -1;
        }
        PQclear(kept);
        kept = r;
    }
    s->piped = 0;
    s->commit_at = s->flush_at = -1;
    if (rc < 0 && s->nprepared)
        s->prep_unsure = 1;
    PQexitPipelineMode(s->pg);
    if (last && rc == 0)
        *last = kept;
    else
        PQclear(kept);
    return rc;
}

/* The write's statement prepared on this connection (at its first use,
 * in the pipeline): parsed and planned once, not once per row, which was
 * most of the server's CPU for a turn's rows. With pg_mu held: its name,
 * or NULL to send it unprepared. A failed pipeline may have skipped a
 * Parse: then all are dropped and prepared again. */
static const char *prepared(struct ob_store *s, const char *key, const char *sql, char *name)
{
    if (s->prep_unsure) {
        if (pipe_send(s, "DEALLOCATE ALL", NULL, 0) < 0)
            return NULL;
        s->nprepared = s->prep_unsure = 0;
    }
    int i = 0;
    while (i < s->nprepared && s->prepared[i] != key)
        i++;
    snprintf(name, 16, "ob_w%d", i);
    if (i < s->nprepared)
        return name;
    if (i == (int)(sizeof s->prepared / sizeof s->prepared[0]) ||
        PQsendPrepare(s->pg, name, sql, 0, NULL) != 1)
        return NULL;
    s->piped++;
    s->prepared[s->nprepared++] = key;
    return name;
}

/* A write inside a transaction: sent, its result read later (drain). */
static int send_write(struct ob_store *s, const char *sql, const struct params *p, const char *what)
{
    char buf[2048], name[16];
    const char *key = sql;
    sql = dialect(sql, buf, sizeof buf);
    pthread_mutex_lock(&s->pg_mu);
    int rc = PQpipelineStatus(s->pg) == PQ_PIPELINE_OFF && PQenterPipelineMode(s->pg) != 1 ? -1 : 0;
    const char *stmt = rc == 0 && p ? prepared(s, key, sql, name) : NULL;
    if (rc < 0)
        ;
    else if (stmt && PQsendQueryPrepared(s->pg, stmt, p->n, p->v, p->len, p->fmt, 0) == 1)
        s->piped++;
    else
        rc = stmt ? -1 : pipe_send(s, sql, p, 0);
    if (rc < 0)
        record(s, what, NULL);
    s->fresh = 0;
    /* Read results every so often: unread, they would fill the server's
     * socket until it stopped reading ours (a Sync keeps the transaction). */
    if (rc == 0 && s->piped >= 500)
        rc = drain(s, what, NULL);
    pthread_mutex_unlock(&s->pg_mu);
    return rc;
}

/* The session as this handle wants it, on a connection just made (with
 * pg_mu held): a reset forgets SET, and the server's default may differ. */
static int session(struct ob_store *s)
{
    PGresult *r = PQexec(s->pg, s->durable ? "SET synchronous_commit = on" : "SET synchronous_commit = off");
    int rc = ok(r) ? 0 : -1;
    PQclear(r);
    return rc;
}

static void reconnect(struct ob_store *s)
{
    if (PQpipelineStatus(s->pg) != PQ_PIPELINE_OFF) {
        PGresult *r;
        while ((r = PQgetResult(s->pg)))
            PQclear(r);
        PQexitPipelineMode(s->pg);
    }
    s->piped = 0;
    s->nprepared = s->prep_unsure = 0; /* a new session has none */
    PQreset(s->pg);
    if (PQstatus(s->pg) == CONNECTION_OK && session(s) == 0)
        PQclear(PQexec(s->pg, SQL_PG_PRUNE_FLUSH)); /* as ob__pg_open does */
}

/* BEGIN, and what every transaction of this handle starts with, queued. */
static int send_begin(struct ob_store *s)
{
    /* durable: flushed by the flush after COMMIT instead (file comment) */
    int rc = pipe_send(s, "BEGIN", NULL, 0);
    if (rc == 0 && s->durable)
        rc = pipe_send(s, "SET LOCAL synchronous_commit = off", NULL, 0);
    return rc;
}

/* Runs sql (?N or $N parameters); the result, or NULL with the error.
 * Inside a transaction it goes in the pipeline behind the writes not yet
 * read, so writes and a read cost one round trip together; a transaction
 * that had sent nothing but its BEGIN when the connection turned out lost
 * is begun again on a new one. Outside, a statement that failed for a lost
 * connection is sent once more on a new one. */
static PGresult *run(struct ob_store *s, const char *sql, const struct params *p, int binary,
                     const char *what)
{
    char buf[2048];
    sql = dialect(sql, buf, sizeof buf);
    pthread_mutex_lock(&s->pg_mu);
    PGresult *r = NULL;
    if (s->in_tx) {
        for (int tries = 0; tries < 2 && !r; tries++) {
            int fresh = s->fresh;
            if (tries && !(fresh && s->lost))
                break;
            if (tries) {
                reconnect(s);
                if (PQstatus(s->pg) != CONNECTION_OK || send_begin(s) < 0)
                    break;
            }
            int sent = pipe_send(s, sql, p, binary);
            if (drain(s, what, &r) < 0 || sent < 0) {
                if (sent < 0)
                    record(s, what, NULL);
                PQclear(r);
                r = NULL;
            }
            s->fresh = fresh; /* drain's failure leaves us as fresh as before */
        }
        s->fresh = 0;
    } else {
        if (drain(s, what, NULL) < 0) {
            pthread_mutex_unlock(&s->pg_mu);
            return NULL;
        }
        if (PQstatus(s->pg) != CONNECTION_OK)
            reconnect(s);
        r = attempt(s, sql, p, binary);
        if (!ok(r) && connection_lost(s, r)) {
            PQclear(r);
            reconnect(s);
            r = attempt(s, sql, p, binary);
        }
        if (!ok(r)) {
            record(s, what, r);
            PQclear(r);
            r = NULL;
        }
    }
    if (r)
        s->lost = 0;
    pthread_mutex_unlock(&s->pg_mu);
    return r;
}

static int command(struct ob_store *s, const char *sql, const struct params *p, const char *what)
{
    PGresult *r = run(s, sql, p, 0, what);
    int rc = r ? 0 : -1;
    PQclear(r);
    return rc;
}

/* A row written: pipelined inside a transaction, at once outside one. */
static int write_row(struct ob_store *s, const char *sql, const struct params *p, const char *what)
{
    return s->in_tx ? send_write(s, sql, p, what) : command(s, sql, p, what);
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs (IF NOT EXISTS ...) are not the operator's business */
}

/* ---- open, migrations, transactions ---- */

/* user:password@ before the host, or a password= parameter. */
static int url_has_password(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t host = strcspn(p, "/?");
    const char *at = memchr(p, '@', host);
    if (at && memchr(p, ':', (size_t)(at - p)))
        return 1;
    const char *q = strchr(url, '?');
    return q && (strstr(q, "?password=") || strstr(q, "&password="));
}

static int migrate(struct ob_store *s)
{
    char lock[96];
    snprintf(lock, sizeof lock, "SELECT pg_advisory_xact_lock(%lld)", SCHEMA_LOCK);
    if (ob__pg_begin(s) < 0 || command(s, lock, NULL, "locking the schema") < 0 ||
        command(s, "CREATE TABLE IF NOT EXISTS opsbox_schema (version INTEGER NOT NULL)", NULL,
                "creating the schema table") < 0)
        goto fail;
    PGresult *r = run(s, "SELECT version FROM opsbox_schema", NULL, 0, "reading the schema version");
    if (!r)
        goto fail;
    int version = PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    if (version < 0 && command(s, "INSERT INTO opsbox_schema VALUES (0)", NULL, "starting the schema") < 0)
        goto fail;
    version = version < 0 ? 0 : version;
    int known = (int)(sizeof store_pg_migrations / sizeof store_pg_migrations[0]);
    if (version > known) {
        snprintf(s->error, sizeof s->error,
                 "schema version %d is newer than this opsbox knows (%d)", version, known);
        goto fail;
    }
    for (int v = version; v < known; v++) {
        struct params p = {0};
        p_i64(&p, v + 1);
        pthread_mutex_lock(&s->pg_mu);
        PGresult *m = drain(s, "migrating the schema", NULL) == 0 ? PQexec(s->pg, store_pg_migrations[v]) : NULL; /* several statements */
        int good = ok(m);
        if (!good)
            record(s, "migrating the schema", m);
        PQclear(m);
        pthread_mutex_unlock(&s->pg_mu);
        if (!good || command(s, "UPDATE opsbox_schema SET version = $1", &p, "migrating the schema") < 0)
            goto fail;
    }
    return ob__pg_commit(s);
fail:
    ob__pg_rollback(s);
    return -1;
}

struct ob_store *ob__pg_open(const char *url, const char *password, char *err, size_t errlen)
{
    if (url_has_password(url)) {
        snprintf(err, errlen, "store: the URL holds a password; put it in store_password_file or "
                              "PGPASSWORD instead");
        return NULL;
    }
    struct ob_store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->pg_mu, NULL);
    /* connect_timeout before the URL (which may set its own), password after. */
    const char *kw[] = {"connect_timeout", "dbname", "application_name", "password", NULL};
    const char *val[] = {"3", url, "opsbox", password, NULL};
    if (!password)
        kw[3] = NULL;
    s->pg = PQconnectdbParams(kw, val, 1);
    if (!s->pg || PQstatus(s->pg) != CONNECTION_OK) {
        snprintf(err, errlen, "store %s: %s", url, s->pg ? PQerrorMessage(s->pg) : "out of memory");
        err[strcspn(err, "\n")] = '\0';
        ob__pg_close(s);
        return NULL;
    }
    PQsetNoticeProcessor(s->pg, quiet, NULL);
    s->commit_at = s->flush_at = -1;
    if (command(s, "SET synchronous_commit = off", NULL, "setting up") < 0 || migrate(s) < 0 ||
        ob__pg_prune(s) < 0) {
        snprintf(err, errlen, "store %s: %s", url, s->error);
        ob__pg_close(s);
        return NULL;
    }
    return s;
}

void ob__pg_close(struct ob_store *s)
{
    if (s->pg)
        PQfinish(s->pg);
    pthread_mutex_destroy(&s->pg_mu);
    free(s);
}

/* Ends on the server a transaction this handle has left (with pg_mu held,
 * the pipeline read): a COMMIT the pipeline skipped when a write before
 * it failed leaves the transaction open and aborted after the Sync, and
 * every later statement would fail (25P02) until it ended. Its error is
 * not recorded: the failure that left it is the one to report. */
static void leave_tx(struct ob_store *s)
{
    if (PQstatus(s->pg) != CONNECTION_OK)
        return; /* the server ended it with the connection */
    PGTransactionStatusType t = PQtransactionStatus(s->pg);
    if (t != PQTRANS_INERROR && t != PQTRANS_INTRANS)
        return;
    if (PQpipelineStatus(s->pg) != PQ_PIPELINE_OFF)
        PQexitPipelineMode(s->pg);
    PQclear(PQexec(s->pg, "ROLLBACK"));
}

/* Nothing goes to the server yet: BEGIN waits in the pipeline for the
 * transaction's first read (the incidents' turn), so both are one round
 * trip. What a turn left unread (its caller ended it with neither commit
 * nor rollback) is read and rolled back first: its failure is not this
 * turn's, nor are its writes. */
int ob__pg_begin(struct ob_store *s)
{
    s->turned = 0;
    pthread_mutex_lock(&s->pg_mu);
    s->in_tx = 0;
    int lost = s->lost;
    char error[sizeof s->error];
    memcpy(error, s->error, sizeof error);
    drain(s, "beginning", NULL);
    s->lost = lost;
    memcpy(s->error, error, sizeof error);
    if (PQstatus(s->pg) != CONNECTION_OK)
        reconnect(s); /* a broken connection is made again before BEGIN */
    leave_tx(s);
    int rc = 0;
    if (PQstatus(s->pg) != CONNECTION_OK || send_begin(s) < 0) {
        record(s, "beginning", NULL);
        rc = -1;
    }
    s->in_tx = rc == 0;
    s->fresh = rc == 0;
    pthread_mutex_unlock(&s->pg_mu);
    return rc;
}

/* Sends the transaction's end (COMMIT or ROLLBACK) and, when flushing,
 * the durable write of this connection's own store_flush row behind it,
 * in one pipeline: the server releases the turn at the end, then waits
 * for the WAL flush of that write, which covers every record before it.
 * 0 once both are done. Never sent again on a new connection: a commit
 * lost with the old server would be covered by nothing. */
static int finish(struct ob_store *s, const char *end, int flushing, const char *what)
{
    pthread_mutex_lock(&s->pg_mu);
    if (!strcmp(end, "COMMIT"))
        s->commit_at = s->piped;
    int rc = pipe_send(s, end, NULL, 0);
    if (rc == 0 && flushing) {
        s->flush_at = s->piped;
        rc = pipe_send(s, SQL_PG_FLUSH, NULL, 0);
    }
    if (rc < 0) {
        drain(s, what, NULL);
        record(s, what, NULL);
    } else {
        rc = drain(s, what, NULL);
    }
    if (rc < 0)
        leave_tx(s); /* the end skipped: the next turn must not find it open */
    s->in_tx = 0;
    s->fresh = 0;
    pthread_mutex_unlock(&s->pg_mu);
    return rc;
}

int ob__pg_commit(struct ob_store *s)
{
    return finish(s, "COMMIT", s->durable, "committing");
}

int ob__pg_rollback(struct ob_store *s)
{
    int lost = s->lost;
    char error[sizeof s->error];
    memcpy(error, s->error, sizeof error);
    /* Writes not yet read (the caller failed among them) first: one of
     * them failing would abort the flush behind it. */
    pthread_mutex_lock(&s->pg_mu);
    drain(s, "rolling back", NULL);
    pthread_mutex_unlock(&s->pg_mu);
    /* A turn that wrote nothing may have read another's commit not yet
     * flushed, and its caller answers on what it read. */
    int flushing = s->durable && s->turned;
    int rc = 0;
    if (PQstatus(s->pg) == CONNECTION_OK)
        rc = finish(s, "ROLLBACK", flushing, "rolling back");
    else
        rc = flushing ? -1 : 0;
    s->in_tx = 0;
    if (!flushing)
        rc = 0; /* the ROLLBACK's own failure: nothing was to be kept */
    if (rc == 0 || lost) { /* the failure that made us roll back is the one to report */
        s->lost = lost;
        memcpy(s->error, error, sizeof error);
    }
    return rc;
}

int ob__pg_set_durable(struct ob_store *s)
{
    int rc = command(s, "SET synchronous_commit = on", NULL, "setting durable commits");
    s->durable = rc == 0;
    return rc;
}

/* store_flush keeps a row per backend only because a flush must write
 * something: nobody reads the rows, and a row says nothing once its
 * backend has ended (that backend's commits are on disk, or were lost
 * with the server, either way beyond any flush). So the rows to delete are
 * exactly those whose backend is not among the server's live ones
 * (pg_stat_activity lists every backend's pid to every role). Deleting a
 * live backend's row would be harmless too: its next flush inserts it
 * again, and a delete racing that upsert makes it insert, not skip, so
 * the flush still writes and waits. Each connection prunes as it is made,
 * and the daemon's own handle every minute (ob_store_checkpoint), so the
 * table holds the live connections and those that ended in the last
 * minute, however many replicas come and go. */
long ob__pg_prune(struct ob_store *s)
{
    PGresult *r = run(s, SQL_PG_PRUNE_FLUSH, NULL, 0, "pruning store_flush");
    long n = r ? atol(PQcmdTuples(r)) : -1;
    PQclear(r);
    return n;
}

/* ---- models and blobs ---- */

int ob__pg_clear_models(struct ob_store *s)
{
    struct params p = {0};
    p_text(&p, s->shard);
    return command(s, SQL_CLEAR_MODELS, &p, "clearing models");
}

int ob__pg_put_model(struct ob_store *s, const char *series, size_t series_len, const void *blob,
                     size_t len, double updated)
{
    struct params p = {0};
    p_bin(&p, series, series_len); /* a text's binary form is its bytes */
    p_bin(&p, blob, len);
    p_f64(&p, updated);
    p_text(&p, s->shard);
    return write_row(s, SQL_PUT_MODEL, &p, "saving a model");
}

long ob__pg_each_model(struct ob_store *s, ob_store_model_fn fn, void *arg)
{
    PGresult *r = run(s, SQL_EACH_MODEL, NULL, 1, "reading models");
    if (!r)
        return -1;
    long n = 0;
    for (int i = 0; i < PQntuples(r); i++)
        if (fn(arg, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0), PQgetvalue(r, i, 1),
               (size_t)PQgetlength(r, i, 1)) == 0)
            n++;
    PQclear(r);
    return n;
}

int ob__pg_put_blob(struct ob_store *s, const char *name, const void *blob, size_t len, double now)
{
    struct params p = {0};
    p_text(&p, name);
    p_bin(&p, blob, len);
    p_f64(&p, now);
    return write_row(s, SQL_PUT_BLOB, &p, "saving a blob");
}

int ob__pg_get_blob(struct ob_store *s, const char *name, void **blob, size_t *len)
{
    struct params p = {0};
    p_text(&p, name);
    *blob = NULL;
    *len = 0;
    PGresult *r = run(s, SQL_GET_BLOB, &p, 1, "reading a blob");
    if (!r)
        return -1;
    int found = 0;
    if (PQntuples(r)) {
        *len = (size_t)PQgetlength(r, 0, 0);
        if ((*blob = malloc(*len ? *len : 1)))
            memcpy(*blob, PQgetvalue(r, 0, 0), *len);
        found = *blob ? 1 : -1;
    }
    PQclear(r);
    return found;
}

/* ---- incidents ---- */

int ob__pg_int64(struct ob_store *s, enum store_stmt which, int64_t *v)
{
    PGresult *r = run(s, ob__store_sql(which), NULL, 0, "reading the incidents' revision");
    *v = r && PQntuples(r) ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    int rc = r && PQntuples(r) ? 0 : -1;
    if (r && rc < 0)
        snprintf(s->error, sizeof s->error, "reading the incidents' revision: no row");
    PQclear(r);
    return rc;
}

int ob__pg_put_incident(struct ob_store *s, const struct ob_incident *inc)
{
    char *labels = ob_kv_to_json(inc->labels, inc->nlabels);
    char *ident = ob_kv_to_json(inc->identifying, inc->nidentifying);
    int rc = -1;
    if (labels && ident) {
        struct params p = {0};
        p_i64(&p, inc->id);
        p_text(&p, inc->uid);
        p_text(&p, inc->group_key);
        p_text(&p, labels);
        p_text(&p, ident);
        p_text(&p, inc->repo);
        p_text(&p, inc->external_url);
        p_i64(&p, inc->state);
        p_i64(&p, inc->severity);
        p_f64(&p, inc->started);
        p_f64(&p, inc->updated);
        p_f64(&p, inc->resolved);
        p_i64(&p, s->rev);
        rc = write_row(s, SQL_PUT_INCIDENT, &p, "saving an incident");
    } else {
        snprintf(s->error, sizeof s->error, "out of memory");
    }
    free(labels);
    free(ident);
    return rc;
}

int ob__pg_put_member(struct ob_store *s, int64_t incident, size_t seq, const struct ob_member *m)
{
    struct params p = {0};
    p_i64(&p, incident);
    p_text(&p, m->key);
    p_i64(&p, (int64_t)seq);
    p_i64(&p, m->kind);
    p_text(&p, m->labels);
    p_text(&p, m->summary);
    p_i64(&p, m->firing);
    p_i64(&p, m->severity);
    p_f64(&p, m->since);
    p_f64(&p, m->updated);
    p_f64(&p, m->value);
    return write_row(s, SQL_PUT_MEMBER, &p, "saving an incident member");
}

int ob__pg_add_timeline(struct ob_store *s, int64_t incident, double at, const char *event,
                        const char *member, const char *detail)
{
    struct params p = {0};
    p_i64(&p, incident);
    p_f64(&p, at);
    p_text(&p, event);
    p_text(&p, member);
    p_text(&p, detail);
    return write_row(s, SQL_ADD_TIMELINE, &p, "saving a timeline entry");
}

int ob__pg_add_outbox(struct ob_store *s, int64_t incident, const char *action, const char *payload,
                      double now)
{
    struct params p = {0};
    p_i64(&p, incident);
    p_text(&p, action);
    p_text(&p, payload);
    p_f64(&p, now);
    return write_row(s, SQL_ADD_OUTBOX, &p, "queueing a tracker action");
}

static char *value_dup(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

static int64_t value_i64(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static double value_f64(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}

/* The members of all of inc[0..n) (in id order) in one query, not one
 * each: a replica catching up reads them on the receiver's path. */
#define SQL_PG_MEMBERS_OF_ALL                                                              \
    "SELECT key, kind, labels, summary, firing, severity, since, updated, value, incident " \
    "FROM members WHERE incident = ANY($1::bigint[]) ORDER BY incident, seq"

static int read_members(struct ob_store *s, struct ob_incident **inc, size_t n)
{
    struct ob_buf ids = {0};
    ob_buf_put(&ids, "{", 1);
    for (size_t k = 0; k < n; k++) {
        char num[32];
        int len = snprintf(num, sizeof num, "%s%lld", k ? "," : "", (long long)inc[k]->id);
        ob_buf_put(&ids, num, (size_t)len);
    }
    ob_buf_put(&ids, "}", 2);
    struct params p = {0};
    p_text(&p, ids.failed ? NULL : (const char *)ids.p);
    PGresult *r = ids.failed ? NULL : run(s, SQL_PG_MEMBERS_OF_ALL, &p, 0, "reading incident members");
    free(ids.p);
    if (!r)
        return -1;
    int rc = 0;
    size_t k = 0;
    for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
        int64_t id = value_i64(r, i, 9);
        while (k < n && inc[k]->id < id)
            k++;
        if (k == n || inc[k]->id != id)
            continue;
        struct ob_incident *in = inc[k];
        if (ob_grow((void **)&in->members, &in->cap, in->nmembers + 1, sizeof *in->members) < 0) {
            rc = -1;
            break;
        }
        struct ob_member *m = &in->members[in->nmembers++];
        *m = (struct ob_member){
            .kind = (int)value_i64(r, i, 1), .key = value_dup(r, i, 0), .labels = value_dup(r, i, 2),
            .summary = value_dup(r, i, 3), .firing = (int)value_i64(r, i, 4),
            .severity = (int)value_i64(r, i, 5), .since = value_f64(r, i, 6),
            .updated = value_f64(r, i, 7), .value = value_f64(r, i, 8)};
        if (!m->key || !m->labels || !m->summary)
            rc = -1;
    }
    PQclear(r);
    if (rc < 0)
        snprintf(s->error, sizeof s->error, "reading incident members: out of memory");
    return rc;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = (*(struct ob_incident *const *)a)->id, y = (*(struct ob_incident *const *)b)->id;
    return (x > y) - (x < y);
}

static struct ob_incident *read_incident(const PGresult *r, int i)
{
    struct ob_incident *inc = calloc(1, sizeof *inc);
    if (!inc)
        return NULL;
    inc->id = value_i64(r, i, 0);
    snprintf(inc->uid, sizeof inc->uid, "%s", PQgetvalue(r, i, 1));
    inc->group_key = value_dup(r, i, 2);
    inc->repo = value_dup(r, i, 5);
    inc->external_url = value_dup(r, i, 6);
    inc->state = (int)value_i64(r, i, 7);
    inc->severity = (int)value_i64(r, i, 8);
    inc->started = value_f64(r, i, 9);
    inc->updated = value_f64(r, i, 10);
    inc->resolved = value_f64(r, i, 11);
    inc->issue_number = value_i64(r, i, 12);
    inc->issue_url = value_dup(r, i, 13);
    if (!inc->group_key || ob_kv_from_json(PQgetvalue(r, i, 3), &inc->labels, &inc->nlabels) < 0 ||
        ob_kv_from_json(PQgetvalue(r, i, 4), &inc->identifying, &inc->nidentifying) < 0) {
        ob_incident_free(inc);
        return NULL;
    }
    return inc;
}

long ob__pg_incidents(struct ob_store *s, enum store_stmt which, double d, int64_t i,
                      ob_store_incident_fn fn, void *arg)
{
    struct params p = {0};
    if (which == ST_LIVE_INCIDENTS)
        p_f64(&p, d);
    else
        p_i64(&p, i);
    PGresult *r = run(s, ob__store_sql(which), &p, 0, "reading incidents");
    if (!r)
        return -1;
    size_t n = (size_t)PQntuples(r), got = 0;
    struct ob_incident **all = calloc(n + 1, sizeof *all), **sorted = calloc(n + 1, sizeof *sorted);
    int rc = all && sorted ? 0 : -1;
    for (size_t row = 0; row < n && rc == 0; row++, got++)
        if (!(all[row] = read_incident(r, (int)row)))
            rc = -1;
    PQclear(r);
    if (rc < 0)
        snprintf(s->error, sizeof s->error, "reading incidents: a row that does not decode");
    if (rc == 0 && n) {
        memcpy(sorted, all, n * sizeof *all); /* members come in id order */
        qsort(sorted, n, sizeof *sorted, by_id);
        rc = read_members(s, sorted, n);
    }
    long taken = 0;
    for (size_t k = 0; k < got; k++) {
        if (rc < 0)
            ob_incident_free(all[k]);
        else if (fn(arg, all[k]) == 0)
            taken++;
    }
    free(all);
    free(sorted);
    return rc < 0 ? -1 : taken;
}

long ob__pg_timeline(struct ob_store *s, int64_t incident, ob_store_timeline_fn fn, void *arg)
{
    struct params p = {0};
    p_i64(&p, incident);
    PGresult *r = run(s, SQL_TIMELINE_OF, &p, 0, "reading a timeline");
    if (!r)
        return -1;
    long n = PQntuples(r);
    for (int i = 0; i < n; i++)
        fn(arg, value_f64(r, i, 0), PQgetvalue(r, i, 1), PQgetisnull(r, i, 2) ? NULL : PQgetvalue(r, i, 2),
           PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3));
    PQclear(r);
    return n;
}

/* ---- the outbox ---- */

int ob__pg_next_outbox(struct ob_store *s, double now, struct ob_outbox_item *it)
{
    struct params p = {0};
    p_f64(&p, now);
    memset(it, 0, sizeof *it);
    PGresult *r = run(s, SQL_PG_NEXT_OUTBOX, &p, 0, "reading the outbox");
    if (!r)
        return -1;
    int got = PQntuples(r) > 0;
    if (got) {
        it->id = value_i64(r, 0, 0);
        it->incident = value_i64(r, 0, 1);
        snprintf(it->action, sizeof it->action, "%s", PQgetvalue(r, 0, 2));
        it->payload = value_dup(r, 0, 3);
        it->attempts = (int)value_i64(r, 0, 4);
        it->repo = value_dup(r, 0, 5);
        it->issue_number = value_i64(r, 0, 6);
        snprintf(it->uid, sizeof it->uid, "%s", PQgetvalue(r, 0, 7));
    }
    PQclear(r);
    if (got && !it->payload) {
        free(it->repo);
        snprintf(s->error, sizeof s->error, "out of memory");
        return -1;
    }
    return got;
}

int ob__pg_outbox_attempt(struct ob_store *s, int64_t id, int attempts, double next_at,
                          const char *error)
{
    struct params p = {0};
    p_i64(&p, id);
    p_i64(&p, attempts);
    p_f64(&p, next_at);
    p_text(&p, error);
    return command(s, SQL_OUTBOX_ATTEMPT, &p, "recording a tracker attempt");
}

int ob__pg_outbox_done(struct ob_store *s, const struct ob_outbox_item *it, double now,
                       int64_t issue_number, const char *issue_url)
{
    struct params d = {0}, i = {0};
    p_i64(&d, it->id);
    p_f64(&d, now);
    p_i64(&i, it->incident);
    p_i64(&i, issue_number);
    p_text(&i, issue_url);
    if (ob__pg_begin(s) < 0)
        return -1;
    if (command(s, SQL_OUTBOX_DONE, &d, "marking a tracker action sent") < 0 ||
        (issue_number > 0 && command(s, SQL_SET_ISSUE, &i, "recording the issue") < 0)) {
        ob__pg_rollback(s);
        return -1;
    }
    return ob__pg_commit(s);
}

int ob__pg_outbox_pending(struct ob_store *s, long *n, double *oldest)
{
    PGresult *r = run(s, SQL_OUTBOX_PENDING, NULL, 0, "counting the outbox");
    *n = r && PQntuples(r) ? (long)value_i64(r, 0, 0) : 0;
    *oldest = r && PQntuples(r) ? value_f64(r, 0, 1) : 0;
    int rc = r ? 0 : -1;
    PQclear(r);
    return rc;
}
