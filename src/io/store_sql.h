/* store_sql.h - (private to src/io/store*.c) every SQL statement of the
 * store, and the schema migrations in order: PRAGMA user_version (SQLite)
 * or the opsbox_schema row (PostgreSQL) counts those applied. Both
 * backends have the same versions; each migration is written once per
 * dialect where the types differ (REAL/BLOB against DOUBLE PRECISION/BYTEA),
 * once for both where they do not. */
#ifndef OB_STORE_SQL_H
#define OB_STORE_SQL_H

static const char *const store_migrations[] = {
    /* 1: model snapshots, one per series */
    "CREATE TABLE models ("
    "  series  TEXT PRIMARY KEY,"
    "  blob    BLOB NOT NULL,"
    "  updated REAL NOT NULL"
    ") WITHOUT ROWID;",
    /* 2: incidents, their members and timeline, and the tracker outbox */
    "CREATE TABLE incidents ("
    "  id INTEGER PRIMARY KEY, uid TEXT NOT NULL, group_key TEXT NOT NULL,"
    "  labels TEXT NOT NULL, identifying TEXT NOT NULL, repo TEXT, external_url TEXT,"
    "  state INTEGER NOT NULL, severity INTEGER NOT NULL,"
    "  started REAL NOT NULL, updated REAL NOT NULL, resolved REAL NOT NULL,"
    "  issue_number INTEGER, issue_url TEXT);"
    "CREATE INDEX incidents_state ON incidents(state, resolved);"
    "CREATE TABLE members ("
    "  incident INTEGER NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL, labels TEXT NOT NULL, summary TEXT NOT NULL,"
    "  firing INTEGER NOT NULL, severity INTEGER NOT NULL,"
    "  since REAL NOT NULL, updated REAL NOT NULL, value REAL NOT NULL,"
    "  PRIMARY KEY (incident, key)) WITHOUT ROWID;"
    "CREATE TABLE timeline ("
    "  id INTEGER PRIMARY KEY, incident INTEGER NOT NULL, at REAL NOT NULL,"
    "  event TEXT NOT NULL, member TEXT, detail TEXT);"
    "CREATE INDEX timeline_incident ON timeline(incident, id);"
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY, incident INTEGER NOT NULL, action TEXT NOT NULL,"
    "  payload TEXT NOT NULL, created REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_at REAL NOT NULL DEFAULT 0, last_error TEXT, done REAL);"
    "CREATE INDEX outbox_pending ON outbox(incident, done, id);"
    "CREATE INDEX outbox_due ON outbox(next_at, id) WHERE done IS NULL;",
    /* 3: other capabilities' saved state, one blob each (the log miner) */
    "CREATE TABLE blobs ("
    "  name    TEXT PRIMARY KEY,"
    "  blob    BLOB NOT NULL,"
    "  updated REAL NOT NULL"
    ") WITHOUT ROWID;",
#define STORE_MIGRATION_4 /* the same text in both dialects */                           \
    /* 4: replicas. Incident rows carry the revision that last wrote them   \
     * (incident_rev counts, and its one row is the writers' turn lock); an \
     * incident has one "open" action at most; models say whose shard. */   \
    "ALTER TABLE incidents ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;"                         \
    "CREATE INDEX incidents_rev ON incidents(rev);"                                           \
    "CREATE TABLE incident_rev (v BIGINT NOT NULL);"                                          \
    "INSERT INTO incident_rev VALUES (0);"                                                    \
    "CREATE UNIQUE INDEX outbox_one_open ON outbox(incident) WHERE action = 'open';"          \
    "ALTER TABLE models ADD COLUMN shard TEXT NOT NULL DEFAULT '';"
    STORE_MIGRATION_4,
#define STORE_MIGRATION_5 /* the same text in both dialects */                           \
    /* 5: a row per PostgreSQL connection that a durable commit's flush    \
     * writes (store_pg.c: commits that release the turn before their      \
     * fsync); SQLite leaves it empty. */                                  \
    "CREATE TABLE store_flush (conn BIGINT PRIMARY KEY, n BIGINT NOT NULL);"
    STORE_MIGRATION_5,
};

/* The same versions for PostgreSQL. */
static const char *const store_pg_migrations[] = {
    /* 1 */
    "CREATE TABLE models (series TEXT PRIMARY KEY, blob BYTEA NOT NULL,"
    "  updated DOUBLE PRECISION NOT NULL);",
    /* 2 */
    "CREATE TABLE incidents ("
    "  id BIGINT PRIMARY KEY, uid TEXT NOT NULL, group_key TEXT NOT NULL,"
    "  labels TEXT NOT NULL, identifying TEXT NOT NULL, repo TEXT, external_url TEXT,"
    "  state INTEGER NOT NULL, severity INTEGER NOT NULL, started DOUBLE PRECISION NOT NULL,"
    "  updated DOUBLE PRECISION NOT NULL, resolved DOUBLE PRECISION NOT NULL,"
    "  issue_number BIGINT, issue_url TEXT);"
    "CREATE INDEX incidents_state ON incidents(state, resolved);"
    "CREATE TABLE members ("
    "  incident BIGINT NOT NULL, key TEXT NOT NULL, seq BIGINT NOT NULL,"
    "  kind INTEGER NOT NULL, labels TEXT NOT NULL, summary TEXT NOT NULL,"
    "  firing INTEGER NOT NULL, severity INTEGER NOT NULL, since DOUBLE PRECISION NOT NULL,"
    "  updated DOUBLE PRECISION NOT NULL, value DOUBLE PRECISION NOT NULL,"
    "  PRIMARY KEY (incident, key));"
    "CREATE TABLE timeline ("
    "  id BIGSERIAL PRIMARY KEY, incident BIGINT NOT NULL, at DOUBLE PRECISION NOT NULL,"
    "  event TEXT NOT NULL, member TEXT, detail TEXT);"
    "CREATE INDEX timeline_incident ON timeline(incident, id);"
    "CREATE TABLE outbox ("
    "  id BIGSERIAL PRIMARY KEY, incident BIGINT NOT NULL, action TEXT NOT NULL,"
    "  payload TEXT NOT NULL, created DOUBLE PRECISION NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_at DOUBLE PRECISION NOT NULL DEFAULT 0,"
    "  last_error TEXT, done DOUBLE PRECISION);"
    "CREATE INDEX outbox_pending ON outbox(incident, done, id);"
    "CREATE INDEX outbox_due ON outbox(next_at, id) WHERE done IS NULL;",
    /* 3 */
    "CREATE TABLE blobs (name TEXT PRIMARY KEY, blob BYTEA NOT NULL,"
    "  updated DOUBLE PRECISION NOT NULL);",
    STORE_MIGRATION_4,
    STORE_MIGRATION_5,
};

_Static_assert(sizeof store_migrations == sizeof store_pg_migrations,
               "both backends have the same schema versions");

/* Statements are written once, with SQLite's ?N parameters; store_pg.c
 * reads them as PostgreSQL's $N. */
#define SQL_PUT_MODEL                                                                      \
    "INSERT INTO models(series, blob, updated, shard) VALUES (?1, ?2, ?3, ?4) "            \
    "ON CONFLICT(series) DO UPDATE SET blob = excluded.blob, updated = excluded.updated, "  \
    "shard = excluded.shard"
#define SQL_EACH_MODEL "SELECT series, blob FROM models"
#define SQL_CLEAR_MODELS "DELETE FROM models WHERE shard = ?1"
#define SQL_PUT_BLOB                                                                       \
    "INSERT INTO blobs(name, blob, updated) VALUES (?1, ?2, ?3) "                           \
    "ON CONFLICT(name) DO UPDATE SET blob = excluded.blob, updated = excluded.updated"
#define SQL_GET_BLOB "SELECT blob FROM blobs WHERE name = ?1"


#define SQL_PUT_INCIDENT                                                                   \
    "INSERT INTO incidents(id, uid, group_key, labels, identifying, repo, external_url, "     \
    "state, severity, started, updated, resolved, rev) "                                     \
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "                        \
    "ON CONFLICT(id) DO UPDATE SET state = excluded.state, severity = excluded.severity, "    \
    "updated = excluded.updated, resolved = excluded.resolved, rev = excluded.rev"
#define SQL_PUT_MEMBER                                                                     \
    "INSERT INTO members(incident, key, seq, kind, labels, summary, firing, severity, since, " \
    "updated, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "                  \
    "ON CONFLICT(incident, key) DO UPDATE SET firing = excluded.firing, "                     \
    "severity = excluded.severity, updated = excluded.updated, value = excluded.value"
#define SQL_ADD_TIMELINE                                                                   \
    "INSERT INTO timeline(incident, at, event, member, detail) VALUES (?1, ?2, ?3, ?4, ?5)"
#define SQL_ADD_OUTBOX                                                                     \
    "INSERT INTO outbox(incident, action, payload, created) VALUES (?1, ?2, ?3, ?4) "        \
    "ON CONFLICT DO NOTHING" /* outbox_one_open */
#define SQL_INCIDENT_COLUMNS                                                               \
    "SELECT id, uid, group_key, labels, identifying, repo, external_url, state, severity, "   \
    "started, updated, resolved, issue_number, issue_url FROM incidents "
/* Live incidents: firing, or resolved since ?1; in id order so the latest
 * incident of a group is restored last and wins its groupKey. */
#define SQL_LIVE_INCIDENTS SQL_INCIDENT_COLUMNS "WHERE state = 0 OR resolved >= ?1 ORDER BY id"
#define SQL_RECENT_INCIDENTS SQL_INCIDENT_COLUMNS "ORDER BY id DESC LIMIT ?1"
#define SQL_ONE_INCIDENT SQL_INCIDENT_COLUMNS "WHERE id = ?1"
#define SQL_CHANGED_INCIDENTS SQL_INCIDENT_COLUMNS "WHERE rev > ?1 ORDER BY id"
/* The row lock of the update is the turn: a second writer waits for the
 * first's commit, then reads the count it left. */
#define SQL_LOCK_INCIDENTS "UPDATE incident_rev SET v = v + 1 RETURNING v"
#define SQL_INCIDENTS_REV "SELECT v FROM incident_rev"
/* PostgreSQL: a durable one-row write on this connection's own row; its
 * commit flushes the WAL up to it, so every commit before it too. */
#define SQL_PG_FLUSH                                                                       \
    "INSERT INTO store_flush VALUES (pg_backend_pid(), 1) "                                  \
    "ON CONFLICT (conn) DO UPDATE SET n = store_flush.n + 1"
/* PostgreSQL: the flush rows of backends that ended (store_pg.c). */
#define SQL_PG_PRUNE_FLUSH                                                                 \
    "DELETE FROM store_flush WHERE conn NOT IN (SELECT pid FROM pg_stat_activity)"
/* SQLite: no connection writes a flush row; any there is left over. */
#define SQL_PRUNE_FLUSH "DELETE FROM store_flush"
#define SQL_MAX_INCIDENT "SELECT coalesce(max(id), 0) FROM incidents"
#define SQL_TIMELINE_OF                                                                    \
    "SELECT at, event, member, detail FROM timeline WHERE incident = ?1 ORDER BY id"
#define SQL_MEMBERS_OF                                                                     \
    "SELECT key, kind, labels, summary, firing, severity, since, updated, value "            \
    "FROM members WHERE incident = ?1 ORDER BY seq"
/* The oldest pending action of each incident is the only one eligible:
 * actions of one incident go out in order. */
#define SQL_NEXT_OUTBOX                                                                    \
    "SELECT o.id, o.incident, o.action, o.payload, o.attempts, i.repo, i.issue_number, i.uid " \
    "FROM outbox o JOIN incidents i ON i.id = o.incident "                                   \
    "WHERE o.done IS NULL AND o.next_at <= ?1 AND o.id = "                                   \
    "(SELECT MIN(id) FROM outbox WHERE incident = o.incident AND done IS NULL) "             \
    "ORDER BY o.next_at, o.id LIMIT 1" /* by outbox_due: pending rows only */
#define SQL_OUTBOX_ATTEMPT                                                                 \
    "UPDATE outbox SET attempts = ?2, next_at = ?3, last_error = ?4 WHERE id = ?1"
#define SQL_OUTBOX_DONE "UPDATE outbox SET done = ?2, last_error = NULL WHERE id = ?1"
#define SQL_SET_ISSUE "UPDATE incidents SET issue_number = ?2, issue_url = ?3 WHERE id = ?1"
#define SQL_OUTBOX_PENDING "SELECT count(*), min(created) FROM outbox WHERE done IS NULL"
/* PostgreSQL: the due action is claimed as it is taken. SKIP LOCKED lets
 * another replica's worker pass over a row being claimed instead of
 * waiting and then taking it too; the claim (next_at a minute on) keeps
 * it from the others until the taker records its attempt. */
#define SQL_PG_NEXT_OUTBOX                                                                 \
    "WITH c AS (UPDATE outbox SET next_at = $1 + 60 WHERE id = ("                            \
    "  SELECT o.id FROM outbox o WHERE o.done IS NULL AND o.next_at <= $1 AND o.id = "       \
    "  (SELECT MIN(id) FROM outbox WHERE incident = o.incident AND done IS NULL) "          \
    "  ORDER BY o.next_at, o.id LIMIT 1 FOR UPDATE SKIP LOCKED) "                          \
    "  RETURNING id, incident, action, payload, attempts) "                                  \
    "SELECT c.id, c.incident, c.action, c.payload, c.attempts, i.repo, i.issue_number, i.uid " \
    "FROM c JOIN incidents i ON i.id = c.incident"

#endif
