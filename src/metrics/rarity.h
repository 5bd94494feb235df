/* rarity.h - (private to src/metrics) how rare a value of a non-negative
 * feature is in that feature's own recent history. */
#ifndef OB_METRICS_RARITY_H
#define OB_METRICS_RARITY_H

#define OB_RARITY_BINS 40    /* quarter octaves: up to 2^10; beyond counts as 2^10 */
#define OB_RARITY_FEATURES 6 /* histograms in a set */

/* One decayed histogram per feature. Every feature gets one observation a
 * point, so the weights and totals of the set move in lockstep: kept once. */
struct ob_rarity {
    double inc;   /* weight of the next observation */
    double total; /* sum of each feature's count[], in the same units */
    float count[OB_RARITY_FEATURES][OB_RARITY_BINS]; /* decayed counts, in units of inc */
};

void ob_rarity_init(struct ob_rarity *r);
/* The share of feature's history at or above u (half of u's own bin), with one
 * pseudo-observation above everything so it stays above 0; divided by
 * 10^0.1 per quarter octave that u lies beyond the largest value still in
 * memory. In (0, 1]; -log10 of it is the rarity score. A probability rather
 * than its log, so a caller comparing several takes one log, not one each. */
double ob_rarity_tail(const struct ob_rarity *r, int feature, double u);
/* Adds u[f] to each feature f's histogram; history decays by (1 - forget)
 * per observation. */
void ob_rarity_add(struct ob_rarity *r, const double u[OB_RARITY_FEATURES], double forget);

#endif
