/* likelihood.h - (private to src/metrics) how unusual the recent average of a
 * raw surprise is, compared with its own long-run distribution. */
#ifndef OB_METRICS_LIKELIHOOD_H
#define OB_METRICS_LIKELIHOOD_H

#include <stdint.h>

#define OB_LIK_SHORT_MAX 16

struct ob_likelihood {
    double ring[OB_LIK_SHORT_MAX];
    double sum;    /* of ring[0..short_len) */
    double mean;   /* long-run EWMA of the short average */
    double var;    /* long-run EWMA variance of the short average */
    uint64_t n;
    int pos;
};

void ob_likelihood_init(struct ob_likelihood *l);
/* Adds raw (>= 0) and returns the upper tail probability of the short
 * average under the long-run normal fit, in (0, 1]; 1 while learning. */
double ob_likelihood_step(struct ob_likelihood *l, double raw, int short_len,
                          double long_alpha, uint64_t learn_points, double min_std);

#endif
