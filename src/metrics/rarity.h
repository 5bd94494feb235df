/* rarity.h - (private to src/metrics) how rare a value of a non-negative
 * feature is in that feature's own recent history. */
#ifndef OB_METRICS_RARITY_H
#define OB_METRICS_RARITY_H

#define OB_RARITY_BINS 40    /* quarter octaves: up to 2^10; beyond counts as 2^10 */
#define OB_RARITY_FEATURES 6 /* histograms in a set */
#define OB_RARITY_STEP 0.7943282347242815 /* 10^-0.1: how much rarer one step beyond the top is */

/* One decayed histogram per feature. Every feature gets one observation a
 * point, so the weights and totals of the set move in lockstep: kept once. */
struct ob_rarity {
    double inc;   /* weight of the next observation */
    double total; /* each feature's whole weight, in the same units */
    /* Decayed weight at or above each bin, per feature, in units of inc.
     * Summed from the top, so a tail is one read; bin-major, so a point
     * (nearly always in the low bins, for every feature) touches the
     * first few cache lines only. */
    float at_or_above[OB_RARITY_BINS][OB_RARITY_FEATURES];
};

void ob_rarity_init(struct ob_rarity *r);
/* The bin of a feature value u >= 0: floor(4 log2(1 + u)), capped. Taken
 * once a point, for both memories and for adding. */
int ob_rarity_bin(double u);
/* The share of feature's history at or above bin (half of the bin itself), with one
 * pseudo-observation above everything so it stays above 0; divided by
 * 10^0.1 per quarter octave that bin lies beyond the largest value still in
 * memory. In (0, 1]; -log10 of it is the rarity score. A probability rather
 * than its log, so a caller comparing several takes one log, not one each. */
double ob_rarity_tail(const struct ob_rarity *r, int feature, int bin);
/* Adds bins[f] to each feature f's histogram; history decays by
 * (1 - forget) per observation. */
void ob_rarity_add(struct ob_rarity *r, const int bins[OB_RARITY_FEATURES], double forget);

#endif
