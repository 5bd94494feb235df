/* store_sql.h - (private to store.c) every SQL statement of the store, and
 * the schema migrations in order: PRAGMA user_version counts those applied. */
#ifndef OB_STORE_SQL_H
#define OB_STORE_SQL_H

static const char *const store_migrations[] = {
    /* 1: model snapshots, one per series */
    "CREATE TABLE models ("
    "  series  TEXT PRIMARY KEY,"
    "  blob    BLOB NOT NULL,"
    "  updated REAL NOT NULL"
    ") WITHOUT ROWID;",
};

#define SQL_PUT_MODEL                                                                      \
    "INSERT INTO models(series, blob, updated) VALUES (?1, ?2, ?3) "                       \
    "ON CONFLICT(series) DO UPDATE SET blob = excluded.blob, updated = excluded.updated"
#define SQL_EACH_MODEL "SELECT series, blob FROM models"
#define SQL_CLEAR_MODELS "DELETE FROM models"

#endif
