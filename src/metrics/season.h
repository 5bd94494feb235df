/* season.h - (private to src/metrics) the forecaster behind the band: a small
 * bank of exponential smoothers over a learned daily and weekly profile. */
#ifndef OB_METRICS_SEASON_H
#define OB_METRICS_SEASON_H

#include <stdint.h>

#define OB_SEASON_DAY_BINS 48 /* half-hour resolution over a day */
#define OB_SEASON_LEVELS 5    /* smoothers, from slow to fast */

struct ob_season {
    double level[2][OB_SEASON_LEVELS];      /* [0] plain, [1] deseasonalised */
    double err[2][OB_SEASON_LEVELS];        /* EWMA |error|: [0] plain, [1] seasonal */
    float day[OB_SEASON_DAY_BINS];          /* offset by time of day */
    float week[7];                          /* offset by weekday */
    float day_err[OB_SEASON_DAY_BINS];      /* EWMA |error| of the profile forecast */
    double first_ts;
    uint64_t n;
    int best_level, best_seasonal;          /* the predictor in use */
};

/* Where a timestamp falls in the profile: computed once per point. */
struct ob_season_clock {
    double ts;
    double w1;     /* weight of bin b1; b0 gets 1 - w1 */
    int b0, b1;    /* the two day bins around the time of day */
    int wday;      /* 0..6 */
};

struct ob_forecast {
    double yhat;
    double mae; /* mean absolute one-step error of yhat */
};

void ob_season_init(struct ob_season *s);
struct ob_season_clock ob_season_clock(double ts);
/* The forecast in use (the best recent predictor), from the past only. */
struct ob_forecast ob_season_predict(const struct ob_season *s, const struct ob_season_clock *c);
/* The slowest smoother's forecast: the series' long-run normal. */
struct ob_forecast ob_season_predict_slow(const struct ob_season *s, const struct ob_season_clock *c);
/* The daily profile's forecast, with the typical error at that time of day:
 * a sharp daily step is normal at its hour and abnormal at any other. */
struct ob_forecast ob_season_predict_profile(const struct ob_season *s,
                                             const struct ob_season_clock *c);
/* Learns the point x at c. */
void ob_season_update(struct ob_season *s, const struct ob_season_clock *c, double x);

#endif
