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
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define EXCESS_FACTOR 0.7943282347242815 /* 10^-0.1: rarer per quarter octave beyond */
#define NEGLIGIBLE 1e-6    /* share of the total below which a bin is empty */

void ob_rarity_init(struct ob_rarity *r)
{
    memset(r, 0, sizeof *r);
    r->inc = 1.0;
}

/* floor(4 * log2(1 + u)), capped, read off the bits of 1 + u (a normal
 * double >= 1): exponent, and the mantissa against the quarter-octave
 * edges 2^(1/4), 2^(1/2), 2^(3/4). Exact, and cheaper than frexp or log2. */
static int bin_of(double u)
{
    if (!(u > 0))
        return 0;
    if (u >= 1e9)
        return OB_RARITY_BINS - 1;
    uint64_t bits;
    double x = 1.0 + u;
    memcpy(&bits, &x, sizeof bits);
    int e = (int)(bits >> 52) - 1023; /* 1 + u = m * 2^e, m in [1, 2) */
    double m;
    bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    memcpy(&m, &bits, sizeof m);
    int q = m >= 1.6817928305074290 ? 3 : m >= 1.4142135623730951 ? 2
          : m >= 1.1892071150027210 ? 1 : 0;
    int b = 4 * e + q;
    return b >= OB_RARITY_BINS - 1 ? OB_RARITY_BINS - 1 : b;
}

/* Sum of count[from..OB_RARITY_BINS). Four partial sums, because one
 * running sum is a chain of dependent additions that, twelve times a point,
 * was the detector's largest cost. */
static double sum_from(const float *count, int from)
{
    double s[4] = {0, 0, 0, 0};
    int i = from;
    for (; i + 4 <= OB_RARITY_BINS; i += 4)
        for (int k = 0; k < 4; k++)
            s[k] += count[i + k];
    for (; i < OB_RARITY_BINS; i++)
        s[0] += count[i];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

/* The highest bin at or below b still in memory, 0 when none is. */
static int top_at_or_below(const float *count, int b, double negligible)
{
    while (b > 0 && count[b] <= negligible)
        b--;
    return b;
}

/* True when a bin above b holds more than a negligible weight. */
static bool held_above(const float *count, int b, double above, double negligible)
{
    if (above > (OB_RARITY_BINS - 1 - b) * negligible)
        return true; /* the usual case: no bin needs looking at */
    for (int i = OB_RARITY_BINS - 1; i > b; i--)
        if (count[i] > negligible)
            return true;
    return false;
}

double ob_rarity_tail(const struct ob_rarity *r, int feature, double u)
{
    const float *count = r->count[feature];
    int b = bin_of(u);
    double negligible = r->total * NEGLIGIBLE;
    double above = b + 1 < OB_RARITY_BINS ? sum_from(count, b + 1) : 0.0;
    double p = (above + 0.5 * count[b] + r->inc) / (r->total + r->inc);
    if (p > 1.0)
        p = 1.0; /* float counts against a double total */
    /* Beyond the largest value still in memory (above a weight of 1e-6,
     * i.e. seen in the last few thousand points), the histogram alone
     * cannot tell 2x from 100x; each quarter octave further makes the point
     * 10^0.1 times rarer, so a far larger surprise outranks a near record. */
    if (held_above(count, b, above, negligible))
        return p;
    for (int k = b - top_at_or_below(count, b, negligible); k > 0; k--)
        p *= EXCESS_FACTOR; /* at most 39 times, cheaper than a pow() */
    return p;
}

void ob_rarity_add(struct ob_rarity *r, const double u[OB_RARITY_FEATURES], double forget)
{
    for (int f = 0; f < OB_RARITY_FEATURES; f++)
        r->count[f][bin_of(u[f])] += (float)r->inc;
    r->total += r->inc;
    r->inc /= 1.0 - forget;
    if (r->inc > 1e30) {
        for (int f = 0; f < OB_RARITY_FEATURES; f++)
            for (int i = 0; i < OB_RARITY_BINS; i++)
                r->count[f][i] = (float)(r->count[f][i] / r->inc);
        r->total /= r->inc;
        r->inc = 1.0;
    }
}
