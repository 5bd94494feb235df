/* num.c - exact fast paths for reading and writing decimal numbers.
 *
 * Reading (Clinger's fast path): a decimal w * 10^e with w < 2^53 and
 * |e| <= 22 has both w and 10^|e| exact as doubles, so one IEEE multiply or
 * divide, which rounds correctly, gives the nearest double, as strtod does.
 *
 * Writing "%.10g": scale |v| by an exact power of ten into [1e9, 1e10);
 * that multiply or divide is off by at most half an ulp there (2^-20), so
 * rounding to the nearest integer is certain unless the fraction lies
 * within 1e-5 of one half. Those rare values, and scales past 10^22, go to
 * snprintf; the digits are then laid out by printf's %g rules. */
#include "core/num.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const double pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads [0-9]* at *p into *w, counting significant digits (leading zeros
 * are not); returns how many digits were read. */
static size_t read_mantissa_digits(const char **p, const char *end, uint64_t *w, int *nsig)
{
    const char *start = *p;
    for (; *p < end && is_digit(**p); (*p)++) {
        if (*w == 0 && **p == '0')
            continue;
        if (++*nsig <= 19)
            *w = *w * 10 + (uint64_t)(**p - '0');
    }
    return (size_t)(*p - start);
}

bool ob_num_parse_fast(const char *s, size_t len, double *out)
{
    const char *p = s, *end = s + len;
    bool neg = false;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    uint64_t w = 0;
    int nsig = 0;
    size_t nint = read_mantissa_digits(&p, end, &w, &nsig), nfrac = 0;
    if (p < end && *p == '.') {
        p++;
        nfrac = read_mantissa_digits(&p, end, &w, &nsig);
    }
    if (nint + nfrac == 0 || nsig > 19 || w > (1ull << 53))
        return false;
    int exp10 = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '-' || *p == '+'))
            eneg = *p++ == '-';
        int nexp = 0;
        for (; p < end && is_digit(*p); p++)
            if (++nexp <= 4)
                exp10 = exp10 * 10 + (*p - '0');
        if (nexp == 0 || nexp > 4) /* "1e" is strtod's "1" with "e" left */
            return false;
        if (eneg)
            exp10 = -exp10;
    }
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p != end)
        return false;
    int e = exp10 - (int)nfrac;
    double v;
    if (w == 0)
        v = 0;
    else if (e >= 0 && e <= 22)
        v = (double)w * pow10_exact[e];
    else if (e < 0 && e >= -22)
        v = (double)w / pow10_exact[-e];
    else
        return false;
    *out = neg ? -v : v;
    return true;
}

/* Ten significant digits of a (> 0): *digits in [1e9, 1e10) and the decimal
 * exponent of the first, as %e would round them. False when not certain. */
static bool ten_digits(double a, uint64_t *digits, int *exp10)
{
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    int e2 = (int)(bits >> 52) - 1023; /* a in [2^e2, 2^(e2+1)) when normal */
    /* so this is floor(log10 a) or one less (78913 / 2^18 is log10 2 close
     * enough for |e2| < 2600; gcc and clang shift signed ints arithmetically);
     * the scale check below keeps out subnormals and other large ones. */
    int x = (e2 * 78913) >> 18;
    for (int pass = 0; pass < 2; pass++) {
        int k = 9 - x;
        if (k > 22 || k < -22)
            return false;
        double s = k >= 0 ? a * pow10_exact[k] : a / pow10_exact[-k];
        if (s >= 1e10 && pass == 0) {
            x++;
            continue;
        }
        uint64_t whole = (uint64_t)s; /* s < 1e10 + 1 */
        double frac = s - (double)whole;
        if (frac > 0.5 - 1e-5 && frac < 0.5 + 1e-5)
            return false;
        uint64_t r = whole + (frac > 0.5);
        if (r >= 10000000000ull) { /* 9999999999.5 and up: 1.000000000e(x+1) */
            r /= 10;
            x++;
        }
        *digits = r;
        *exp10 = x;
        return true;
    }
    return false;
}

static size_t put_exponent(char *o, int x)
{
    size_t n = 0;
    o[n++] = 'e';
    o[n++] = x < 0 ? '-' : '+';
    unsigned u = (unsigned)(x < 0 ? -x : x);
    if (u >= 100)
        o[n++] = (char)('0' + u / 100);
    o[n++] = (char)('0' + u / 10 % 10);
    o[n++] = (char)('0' + u % 10);
    return n;
}

size_t ob_num_format_g10(char *out, double v)
{
    char *o = out;
    uint64_t r;
    int x;
    if (v == 0) {
        if (signbit(v))
            *o++ = '-';
        *o++ = '0';
        return (size_t)(o - out);
    }
    if (!isfinite(v) || !ten_digits(fabs(v), &r, &x)) {
        char tmp[32];
        int n = snprintf(tmp, sizeof tmp, "%.10g", v);
        memcpy(out, tmp, (size_t)n);
        return (size_t)n;
    }
    char d[10];
    uint32_t hi = (uint32_t)(r / 100000), lo = (uint32_t)(r % 100000);
    for (int i = 4; i >= 0; i--, hi /= 10, lo /= 10) {
        d[i] = (char)('0' + hi % 10);
        d[i + 5] = (char)('0' + lo % 10);
    }
    int nd = 10; /* %g drops trailing zeros, and the point if none is left */
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    if (v < 0)
        *o++ = '-';
    if (x < -4 || x >= 10) {
        *o++ = d[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, d + 1, (size_t)nd - 1);
            o += nd - 1;
        }
        o += put_exponent(o, x);
    } else if (x >= 0) {
        memcpy(o, d, (size_t)x + 1);
        o += x + 1;
        if (nd > x + 1) {
            *o++ = '.';
            memcpy(o, d + x + 1, (size_t)(nd - x - 1));
            o += nd - x - 1;
        }
    } else {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -x - 1; i++)
            *o++ = '0';
        memcpy(o, d, (size_t)nd);
        o += nd;
    }
    return (size_t)(o - out);
}
