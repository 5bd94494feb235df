/* likelihood.c - the "anomaly likelihood" post-processing, streaming.
 *
 * Why: a raw surprise (how far a point is from its forecast) means different
 * things on different series: a noisy series is often far off, a smooth one
 * rarely. Comparing the average of the last few surprises with the long-run
 * distribution of that same average turns any raw score into a tail
 * probability that means the same on every series, so one threshold serves
 * them all. Numenta's HTM detector does this over a sliding window of
 * thousands of points; here the window is an exponentially weighted mean and
 * variance, so the state is fixed and each step is O(1). */
#include "metrics/likelihood.h"

#include <math.h>
#include <string.h>

void ob_likelihood_init(struct ob_likelihood *l)
{
    memset(l, 0, sizeof *l);
}

double ob_likelihood_step(struct ob_likelihood *l, double raw, int short_len,
                          double long_alpha, uint64_t learn_points, double min_std)
{
    if (short_len < 1)
        short_len = 1;
    if (short_len > OB_LIK_SHORT_MAX)
        short_len = OB_LIK_SHORT_MAX;
    l->sum += raw - l->ring[l->pos];
    l->ring[l->pos] = raw;
    l->pos = (l->pos + 1) % short_len;
    l->n++;
    int have = l->n < (uint64_t)short_len ? (int)l->n : short_len;
    double avg = l->sum / have;

    double tail = 1.0;
    if (l->n > learn_points) {
        double sd = sqrt(l->var);
        if (sd < min_std)
            sd = min_std;
        tail = 0.5 * erfc((avg - l->mean) / (sd * 1.4142135623730951));
    }
    /* Learn after scoring: the point is judged by the past only. */
    double a = l->n == 1 ? 1.0 : (l->n < 1.0 / long_alpha ? 1.0 / (double)l->n : long_alpha);
    double d = avg - l->mean;
    l->mean += a * d;
    l->var = (1 - a) * (l->var + a * d * d);
    return tail;
}
