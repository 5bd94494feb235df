/* zscore.h - the naive baseline the detector benches put opsbox beside:
 * NAB's "windowed Gaussian", |x - mean| / sd over the last ZSCORE_WINDOW
 * points. Header-only, since each bench is a single file. */
#ifndef OB_BENCH_ZSCORE_H
#define OB_BENCH_ZSCORE_H

#include <math.h>

#define ZSCORE_WINDOW 1000 /* points */

struct zscore {
    double ring[ZSCORE_WINDOW], sum, sumsq;
    int pos, n; /* n: points in the window */
};

/* x's z against the points before it (0 until two are seen, or while they
 * are all equal); then x joins the window, the oldest leaving it. */
static inline double zscore_step(struct zscore *b, double x)
{
    double z = 0;
    if (b->n > 1) {
        double mean = b->sum / b->n, var = b->sumsq / b->n - mean * mean;
        z = var > 0 ? fabs(x - mean) / sqrt(var) : 0;
    }
    if (b->n == ZSCORE_WINDOW) {
        double old = b->ring[b->pos];
        b->sum -= old;
        b->sumsq -= old * old;
    } else {
        b->n++;
    }
    b->ring[b->pos] = x;
    b->sum += x;
    b->sumsq += x * x;
    b->pos = (b->pos + 1) % ZSCORE_WINDOW;
    return z;
}

#endif
