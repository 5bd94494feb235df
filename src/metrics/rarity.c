/* rarity.c - a non-parametric tail probability with fixed memory.
 *
 * Why not a normal fit: forecast errors of real series have heavy tails, so a
 * z-score flags the tail of every spiky series. A histogram of the feature
 * over quarter-octave bins answers "how often has something this big
 * happened here before?" directly, whatever the shape. Forgetting is
 * exponential, done by growing the weight of new observations instead of
 * shrinking all bins, and renormalising rarely. */
#include "metrics/rarity.h"

#include "metrics/minmax.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define NEGLIGIBLE 1e-6    /* share of the total below which a bin is empty */

void ob_rarity_init(struct ob_rarity *r)
{
    memset(r, 0, sizeof *r);
    r->inc = 1.0;
}

/* floor(4 * log2(1 + u)), capped, read off the bits of 1 + u (a normal
 * double >= 1): exponent, and the mantissa against the quarter-octave
 * edges 2^(1/4), 2^(1/2), 2^(3/4). Exact, and cheaper than frexp or log2. */
int ob_rarity_bin(double u)
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

/* Feature f's weight at or above bin b, and in bin b alone. */
static double weight_above(const struct ob_rarity *r, int f, int b)
{
    return b < OB_RARITY_BINS ? r->at_or_above[b][f] : 0.0;
}

static double weight_in(const struct ob_rarity *r, int f, int b)
{
    return ob_max(0.0, weight_above(r, f, b) - weight_above(r, f, b + 1));
}

/* The highest bin at or below b still in memory, 0 when none is. */
static int top_at_or_below(const struct ob_rarity *r, int f, int b, double negligible)
{
    while (b > 0 && weight_in(r, f, b) <= negligible)
        b--;
    return b;
}

/* True when a bin above b holds more than a negligible weight. */
static bool held_above(const struct ob_rarity *r, int f, int b, double above, double negligible)
{
    if (above > (OB_RARITY_BINS - 1 - b) * negligible)
        return true; /* the usual case: no bin needs looking at */
    if (above <= negligible)
        return false; /* nor here: the value at the top of the memory */
    for (int i = OB_RARITY_BINS - 1; i > b; i--)
        if (weight_in(r, f, i) > negligible)
            return true;
    return false;
}

/* 10^-0.1 per quarter octave beyond the top: OB_RARITY_STEP^k. */
static double beyond(double p, int k)
{
    for (; k > 0; k--)
        p *= OB_RARITY_STEP; /* at most 39 times, cheaper than a pow() */
    return p;
}

double ob_rarity_tail(const struct ob_rarity *r, int f, int b)
{
    if (r->total == 0)
        return beyond(1.0, b); /* nothing seen yet: no need to look */
    double negligible = r->total * NEGLIGIBLE;
    double above = weight_above(r, f, b + 1);
    double p = (above + 0.5 * weight_in(r, f, b) + r->inc) / (r->total + r->inc);
    if (p > 1.0)
        p = 1.0; /* float weights against a double total */
    /* Beyond the largest value still in memory (above a weight of 1e-6,
     * i.e. seen in the last few thousand points), the histogram alone
     * cannot tell 2x from 100x; each quarter octave further makes the point
     * 10^0.1 times rarer, so a far larger surprise outranks a near record. */
    if (held_above(r, f, b, above, negligible))
        return p;
    return beyond(p, b - top_at_or_below(r, f, b, negligible));
}

void ob_rarity_add(struct ob_rarity *r, const int bins[OB_RARITY_FEATURES], double forget)
{
    float w = (float)r->inc;
    for (int f = 0; f < OB_RARITY_FEATURES; f++)
        for (int i = 0; i <= bins[f]; i++)
            r->at_or_above[i][f] += w;
    r->total += r->inc;
    r->inc /= 1.0 - forget;
    if (r->inc > 1e30) {
        for (int i = 0; i < OB_RARITY_BINS; i++)
            for (int f = 0; f < OB_RARITY_FEATURES; f++)
                r->at_or_above[i][f] = (float)(r->at_or_above[i][f] / r->inc);
        r->total /= r->inc;
        r->inc = 1.0;
    }
}
