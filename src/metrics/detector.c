/* detector.c - the streaming metric anomaly detector.
 *
 * Each point goes through four stages, all O(1):
 *
 *   1. forecast (season.c): yhat from the past, and the recent mean absolute
 *      error of that forecast. The band is yhat -/+ a multiple of that error,
 *      the multiple learned online as the quantile of |error|/mae that gives
 *      the requested coverage, because real residuals have heavy tails.
 *   2. features, each >= 0 and larger when stranger: the error against the
 *      best forecast, against the time-of-day profile, and against the
 *      long-run level (in typical errors); how far the value goes beyond the
 *      highest and the lowest seen lately (in hundredths of the range).
 *   3. rarity (rarity.c): each feature against its own history, short and
 *      long; a point must be rare in both. The rarest feature wins, with a
 *      Bonferroni correction for having looked at several. Two more ways to
 *      be rare: four of the five point features near their tops at once,
 *      and a value far beyond the recent range, however often that has
 *      happened before. A run of moderately rare points is itself a
 *      feature (the "sustained" one), the role HTM's anomaly likelihood
 *      plays for Numenta's detector.
 *   4. refractory: while the last reported peak is recent, lesser scores are
 *      dropped, and for a while after a report only a clearly stronger one
 *      is reported, so one event is reported once rather than on each point
 *      of its aftermath.
 *
 * The constants below are one set for every series, chosen on the whole NAB
 * corpus with its own scorer, never per file. The whole state is one plain
 * struct, so saving it is a copy. */
#include "metrics/metrics.h"

#include "metrics/minmax.h"
#include "metrics/rarity.h"
#include "metrics/season.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { F_FORECAST, F_PROFILE, F_LEVEL, F_OVER, F_UNDER, F_SUSTAINED, N_FEATURES };
_Static_assert(N_FEATURES == OB_RARITY_FEATURES, "one rarity histogram per feature");

#define FORGET_SHORT (1.0 / 300)   /* rarity memory, points: about a day at 5 min */
#define FORGET_LONG (1.0 / 3000)
#define SUSTAIN_ALPHA 0.1          /* EWMA weight of the sustained rarity */
#define SCORE_MAX 2.5              /* -log10 p mapped to anomaly_score 1 */
#define PEAK_DECAY 0.995           /* per point decay of the last reported peak */
#define LEARN_POINTS 150           /* no score before this many points */
#define SETTLE_POINTS 30           /* the forecaster's first errors say nothing yet */
#define EXTREME_RELAX (1.0 / 5000) /* per point relaxation of the extremes */
#define JUMP_MIN 15.0              /* beyond the range by 15 % of it: rare by itself */
#define HOLD_POINTS 50             /* quiet points after a report... */
#define HOLD_BREAK 0.2             /* ...unless a score this far above the last peak */

struct ob_detector {
    struct ob_detector_params params;
    struct ob_season season;
    struct ob_rarity rarity[2]; /* short and long memory */
    double sustained;  /* EWMA of the per-point rarity */
    double hi, lo;     /* slowly relaxing extremes of the values seen */
    double band_q;     /* learned multiple of mae covering params.band */
    double peak;       /* last reported score, decaying */
    uint32_t quiet;    /* points left to hold after a report */
    uint64_t n;
};

struct ob_detector_params ob_detector_params_default(void)
{
    return (struct ob_detector_params){.band = 0.99, .threshold = 0.6795};
}

static bool params_ok(const struct ob_detector_params *p)
{
    return p->band > 0 && p->band < 1 && p->threshold >= 0 && p->threshold <= 1;
}

struct ob_detector *ob_detector_new(const struct ob_detector_params *params)
{
    struct ob_detector_params p = params ? *params : ob_detector_params_default();
    if (!params_ok(&p))
        return NULL;
    struct ob_detector *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->params = p;
    ob_season_init(&d->season);
    ob_rarity_init(&d->rarity[0]);
    ob_rarity_init(&d->rarity[1]);
    d->band_q = 3.0;
    return d;
}

int ob_detector_set_params(struct ob_detector *d, const struct ob_detector_params *params)
{
    if (!params_ok(params))
        return -1;
    d->params = *params;
    return 0;
}

struct ob_detector_params ob_detector_get_params(const struct ob_detector *d)
{
    return d->params;
}

void ob_detector_free(struct ob_detector *d)
{
    free(d);
}

static void prefetch_range(const void *from, const void *to)
{
    for (const char *p = from; p < (const char *)to; p += 64)
        __builtin_prefetch(p, 1);
    __builtin_prefetch((const char *)to - 1, 1);
}

/* The rarity bins a point nearly always stays in: forecast errors under
 * about 6 typical errors, values within the range seen. */
#define PREFETCH_BINS 12

/* What a usual point reads: all but the high bins of the histograms, which
 * are most of the state; a rare point fetches those itself. */
void ob_detector_prefetch(const struct ob_detector *d)
{
    prefetch_range(d, &d->rarity[0]);
    for (int k = 0; k < 2; k++)
        prefetch_range(&d->rarity[k], &d->rarity[k].at_or_above[PREFETCH_BINS]);
    prefetch_range(&d->sustained, d + 1);
}

size_t ob_detector_state_size(void)
{
    return sizeof(struct ob_detector);
}

/* A scale below which differences are rounding, not signal. */
static double error_floor(double yhat, double mae)
{
    return ob_max(mae, 1e-9 * fabs(yhat) + 1e-12);
}

/* Error of value against forecast f, in units of f's typical error. */
static double error_units(struct ob_forecast f, double value)
{
    double u = fabs(value - f.yhat) / error_floor(f.yhat, f.mae);
    return isfinite(u) ? u : 1e300; /* overflow on huge values */
}

/* Robbins-Monro quantile step: settles where P(u > q) = 1 - band. */
static void learn_band(struct ob_detector *d, double u)
{
    double eta = 0.01 * ob_max(d->band_q, 0.1);
    if (u > d->band_q)
        d->band_q += eta * d->params.band;
    else
        d->band_q -= eta * (1 - d->params.band);
}

/* How far value goes beyond the extremes seen so far, in hundredths of the
 * range; then the extremes take it in and relax slowly toward the middle,
 * so an old record fades rather than masks forever. */
static void extremes(struct ob_detector *d, double value, double *over, double *under)
{
    *over = *under = 0;
    if (d->n == 0) {
        d->hi = d->lo = value;
        return;
    }
    double range = ob_max(d->hi - d->lo, 1e-9 * fabs(d->hi) + 1e-12);
    if (!isfinite(range))
        range = DBL_MAX;
    *over = ob_min(1e6, ob_max(0.0, (value - d->hi) / range * 100.0));
    *under = ob_min(1e6, ob_max(0.0, (d->lo - value) / range * 100.0));
    double mid = 0.5 * d->hi + 0.5 * d->lo;
    d->hi = ob_max(value, d->hi - EXTREME_RELAX * (d->hi - mid));
    d->lo = ob_min(value, d->lo + EXTREME_RELAX * (mid - d->lo));
}

/* The tail probability of feature i's value, by its bin, against its short
 * and long history: it must be rare in both, so the larger one. */
static double feature_tail(const struct ob_detector *d, int i, int bin)
{
    return ob_max(ob_rarity_tail(&d->rarity[0], i, bin), ob_rarity_tail(&d->rarity[1], i, bin));
}

/* The second largest of the point features' tails: four of the five are
 * at least this rare. Over and under exclude each other, so that is the
 * three errors and one extreme together. */
static double second_largest(const double tails[F_SUSTAINED])
{
    double first = 0, second = 0;
    for (int i = 0; i < F_SUSTAINED; i++) {
        if (tails[i] > first) {
            second = first;
            first = tails[i];
        } else if (tails[i] > second) {
            second = tails[i];
        }
    }
    return second;
}

/* The smallest tail of the point features (their bins into bin[]), or
 * smaller when they agree or the value jumps far out of range.
 *
 * Why agreement: each feature alone saturates at the short memory's top,
 * and near that top single features flag noise as often as events; four
 * near it at once is how most real events look, so it counts one step
 * rarer than the fourth alone. Why a jump: after a series leaves its
 * range, the extremes relax back, while the histogram still holds that
 * departure, so leaving the range again by as much is no surprise to it;
 * yet leaving the recent range by JUMP_MIN % of it or more is what an
 * operator calls an anomaly. It counts one step beyond the short memory's
 * top, and further the further it goes. */
static double point_tail(const struct ob_detector *d, const double feat[N_FEATURES],
                         int bin[N_FEATURES])
{
    double tails[F_SUSTAINED];
    double tail = 1.0;
    for (int i = 0; i < F_SUSTAINED; i++) {
        bin[i] = ob_rarity_bin(feat[i]);
        tails[i] = feature_tail(d, i, bin[i]);
        tail = ob_min(tail, tails[i]);
    }
    tail = ob_min(tail, second_largest(tails) * OB_RARITY_STEP);
    double jump = ob_max(feat[F_OVER], feat[F_UNDER]);
    if (jump >= JUMP_MIN)
        tail = ob_min(tail, FORGET_SHORT * OB_RARITY_STEP * JUMP_MIN / jump);
    return tail;
}

/* The rarest feature, corrected for the number looked at, in [0, 1]; then
 * the features join their histories. Rarity is -log10 of the tail: taken
 * once, of the smallest tail. */
static double rarest(struct ob_detector *d, const double feat[N_FEATURES])
{
    int bin[N_FEATURES];
    double best = ob_max(0.0, -log10(point_tail(d, feat, bin)));
    d->sustained += SUSTAIN_ALPHA * (best - d->sustained);
    /* x10 spreads tenths of a decade over the quarter-octave bins. */
    bin[F_SUSTAINED] = ob_rarity_bin(d->sustained * 10.0);
    best = ob_max(best, -log10(feature_tail(d, F_SUSTAINED, bin[F_SUSTAINED])));
    if (d->n >= SETTLE_POINTS) {
        ob_rarity_add(&d->rarity[0], bin, FORGET_SHORT);
        ob_rarity_add(&d->rarity[1], bin, FORGET_LONG);
    }
    return ob_min(1.0, ob_max(0.0, best - log10((double)N_FEATURES)) / SCORE_MAX);
}

static double refractory(struct ob_detector *d, double score)
{
    double out = score >= d->peak ? score : 0.0;
    bool stronger = score >= d->peak + HOLD_BREAK;
    d->peak = ob_max(score, d->peak * PEAK_DECAY);
    if (d->quiet > 0 && !stronger) {
        d->quiet--;
        return 0.0;
    }
    if (out >= d->params.threshold)
        d->quiet = HOLD_POINTS;
    return out;
}

struct ob_detection ob_detector_step(struct ob_detector *d, double ts, double value)
{
    struct ob_detection r;
    struct ob_season_clock c = ob_season_clock(ts);
    struct ob_forecast f = ob_season_predict(&d->season, &c);
    if (d->n == 0)
        f.yhat = value;
    double u = error_units(f, value);
    double half = d->band_q * error_floor(f.yhat, f.mae);
    r.yhat = f.yhat;
    r.yhat_lower = f.yhat - half;
    r.yhat_upper = f.yhat + half;

    double feat[N_FEATURES] = {0};
    feat[F_FORECAST] = u;
    feat[F_PROFILE] = error_units(ob_season_predict_profile(&d->season, &c), value);
    feat[F_LEVEL] = error_units(ob_season_predict_slow(&d->season, &c), value);
    extremes(d, value, &feat[F_OVER], &feat[F_UNDER]);
    double score = rarest(d, feat);
    if (d->n < LEARN_POINTS)
        score = 0.0;
    r.anomaly_score = refractory(d, score);
    r.anomaly = r.anomaly_score >= d->params.threshold;

    if (d->n > 0)
        learn_band(d, u);
    ob_season_update(&d->season, &c, value);
    d->n++;
    return r;
}

/* Blob: magic, version, payload size, FNV-1a of the payload, payload. The
 * payload is the struct as laid out on this machine: the daemon reloads its
 * own state; moving state between architectures is not a goal. */
#define BLOB_MAGIC 0x4f424454u /* "OBDT" */
#define BLOB_VERSION 4u /* 2: one weight and total per rarity set; 3: weights summed from the top; 4: hold */

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
