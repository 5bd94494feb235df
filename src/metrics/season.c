/* season.c - the forecaster: level + daily profile + weekly profile.
 *
 * Why a bank of smoothers: some series wander like a random walk (the best
 * forecast is the last value), others are noise around a mean (the best is a
 * long average). Running a few smoothing speeds side by side, with and
 * without the seasonal profile, and using whichever has had the smallest
 * recent error costs a few multiplications and needs no tuning per series.
 *
 * The profile is indexed by wall-clock time of day and weekday, so it needs
 * no period search and survives gaps and irregular sampling. Bins are
 * interpolated linearly so the forecast has no steps at bin edges. */
#include "metrics/minmax.h"
#include "metrics/season.h"

#include <float.h>
#include <math.h>
#include <string.h>

static const double level_alpha[OB_SEASON_LEVELS] = {0.002, 0.02, 0.1, 0.3, 0.7};
#define ERR_ALPHA 0.02 /* ~50 points of memory for choosing a predictor */
#define DAY_GAMMA 0.05   /* learning rate of a profile bin per visit */
#define WEEK_GAMMA 0.01

/* Values near DBL_MAX are input too: differences of two of them overflow, so
 * they are clamped, and averages are taken as weighted sums, which cannot. */
static double clamp(double v)
{
    return ob_max(-DBL_MAX, ob_min(DBL_MAX, v));
}

static double finite_diff(double a, double b)
{
    return clamp(a - b);
}

static double mix(double old, double x, double w)
{
    return (1 - w) * old + w * x;
}

/* Offsets are floats: they are differences, and the profile is most of
 * the state; a series beyond FLT_MAX saturates its profile, not a crash. */
static float nudge(float old, double e, double w)
{
    return (float)ob_max(-FLT_MAX, ob_min(FLT_MAX, (double)old + w * e));
}

void ob_season_init(struct ob_season *s)
{
    memset(s, 0, sizeof *s);
}

struct ob_season_clock ob_season_clock(double ts)
{
    struct ob_season_clock c;
    c.ts = ts;
    if (!isfinite(ts))
        ts = 0;
    double days = floor(ts / 86400.0);
    double sec = ob_min(ob_max(ts - days * 86400.0, 0.0), 86399.999);
    double w = fmod(fmod(days + 4.0, 7.0) + 7.0, 7.0); /* 1970-01-01: Thursday */
    c.wday = w >= 0 && w < 7 ? (int)w : 0;
    /* Bin centres sit at half-bins; interpolate between the two around. */
    double p = sec / (86400.0 / OB_SEASON_DAY_BINS) - 0.5;
    double f = floor(p);
    c.w1 = p - f;
    c.b0 = ((int)f + OB_SEASON_DAY_BINS) % OB_SEASON_DAY_BINS;
    c.b1 = (c.b0 + 1) % OB_SEASON_DAY_BINS;
    return c;
}

static double seasonal_at(const struct ob_season *s, const struct ob_season_clock *c)
{
    return clamp((1 - c->w1) * s->day[c->b0] + c->w1 * s->day[c->b1] + s->week[c->wday]);
}

struct ob_forecast ob_season_predict(const struct ob_season *s, const struct ob_season_clock *c)
{
    struct ob_forecast f;
    double off = s->best_seasonal ? seasonal_at(s, c) : 0.0;
    f.yhat = clamp(s->level[s->best_seasonal][s->best_level] + off);
    f.mae = s->err[s->best_seasonal][s->best_level];
    return f;
}

struct ob_forecast ob_season_predict_slow(const struct ob_season *s, const struct ob_season_clock *c)
{
    struct ob_forecast f;
    int k = s->best_seasonal;
    f.yhat = clamp(s->level[k][0] + (k ? seasonal_at(s, c) : 0.0));
    f.mae = s->err[k][0];
    return f;
}

#define PROFILE_LEVEL 1

struct ob_forecast ob_season_predict_profile(const struct ob_season *s,
                                             const struct ob_season_clock *c)
{
    struct ob_forecast f;
    f.yhat = clamp(s->level[1][PROFILE_LEVEL] + seasonal_at(s, c));
    /* Never below the overall error: a bin seldom visited knows little. */
    f.mae = ob_max((1 - c->w1) * s->day_err[c->b0] + c->w1 * s->day_err[c->b1],
                 s->err[1][PROFILE_LEVEL]);
    return f;
}

static void learn_profile_error(struct ob_season *s, const struct ob_season_clock *c, double x)
{
    double e = ob_min(fabs(finite_diff(x, ob_season_predict_profile(s, c).yhat)), FLT_MAX);
    s->day_err[c->b0] = (float)mix(s->day_err[c->b0], e, DAY_GAMMA * (1 - c->w1));
    s->day_err[c->b1] = (float)mix(s->day_err[c->b1], e, DAY_GAMMA * c->w1);
}

static void learn_profile(struct ob_season *s, const struct ob_season_clock *c, double resid)
{
    double e = finite_diff(resid, seasonal_at(s, c));
    s->day[c->b0] = nudge(s->day[c->b0], e, DAY_GAMMA * (1 - c->w1));
    s->day[c->b1] = nudge(s->day[c->b1], e, DAY_GAMMA * c->w1);
    s->week[c->wday] = nudge(s->week[c->wday], e, WEEK_GAMMA);
}

static void choose_best(struct ob_season *s)
{
    double best = INFINITY;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < OB_SEASON_LEVELS; i++)
            if (s->err[k][i] < best) {
                best = s->err[k][i];
                s->best_level = i;
                s->best_seasonal = k;
            }
}

/* Seasonal predictors compete only once a whole day has been seen; before
 * that their error is held just above the plain one. */
void ob_season_update(struct ob_season *s, const struct ob_season_clock *c, double x)
{
    double ts = c->ts;
    if (s->n++ == 0) {
        for (int i = 0; i < OB_SEASON_LEVELS; i++)
            s->level[0][i] = s->level[1][i] = x;
        s->first_ts = ts;
        return;
    }
    /* Early on, the error averages are plain means, not EWMAs pulled to 0. */
    double ea = ob_max(ERR_ALPHA, 1.0 / (double)(s->n - 1));
    learn_profile_error(s, c, x);
    double off = seasonal_at(s, c);
    int ready = ts - s->first_ts >= 86400.0;
    for (int i = 0; i < OB_SEASON_LEVELS; i++) {
        double e_plain = fabs(finite_diff(x, s->level[0][i]));
        double e_seas = ready ? fabs(finite_diff(finite_diff(x, off), s->level[1][i]))
                              : ob_min(DBL_MAX, e_plain * 1.01);
        s->err[0][i] = mix(s->err[0][i], e_plain, ea);
        s->err[1][i] = mix(s->err[1][i], e_seas, ea);
        s->level[0][i] = mix(s->level[0][i], x, level_alpha[i]);
        s->level[1][i] = mix(s->level[1][i], finite_diff(x, off), level_alpha[i]);
    }
    learn_profile(s, c, finite_diff(x, s->level[1][0]));
    choose_best(s);
}
