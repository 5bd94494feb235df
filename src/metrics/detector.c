/* detector.c - the streaming metric anomaly detector.
 *
 * Each point goes through three stages:
 *
 *   1. forecast (season.c): yhat from the past, and the recent mean absolute
 *      error of that forecast. The band is yhat -/+ a multiple of that error,
 *      the multiple learned online as the quantile of |error|/mae that gives
 *      the requested coverage, since real residuals have heavy tails.
 *   2. surprise: how many typical errors this point's error is, squashed to
 *      [0, 1].
 *   3. calibration (likelihood.c): the recent average surprise against its
 *      own long-run distribution, as a log tail probability in [0, 1]. Then a
 *      refractory step: while a reported peak is recent, lesser scores are
 *      damped, because one event should be reported once, not on each of
 *      the points that follow it.
 *
 * The whole state is one plain struct, so saving it is a copy. */
#include "metrics/metrics.h"

#include "metrics/rarity.h"
#include "metrics/season.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Internal knobs: one set for every series (tuned on no single file). */
#define N_FEATURES 6

struct knobs {
    double forget;        /* per point forgetting of the short rarity histograms */
    double forget_long;   /* and of the long ones */
    double smooth;        /* EWMA weight of the sustained-surprise feature */
    double score_max;     /* -log10 p that maps to anomaly_score 1 */
    double peak_decay;    /* per point decay of the last reported peak */
    double damp;          /* factor on scores under the decaying peak */
    double rest_thr;      /* a score this high starts a rest period */
    uint64_t rest;        /* points of rest, when scores are damped */
    uint64_t learn;       /* points before any score is given */
    uint64_t settle;      /* points before features enter the histograms */
    double relax;         /* per point relaxation of the extremes */
};

static struct knobs knobs_default(void)
{
    struct knobs k = {.forget = 1.0 / 300, .forget_long = 1.0 / 3000, .smooth = 0.1,
                      .score_max = 2.5, .peak_decay = 0.995, .damp = 0.0,
                      .rest_thr = 0.78, .rest = 0, .learn = 150, .settle = 30, .relax = 1.0 / 5000};
    const char *e;
    if ((e = getenv("OB_FORGET"))) k.forget = 1.0 / atof(e);
    if ((e = getenv("OB_FORGETL"))) k.forget_long = 1.0 / atof(e);
    if ((e = getenv("OB_SMOOTH"))) k.smooth = atof(e);
    if ((e = getenv("OB_SMAX"))) k.score_max = atof(e);
    if ((e = getenv("OB_DECAY"))) k.peak_decay = atof(e);
    if ((e = getenv("OB_DAMP"))) k.damp = atof(e);
    if ((e = getenv("OB_RTHR"))) k.rest_thr = atof(e);
    if ((e = getenv("OB_REST"))) k.rest = (uint64_t)atoll(e);
    if ((e = getenv("OB_LEARN"))) k.learn = (uint64_t)atoll(e);
    if ((e = getenv("OB_RELAX"))) k.relax = 1.0 / atof(e);
    if ((e = getenv("OB_SETTLE"))) k.settle = (uint64_t)atoll(e);
    return k;
}

struct ob_detector {
    struct ob_detector_params params;
    struct knobs k;
    struct ob_season season;
    struct ob_rarity rarity[2][N_FEATURES]; /* short and long memory */
    double sustained; /* EWMA of the point surprise */
    double hi, lo;    /* slowly relaxing extremes of the values seen */
    double band_q;   /* learned multiple of mae covering params.band */
    double peak;     /* last reported score, decaying */
    uint64_t resting; /* points of rest left */
    uint64_t n;
};

struct ob_detector_params ob_detector_params_default(void)
{
    return (struct ob_detector_params){.band = 0.99, .threshold = 0.78};
}

struct ob_detector *ob_detector_new(const struct ob_detector_params *params)
{
    struct ob_detector_params p = params ? *params : ob_detector_params_default();
    if (!(p.band > 0 && p.band < 1) || !(p.threshold >= 0 && p.threshold <= 1))
        return NULL;
    struct ob_detector *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->params = p;
    d->k = knobs_default();
    ob_season_init(&d->season);
    for (int i = 0; i < N_FEATURES; i++) {
        ob_rarity_init(&d->rarity[0][i]);
        ob_rarity_init(&d->rarity[1][i]);
    }
    d->band_q = 3.0;
    return d;
}

void ob_detector_free(struct ob_detector *d)
{
    free(d);
}

size_t ob_detector_state_size(void)
{
    return sizeof(struct ob_detector);
}

/* A scale below which differences are rounding, not signal. */
static double error_floor(double yhat, double mae)
{
    return fmax(mae, 1e-9 * fabs(yhat) + 1e-12);
}

/* Robbins-Monro quantile step: settles where P(u > q) = 1 - band. */
static void learn_band(struct ob_detector *d, double u)
{
    double eta = 0.01 * fmax(d->band_q, 0.1);
    if (u > d->band_q)
        d->band_q += eta * d->params.band;
    else
        d->band_q -= eta * (1 - d->params.band);
}

static double refractory(struct ob_detector *d, double score)
{
    if (d->resting > 0) {
        d->resting--;
        return score * d->k.damp;
    }
    double out = score >= d->peak ? score : score * d->k.damp;
    d->peak = fmax(score, d->peak * d->k.peak_decay);
    if (out >= d->k.rest_thr)
        d->resting = d->k.rest;
    return out;
}

/* Error of value against forecast f, in units of f's typical error. */
static double error_units(struct ob_forecast f, double value)
{
    double u = fabs(value - f.yhat) / error_floor(f.yhat, f.mae);
    return isfinite(u) ? u : 1e300; /* overflow on huge values */
}

/* Rarity of each feature, then of the rarest, corrected for the number of
 * features looked at (Bonferroni), as a score in [0, 1]. */
/* Scores feature i's value x against its short and long history (it must be
 * rare in both), then adds x to them. */
static double feature_score(struct ob_detector *d, int i, double x)
{
    double sc = fmin(ob_rarity_score(&d->rarity[0][i], x),
                     ob_rarity_score(&d->rarity[1][i], x));
    if (d->n >= d->k.settle) { /* the forecaster's first errors say nothing yet */
        ob_rarity_add(&d->rarity[0][i], x, d->k.forget);
        ob_rarity_add(&d->rarity[1][i], x, d->k.forget_long);
    }
    return sc;
}

static double rarest(struct ob_detector *d, const double feat[N_FEATURES - 1])
{
    double best = 0.0;
    for (int i = 0; i < N_FEATURES - 1; i++)
        best = fmax(best, feature_score(d, i, feat[i]));
    /* A run of moderately rare points is rare in itself. */
    d->sustained += d->k.smooth * (best - d->sustained);
    static double w = -1; if (w < 0) w = getenv("OB_SW") ? atof(getenv("OB_SW")) : 1.0;
    best = fmax(best, w * feature_score(d, N_FEATURES - 1, d->sustained * 10.0));
    return fmax(0.0, best - log10((double)N_FEATURES)) / d->k.score_max;
}

/* How far value goes beyond the extremes seen so far, in hundredths of the
 * range; then the extremes take it in and relax slowly toward the middle,
 * so an old record fades rather than masks forever. */
static void extremes(struct ob_detector *d, double value, double *over, double *under)
{
    if (d->n == 0) {
        d->hi = d->lo = value;
        return;
    }
    double range = fmax(d->hi - d->lo, 1e-9 * fabs(d->hi) + 1e-12);
    if (!isfinite(range))
        range = DBL_MAX;
    *over = fmin(1e6, fmax(0.0, (value - d->hi) / range * 100.0));
    *under = fmin(1e6, fmax(0.0, (d->lo - value) / range * 100.0));
    double mid = 0.5 * d->hi + 0.5 * d->lo;
    d->hi = fmax(value, d->hi - d->k.relax * (d->hi - mid));
    d->lo = fmin(value, d->lo + d->k.relax * (mid - d->lo));
}

struct ob_detection ob_detector_step(struct ob_detector *d, double ts, double value)
{
    struct ob_detection r;
    struct ob_forecast f = ob_season_predict(&d->season, ts);
    if (d->n == 0)
        f.yhat = value;
    double u = error_units(f, value);
    double half = d->band_q * error_floor(f.yhat, f.mae);
    r.yhat = f.yhat;
    r.yhat_lower = f.yhat - half;
    r.yhat_upper = f.yhat + half;

    double over = 0, under = 0;
    extremes(d, value, &over, &under);
    double feat[N_FEATURES] = {u, error_units(ob_season_predict_profile(&d->season, ts), value),
                               error_units(ob_season_predict_slow(&d->season, ts), value),
                               over, under};
    double score = rarest(d, feat);
    if (d->n < d->k.learn)
        score = 0.0;
    r.anomaly_score = fmin(1.0, fmax(0.0, refractory(d, score)));
    r.anomaly = r.anomaly_score >= d->params.threshold;

    if (d->n > 0)
        learn_band(d, u);
    ob_season_update(&d->season, ts, value);
    d->n++;
    return r;
}

/* Blob: magic, version, payload size, FNV-1a of the payload, payload. */
#define BLOB_MAGIC 0x4f424454u /* "OBDT" */
#define BLOB_VERSION 1u

struct blob_header {
    uint32_t magic, version, size, checksum;
};

static uint32_t fnv1a(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

size_t ob_detector_blob_size(void)
{
    return sizeof(struct blob_header) + sizeof(struct ob_detector);
}

size_t ob_detector_save(const struct ob_detector *d, void *buf, size_t cap)
{
    if (cap < ob_detector_blob_size())
        return 0;
    struct blob_header h = {BLOB_MAGIC, BLOB_VERSION, sizeof *d, fnv1a(d, sizeof *d)};
    memcpy(buf, &h, sizeof h);
    memcpy((char *)buf + sizeof h, d, sizeof *d);
    return ob_detector_blob_size();
}

struct ob_detector *ob_detector_load(const void *buf, size_t len)
{
    struct blob_header h;
    if (len != ob_detector_blob_size())
        return NULL;
    memcpy(&h, buf, sizeof h);
    if (h.magic != BLOB_MAGIC || h.version != BLOB_VERSION || h.size != sizeof(struct ob_detector))
        return NULL;
    struct ob_detector *d = malloc(sizeof *d);
    if (!d)
        return NULL;
    memcpy(d, (const char *)buf + sizeof h, sizeof *d);
    if (fnv1a(d, sizeof *d) != h.checksum) {
        free(d);
        return NULL;
    }
    return d;
}
