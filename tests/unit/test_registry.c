/* test_registry.c - the per-series registry: a model per key, counters as
 * rates, flags returned, and the short history kept for charts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "metrics/registry.h"

struct seen {
    long n;
    double first_ts, last_ts, last_value, prev_ts;
    int ordered, flagged, band_ok;
};

static void collect(void *arg, double ts, double value, double yhat, double lo, double hi, int anomaly)
{
    (void)yhat;
    struct seen *s = arg;
    if (s->n == 0)
        s->first_ts = ts;
    else if (ts <= s->prev_ts)
        s->ordered = 0;
    s->prev_ts = s->last_ts = ts;
    s->last_value = value;
    s->flagged += anomaly;
    s->band_ok &= lo <= hi;
    s->n++;
}

static struct seen history(struct ob_registry *r, const char *key)
{
    struct seen s = {.ordered = 1, .band_ok = 1};
    s.n = ob_registry_history(r, key, strlen(key), collect, &s);
    return s;
}

static void test_history_ring(void **state)
{
    (void)state;
    struct ob_registry *r = ob_registry_new(NULL);
    const char *key = "temp{host=\"a\"}";
    int flags = 0;
    for (int i = 0; i < 400; i++) {
        double v = i == 390 ? 1000.0 : 20.0 + (i % 7) * 0.1;
        int rc = ob_registry_observe(r, key, strlen(key), 4, 1e9 + i * 15.0, v);
        assert_true(rc == 0 || rc == 1);
        flags += rc;
    }
    assert_true(flags >= 1); /* the jump at 390 is flagged, and said so */
    struct seen s = history(r, key);
    assert_int_equal(s.n, OB_REGISTRY_HISTORY_DEFAULT);
    assert_true(s.ordered && s.band_ok);
    assert_true(s.last_ts == 1e9 + 399 * 15.0);
    assert_true(s.first_ts == 1e9 + (400 - OB_REGISTRY_HISTORY_DEFAULT) * 15.0);
    assert_true(s.last_value >= 20.0 && s.last_value < 21.0);
    assert_int_equal(s.flagged, flags);
    /* Unknown series: -1, not an empty answer. */
    assert_int_equal(ob_registry_history(r, "nope{}", 6, collect, &s), -1);
    /* A gap of 30 days (beyond the ring's offsets): it starts over. */
    assert_true(ob_registry_observe(r, key, strlen(key), 4, 1e9 + 30 * 86400.0, 20.0) >= 0);
    s = history(r, key);
    assert_true(s.n >= 1 && s.last_ts == 1e9 + 30 * 86400.0 && s.ordered);
    /* Off: nothing kept. */
    ob_registry_set_history(r, 0);
    assert_true(ob_registry_observe(r, key, strlen(key), 4, 2e9, 20.0) >= 0);
    assert_int_equal(history(r, key).n, 0);
    ob_registry_free(r);
}

static void test_counter_history_is_rates(void **state)
{
    (void)state;
    struct ob_registry *r = ob_registry_new(NULL);
    const char *key = "req_total{}";
    for (int i = 0; i < 10; i++)
        assert_true(ob_registry_observe_counter(r, key, strlen(key), 9, 100.0 + i * 10, i * 50.0) >= 0);
    struct seen s = history(r, key);
    assert_int_equal(s.n, 9); /* the first reading is only the baseline */
    assert_true(s.last_value == 5.0);
    ob_registry_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_ring),
        cmocka_unit_test(test_counter_history_is_rates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
