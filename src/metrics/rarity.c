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

#define EXCESS_PER_BIN 0.1 /* decades of rarity per quarter octave beyond */
#define NEGLIGIBLE 1e-6    /* share of the total below which a bin is empty */

void ob_rarity_init(struct ob_rarity *r)
{
    memset(r, 0, sizeof *r);
    r->inc = 1.0;
}

/* floor(4 * log2(1 + u)), capped, from the exponent and mantissa: exact
 * at the quarter-octave edges and without a call to log2. */
static int bin_of(double u)
{
    if (!(u > 0))
        return 0;
    if (u >= 1e9)
        return OB_RARITY_BINS - 1;
    int e;
    double m = frexp(1.0 + u, &e) * 2.0; /* 1 + u = m * 2^(e-1), m in [1, 2) */
    int q = m >= 1.6817928305074290 ? 3 : m >= 1.4142135623730951 ? 2
          : m >= 1.1892071150027210 ? 1 : 0;
    int b = 4 * (e - 1) + q;
    return b >= OB_RARITY_BINS - 1 ? OB_RARITY_BINS - 1 : b;
}

double ob_rarity_score(const struct ob_rarity *r, double u)
{
    int b = bin_of(u), top = -1;
    double negligible = r->total * NEGLIGIBLE, above = 0.0;
    for (int i = OB_RARITY_BINS - 1; i > b; i--) {
        above += r->count[i];
        if (top < 0 && r->count[i] > negligible)
            top = i;
    }
    double p = (above + 0.5 * r->count[b] + r->inc) / (r->total + r->inc);
    /* Beyond the largest value still in memory (above a weight of 1e-6,
     * i.e. seen in the last few thousand points), the histogram alone
     * cannot tell 2x from 100x; each quarter octave further makes the point
     * 10^0.1 times rarer, so a far larger surprise outranks a near record. */
    if (top < 0) {
        top = b;
        while (top > 0 && r->count[top] <= negligible)
            top--;
    }
    double excess = b > top ? (b - top) * EXCESS_PER_BIN : 0.0;
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
