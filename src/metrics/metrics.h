/* metrics.h - the streaming metric anomaly detector (public interface).
 *
 * One detector per series. Feed it points in arrival order; each point is
 * scored from the past only, then learned. O(1) time and a fixed-size state
 * per point (ob_detector_state_size() bytes), which saves to a versioned blob
 * and loads back with identical results. No I/O: callers bring the data. */
#ifndef OB_METRICS_H
#define OB_METRICS_H

#include <stddef.h>

struct ob_detector;

struct ob_detector_params {
    double band;      /* coverage of [yhat_lower, yhat_upper]; default 0.99 */
    double threshold; /* anomaly_score at or above which anomaly = 1 */
};

struct ob_detection {
    double yhat;          /* forecast for this point, made before seeing it */
    double yhat_lower;
    double yhat_upper;
    double anomaly_score; /* in [0, 1]; comparable across series */
    int anomaly;          /* anomaly_score >= params.threshold */
};

/* The defaults every series gets; no per-series tuning is needed. */
struct ob_detector_params ob_detector_params_default(void);

/* new: returns NULL on allocation failure or params out of range. */
struct ob_detector *ob_detector_new(const struct ob_detector_params *params);
void ob_detector_free(struct ob_detector *d);

/* Changes the threshold and band of a running or loaded model (a saved
 * model carries the params it was made with). The threshold applies from
 * the next point; the band's learned multiple moves toward the new
 * coverage over the next few hundred points. -1 (d unchanged) when out of
 * range. */
int ob_detector_set_params(struct ob_detector *d, const struct ob_detector_params *params);
struct ob_detector_params ob_detector_get_params(const struct ob_detector *d);

/* Scores then learns the point (ts: unix seconds, value: finite). */
struct ob_detection ob_detector_step(struct ob_detector *d, double ts, double value);

/* Starts fetching d's state into the cache, for a caller that will step it
 * soon and has other work meanwhile. */
void ob_detector_prefetch(const struct ob_detector *d);

/* Bytes of state kept per series. */
size_t ob_detector_state_size(void);

/* Serialises d into buf; returns the blob's size, or 0 if cap is too small
 * (ob_detector_blob_size() is always enough). */
size_t ob_detector_blob_size(void);
size_t ob_detector_save(const struct ob_detector *d, void *buf, size_t cap);
/* new: a detector from a blob written by ob_detector_save; NULL when the
 * blob is truncated, corrupt or of another version. */
struct ob_detector *ob_detector_load(const void *buf, size_t len);

#endif
