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

#include "metrics/likelihood.h"
#include "metrics/season.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Internal knobs: one set for every series (tuned on no single file). */
struct knobs {
    double u0, u1;        /* surprise ramps from 0 at u0 to 1 at u1 typical errors */
    int short_len;        /* points averaged by the likelihood */
    double long_alpha;    /* memory of the likelihood's long-run fit */
    double min_std;       /* floor on the long-run std of the average */
    double peak_decay;    /* per point decay of the last reported peak */
    double damp;          /* factor on scores under the decaying peak */
    uint64_t learn;       /* points before any score is given */
};

static struct knobs knobs_default(void)
{
    struct knobs k = {1.0, 8.0, 10, 1.0 / 2000, 0.03, 0.995, 0.0, 150};
    const char *e;
    if ((e = getenv("OB_U0"))) k.u0 = atof(e);
    if ((e = getenv("OB_U1"))) k.u1 = atof(e);
    if ((e = getenv("OB_SHORT"))) k.short_len = atoi(e);
    if ((e = getenv("OB_LONG"))) k.long_alpha = 1.0 / atof(e);
    if ((e = getenv("OB_MINSTD"))) k.min_std = atof(e);
    if ((e = getenv("OB_DECAY"))) k.peak_decay = atof(e);
    if ((e = getenv("OB_DAMP"))) k.damp = atof(e);
    if ((e = getenv("OB_LEARN"))) k.learn = (uint64_t)atoll(e);
    return k;
}

struct ob_detector {
    struct ob_detector_params params;
    struct knobs k;
    struct ob_season season;
    struct ob_likelihood lik;
    double band_q;   /* learned multiple of mae covering params.band */
    double peak;     /* last reported score, decaying */
    uint64_t n;
};

struct ob_detector_params ob_detector_params_default(void)
{
    return (struct ob_detector_params){.band = 0.99, .threshold = 0.5};
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
    ob_likelihood_init(&d->lik);
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

static double surprise(const struct knobs *k, double u)
{
    if (!(u > k->u0))
        return 0.0;
    return u >= k->u1 ? 1.0 : (u - k->u0) / (k->u1 - k->u0);
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
    double out = score >= d->peak ? score : score * d->k.damp;
    d->peak = fmax(score, d->peak * d->k.peak_decay);
    return out;
}

struct ob_detection ob_detector_step(struct ob_detector *d, double ts, double value)
{
    struct ob_detection r;
    struct ob_forecast f = ob_season_predict(&d->season, ts);
    if (d->n == 0)
        f.yhat = value;
    double scale = error_floor(f.yhat, f.mae);
    double u = fabs(value - f.yhat) / scale;
    if (!isfinite(u))
        u = d->k.u1; /* overflow on huge values: as surprising as it gets */
    double half = d->band_q * scale;
    r.yhat = f.yhat;
    r.yhat_lower = f.yhat - half;
    r.yhat_upper = f.yhat + half;

    double tail = ob_likelihood_step(&d->lik, surprise(&d->k, u), d->k.short_len,
                                     d->k.long_alpha, d->k.learn, d->k.min_std);
    double score = log10(tail + 1e-10) / -10.0;
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
