/* store.h - where the daemon keeps what it learned: model snapshots, one
 * row per series. SQLite in WAL mode now; the interface is the seam where a
 * PostgreSQL backend for several replicas will go. */
#ifndef OB_STORE_H
#define OB_STORE_H

#include <stddef.h>

struct ob_store;

/* Opens (creating, migrating) the store at path. NULL with err on failure. */
struct ob_store *ob_store_open(const char *path, char *err, size_t errlen);
void ob_store_close(struct ob_store *s);

/* Writes a batch of model snapshots atomically: begin, put..., commit. A
 * crash between begin and commit leaves the previous snapshot whole. */
int ob_store_begin(struct ob_store *s);
/* Inside a batch: forgets every model, so the batch that follows is the
 * whole set (series dropped as stale do not come back on restart). */
int ob_store_clear_models(struct ob_store *s);
int ob_store_put_model(struct ob_store *s, const char *series, size_t series_len,
                       const void *blob, size_t len, double updated);
int ob_store_commit(struct ob_store *s);
void ob_store_rollback(struct ob_store *s);

typedef int (*ob_store_model_fn)(void *arg, const char *series, size_t series_len,
                                 const void *blob, size_t len);
/* Calls fn for every saved model; returns the number read, or -1. */
long ob_store_each_model(struct ob_store *s, ob_store_model_fn fn, void *arg);

/* The last error, for logs. */
const char *ob_store_error(const struct ob_store *s);

#endif
