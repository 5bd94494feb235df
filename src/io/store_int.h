/* store_int.h - (private to src/io/store*.c) the store's handle, shared by
 * store.c (open, migrations, models), store_incidents.c (both SQLite) and
 * store_pg.c (PostgreSQL). One handle type for both backends: each public
 * function of store.h starts with `if (s->pg) return ob__pg_...`, so the
 * callers never know which one they talk to. */
#ifndef OB_STORE_INT_H
#define OB_STORE_INT_H

#include "io/store.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>

enum store_stmt {
    ST_PUT_INCIDENT,
    ST_PUT_MEMBER,
    ST_ADD_TIMELINE,
    ST_ADD_OUTBOX,
    ST_LIVE_INCIDENTS,
    ST_RECENT_INCIDENTS,
    ST_ONE_INCIDENT,
    ST_MEMBERS_OF,
    ST_TIMELINE_OF,
    ST_NEXT_OUTBOX,
    ST_OUTBOX_ATTEMPT,
    ST_OUTBOX_DONE,
    ST_SET_ISSUE,
    ST_OUTBOX_PENDING,
    ST_PUT_BLOB,
    ST_GET_BLOB,
    ST_LOCK_INCIDENTS,
    ST_INCIDENTS_REV,
    ST_CHANGED_INCIDENTS,
    ST_MAX_INCIDENT,
    ST_COUNT
};

struct ob_store {
    PGconn *pg;                   /* PostgreSQL: set, and db unused */
    pthread_mutex_t pg_mu;        /* a PGconn is one thread's at a time */
    int in_tx;                    /* PostgreSQL: between begin and commit */
    int piped;                    /* statements sent in pipeline mode, not yet read */
    int fresh;                    /* PostgreSQL: only BEGIN sent in this transaction */
    int commit_at, flush_at;      /* the COMMIT's and the flush's place in the pipeline, or -1 */
    const char *prepared[8];      /* PostgreSQL: writes prepared on this connection, by SQL */
    int nprepared, prep_unsure;   /* ...and whether a failure may have lost some */
    double pruned;                /* PostgreSQL: when store_flush was last pruned */
    int lost;                     /* the last failure was the connection's */
    int durable;                  /* PostgreSQL: commits flushed before they return */
    int turned;                   /* this transaction took the incidents' turn */
    int64_t rev;                  /* incident_rev of this transaction (lock_incidents) */
    char shard[32];               /* models' owner, "" for all ("i/N") */
    sqlite3 *db;
    sqlite3_stmt *put_model, *each_model;
    sqlite3_stmt *stmt[ST_COUNT]; /* prepared on first use */
    char error[256];
};

/* Records sqlite's message after what; returns -1. */
int ob__store_fail(struct ob_store *s, const char *what);
int ob__store_exec(struct ob_store *s, const char *sql);
/* A statement's SQL by name (store_incidents.c's table). */
const char *ob__store_sql(enum store_stmt which);

/* ---- store_pg.c: the same functions on PostgreSQL ---- */
struct ob_store *ob__pg_open(const char *url, const char *password, char *err, size_t errlen);
void ob__pg_close(struct ob_store *s);
int ob__pg_begin(struct ob_store *s);
int ob__pg_commit(struct ob_store *s);
int ob__pg_rollback(struct ob_store *s);
int ob__pg_clear_models(struct ob_store *s);
int ob__pg_put_model(struct ob_store *s, const char *series, size_t series_len, const void *blob,
                     size_t len, double updated);
long ob__pg_each_model(struct ob_store *s, ob_store_model_fn fn, void *arg);
int ob__pg_set_durable(struct ob_store *s);
int ob__pg_put_incident(struct ob_store *s, const struct ob_incident *inc);
int ob__pg_put_member(struct ob_store *s, int64_t incident, size_t seq, const struct ob_member *m);
int ob__pg_add_timeline(struct ob_store *s, int64_t incident, double at, const char *event,
                        const char *member, const char *detail);
int ob__pg_add_outbox(struct ob_store *s, int64_t incident, const char *action, const char *payload,
                      double now);
long ob__pg_incidents(struct ob_store *s, enum store_stmt which, double d, int64_t i,
                      ob_store_incident_fn fn, void *arg);
long ob__pg_timeline(struct ob_store *s, int64_t incident, ob_store_timeline_fn fn, void *arg);
int ob__pg_next_outbox(struct ob_store *s, double now, struct ob_outbox_item *it);
int ob__pg_outbox_attempt(struct ob_store *s, int64_t id, int attempts, double next_at,
                          const char *error);
int ob__pg_outbox_done(struct ob_store *s, const struct ob_outbox_item *it, double now,
                       int64_t issue_number, const char *issue_url);
int ob__pg_outbox_pending(struct ob_store *s, long *n, double *oldest);
int ob__pg_put_blob(struct ob_store *s, const char *name, const void *blob, size_t len, double now);
int ob__pg_get_blob(struct ob_store *s, const char *name, void **blob, size_t *len);
long ob__pg_prune(struct ob_store *s);
int ob__pg_int64(struct ob_store *s, enum store_stmt which, int64_t *v);

#endif
