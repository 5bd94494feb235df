/* test_expo.c - the exposition writer (src/core/expo.c): label values and
 * help text escaped as text format 0.0.4 wants, values Prometheus reads
 * back exactly (NaN, +Inf, -Inf, integers without an exponent, the fewest
 * digits that round-trip), a family's header written once, and a label
 * value with every special character back unchanged through a series key
 * (ob_key_build, then ob_key_split). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/expo.h"
#include "core/label.h"

/* What the writer made, as a C string (the caller frees it). */
static char *text(struct ob_buf *b)
{
    ob_buf_put(b, "", 1);
    assert_false(b->failed);
    return (char *)b->p;
}

static void test_escaping(void **state)
{
    (void)state;
    struct ob_buf b = {0};
    struct ob_expo e = ob_expo_on(&b);
    ob_expo_family(&e, "m", "gauge", "a \\ and a\nnewline, \"quotes\" as they are");
    struct ob_label l[] = {ob_label_of("path", "C:\\dir\"x\"\nnext"), ob_label_of("empty", "")};
    ob_expo_sample(&e, l, 2, 1);
    ob_expo_done(&e);
    char *t = text(&b);
    assert_string_equal(t, "# HELP m a \\\\ and a\\nnewline, \"quotes\" as they are\n"
                           "# TYPE m gauge\n"
                           "m{path=\"C:\\\\dir\\\"x\\\"\\nnext\",empty=\"\"} 1\n");
    free(t);
}

static void value_is(double v, const char *want)
{
    char num[OB_EXPO_NUM_MAX];
    size_t n = ob_expo_format(num, v);
    assert_int_equal(n, strlen(want));
    assert_string_equal(num, want);
}

static void test_values(void **state)
{
    (void)state;
    value_is(NAN, "NaN");
    value_is(INFINITY, "+Inf");
    value_is(-INFINITY, "-Inf");
    value_is(0, "0");
    value_is(-0.0, "0");
    value_is(1e15, "1000000000000000");            /* no exponent */
    value_is(-9007199254740993.0, "-9007199254740992"); /* the double's own value */
    value_is(0.1, "0.1");                          /* not 0.10000000000000001 */
    value_is(1.5e300, "1.5e+300");
    /* Values of every size read back exactly. */
    const double vs[] = {1.0 / 3, 2.0 / 3, 1e-300, 123456.789e-10, 0.1 + 0.2, 4.35, 9.2233720368547758e18,
                         -1.7976931348623157e308, 5e-324};
    for (size_t i = 0; i < sizeof vs / sizeof *vs; i++) {
        char num[OB_EXPO_NUM_MAX];
        ob_expo_format(num, vs[i]);
        assert_true(strtod(num, NULL) == vs[i]);
    }
    struct ob_buf b = {0};
    struct ob_expo e = ob_expo_on(&b);
    ob_expo_family(&e, "c_total", "counter", NULL);
    ob_expo_sample_u64(&e, NULL, 0, UINT64_MAX); /* exact past 2^53 */
    ob_expo_sample_at(&e, NULL, 0, 2.5, 1700000000123);
    ob_expo_done(&e);
    char *t = text(&b);
    assert_string_equal(t, "# TYPE c_total counter\nc_total 18446744073709551615\nc_total 2.5 1700000000123\n");
    free(t);
}

/* A family named again while it is the current one goes on; a new name
 * starts a new family; NULL help or type writes no line for it. */
static void test_families(void **state)
{
    (void)state;
    struct ob_buf b = {0};
    struct ob_expo e = ob_expo_on(&b);
    for (int i = 0; i < 3; i++) {
        char v[8];
        snprintf(v, sizeof v, "%d", i);
        struct ob_label l = ob_label_of("i", v);
        ob_expo_family(&e, "a_total", "counter", "A.");
        ob_expo_sample(&e, &l, 1, i);
    }
    ob_expo_family_n(&e, "b_seconds_and_more", 9, "gauge", NULL);
    ob_expo_sample(&e, NULL, 0, 0.25);
    ob_expo_family(&e, "untyped", NULL, NULL);
    ob_expo_sample_escaped(&e, "k=\"\\\"\"", 6, NULL, 0, 1);
    struct ob_label t = ob_label_of("value_type", "yhat");
    ob_expo_sample_escaped(&e, "k=\"v\"", 5, &t, 1, 2);
    ob_expo_done(&e);
    char *s = text(&b);
    assert_string_equal(s, "# HELP a_total A.\n# TYPE a_total counter\n"
                           "a_total{i=\"0\"} 0\na_total{i=\"1\"} 1\na_total{i=\"2\"} 2\n"
                           "# TYPE b_seconds gauge\nb_seconds 0.25\n"
                           "untyped{k=\"\\\"\"} 1\nuntyped{k=\"v\",value_type=\"yhat\"} 2\n");
    free(s);
}

/* Every special character of a label value, and every byte, back as it
 * was through a key; the key's labels are what /metrics writes. */
static void test_key_round_trip(void **state)
{
    (void)state;
    char all[256];
    for (int i = 0; i < 255; i++)
        all[i] = (char)(i + 1);
    all[255] = '\0';
    const char *values[] = {"\\\"\n", "\\", "\"", "\n", "}", "{", ",", "=", "\\n", "a\\\"b\nc\\\\", all, ""};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        struct ob_label in[] = {ob_label_of("a", "1"), ob_label_of("b", values[i]), ob_label_of("c", values[i])};
        struct ob_buf key = {0};
        ob_key_build(&key, "m", 1, in, 3);
        assert_false(key.failed);
        char *buf = malloc(key.len + 1);
        const char *name;
        struct ob_label out[4];
        assert_int_equal(ob_key_split((const char *)key.p, key.len, buf, key.len + 1, &name, out, 4), 3);
        assert_string_equal(name, "m");
        for (int k = 0; k < 3; k++) {
            assert_int_equal(out[k].name_len, in[k].name_len);
            assert_memory_equal(out[k].name, in[k].name, in[k].name_len);
            assert_int_equal(out[k].value_len, in[k].value_len);
            assert_memory_equal(out[k].value, in[k].value, in[k].value_len);
            assert_int_equal(out[k].value[out[k].value_len], '\0');
        }
        /* The writer writes the same escaping as the key holds. */
        struct ob_buf m = {0};
        struct ob_expo e = ob_expo_on(&m);
        ob_expo_family(&e, "m", NULL, NULL);
        ob_expo_sample(&e, in, 3, 0);
        ob_expo_done(&e);
        ob_buf_put(&key, " 0\n", 3);
        assert_int_equal(m.len, key.len);
        assert_memory_equal(m.p, key.p, key.len);
        free(m.p);
        free(buf);
        free(key.p);
    }
}

/* A buffer too small and a key cut anywhere: refused or read within bounds. */
static void test_split_bounds(void **state)
{
    (void)state;
    const char *key = "m{a=\"x\\\\y\",b=\"\\\"\"}";
    size_t len = strlen(key);
    char buf[64];
    const char *name;
    struct ob_label l[4];
    assert_int_equal(ob_key_split(key, len, buf, len + 1, &name, l, 4), 2);
    for (size_t cap = 0; cap < 8; cap++)
        assert_int_equal(ob_key_split(key, len, buf, cap, &name, l, 4), -1);
    for (size_t cut = 0; cut < len; cut++) {
        char *copy = malloc(cut ? cut : 1); /* exactly cut bytes: ASan sees a read past them */
        memcpy(copy, key, cut);
        int n = ob_key_split(copy, cut, buf, sizeof buf, &name, l, 4);
        assert_true(n >= -1 && n <= 2);
        free(copy);
    }
    assert_int_equal(ob_key_split(key, len, buf, sizeof buf, &name, l, 1), 1); /* the first max */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),     cmocka_unit_test(test_values),
        cmocka_unit_test(test_families),     cmocka_unit_test(test_key_round_trip),
        cmocka_unit_test(test_split_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
