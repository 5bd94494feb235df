/* test_num.c - the fast number parser and formatter against the C library:
 * a million random values each, bit for bit (strtod) and byte for byte
 * (printf "%.10g"), drawn where each is easy to get wrong: every exponent,
 * short decimals, values a hair from a rounding tie, powers of ten. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "core/num.h"

#define N 1000000

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int below(int n)
{
    return (int)(next() % (uint64_t)n);
}

static double unit(void)
{
    return (double)(next() >> 11) / 9007199254740992.0;
}

static void check_format(double v)
{
    char want[64], got[OB_NUM_G10_MAX + 1];
    int n = snprintf(want, sizeof want, "%.10g", v);
    size_t m = ob_num_format_g10(got, v);
    got[m] = '\0';
    if ((size_t)n != m || memcmp(want, got, m) != 0)
        fail_msg("%.17g: printf '%s', ob_num_format_g10 '%s'", v, want, got);
}

/* One value of the kind i picks. */
static double format_case(int i)
{
    switch (i % 6) {
    case 0: { /* any bit pattern: every exponent, subnormals, NaN, Inf */
        uint64_t b = next();
        double v;
        memcpy(&v, &b, sizeof v);
        return v;
    }
    case 1: /* a short decimal, as most metrics are */
        return (double)(int64_t)(next() % 2000000001ull - 1000000000) / pow(10, below(12));
    case 2: { /* a hair from the 10th digit's tie: d.ddddddddd5 and neighbours */
        char s[64];
        snprintf(s, sizeof s, "%s%d.%09lld5e%d", below(2) ? "-" : "", 1 + below(9),
                 (long long)(next() % 1000000000ull), below(50) - 20);
        double v = strtod(s, NULL);
        int k = below(3);
        return k == 0 ? v : nextafter(v, k == 1 ? INFINITY : -INFINITY);
    }
    case 3: /* uniform in a random decade */
        return unit() * pow(10, below(60) - 20);
    case 4: { /* powers of ten and their neighbours, where the exponent turns */
        double p = pow(10, below(50) - 16);
        int k = below(3);
        return k == 0 ? p : nextafter(p, k == 1 ? INFINITY : -INFINITY);
    }
    default: /* values rounding up to the next power: 9.9999999995.. */
        return (10 - unit() * 1e-8) * pow(10, below(40) - 15);
    }
}

static void test_format_matches_printf(void **state)
{
    (void)state;
    for (int i = 0; i < N; i++)
        check_format(format_case(i));
    double fixed[] = {0.0, -0.0, 1, -1, 0.5, 1e-5, 1e-4, 9.9999999995e-5, 1234567890.5,
                      1234567891.5, 9999999999.5, 1e10, 123456789012.0, 0.1, 1.0 / 3};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        check_format(fixed[i]);
}

/* A random text of the given shape: sign, integer and fraction digits,
 * exponent, trailing blanks. */
static void decimal_text(char *s, size_t cap)
{
    size_t n = 0;
    int r = below(4);
    if (r == 0)
        s[n++] = '-';
    else if (r == 1)
        s[n++] = '+';
    int ni = below(14), nf = below(12);
    for (int i = 0; i < ni; i++)
        s[n++] = (char)('0' + (i == 0 && below(3) ? 1 + below(9) : below(10)));
    if (nf || below(2))
        s[n++] = '.';
    for (int i = 0; i < nf; i++)
        s[n++] = (char)('0' + below(10));
    if (below(3) == 0)
        n += (size_t)snprintf(s + n, cap - n, "%c%d", below(2) ? 'e' : 'E', below(70) - 35);
    while (below(6) == 0)
        s[n++] = below(2) ? ' ' : '\t';
    s[n] = '\0';
}

/* What the detector's reader accepts from strtod: the whole text but
 * trailing blanks, at least one character consumed. */
static int strtod_whole(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    if (end == s)
        return 0;
    while (*end == ' ' || *end == '\t')
        end++;
    return *end == '\0';
}

static int check_parse(const char *s)
{
    double fast, slow;
    if (!ob_num_parse_fast(s, strlen(s), &fast))
        return 0;
    if (!strtod_whole(s, &slow))
        fail_msg("'%s': fast path read %.17g, strtod refuses it", s, fast);
    if (memcmp(&fast, &slow, sizeof fast) != 0)
        fail_msg("'%s': fast path %.17g, strtod %.17g", s, fast, slow);
    return 1;
}

static void test_parse_matches_strtod(void **state)
{
    (void)state;
    char s[128];
    int taken = 0, easy = 0;
    for (int i = 0; i < N; i++) {
        switch (i % 3) {
        case 0:
            decimal_text(s, sizeof s);
            break;
        case 1: { /* printf's own output of any double, read back */
            uint64_t b = next();
            double v;
            memcpy(&v, &b, sizeof v);
            snprintf(s, sizeof s, below(2) ? "%.17g" : "%.10g", v);
            break;
        }
        default: { /* junk from the characters numbers are made of */
            static const char alphabet[] = "0123456789+-.eE \txn";
            int len = below(10);
            for (int k = 0; k < len; k++)
                s[k] = alphabet[below((int)sizeof alphabet - 1)];
            s[len] = '\0';
        }
        }
        int got = check_parse(s);
        taken += got;
        if (i % 3 == 0) { /* the fast path must take the easy ones */
            double v;
            size_t sig = 0;
            for (const char *p = s; *p && *p != 'e' && *p != 'E'; p++)
                sig += *p >= '0' && *p <= '9';
            const char *e = strpbrk(s, "eE");
            int ex = e ? atoi(e + 1) : 0;
            if (sig <= 15 && ex >= -8 && ex <= 8 && strtod_whole(s, &v) && s[0] != ' ' &&
                s[0] != '\t') {
                easy++;
                if (!got)
                    fail_msg("'%s': easy, but the fast path passed it on", s);
            }
        }
    }
    assert_true(easy > N / 10);
    assert_true(taken > N / 5);
    const char *refused[] = {"", "-", ".", "+.", "1e", "1e+", "1x", "0x10", "inf", "nan",
                             " 1", "1 x", "1.2.3", "--1", "1e99999", "12345678901234567890"};
    double v;
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        assert_false(ob_num_parse_fast(refused[i], strlen(refused[i]), &v));
    const char *exact[] = {"0", "-0", "0.5", "5.", ".5", "1e22", "9007199254740992",
                           "0.000001234", "123456.789e-3", "3.14159 \t"};
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        assert_true(check_parse(exact[i]));
    assert_true(ob_num_parse_fast("-0", 2, &v) && signbit(v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_matches_printf),
        cmocka_unit_test(test_parse_matches_strtod),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
