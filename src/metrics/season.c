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
#include "metrics/season.h"

#include <float.h>
#include <math.h>
#include <string.h>

static const double level_alpha[OB_SEASON_LEVELS] = {0.002, 0.02, 0.1, 0.3, 0.7};
static double ERR_ALPHA = 0.02; /* ~50 points of memory for choosing a predictor */
#define DAY_GAMMA 0.05   /* learning rate of a profile bin per visit */
#define WEEK_GAMMA 0.01

/* Values near DBL_MAX are input too: differences of two of them overflow, so
 * they are clamped, and averages are taken as weighted sums, which cannot. */
static double finite_diff(double a, double b)
{
    return fmax(-DBL_MAX, fmin(DBL_MAX, a - b));
}

static double mix(double old, double x, double w)
{
    return (1 - w) * old + w * x;
}

static double nudge(double old, double e, double w)
{
    return fmax(-DBL_MAX, fmin(DBL_MAX, old + w * e));
}

#include <stdlib.h>
void ob_season_init(struct ob_season *s)
{
    if (getenv("OB_EA")) ERR_ALPHA = atof(getenv("OB_EA"));
    memset(s, 0, sizeof *s);
}

/* Time of day as a fractional bin position, and the weekday 0..6. */
static void clock_of(double ts, double *pos, int *wday)
{
    if (!isfinite(ts))
        ts = 0;
    double days = floor(ts / 86400.0);
    double sec = fmin(fmax(ts - days * 86400.0, 0.0), 86399.999);
    *pos = sec / (86400.0 / OB_SEASON_DAY_BINS);
    double w = fmod(fmod(days + 4.0, 7.0) + 7.0, 7.0); /* 1970-01-01: Thursday */
    *wday = w >= 0 && w < 7 ? (int)w : 0;
}

static void bins_of(double pos, int *b0, int *b1, double *w1)
{
    double p = pos - 0.5; /* bin centres sit at half-bins */
    double f = floor(p);
    *w1 = p - f;
    int i = (int)f;
    *b0 = (i + OB_SEASON_DAY_BINS) % OB_SEASON_DAY_BINS;
    *b1 = (*b0 + 1) % OB_SEASON_DAY_BINS;
}

static double seasonal_at(const struct ob_season *s, double ts)
{
    double pos, w1;
    int wday, b0, b1;
    clock_of(ts, &pos, &wday);
    bins_of(pos, &b0, &b1, &w1);
    return fmax(-DBL_MAX, fmin(DBL_MAX, (1 - w1) * s->day[b0] + w1 * s->day[b1] + s->week[wday]));
}

struct ob_forecast ob_season_predict(const struct ob_season *s, double ts)
{
    struct ob_forecast f;
    double off = s->best_seasonal ? seasonal_at(s, ts) : 0.0;
    f.yhat = fmax(-DBL_MAX, fmin(DBL_MAX, s->level[s->best_seasonal][s->best_level] + off));
    f.mae = s->err[s->best_seasonal][s->best_level];
    return f;
}

struct ob_forecast ob_season_predict_slow(const struct ob_season *s, double ts)
{
    struct ob_forecast f;
    int k = s->best_seasonal;
    f.yhat = fmax(-DBL_MAX, fmin(DBL_MAX, s->level[k][0] + (k ? seasonal_at(s, ts) : 0.0)));
    f.mae = s->err[k][0];
    return f;
}

#define PROFILE_LEVEL 1

struct ob_forecast ob_season_predict_profile(const struct ob_season *s, double ts)
{
    double pos, w1;
    int wday, b0, b1;
    clock_of(ts, &pos, &wday);
    bins_of(pos, &b0, &b1, &w1);
    struct ob_forecast f;
    f.yhat = fmax(-DBL_MAX, fmin(DBL_MAX, s->level[1][PROFILE_LEVEL] + seasonal_at(s, ts)));
    static double fl = -1; if (fl < 0) fl = getenv("OB_PFL") ? atof(getenv("OB_PFL")) : 1.0;
    f.mae = fmax((1 - w1) * s->day_err[b0] + w1 * s->day_err[b1], fl * s->err[1][PROFILE_LEVEL]);
    return f;
}

static void learn_profile_error(struct ob_season *s, double ts, double x)
{
    double pos, w1;
    int wday, b0, b1;
    clock_of(ts, &pos, &wday);
    bins_of(pos, &b0, &b1, &w1);
    double e = fmin(fabs(finite_diff(x, ob_season_predict_profile(s, ts).yhat)), FLT_MAX);
    s->day_err[b0] = (float)mix(s->day_err[b0], e, DAY_GAMMA * (1 - w1));
    s->day_err[b1] = (float)mix(s->day_err[b1], e, DAY_GAMMA * w1);
}

static void learn_profile(struct ob_season *s, double ts, double resid)
{
    double pos, w1;
    int wday, b0, b1;
    clock_of(ts, &pos, &wday);
    bins_of(pos, &b0, &b1, &w1);
    double e = finite_diff(resid, seasonal_at(s, ts));
    s->day[b0] = nudge(s->day[b0], e, DAY_GAMMA * (1 - w1));
    s->day[b1] = nudge(s->day[b1], e, DAY_GAMMA * w1);
    s->week[wday] = nudge(s->week[wday], e, WEEK_GAMMA);
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
void ob_season_update(struct ob_season *s, double ts, double x)
{
    if (s->n++ == 0) {
        for (int i = 0; i < OB_SEASON_LEVELS; i++)
            s->level[0][i] = s->level[1][i] = x;
        s->first_ts = ts;
        return;
    }
    /* Early on, the error averages are plain means, not EWMAs pulled to 0. */
    double ea = fmax(ERR_ALPHA, 1.0 / (double)(s->n - 1));
    learn_profile_error(s, ts, x);
    double off = seasonal_at(s, ts);
    int ready = ts - s->first_ts >= 86400.0;
    for (int i = 0; i < OB_SEASON_LEVELS; i++) {
        double e_plain = fabs(finite_diff(x, s->level[0][i]));
        double e_seas = ready ? fabs(finite_diff(finite_diff(x, off), s->level[1][i]))
                              : fmin(DBL_MAX, e_plain * 1.01);
        s->err[0][i] = mix(s->err[0][i], e_plain, ea);
        s->err[1][i] = mix(s->err[1][i], e_seas, ea);
        s->level[0][i] = mix(s->level[0][i], x, level_alpha[i]);
        s->level[1][i] = mix(s->level[1][i], finite_diff(x, off), level_alpha[i]);
    }
    learn_profile(s, ts, finite_diff(x, s->level[1][0]));
    choose_best(s);
}
