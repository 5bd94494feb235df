/* test_remote_write.c - remote write 1.0 bodies: what opsbox encodes it
 * decodes back the same; bad bodies are refused whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "io/remote_write.h"

struct seen {
    int n;
    char last[256];
    double ts, value;
};

static int collect(void *arg, const char *name, const struct ob_label *l, size_t n, double ts, double value)
{
    struct seen *s = arg;
    int k = snprintf(s->last, sizeof s->last, "%s{", name);
    for (size_t i = 0; i < n; i++)
        k += snprintf(s->last + k, sizeof s->last - (size_t)k, "%s%s=%s", i ? "," : "", l[i].name, l[i].value);
    snprintf(s->last + k, sizeof s->last - (size_t)k, "}");
    s->ts = ts;
    s->value = value;
    s->n++;
    return 0;
}

static void test_round_trip(void **state)
{
    (void)state;
    struct ob_label a[] = {ob_label_of("instance", "h:9100"), ob_label_of("job", "node")},
                    b[] = {ob_label_of("value_type", "yhat")};
    struct ob_rw_series series[] = {{"up", a, 2, 1700000000.5, 1}, {"load_opsbox", b, 1, 1700000001, 0.25}};
    void *body;
    size_t len;
    assert_int_equal(ob_remote_write_encode(series, 2, &body, &len), 0);
    struct seen s = {0};
    char err[256];
    long dropped = -1;
    assert_int_equal(ob_remote_write_decode(body, len, collect, &s, &dropped, err, sizeof err), 2);
    assert_int_equal(s.n, 2);
    assert_int_equal(dropped, 0);
    assert_string_equal(s.last, "load_opsbox{value_type=yhat}");
    assert_true(s.ts == 1700000001.0 && s.value == 0.25);
    free(body);
    /* Not snappy; snappy of junk; nothing handed over. */
    s.n = 0;
    assert_int_equal(ob_remote_write_decode("hello", 5, collect, &s, &dropped, err, sizeof err), -1);
    assert_non_null(strstr(err, "not snappy"));
    assert_int_equal(s.n, 0);
    /* A series without __name__ is refused, and so is the whole body. */
    struct ob_rw_series nameless[] = {{"", a, 2, 1, 1}};
    assert_int_equal(ob_remote_write_encode(nameless, 1, &body, &len), 0);
    assert_int_equal(ob_remote_write_decode(body, len, collect, &s, &dropped, err, sizeof err), -1);
    assert_non_null(strstr(err, "timeseries[0]"));
    assert_int_equal(s.n, 0);
    free(body);
}

/* A series /metrics could not carry back is left out and counted; the
 * others of the body are handed over (as Prometheus' receiver does). */
static void test_invalid_series_left_out(void **state)
{
    (void)state;
    struct ob_label ok[] = {ob_label_of("job", "node")}, quote[] = {ob_label_of("a\"b", "x")},
                    colon[] = {ob_label_of("a:b", "x")}, latin1[] = {ob_label_of("path", "caf\xe9")},
                    twice[] = {ob_label_of("job", "a"), ob_label_of("job", "b")};
    struct ob_rw_series series[] = {
        {"up", ok, 1, 1, 1},         {"bad\nname", ok, 1, 1, 2}, {"x=\"1\"", ok, 1, 1, 3}, {"up", quote, 1, 1, 4},
        {"up", colon, 1, 1, 5},      {"up", latin1, 1, 1, 6},    {"up", twice, 2, 1, 7},   {"9up", ok, 1, 1, 8},
        {"node:load_1m", ok, 1, 1, 9},
    };
    size_t n = sizeof series / sizeof *series;
    void *body;
    size_t len;
    assert_int_equal(ob_remote_write_encode(series, n, &body, &len), 0);
    struct seen s = {0};
    char err[256];
    long dropped = -1;
    assert_int_equal(ob_remote_write_decode(body, len, collect, &s, &dropped, err, sizeof err), 2);
    assert_int_equal(s.n, 2);
    assert_int_equal(dropped, 7);
    assert_string_equal(s.last, "node:load_1m{job=node}");
    assert_true(s.value == 9);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_round_trip), cmocka_unit_test(test_invalid_series_left_out)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
