/* test_webhook.c - Alertmanager's webhook payload: a real one decodes
 * field by field; wrong shapes are refused with the field's path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "alerts/alerts.h"

/* As Alertmanager 0.25 sends it (one alert firing, one resolved). */
static const char payload[] =
    "{\"receiver\":\"opsbox\",\"status\":\"firing\",\"alerts\":["
    "{\"status\":\"firing\",\"labels\":{\"alertname\":\"DiskFull\",\"instance\":\"db1:9100\","
    "\"severity\":\"critical\",\"job\":\"node\"},\"annotations\":{\"summary\":\"disk 97% full\"},"
    "\"startsAt\":\"2026-11-27T06:00:00.123Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
    "\"generatorURL\":\"http://prom/graph\",\"fingerprint\":\"a1b2c3d4e5f60718\"},"
    "{\"status\":\"resolved\",\"labels\":{\"alertname\":\"DiskFull\",\"instance\":\"db2:9100\"},"
    "\"annotations\":{},\"startsAt\":\"2026-11-27T05:00:00Z\",\"endsAt\":\"2026-11-27T05:30:00Z\"}],"
    "\"groupLabels\":{\"alertname\":\"DiskFull\"},\"commonLabels\":{\"alertname\":\"DiskFull\"},"
    "\"commonAnnotations\":{},\"externalURL\":\"http://am:9093\",\"version\":\"4\","
    "\"groupKey\":\"{}:{alertname=\\\"DiskFull\\\"}\",\"truncatedAlerts\":0}";

static void test_decodes_alertmanager_payload(void **state)
{
    (void)state;
    struct ob_webhook w;
    char err[256] = "";
    assert_int_equal(ob_webhook_decode(payload, strlen(payload), &w, err, sizeof err), 0);
    assert_string_equal(w.group_key, "{}:{alertname=\"DiskFull\"}");
    assert_string_equal(w.receiver, "opsbox");
    assert_string_equal(w.external_url, "http://am:9093");
    assert_int_equal(w.firing, 1);
    assert_int_equal(w.nalerts, 2);
    const struct ob_alert *a = &w.alerts[0];
    assert_int_equal(a->firing, 1);
    assert_int_equal(a->nlabels, 4);
    assert_string_equal(a->labels[0].name, "alertname"); /* sorted */
    assert_string_equal(a->labels[3].name, "severity");
    assert_string_equal(ob_kv_get(a->labels, a->nlabels, "instance"), "db1:9100");
    assert_string_equal(ob_kv_get(a->annotations, a->nannotations, "summary"), "disk 97% full");
    assert_true(a->starts_at > 1795000000.0 && a->starts_at < 1796000000.0);
    assert_true(a->ends_at == 0); /* Go's zero time is "unset" */
    assert_string_equal(a->fingerprint, "a1b2c3d4e5f60718");
    /* No fingerprint: one is made from the labels, stable across calls. */
    assert_int_equal(w.alerts[1].firing, 0);
    assert_int_equal(strlen(w.alerts[1].fingerprint), 16);
    char first[17];
    strcpy(first, w.alerts[1].fingerprint);
    ob_webhook_free(&w);
    assert_int_equal(ob_webhook_decode(payload, strlen(payload), &w, err, sizeof err), 0);
    assert_string_equal(w.alerts[1].fingerprint, first);
    assert_string_not_equal(w.alerts[0].fingerprint, first);
    ob_webhook_free(&w);
}

static void expect_error(const char *body, const char *want)
{
    struct ob_webhook w;
    char err[256] = "";
    assert_int_equal(ob_webhook_decode(body, strlen(body), &w, err, sizeof err), -1);
    if (!strstr(err, want))
        fail_msg("error '%s' does not contain '%s'", err, want);
    assert_null(w.alerts);
}

static void test_refuses_wrong_shapes(void **state)
{
    (void)state;
    expect_error("", "not valid JSON");
    expect_error("{\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[", "not valid JSON");
    expect_error("[1,2]", "expected a JSON object");
    expect_error("{\"status\":\"firing\",\"alerts\":[]}", "groupKey: missing");
    expect_error("{\"groupKey\":\"g\",\"alerts\":[]}", "status: missing");
    expect_error("{\"groupKey\":\"g\",\"status\":\"burning\",\"alerts\":[]}", "status: expected");
    expect_error("{\"groupKey\":\"g\",\"status\":\"firing\"}", "alerts: missing");
    expect_error("{\"version\":\"3\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[]}", "version");
    expect_error("{\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\","
                 "\"labels\":{\"a\":\"b\"}},{\"status\":\"firing\",\"labels\":{\"x\":\"y\",\"n\":7}}]}",
                 "alerts[1].labels.n: expected a string");
    expect_error("{\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\","
                 "\"labels\":{}}]}", "alerts[0].labels: an alert needs at least one label");
    expect_error("{\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\","
                 "\"labels\":{\"a\":\"b\"},\"startsAt\":\"yesterday\"}]}", "alerts[0].startsAt");
    expect_error("{\"groupKey\":\"g\",\"groupKey\":\"h\",\"status\":\"firing\",\"alerts\":[]}",
                 "not valid JSON");
    expect_error("{\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[],\"truncatedAlerts\":\"x\"}",
                 "truncatedAlerts");
}

static void test_duplicate_fingerprints_last_wins(void **state)
{
    (void)state;
    const char *body = "{\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":["
                       "{\"status\":\"firing\",\"labels\":{\"a\":\"1\"},\"fingerprint\":\"x\"},"
                       "{\"status\":\"firing\",\"labels\":{\"a\":\"2\"},\"fingerprint\":\"y\"},"
                       "{\"status\":\"resolved\",\"labels\":{\"a\":\"1\"},\"fingerprint\":\"x\"}]}";
    struct ob_webhook w;
    char err[256];
    assert_int_equal(ob_webhook_decode(body, strlen(body), &w, err, sizeof err), 0);
    assert_int_equal(w.nalerts, 2);
    assert_string_equal(w.alerts[0].fingerprint, "x");
    assert_int_equal(w.alerts[0].firing, 0); /* the later one */
    assert_string_equal(w.alerts[1].fingerprint, "y");
    ob_webhook_free(&w);
}

static void test_kv_json_round_trip(void **state)
{
    (void)state;
    struct ob_kv kv[] = {{"a", "1"}, {"b", "quote\"d"}};
    char *j = ob_kv_to_json(kv, 2);
    assert_non_null(j);
    assert_string_equal(j, "{\"a\":\"1\",\"b\":\"quote\\\"d\"}");
    struct ob_kv *back;
    size_t n;
    assert_int_equal(ob_kv_from_json(j, &back, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(back[1].value, "quote\"d");
    ob_kv_free(back, n);
    free(j);
    assert_int_equal(ob_kv_from_json("[1]", &back, &n), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decodes_alertmanager_payload),
        cmocka_unit_test(test_refuses_wrong_shapes),
        cmocka_unit_test(test_duplicate_fingerprints_last_wins),
        cmocka_unit_test(test_kv_json_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
