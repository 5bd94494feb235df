/* registry.c - the daemon's models, one per series, created on first sight,
 * each with a short history of its points and results for the web page
 * (a ring of history_points; 16 bytes a point). */
#include "metrics/registry.h"

#include "core/strmap.h"

#include <stdlib.h>
#include <string.h>

/* A point of the history: time as milliseconds after the ring's base (the
 * top bit is the anomaly flag), values as floats: a chart needs no more.
 * The band is symmetric about yhat, so its half width is enough. */
struct hpoint {
    uint32_t dt_ms;
    float value, yhat, half;
};

#define HFLAG 0x80000000u
#define HMAX_MS 0x7fffffffu

struct history {
    double base;
    uint32_t head, n;        /* next slot; points held */
    struct hpoint p[];
};

struct series {
    char *key;
    struct history *hist;    /* NULL until the first point, or when off */
    struct ob_detector *det;
    uint32_t name_len;       /* keys are far shorter than 4 GiB */
    uint32_t has_raw;
    double last_ts, last_value;
    double raw_ts, raw;      /* counters: the previous raw reading */
    struct ob_detection last;
    double flagged_ts, flagged_score;
    double seen;             /* time of the latest point or baseline */
    uint64_t points;
};

struct ob_registry {
    struct ob_detector_params params;
    ob_registry_params_fn params_fn;
    void *params_arg;
    uint32_t history_points;
    struct ob_strmap *index; /* key -> position in series[] */
    struct series *series;
    size_t n, cap;
};

struct ob_registry *ob_registry_new(const struct ob_detector_params *params)
{
    struct ob_registry *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->params = params ? *params : ob_detector_params_default();
    r->history_points = OB_REGISTRY_HISTORY_DEFAULT;
    if (!(r->index = ob_strmap_new())) {
        free(r);
        return NULL;
    }
    return r;
}

void ob_registry_free(struct ob_registry *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->series[i].key);
        free(r->series[i].hist);
        ob_detector_free(r->series[i].det);
    }
    free(r->series);
    ob_strmap_free(r->index);
    free(r);
}

void ob_registry_set_params_fn(struct ob_registry *r, ob_registry_params_fn fn, void *arg)
{
    r->params_fn = fn;
    r->params_arg = arg;
}

static void pick_params(const struct ob_registry *r, struct series *s, size_t key_len)
{
    if (!r->params_fn)
        return;
    struct ob_detector_params p = r->params;
    r->params_fn(r->params_arg, s->key, key_len, s->name_len, &p);
    ob_detector_set_params(s->det, &p); /* out of range: kept as it was */
}

void ob_registry_apply_params(struct ob_registry *r)
{
    for (size_t i = 0; i < r->n; i++)
        pick_params(r, &r->series[i], strlen(r->series[i].key));
}

static struct series *add_series(struct ob_registry *r, const char *key, size_t len, size_t name_len)
{
    if (r->n == r->cap) {
        size_t c = r->cap ? r->cap * 2 : 256;
        struct series *s = realloc(r->series, c * sizeof *s);
        if (!s)
            return NULL;
        r->series = s;
        r->cap = c;
    }
    struct series *s = &r->series[r->n];
    memset(s, 0, sizeof *s);
    s->key = malloc(len + 1);
    s->det = ob_detector_new(&r->params);
    if (s->key) {
        memcpy(s->key, key, len);
        s->key[len] = '\0';
    }
    if (!s->key || !s->det || ob_strmap_put_ref(r->index, s->key, len, (uint32_t)r->n) < 0) {
        free(s->key);
        ob_detector_free(s->det);
        return NULL;
    }
    s->name_len = (uint32_t)name_len;
    pick_params(r, s, len);
    r->n++;
    return s;
}

static struct series *find_or_add(struct ob_registry *r, const char *key, size_t key_len,
                                  size_t name_len)
{
    uint32_t i;
    return ob_strmap_get(r->index, key, key_len, &i) ? &r->series[i]
                                                     : add_series(r, key, key_len, name_len);
}

/* Moves the ring's base up to its oldest point, so offsets fit again. */
static void rebase(struct history *h, uint32_t cap)
{
    uint32_t oldest = (h->head + cap - h->n) % cap;
    uint32_t shift = h->p[oldest].dt_ms & ~HFLAG;
    for (uint32_t i = 0; i < h->n; i++) {
        struct hpoint *q = &h->p[(oldest + i) % cap];
        q->dt_ms = ((q->dt_ms & ~HFLAG) - shift) | (q->dt_ms & HFLAG);
    }
    h->base += shift / 1000.0;
}

static void remember(const struct ob_registry *r, struct series *s, double ts, double value)
{
    uint32_t cap = r->history_points;
    if (!cap)
        return;
    if (!s->hist) {
        if (!(s->hist = calloc(1, sizeof *s->hist + cap * sizeof s->hist->p[0])))
            return; /* no history is no harm */
        s->hist->base = ts;
    }
    struct history *h = s->hist;
    if (ts < h->base)
        return; /* out of order, older than the ring */
    if ((ts - h->base) * 1000.0 > HMAX_MS) {
        rebase(h, cap);
        if ((ts - h->base) * 1000.0 > HMAX_MS) { /* a long gap: start over */
            h->n = h->head = 0;
            h->base = ts;
        }
    }
    h->p[h->head] = (struct hpoint){
        (uint32_t)((ts - h->base) * 1000.0 + 0.5) | (s->last.anomaly ? HFLAG : 0), (float)value,
        (float)s->last.yhat, (float)(0.5 * (s->last.yhat_upper - s->last.yhat_lower))};
    h->head = (h->head + 1) % cap;
    if (h->n < cap)
        h->n++;
}

/* Returns 1 when the point is flagged. */
static int step(const struct ob_registry *r, struct series *s, double ts, double value)
{
    s->last = ob_detector_step(s->det, ts, value);
    remember(r, s, ts, value);
    if (s->last.anomaly) {
        s->flagged_ts = ts;
        s->flagged_score = s->last.anomaly_score;
    }
    s->last_ts = ts;
    s->last_value = value;
    s->points++;
    return s->last.anomaly;
}

long ob_registry_prepare(struct ob_registry *r, const char *key, size_t key_len, size_t name_len)
{
    struct series *s = find_or_add(r, key, key_len, name_len);
    if (!s)
        return -1;
    ob_detector_prefetch(s->det);
    return s - r->series;
}

int ob_registry_observe_prepared(struct ob_registry *r, long handle, double ts, double value)
{
    struct series *s = &r->series[handle];
    s->seen = ts;
    return step(r, s, ts, value);
}

int ob_registry_observe_counter_prepared(struct ob_registry *r, long handle, double ts, double raw)
{
    struct series *s = &r->series[handle];
    int flagged = 0;
    if (s->has_raw && ts > s->raw_ts && raw >= s->raw)
        flagged = step(r, s, ts, (raw - s->raw) / (ts - s->raw_ts));
    s->raw = raw;
    s->raw_ts = ts;
    s->has_raw = 1;
    s->seen = ts;
    return flagged;
}

int ob_registry_observe(struct ob_registry *r, const char *key, size_t key_len, size_t name_len,
                        double ts, double value)
{
    long h = ob_registry_prepare(r, key, key_len, name_len);
    return h < 0 ? -1 : ob_registry_observe_prepared(r, h, ts, value);
}

int ob_registry_observe_counter(struct ob_registry *r, const char *key, size_t key_len,
                                size_t name_len, double ts, double raw)
{
    long h = ob_registry_prepare(r, key, key_len, name_len);
    return h < 0 ? -1 : ob_registry_observe_counter_prepared(r, h, ts, raw);
}

int ob_registry_restore(struct ob_registry *r, const char *key, size_t key_len, const void *blob,
                        size_t len, double now)
{
    const char *brace = memchr(key, '{', key_len);
    struct ob_detector *det = ob_detector_load(blob, len);
    uint32_t i;
    if (!det || !brace || ob_strmap_get(r->index, key, key_len, &i)) {
        ob_detector_free(det);
        return -1;
    }
    struct series *s = add_series(r, key, key_len, (size_t)(brace - key));
    if (!s) {
        ob_detector_free(det);
        return -1;
    }
    ob_detector_free(s->det);
    s->det = det;
    pick_params(r, s, key_len);
    s->seen = now;
    return 0;
}

/* Removes series i: the last one moves into its place. */
static void remove_at(struct ob_registry *r, size_t i)
{
    struct series *s = &r->series[i];
    ob_strmap_del(r->index, s->key, strlen(s->key));
    free(s->key);
    free(s->hist);
    ob_detector_free(s->det);
    if (i != --r->n) {
        *s = r->series[r->n];
        /* Same key, so no allocation: the slot exists and is overwritten. */
        (void)ob_strmap_put_ref(r->index, s->key, strlen(s->key), (uint32_t)i);
    }
}

size_t ob_registry_drop_unseen(struct ob_registry *r, double before)
{
    size_t dropped = 0;
    for (size_t i = 0; i < r->n;) {
        if (r->series[i].seen < before) {
            remove_at(r, i);
            dropped++;
        } else {
            i++;
        }
    }
    return dropped;
}

int ob_registry_each_model(const struct ob_registry *r, ob_registry_model_fn fn, void *arg)
{
    size_t cap = ob_detector_blob_size();
    void *blob = malloc(cap);
    if (!blob)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        size_t len = ob_detector_save(r->series[i].det, blob, cap);
        rc = fn(arg, r->series[i].key, strlen(r->series[i].key), blob, len);
    }
    free(blob);
    return rc;
}

size_t ob_registry_size(const struct ob_registry *r)
{
    return r->n;
}

struct ob_series_view ob_registry_get(const struct ob_registry *r, size_t i)
{
    const struct series *s = &r->series[i];
    return (struct ob_series_view){s->key,     s->name_len,   s->last_ts,         s->last_value,
                                   s->last,    s->flagged_ts, s->flagged_score, s->points};
}

void ob_registry_set_history(struct ob_registry *r, uint32_t points)
{
    if (points == r->history_points)
        return;
    for (size_t i = 0; i < r->n; i++) { /* a new length: the rings start over */
        free(r->series[i].hist);
        r->series[i].hist = NULL;
    }
    r->history_points = points;
}

long ob_registry_history(const struct ob_registry *r, const char *key, size_t key_len,
                         ob_registry_point_fn fn, void *arg)
{
    uint32_t i;
    if (!ob_strmap_get(r->index, key, key_len, &i))
        return -1;
    const struct history *h = r->series[i].hist;
    uint32_t cap = r->history_points;
    if (!h)
        return 0;
    for (uint32_t k = 0; k < h->n; k++) {
        const struct hpoint *q = &h->p[(h->head + cap - h->n + k) % cap];
        fn(arg, h->base + (q->dt_ms & ~HFLAG) / 1000.0, q->value, q->yhat, q->yhat - q->half,
           q->yhat + q->half, (q->dt_ms & HFLAG) != 0);
    }
    return h->n;
}

int ob_metric_is_counter(const char *name, size_t n)
{
    static const char *const suffixes[] = {"_total", "_count", "_sum", "_bucket"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t k = strlen(suffixes[i]);
        if (n > k && !memcmp(name + n - k, suffixes[i], k))
            return 1;
    }
    return 0;
}
