/* serve_int.h - (private to src/cli) the daemon's state, shared by
 * cmd_serve.c (loop, /metrics) and serve_api.c (the JSON API). */
#ifndef OB_CLI_SERVE_INT_H
#define OB_CLI_SERVE_INT_H

#include "core/buf.h"
#include "io/config.h"
#include "io/expfmt.h"
#include "io/scrape.h"
#include "io/store.h"
#include "metrics/registry.h"

#include <pthread.h>
#include <stdint.h>

/* A flag stays up this long after the point that raised it: a detector
 * flags one point, and whoever scrapes opsbox less often than opsbox scrapes
 * its targets would otherwise miss it. */
#define ANOMALY_HOLD_S 60.0

struct target_stat {
    int up, seen;
    double duration, last;
    double processing;   /* seconds to parse and score the last scrape */
    long samples;        /* in the last scrape */
    uint64_t errors, scrapes;
};

struct serve {
    const char *config_path;
    uint64_t shard, shards;    /* --shard i/N; N = 1 keeps every series */
    uint64_t skipped;          /* samples of series owned by other shards */
    uint64_t stale_dropped;
    struct ob_config *cfg;
    struct ob_registry *reg;
    struct ob_store *store;
    uint64_t snapshots, snapshot_errors;
    double snapshot_seconds; /* how long the last one took */
    pthread_mutex_t lock;
    struct target_stat *stats; /* per target, in config order */
    uint64_t points, scrapes;
    struct ob_buf key;         /* scratch: the series being built */
    const struct ob_scrape_result *current;
};

/* What a series shows now: its latest result, or a flag still held from a
 * point within ANOMALY_HOLD_S (with that point's score if higher). The one
 * rule for /metrics and the API. */
void ob__serve_shown(const struct ob_series_view *v, double now, int *anomaly, double *score);

/* Answers GET /api/... into body (JSON) with s->lock held; returns the
 * HTTP status. */
int ob__serve_api(struct serve *s, const char *path, struct ob_buf *body, double now);

#endif
