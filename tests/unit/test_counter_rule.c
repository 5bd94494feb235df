/* test_counter_rule.c - which series the daemon models as counters (their
 * rate) rather than as gauges (src/metrics/registry.c,
 * ob_metric_is_counter): Prometheus's counter suffixes, at the end of the
 * name only, and never the bare suffix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "metrics/registry.h"

static int counter(const char *name)
{
    return ob_metric_is_counter(name, strlen(name));
}

static void test_suffixes(void **state)
{
    (void)state;
    assert_true(counter("http_requests_total"));
    assert_true(counter("rpc_duration_seconds_count"));
    assert_true(counter("rpc_duration_seconds_sum"));
    assert_true(counter("rpc_duration_seconds_bucket"));
    assert_false(counter("node_memory_MemFree_bytes"));
    assert_false(counter("up"));
    assert_false(counter("total_requests"));   /* the suffix must end the name */
    assert_false(counter("requests_totals"));
    assert_false(counter("_total"));           /* only the suffix */
    assert_false(counter(""));
}

static void test_length_counts(void **state)
{
    (void)state;
    const char *key = "x_total{job=\"a\"}"; /* the name is a prefix of a key */
    assert_true(ob_metric_is_counter(key, 7));
    assert_false(ob_metric_is_counter(key, 6));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_suffixes), cmocka_unit_test(test_length_counts)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
