/* rarity.c - a non-parametric tail probability with fixed memory.
 *
 * Why not a normal fit: forecast errors of real series have heavy tails, so a
 * z-score flags the tail of every spiky series. A histogram of the feature
 * over quarter-octave bins answers "how often has something this big
 * happened here before?" directly, whatever the shape. Forgetting is
 * exponential, done by growing the weight of new observations instead of
 * shrinking all bins, and renormalising rarely. */
#include "metrics/rarity.h"

#include <math.h>
#include <string.h>

void ob_rarity_init(struct ob_rarity *r)
{
    memset(r, 0, sizeof *r);
    r->inc = 1.0;
}

static int bin_of(double u)
{
    if (!(u > 0))
        return 0;
    double b = 4.0 * log2(1.0 + u);
    return b >= OB_RARITY_BINS - 1 ? OB_RARITY_BINS - 1 : (int)b;
}

double ob_rarity_score(const struct ob_rarity *r, double u)
{
    int b = bin_of(u);
    double above = 0.5 * r->count[b];
    for (int i = b + 1; i < OB_RARITY_BINS; i++)
        above += r->count[i];
    double p = (above + r->inc) / (r->total + r->inc);
    /* Beyond everything in memory, the histogram alone cannot tell 2x from
     * 100x the largest seen; each octave further counts as a factor 2. */
    int top = OB_RARITY_BINS - 1;
    while (top > 0 && r->count[top] <= r->total * 1e-4)
        top--;
    double excess = b > top + 1 ? (b - top - 1) * 0.25 * log10(2.0) : 0.0;
    return -log10(p) + excess;
}

void ob_rarity_add(struct ob_rarity *r, double u, double forget)
{
    r->count[bin_of(u)] += (float)r->inc;
    r->total += r->inc;
    r->inc /= 1.0 - forget;
    if (r->inc > 1e30) {
        for (int i = 0; i < OB_RARITY_BINS; i++)
            r->count[i] = (float)(r->count[i] / r->inc);
        r->total /= r->inc;
        r->inc = 1.0;
    }
}
