/* registry.h - one detector per series, found by the series' identity
 * (name and sorted labels), with its latest result. No I/O, no locking:
 * the daemon serialises access. */
#ifndef OB_METRICS_REGISTRY_H
#define OB_METRICS_REGISTRY_H

#include "metrics/metrics.h"

#include <stddef.h>
#include <stdint.h>

struct ob_registry;

struct ob_series_view {
    const char *key;               /* "name{a=\"1\",b=\"2\"}", borrowed */
    size_t name_len;               /* the name is key[0..name_len) */
    double last_ts, last_value;
    struct ob_detection last;      /* result for the latest point */
    double flagged_ts;             /* time of the latest point flagged; 0 if none */
    double flagged_score;          /* and its anomaly_score */
    uint64_t points;
};

struct ob_registry *ob_registry_new(const struct ob_detector_params *params);
void ob_registry_free(struct ob_registry *r);

/* Picks one series' params, starting from the registry's in *p; the key is
 * "name{labels}" with the name key[0..name_len). */
typedef void (*ob_registry_params_fn)(void *arg, const char *key, size_t key_len,
                                      size_t name_len, struct ob_detector_params *p);
/* With fn set (NULL: none), every series gets its params from fn: a new
 * one, one restored from a saved model (fn's choice replaces the saved
 * params), and all of them at ob_registry_apply_params (after the rules
 * changed). Params fn gives out of range are ignored. */
void ob_registry_set_params_fn(struct ob_registry *r, ob_registry_params_fn fn, void *arg);
void ob_registry_apply_params(struct ob_registry *r);

/* Scores the point of series key (name_len: length of its name part),
 * creating the model at once for a new series. Returns 1 when the point is
 * flagged, else 0; -1 on OOM. */
int ob_registry_observe(struct ob_registry *r, const char *key, size_t key_len, size_t name_len,
                        double ts, double value);

/* 1 when a series named name (n bytes) is a counter by Prometheus's naming
 * conventions (_total, _count, _sum, _bucket): the daemon models its rate,
 * not its raw value (ob_registry_observe_counter). A name that is only the
 * suffix is not one. */
int ob_metric_is_counter(const char *name, size_t n);

/* For counters: models the per-second rate between this raw value and the
 * previous one; the first point and counter resets only set the baseline.
 * Returns as ob_registry_observe. */
int ob_registry_observe_counter(struct ob_registry *r, const char *key, size_t key_len,
                                size_t name_len, double ts, double raw);

/* The same in two steps, for a caller with many points in a row: find (or
 * create) the series and start fetching its model into the cache, then
 * score the point. Finding the next series between the two overlaps one
 * model's fetch with another's scoring: at 10k series and more, models do
 * not stay in cache and the fetch is most of a point's cost. A handle is
 * valid until series are dropped; -1 when the series cannot be made. */
long ob_registry_prepare(struct ob_registry *r, const char *key, size_t key_len, size_t name_len);
int ob_registry_observe_prepared(struct ob_registry *r, long handle, double ts, double value);
int ob_registry_observe_counter_prepared(struct ob_registry *r, long handle, double ts, double raw);

/* Brings back series key with the model saved by ob_detector_save, as seen
 * at now; -1 if the blob is not a model this build can load, or on OOM. */
int ob_registry_restore(struct ob_registry *r, const char *key, size_t key_len, const void *blob,
                        size_t len, double now);

/* Drops the series last seen before `before` (a point's time, or the
 * restore time), models and all. Returns how many. Positions change. */
size_t ob_registry_drop_unseen(struct ob_registry *r, double before);

typedef int (*ob_registry_model_fn)(void *arg, const char *key, size_t key_len, const void *blob,
                                    size_t len);
/* Calls fn with every series and its saved model; stops at fn's first
 * non-zero return and gives it back; -1 on OOM. */
int ob_registry_each_model(const struct ob_registry *r, ob_registry_model_fn fn, void *arg);

/* Each series keeps its latest points and results for charts: this many
 * (16 bytes each), 0 for none. Changing it empties the histories. */
#define OB_REGISTRY_HISTORY_DEFAULT 64
void ob_registry_set_history(struct ob_registry *r, uint32_t points);

typedef void (*ob_registry_point_fn)(void *arg, double ts, double value, double yhat,
                                     double yhat_lower, double yhat_upper, int anomaly);
/* Calls fn for the held points of series key, oldest first; returns how
 * many, or -1 when there is no such series. */
long ob_registry_history(const struct ob_registry *r, const char *key, size_t key_len,
                         ob_registry_point_fn fn, void *arg);

size_t ob_registry_size(const struct ob_registry *r);
/* Series i (0 <= i < size), borrowed until the next observe. */
struct ob_series_view ob_registry_get(const struct ob_registry *r, size_t i);

#endif
