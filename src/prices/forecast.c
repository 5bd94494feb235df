/* forecast.c - a daily bill to the end of its month and quarter.
 *
 * The method, simple on purpose so that its band can be measured:
 *   - a day's cost is the level (mean of the last 14 days) times the
 *     weekday's factor (its mean over the last 4 weeks over their mean; 1
 *     until there are 4 weeks): weekday/weekend spend differs, the rest is
 *     noise or drift;
 *   - the band is measured, not assumed: from every past day with 14 days
 *     behind it (a rolling origin), the same method forecasts the next h
 *     days and the error of the sum, in days of spend at that origin's level,
 *     is kept. The 5th and 95th percentiles of those errors for the horizon
 *     asked give the 90 % band, their median corrects the forecast (the
 *     level lags a bill that grows). The band's halves are widened by
 *     sqrt(1 + h/k): the k errors come from overlapping windows, about k/h
 *     independent ones, and the quantiles of few draws undercover a new
 *     one (without it, rolling-origin coverage was .84 month, .77 quarter). When fewer than MIN_BACKTESTS origins reach
 *     that far, the longest horizon that has them is used and its errors
 *     widened by sqrt(H/h), as for a random walk; with no backtests at all
 *     (under 15 days), the band is the normal one from the spread of daily
 *     costs around their mean.
 * The part of the period already billed is known exactly and carries no
 * band. */
#include "prices/prices.h"
#include "prices/prices_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LEVEL_DAYS 14
#define PROFILE_DAYS 28
#define MIN_BACKTESTS 10

static void civil_from_days(long long z, int *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int weekday(long long day)
{
    return (int)(((day % 7) + 11) % 7); /* 1970-01-01 was a Thursday: 0 = Monday */
}

struct model {
    double level, factor[7];
};

/* The model fitted on daily[0..o). */
static struct model fit(const double *daily, size_t o, long long first_day)
{
    struct model md;
    size_t l = o < LEVEL_DAYS ? o : LEVEL_DAYS;
    double sum = 0;
    for (size_t i = o - l; i < o; i++)
        sum += daily[i];
    md.level = l ? sum / (double)l : 0;
    for (int w = 0; w < 7; w++)
        md.factor[w] = 1;
    if (o >= PROFILE_DAYS) {
        double wsum[7] = {0}, all = 0;
        for (size_t i = o - PROFILE_DAYS; i < o; i++) {
            wsum[weekday(first_day + (long long)i)] += daily[i];
            all += daily[i];
        }
        if (all > 0)
            for (int w = 0; w < 7; w++)
                md.factor[w] = wsum[w] / 4 / (all / PROFILE_DAYS);
    }
    return md;
}

/* Forecast of the sum over days [o, o + h), day indexes from first_day. */
static double forecast_sum(const struct model *md, size_t o, size_t h, long long first_day)
{
    double s = 0;
    for (size_t i = o; i < o + h; i++)
        s += md->level * md->factor[weekday(first_day + (long long)i)];
    return s;
}

static double quantile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, ob__prices_cmp_double);
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    return i + 1 < n ? v[i] + (pos - (double)i) * (v[i + 1] - v[i]) : v[n - 1];
}

/* Errors of the h-day sum from every rolling origin, in days of spend at
 * the origin's level; returns how many (into e[], room for n). */
static size_t backtest(const double *daily, size_t n, long long first_day, size_t h, double *e)
{
    size_t k = 0;
    for (size_t o = LEVEL_DAYS; o + h <= n; o++) {
        struct model md = fit(daily, o, first_day);
        if (!(md.level > 0))
            continue;
        double actual = 0;
        for (size_t i = o; i < o + h; i++)
            actual += daily[i];
        e[k++] = (actual - forecast_sum(&md, o, h, first_day)) / md.level;
    }
    return k;
}

/* The 90 % band of the next H days' sum, as offsets from the forecast. */
static int band(const double *daily, size_t n, long long first_day, size_t H, double level,
                double *lo, double *mid, double *hi, int *backtests)
{
    *lo = *mid = *hi = 0;
    *backtests = 0;
    if (H == 0)
        return 0;
    double *e = malloc((n + 1) * sizeof *e);
    if (!e)
        return -1;
    for (size_t h = H; h >= 1; h--) {
        size_t k = backtest(daily, n, first_day, h, e);
        if (k >= MIN_BACKTESTS) {
            double widen = sqrt((double)H / (double)h);
            double q05 = quantile(e, k, 0.05), q50 = quantile(e, k, 0.5), q95 = quantile(e, k, 0.95);
            /* k overlapping h-day windows hold about k/h independent ones;
             * a new draw falls outside the quantiles of n draws more often
             * than their level says: widen by sqrt(1 + 1/n) */
            double c = sqrt(1 + (double)h / (double)k);
            *lo = (q50 + (q05 - q50) * c) * widen * level;
            *mid = q50 * widen * level;
            *hi = (q50 + (q95 - q50) * c) * widen * level;
            *backtests = (int)k;
            free(e);
            return 0;
        }
    }
    free(e);
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; i++)
        mean += daily[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        var += (daily[i] - mean) * (daily[i] - mean) / (double)(n > 1 ? n - 1 : 1);
    double sd = n > 1 ? sqrt(var) : fabs(mean); /* one day says nothing of spread */
    *lo = -1.645 * sd * sqrt((double)H);
    *hi = -*lo;
    return 0;
}

static int period(const double *daily, size_t n, long long first_day, long long start,
                  long long end, double *to_date, double *fc, double *lo, double *hi,
                  int *days_left, int *backtests)
{
    long long last = first_day + (long long)n - 1;
    *to_date = 0;
    for (size_t i = 0; i < n; i++)
        if (first_day + (long long)i >= start)
            *to_date += daily[i];
    *days_left = (int)(end - last);
    struct model md = fit(daily, n, first_day);
    double rest = forecast_sum(&md, n, (size_t)*days_left, first_day);
    double blo, bmid, bhi;
    if (band(daily, n, first_day, (size_t)*days_left, md.level, &blo, &bmid, &bhi, backtests) < 0)
        return -1;
    /* the median backtest error corrects the method's bias (the level lags
     * a growing bill); the rest of the period never costs less than 0 */
    *fc = *to_date + (rest + bmid > 0 ? rest + bmid : 0);
    *lo = *to_date + (rest + blo > 0 ? rest + blo : 0);
    *hi = *to_date + (rest + bhi > 0 ? rest + bhi : 0);
    return 0;
}

int ob_prices_forecast(const double *daily, size_t n, long long first_day,
                       struct ob_bill_forecast *f)
{
    if (!daily || n == 0 || !f)
        return -1;
    memset(f, 0, sizeof *f);
    int y, m, d;
    civil_from_days(first_day + (long long)n - 1, &y, &m, &d);
    long long month_start = days_from_civil(y, m, 1);
    long long month_end = (m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1)) - 1;
    int qm = (m - 1) / 3 * 3 + 1; /* first month of the quarter */
    long long quarter_start = days_from_civil(y, qm, 1);
    long long quarter_end =
        (qm == 10 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, qm + 3, 1)) - 1;
    int bt;
    if (period(daily, n, first_day, month_start, month_end, &f->month_to_date, &f->month,
               &f->month_lo, &f->month_hi, &f->days_left_month, &bt) < 0)
        return -1;
    if (period(daily, n, first_day, quarter_start, quarter_end, &f->quarter_to_date, &f->quarter,
               &f->quarter_lo, &f->quarter_hi, &f->days_left_quarter, &f->backtests) < 0)
        return -1;
    if (!f->days_left_quarter)
        f->backtests = bt;
    return 0;
}
