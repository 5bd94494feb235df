/* minmax.h - (private to src/metrics) fmax and fmin as inline code.
 *
 * Why: without -ffast-math the compiler calls libm for them, and with a
 * score per point across thousands of series those calls were 4% of a
 * point's cost. Same rule for NaN as fmax/fmin: a number wins over NaN. */
#ifndef OB_METRICS_MINMAX_H
#define OB_METRICS_MINMAX_H

static inline double ob_max(double a, double b)
{
    return a > b || b != b ? a : b;
}

static inline double ob_min(double a, double b)
{
    return a < b || b != b ? a : b;
}

#endif
