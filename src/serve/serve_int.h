/* serve_int.h - (private to src/serve) the daemon's state, shared by
 * core.c (loop, reload, /metrics) and the parts in this folder. */
#ifndef OB_SERVE_SERVE_INT_H
#define OB_SERVE_SERVE_INT_H

#include "core/buf.h"
#include "core/expo.h"
#include "core/label.h"
#include "serve/serve.h"
#include "io/config.h"
#include "alerts/alerts.h"
#include "io/expfmt.h"
#include "io/httpd.h"
#include "io/scrape.h"
#include "io/remote_write.h"
#include "io/store.h"
#include "metrics/registry.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
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

struct alerts; /* alerts.c */
struct tracker; /* tracker.c */
struct logs;    /* logs.c */
struct disks;   /* disk.c */
struct prices;  /* prices.c */
struct ci;      /* ci.c */
struct querier; /* query.c */
struct rwout;   /* rw.c */
struct journal; /* journal.c */

/* A signal for the incidents: a series flagged in the scrape just parsed,
 * or a new log template. */
struct flagged {
    int kind;                  /* OB_MEMBER_ANOMALY or OB_MEMBER_LOG */
    char *key;
    char *summary;             /* NULL: "anomaly score N" */
    struct ob_kv *labels;
    size_t nlabels;
    double score;
};

/* A point whose model is on its way to the cache: scored by
 * ob__serve_flush once the next point's model is on its way too. */
struct pending_point {
    struct ob_buf key;
    long handle; /* in the registry */
    bool waiting, counter;
    double ts, value;
};

struct serve {
    const char *config_path;
    uint64_t shard, shards;    /* --shard i/N; N = 1 keeps every series */
    uint64_t skipped;          /* samples of series owned by other shards */
    uint64_t stale_dropped;
    size_t unloadable;         /* models in the store this build cannot load */
    struct ob_config *cfg;
    struct ob_registry *reg;
    struct ob_store *store;
    uint64_t snapshots, snapshot_errors;
    double snapshot_seconds; /* how long the last one took */
    pthread_mutex_t lock;
    struct target_stat *stats; /* per target, in config order */
    uint64_t points, scrapes;
    uint64_t written, writes, write_errors; /* remote write: samples, requests, refused */
    uint64_t write_invalid;                 /* remote write: samples of series left out */
    struct ob_buf key;         /* scratch: the series being built */
    struct pending_point pending; /* the point waiting for its model (model_point) */
    const struct ob_scrape_result *current;
    struct alerts *alerts;
    struct tracker *tracker;
    struct logs *logs;
    struct disks *disks;
    struct prices *prices;
    struct ci *ci;
    struct querier *querier;
    struct rwout *rwout;
    struct journal *journal;
    struct ob_webconfig *web;  /* --web.config.file: TLS and basic auth */
    struct flagged *flagged;   /* during a scrape, under lock */
    size_t nflagged;
    double started;
};

/* A part of the daemon as the core drives it: filled in at the end of its
 * file, listed in core.c's parts[] in start order. The core calls start
 * (-1: err says why) in order, and stop in reverse, also for a part whose
 * start failed half way and for one never started (stop is NULL-safe);
 * tick from the main loop, reload after a new s->cfg is published (main
 * thread), metrics for each GET /metrics (an HTTP thread, without s->lock),
 * writing its families with the one writer every part shares (core/expo.h).
 * A NULL callback is skipped. */
struct ob_loki_push;
struct ob_serve_route;
struct ob_serve_part {
    const char *name;
    int (*start)(struct serve *s, char *err, size_t errlen);
    void (*stop)(struct serve *s);
    void (*tick)(struct serve *s, double now);
    void (*reload)(struct serve *s);
    void (*metrics)(struct serve *s, struct ob_expo *e);
    /* What parts hand each other, through the core (route.c): a part never
     * calls another part; it posts to the core, which calls these of every
     * part that has them. All are called without s->lock. */
    void (*signals)(struct serve *s, struct flagged *f, size_t n); /* takes f */
    void (*event)(struct serve *s, const struct ob_webhook *w);    /* borrows w */
    void (*outbox)(struct serve *s);                               /* the outbox has work */
    int (*lines)(struct serve *s, const struct ob_loki_push *p);   /* log lines to mine */
    /* An endpoint of its own: POST to route->path (core.c's handle), or
     * GET api_path (api.c, with s->lock held). */
    const struct ob_serve_route *route;
    const char *api_path;
    json_t *(*api)(struct serve *s, const struct ob_http_request *req);
    void (*status)(struct serve *s, json_t *o); /* adds to /api/v1/status */
    /* The snapshot (with s->lock held): freeze(s, 1) before any save and
     * freeze(s, 0) after the last, so a part whose input moves another's
     * state (the journal's cursor, the miner) saves both of one moment;
     * save writes inside the store batch (0 or -1). pause stops taking
     * input before the last snapshot. own_series: a series name the part
     * models itself, which the core does not take from scrapes. */
    void (*freeze)(struct serve *s, int on);
    int (*save)(struct serve *s, double now);
    void (*pause)(struct serve *s);
    int (*own_series)(const char *name, size_t n);
};
struct ob_serve_route {
    const char *path, *usage; /* usage: the 405 answer to another method */
    const char *type;         /* the answer's content type; NULL: text */
    int (*post)(struct serve *s, const struct ob_http_request *req, struct ob_buf *body);
};
extern const struct ob_serve_part ob__part_alerts, ob__part_tracker, ob__part_logs, ob__part_disks,
    ob__part_prices, ob__part_ci, ob__part_query, ob__part_rw, ob__part_journal;
extern const struct ob_serve_part *const *const ob__parts; /* core.c's parts[] */
extern const size_t ob__nparts;

/* The core's routes (route.c): each hands its argument to the parts that
 * take it (the callbacks above). */
/* The series flagged since the last call (s->flagged, taken under
 * s->lock): whoever feeds points calls it after letting go of s->lock. */
void ob__serve_signals(struct serve *s);
void ob__serve_post_signals(struct serve *s, struct flagged *f, size_t n); /* takes f */
/* A webhook made inside opsbox (a drive turning bad, a test failing)
 * applied as if Alertmanager had sent it; w stays the caller's. */
void ob__serve_post_event(struct serve *s, const struct ob_webhook *w);
void ob__serve_outbox_ready(struct serve *s);
/* Lines from a source (the journal) mined as if pushed; 0 or -1. */
int ob__serve_post_lines(struct serve *s, const struct ob_loki_push *p);
void ob__flagged_free(struct flagged *f, size_t n);
/* What the core asks of the parts (route.c): the part whose route has
 * this path (NULL: none); the answer of the part whose api_path is
 * req->path (*found 0: none; NULL: out of memory); every part's status
 * fields; every part's save, between freezes (0 or the first failure);
 * every part's pause; 1 when a part models the series name itself. */
const struct ob_serve_route *ob__serve_route(const char *path);
json_t *ob__serve_part_api(struct serve *s, const struct ob_http_request *req, int *found);
void ob__serve_part_status(struct serve *s, json_t *o);
int ob__serve_part_save(struct serve *s, double now);
void ob__serve_part_pause(struct serve *s);
int ob__serve_own_series(const char *name, size_t n);
/* ?limit=N of an API request: fallback when absent or not a positive
 * number, at most OB_API_LIMIT_MAX. */
#define OB_API_LIMIT_MAX 10000
long ob__api_limit(const struct ob_http_request *req, long fallback);

/* The running config, kept for the caller until ob__cfg_release: a part
 * whose thread reads its settings holds the config it started with, so a
 * reload (which publishes a new s->cfg under s->lock) never frees or
 * changes what it reads. The last release of a replaced config frees it.
 * Takes s->lock: never call with s->lock or a lock taken under it held. */
struct ob_config *ob__cfg_hold(struct serve *s);
void ob__cfg_release(struct serve *s, struct ob_config *c);

/* Asks a worker thread to stop (*stop = 1 under mu, waking it on cv when
 * it sleeps on one; cv may be NULL) and waits for it to end. */
void ob__worker_stop(pthread_mutex_t *mu, pthread_cond_t *cv, int *stop, pthread_t thread);

/* Scores the point still waiting in model_point: whoever feeds points
 * (ob__serve_point) calls it before letting go of s->lock. */
void ob__serve_flush(struct serve *s);

/* The metrics: section's threshold and band for one series (an
 * ob_registry_params_fn; arg is the struct serve; call with s->lock). */
void ob__series_params(void *arg, const char *key, size_t key_len, size_t name_len,
                       struct ob_detector_params *p);

/* What a series shows now: its latest result, or a flag still held from a
 * point within ANOMALY_HOLD_S (with that point's score if higher). The one
 * rule for /metrics and the API. */
void ob__serve_shown(const struct ob_series_view *v, double now, int *anomaly, double *score);

/* Answers GET /api/... into body (JSON) with s->lock held; returns the
 * HTTP status. */
int ob__serve_api(struct serve *s, const struct ob_http_request *req, struct ob_buf *body, double now);

/* One point of series name{labels} (sorted by name), from remote write or
 * a query source: modelled like a scraped one. With s->lock held. */
void ob__serve_point(struct serve *s, const char *name, const struct ob_label *labels, size_t n,
                     double ts, double value);

#endif
