/* store.h - where the daemon keeps what it learned: model snapshots, one
 * row per series, incidents, the tracker outbox, other capabilities' state.
 * Two backends behind this one interface: an embedded SQLite file (WAL
 * mode; the default) and a PostgreSQL database that several replicas share
 * (store_pg.c). Same schema versions, same migrations. */
#ifndef OB_STORE_H
#define OB_STORE_H

#include <stddef.h>
#include <stdint.h>

struct ob_store;

/* Opens (creating, migrating) the store at path. NULL with err on failure. */
struct ob_store *ob_store_open(const char *path, char *err, size_t errlen);
/* The same for a target that may be a PostgreSQL URL
 * (postgresql://user@host:port/db?sslmode=...): its password comes from
 * password_file (first line) when given, else libpq's PGPASSWORD or
 * ~/.pgpass. A URL that holds a password itself is refused, so a target is
 * never a secret and may be logged. A lost connection is made again by
 * the next call (which fails while the server is away). */
struct ob_store *ob_store_connect(const char *target, const char *password_file, char *err,
                                  size_t errlen);
/* 1 when target names a PostgreSQL database rather than a file. */
int ob_store_is_url(const char *target);
/* 1 when the last failure was that the database could not be reached
 * (retry later: a receiver answers 503), 0 for any other. */
int ob_store_unavailable(const struct ob_store *s);
/* The models this handle saves and clears belong to shard tag ("i/N"; ""
 * when the process models every series), so that replicas sharing one
 * store keep each other's models. */
void ob_store_set_shard(struct ob_store *s, const char *tag);
void ob_store_close(struct ob_store *s);

/* Writes a batch of model snapshots atomically: begin, put..., commit. A
 * crash between begin and commit leaves the previous snapshot whole. */
int ob_store_begin(struct ob_store *s);
/* Inside a batch: forgets every model of this handle's shard, so the batch
 * that follows is the whole set (series dropped as stale do not come back
 * on restart). */
int ob_store_clear_models(struct ob_store *s);
int ob_store_put_model(struct ob_store *s, const char *series, size_t series_len,
                       const void *blob, size_t len, double updated);
int ob_store_commit(struct ob_store *s);
/* Ends the transaction without writing. Returns -1 when what it read (another
 * replica's commit) could not be made durable: do not answer on it. */
int ob_store_rollback(struct ob_store *s);

typedef int (*ob_store_model_fn)(void *arg, const char *series, size_t series_len,
                                 const void *blob, size_t len);
/* Calls fn for every saved model; returns the number read, or -1. */
long ob_store_each_model(struct ob_store *s, ob_store_model_fn fn, void *arg);

/* ---- incidents (alerts/alerts.h), written in the same transaction as the
 * outbox actions they cause ---- */

struct ob_incident;
struct ob_member;

/* synchronous=FULL on this connection: a commit survives a power cut too.
 * For what opsbox has acknowledged to a sender (alerts). Its commits leave
 * checkpoints to ob_store_checkpoint, which another connection (thread)
 * calls every second or so, without blocking writers. */
int ob_store_set_durable(struct ob_store *s);
int ob_store_checkpoint(struct ob_store *s);

/* Deletes the store's own bookkeeping that nothing needs any more (on
 * PostgreSQL the store_flush rows of connections that ended; see
 * store_pg.c). Returns the rows deleted, or -1. On PostgreSQL each
 * connection does it as it is made and ob_store_checkpoint every minute;
 * SQLite writes no such rows, and its open writes nothing (a reader must
 * not wait for the writer's turn), so there only an explicit call does. */
long ob_store_prune(struct ob_store *s);

/* Upserts the incident's row (not its members) / one member (at index seq). */
int ob_store_put_incident(struct ob_store *s, const struct ob_incident *inc);
int ob_store_put_member(struct ob_store *s, int64_t incident, size_t seq, const struct ob_member *m);
int ob_store_add_timeline(struct ob_store *s, int64_t incident, double at, const char *event,
                          const char *member, const char *detail);
/* An incident has one "open" action at most: a second is ignored. */
int ob_store_add_outbox(struct ob_store *s, int64_t incident, const char *action,
                        const char *payload, double now);

/* Replicas writing incidents take turns. Inside a batch, before reading
 * or writing any: waits for the other writers' transactions, then gives in
 * rev this one's revision (the previous one is rev - 1). Incident rows
 * written in the batch carry it, so a replica that last saw revision r
 * reads what changed since with ob_store_changed_incidents(r). */
int ob_store_lock_incidents(struct ob_store *s, int64_t *rev);
/* The revision of the last committed incident change. */
int ob_store_incidents_rev(struct ob_store *s, int64_t *rev);
/* The highest incident id ever stored (0 when none): new ids go past it. */
int ob_store_max_incident_id(struct ob_store *s, int64_t *id);

/* Calls fn with each incident, members included, as a malloc'd struct that
 * fn then owns (ob_incident_free). Returns the number read, or -1.
 *   live:   firing, or resolved at or after since; in id order.
 *   recent: newest first, at most limit.
 *   one:    the incident with id (0 or 1 calls). */
typedef int (*ob_store_incident_fn)(void *arg, struct ob_incident *inc);
long ob_store_live_incidents(struct ob_store *s, double since, ob_store_incident_fn fn, void *arg);
long ob_store_recent_incidents(struct ob_store *s, long limit, ob_store_incident_fn fn, void *arg);
long ob_store_one_incident(struct ob_store *s, int64_t id, ob_store_incident_fn fn, void *arg);
/*   changed: written after revision since; in id order. */
long ob_store_changed_incidents(struct ob_store *s, int64_t since, ob_store_incident_fn fn, void *arg);

typedef void (*ob_store_timeline_fn)(void *arg, double at, const char *event, const char *member,
                                     const char *detail);
long ob_store_timeline(struct ob_store *s, int64_t incident, ob_store_timeline_fn fn, void *arg);
/* The same as a JSON array of {at, event, member, detail}, oldest first
 * (new; struct json_t is jansson's json_t). */
struct json_t;
struct json_t *ob_store_timeline_json(struct ob_store *s, int64_t incident);

/* The outbox: tracker actions, sent in order per incident. */
struct ob_outbox_item {
    int64_t id, incident, issue_number; /* issue_number 0 until opened */
    char action[16];                    /* open, comment, close, reopen */
    char *payload;                      /* JSON, malloc'd */
    char *repo;                         /* the incident's, or NULL */
    char uid[17];
    int attempts;
};
/* The next action due at now: 1 (item filled; free payload and repo), 0
 * when none is due, -1 on error. Several workers on one store never get
 * the same action: it is claimed (its next_at moved a minute on) as it is
 * taken, and the worker then records its attempt. */
int ob_store_next_outbox(struct ob_store *s, double now, struct ob_outbox_item *it);
int ob_store_outbox_attempt(struct ob_store *s, int64_t id, int attempts, double next_at,
                            const char *error);
/* Marks the action sent and, when issue_number > 0, records the issue on
 * its incident, in one transaction. */
int ob_store_outbox_done(struct ob_store *s, const struct ob_outbox_item *it, double now,
                         int64_t issue_number, const char *issue_url);
/* Pending actions and the creation time of the oldest (0 when none). */
int ob_store_outbox_pending(struct ob_store *s, long *n, double *oldest);

/* Named state of other capabilities (the log miner): put inside a batch
 * (begin/commit); get gives 1 and a malloc'd copy, 0 when absent, -1. */
int ob_store_put_blob(struct ob_store *s, const char *name, const void *blob, size_t len, double now);
int ob_store_get_blob(struct ob_store *s, const char *name, void **blob, size_t *len);

/* The last error, for logs. */
const char *ob_store_error(const struct ob_store *s);

#endif
