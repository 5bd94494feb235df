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

/* A params rule: threshold 0 (every point flagged) for keys holding the
 * rule's text. */
static const char *zero_for;

static void rule(void *arg, const char *key, size_t key_len, size_t name_len,
                 struct ob_detector_params *p)
{
    (void)arg;
    assert_true(strlen(key) == key_len && name_len < key_len && key[name_len] == '{');
    if (zero_for && strstr(key, zero_for))
        p->threshold = 0;
}

struct saved {
    char blob[8192];
    size_t len;
};

static int save_b(void *arg, const char *key, size_t key_len, const void *blob, size_t len)
{
    struct saved *sv = arg;
    if (key_len == strlen("m{job=\"b\"}") && !memcmp(key, "m{job=\"b\"}", key_len)) {
        assert_true(len <= sizeof sv->blob);
        memcpy(sv->blob, blob, len);
        sv->len = len;
    }
    return 0;
}

static int observe(struct ob_registry *r, const char *key, double ts)
{
    return ob_registry_observe(r, key, strlen(key), 1, ts, 5.0); /* a constant: never rare */
}

/* The params rule reaches new series, models restored from a blob (over
 * the params saved in it) and every series when applied again. */
static void test_params_rule(void **state)
{
    (void)state;
    struct ob_registry *r = ob_registry_new(NULL);
    zero_for = "job=\"a\"";
    ob_registry_set_params_fn(r, rule, NULL);
    int a = 0, b = 0;
    for (int i = 0; i < 100; i++) {
        a += observe(r, "m{job=\"a\"}", 1e9 + i * 60);
        b += observe(r, "m{job=\"b\"}", 1e9 + i * 60);
    }
    assert_int_equal(a, 100);
    assert_int_equal(b, 0);
    struct saved sv = {.len = 0};
    ob_registry_each_model(r, save_b, &sv);
    assert_true(sv.len > 0);

    zero_for = "job=\"b\""; /* the rule changes: SIGHUP */
    ob_registry_apply_params(r);
    a = observe(r, "m{job=\"a\"}", 1e9 + 100 * 60);
    b = observe(r, "m{job=\"b\"}", 1e9 + 100 * 60);
    assert_true(a == 0 && b == 1);
    ob_registry_free(r);

    r = ob_registry_new(NULL); /* b's model was saved at the default threshold */
    ob_registry_set_params_fn(r, rule, NULL);
    assert_int_equal(ob_registry_restore(r, "m{job=\"b\"}", strlen("m{job=\"b\"}"), sv.blob, sv.len,
                                         1e9 + 100 * 60), 0);
    assert_int_equal(observe(r, "m{job=\"b\"}", 1e9 + 101 * 60), 1);
    ob_registry_free(r);
    zero_for = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_ring),
        cmocka_unit_test(test_counter_history_is_rates),
        cmocka_unit_test(test_params_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
