/* rarity.h - (private to src/metrics) how rare a value of a non-negative
 * feature is in that feature's own recent history. */
#ifndef OB_METRICS_RARITY_H
#define OB_METRICS_RARITY_H

#define OB_RARITY_BINS 40 /* quarter octaves: up to 2^10; beyond counts as 2^10 */

struct ob_rarity {
    float count[OB_RARITY_BINS]; /* decayed counts, in units of inc */
    double inc;                  /* weight of the next observation */
    double total;                /* sum of count[], in the same units */
};

void ob_rarity_init(struct ob_rarity *r);
/* -log10 of the share of history at or above u (half of u's own bin), with
 * one pseudo-observation above everything so it stays finite; plus 0.1 per
 * quarter octave that u lies beyond the largest value still in memory. */
double ob_rarity_score(const struct ob_rarity *r, double u);
/* Adds u; history decays by (1 - forget) per observation. */
void ob_rarity_add(struct ob_rarity *r, double u, double forget);

#endif
