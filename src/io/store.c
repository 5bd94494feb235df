/* store.c - the SQLite store (and where a target chooses its backend).
 *
 * WAL mode with synchronous=NORMAL: a commit survives a process crash (kill
 * -9) and the database never corrupts; a power cut may lose the last
 * commits, which for model snapshots only costs some learning. Statements
 * are prepared once. The schema moves forward by the migrations in
 * store_sql.h, each applied in its own transaction with user_version. */
#include "io/store.h"

#include "io/store_int.h"
#include "io/store_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ob__store_fail(struct ob_store *s, const char *what)
{
    snprintf(s->error, sizeof s->error, "%s: %s", what, sqlite3_errmsg(s->db));
    return -1;
}

int ob__store_exec(struct ob_store *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(s->error, sizeof s->error, "%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int migrate(struct ob_store *s)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return ob__store_fail(s, "reading the schema version");
    int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    int known = (int)(sizeof store_migrations / sizeof store_migrations[0]);
    if (version > known) {
        snprintf(s->error, sizeof s->error,
                 "schema version %d is newer than this opsbox knows (%d)", version, known);
        return -1;
    }
    for (int v = version; v < known; v++) {
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
        if (ob__store_exec(s, "BEGIN IMMEDIATE") < 0)
            return -1;
        if (ob__store_exec(s, store_migrations[v]) < 0 || ob__store_exec(s, bump) < 0 || ob__store_exec(s, "COMMIT") < 0) {
            ob__store_exec(s, "ROLLBACK");
            return -1;
        }
    }
    return 0;
}

int ob_store_is_url(const char *target)
{
    return !strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11);
}

struct ob_store *ob_store_connect(const char *target, const char *password_file, char *err,
                                  size_t errlen)
{
    if (!ob_store_is_url(target))
        return ob_store_open(target, err, errlen);
    char *password = NULL;
    if (password_file) {
        FILE *f = fopen(password_file, "r");
        char line[1024];
        if (!f || !fgets(line, sizeof line, f)) {
            snprintf(err, errlen, "store_password_file %s: cannot read", password_file);
            if (f)
                fclose(f);
            return NULL;
        }
        fclose(f);
        line[strcspn(line, "\r\n")] = '\0';
        password = strdup(line);
        memset(line, 0, sizeof line);
    }
    struct ob_store *s = ob__pg_open(target, password, err, errlen);
    if (password) {
        memset(password, 0, strlen(password));
        free(password);
    }
    return s;
}

int ob_store_unavailable(const struct ob_store *s)
{
    return s->lost;
}

void ob_store_set_shard(struct ob_store *s, const char *tag)
{
    snprintf(s->shard, sizeof s->shard, "%s", tag ? tag : "");
}

struct ob_store *ob_store_open(const char *path, char *err, size_t errlen)
{
    if (ob_store_is_url(path))
        return ob_store_connect(path, NULL, err, errlen);
    struct ob_store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK)
        ob__store_fail(s, "opening");
    /* Nothing is written once the schema is current: a reader opens beside
     * the daemon's writer (BEGIN IMMEDIATE) without waiting for its turn. */
    else if (ob__store_exec(s, "PRAGMA journal_mode = WAL") < 0 || ob__store_exec(s, "PRAGMA synchronous = NORMAL") < 0 ||
             sqlite3_busy_timeout(s->db, 5000) != SQLITE_OK || migrate(s) < 0)
        rc = SQLITE_ERROR;
    else if (sqlite3_prepare_v2(s->db, SQL_PUT_MODEL, -1, &s->put_model, NULL) != SQLITE_OK ||
             sqlite3_prepare_v2(s->db, SQL_EACH_MODEL, -1, &s->each_model, NULL) != SQLITE_OK)
        rc = ob__store_fail(s, "preparing statements");
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "store %s: %s", path, s->error);
        ob_store_close(s);
        return NULL;
    }
    return s;
}

void ob_store_close(struct ob_store *s)
{
    if (!s)
        return;
    if (s->pg) {
        ob__pg_close(s);
        return;
    }
    sqlite3_finalize(s->put_model);
    sqlite3_finalize(s->each_model);
    for (size_t i = 0; i < sizeof s->stmt / sizeof s->stmt[0]; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close(s->db);
    free(s);
}

int ob_store_begin(struct ob_store *s)
{
    if (s->pg)
        return ob__pg_begin(s);
    return ob__store_exec(s, "BEGIN IMMEDIATE");
}

int ob_store_commit(struct ob_store *s)
{
    if (s->pg)
        return ob__pg_commit(s);
    return ob__store_exec(s, "COMMIT");
}

int ob_store_rollback(struct ob_store *s)
{
    if (s->pg)
        return ob__pg_rollback(s);
    ob__store_exec(s, "ROLLBACK"); /* one writer: what it read is already durable */
    return 0;
}

int ob_store_clear_models(struct ob_store *s)
{
    if (s->pg)
        return ob__pg_clear_models(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, SQL_CLEAR_MODELS, -1, &st, NULL) != SQLITE_OK)
        return ob__store_fail(s, "clearing models");
    int rc = sqlite3_bind_text(st, 1, s->shard, -1, SQLITE_STATIC) == SQLITE_OK ? sqlite3_step(st) : SQLITE_ERROR;
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : ob__store_fail(s, "clearing models");
}

int ob_store_put_model(struct ob_store *s, const char *series, size_t series_len,
                       const void *blob, size_t len, double updated)
{
    if (s->pg)
        return ob__pg_put_model(s, series, series_len, blob, len, updated);
    sqlite3_stmt *st = s->put_model;
    sqlite3_reset(st);
    if (sqlite3_bind_text(st, 1, series, (int)series_len, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_blob(st, 2, blob, (int)len, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_double(st, 3, updated) != SQLITE_OK ||
        sqlite3_bind_text(st, 4, s->shard, -1, SQLITE_STATIC) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
        return ob__store_fail(s, "saving a model");
    return 0;
}

long ob_store_each_model(struct ob_store *s, ob_store_model_fn fn, void *arg)
{
    if (s->pg)
        return ob__pg_each_model(s, fn, arg);
    sqlite3_stmt *st = s->each_model;
    long n = 0;
    int rc;
    sqlite3_reset(st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *series = (const char *)sqlite3_column_text(st, 0);
        int series_len = sqlite3_column_bytes(st, 0);
        const void *blob = sqlite3_column_blob(st, 1);
        int len = sqlite3_column_bytes(st, 1);
        if (series && fn(arg, series, (size_t)series_len, blob, (size_t)len) == 0)
            n++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? n : ob__store_fail(s, "reading models");
}

const char *ob_store_error(const struct ob_store *s)
{
    return s->error;
}
