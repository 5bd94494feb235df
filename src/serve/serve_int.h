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
struct ob_serve_part {
    const char *name;
    int (*start)(struct serve *s, char *err, size_t errlen);
    void (*stop)(struct serve *s);
    void (*tick)(struct serve *s, double now);
    void (*reload)(struct serve *s);
    void (*metrics)(struct serve *s, struct ob_expo *e);
};
extern const struct ob_serve_part ob__part_alerts, ob__part_tracker, ob__part_logs, ob__part_disks,
    ob__part_prices, ob__part_ci, ob__part_query, ob__part_rw, ob__part_journal;

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

/* The Alertmanager receiver and incidents (alerts.c). start opens
 * its own store connection and brings back the live incidents. */
int ob__alerts_start(struct serve *s, char *err, size_t errlen);
void ob__alerts_stop(struct serve *s);
/* POST /v1/receiver: answers once the alerts are committed. */
int ob__alerts_receive(struct serve *s, const struct ob_http_request *req, struct ob_buf *body);
/* Hands the series flagged in the last scrape to the incidents (takes
 * s->flagged, under s->lock it takes itself); call without s->lock. */
void ob__alerts_signals(struct serve *s);
/* Applies a webhook made inside opsbox (a drive turning bad) as if
 * Alertmanager had sent it; w stays the caller's. */
void ob__alerts_submit(struct serve *s, const struct ob_webhook *w);
/* Hands over n signals (taken: freed here); call without s->lock. */
void ob__alerts_hand_signals(struct serve *s, struct flagged *f, size_t n);
void ob__alerts_metrics(struct serve *s, struct ob_expo *e);
/* Incidents firing after the last commit. */
size_t ob__alerts_open(struct serve *s);
/* Secrets from files: the first line, without its newline. NULL if unreadable. */
char *ob__read_secret(const char *path);

/* The tracker worker (tracker.c): sends the outbox to GitHub. */
int ob__tracker_start(struct serve *s, char *err, size_t errlen);
void ob__tracker_wake(struct serve *s);
void ob__tracker_stop(struct serve *s);
void ob__tracker_metrics(struct serve *s, struct ob_expo *e);

/* Logs (logs.c): POST /loki/api/v1/push, templates, their rates. */
int ob__logs_start(struct serve *s, char *err, size_t errlen);
void ob__logs_stop(struct serve *s);
int ob__logs_push(struct serve *s, const struct ob_http_request *req, struct ob_buf *body);
/* Mines lines from another source (the journal) as if pushed. */
struct ob_loki_push;
int ob__logs_feed(struct serve *s, const struct ob_loki_push *p);
/* After a reload published s->cfg: the logs: settings pushes read. */
void ob__logs_reload(struct serve *s);
/* Feeds template counts to the registry every rate_interval; takes s->lock. */
void ob__logs_tick(struct serve *s, double now);
/* Inside the snapshot's store batch. */
int ob__logs_save(struct serve *s, double now);
void ob__logs_metrics(struct serve *s, struct ob_expo *e);
json_t *ob__logs_templates_json(struct serve *s, long limit);
/* name is the template-rate series that the daemon models itself. */
int ob__logs_is_own(const char *name, size_t n);

/* One point of series name{labels} (sorted by name), from remote write or
 * a query source: modelled like a scraped one. With s->lock held. */
void ob__serve_point(struct serve *s, const char *name, const struct ob_label *labels, size_t n,
                     double ts, double value);

/* Query sources (query.c): backfill, then follow. */
int ob__query_start(struct serve *s, char *err, size_t errlen);
void ob__query_stop(struct serve *s);
void ob__query_metrics(struct serve *s, struct ob_expo *e);

/* The systemd journal (journal.c) into the miner, its cursor saved
 * with the miner so a restart neither skips nor repeats. */
int ob__journal_start(struct serve *s, char *err, size_t errlen);
void ob__journal_stop(struct serve *s); /* the reading; the cursor stays */
void ob__journal_free(struct serve *s);
/* Inside the snapshot's store batch: the miner (ob__logs_save) and the
 * journal's cursor, of the same moment. */
int ob__journal_save(struct serve *s, double now);

/* Remote write out (rw.c): the outputs, queued on disk, sent. */
int ob__rw_start(struct serve *s, char *err, size_t errlen);
void ob__rw_stop(struct serve *s);
void ob__rw_tick(struct serve *s, double now);
void ob__rw_metrics(struct serve *s, struct ob_expo *e);

/* Disks (disk.c): SMART on a schedule, scored, on /metrics. */
int ob__disks_start(struct serve *s, char *err, size_t errlen);
void ob__disks_stop(struct serve *s);
void ob__disks_tick(struct serve *s, double now);
void ob__disks_metrics(struct serve *s, struct ob_expo *e);
json_t *ob__disks_json(struct serve *s);
/* Prices (prices.c): price files re-read by a worker, the cheapest
 * fit and the latest findings on /metrics and /api/v1/prices. */
int ob__prices_start(struct serve *s, char *err, size_t errlen);
void ob__prices_stop(struct serve *s);
void ob__prices_metrics(struct serve *s, struct ob_expo *e);
json_t *ob__prices_json(struct serve *s);
/* CI test results (ci.c): a folder of runs on a schedule, analysed,
 * on /metrics; an incident for a lasting new failure. */
int ob__ci_start(struct serve *s, char *err, size_t errlen);
void ob__ci_stop(struct serve *s);
void ob__ci_tick(struct serve *s, double now);
void ob__ci_metrics(struct serve *s, struct ob_expo *e);

#endif
