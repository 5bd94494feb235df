/* test_serve_route.c - how the daemon's parts reach one another
 * (src/serve/route.c): through the core only. The POST routes and API
 * paths are found by the part that owns them, signals go to the one part
 * that takes them (and are freed when it is not running: ASan checks),
 * the series a part models itself are known to the core, and events and
 * "outbox has work" reach parts that are not running without harm. Linking
 * this test against opsbox_serve alone (no cli objects) is itself a check:
 * the library takes nothing from the executable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "serve/serve_int.h"

static void test_routes(void **state)
{
    (void)state;
    const struct ob_serve_route *r = ob__serve_route("/v1/receiver");
    assert_non_null(r);
    assert_string_equal(r->type, "application/json");
    assert_non_null(strstr(r->usage, "Alertmanager"));
    r = ob__serve_route("/loki/api/v1/push");
    assert_non_null(r);
    assert_null(r->type);
    assert_null(ob__serve_route("/metrics")); /* the core's own */
    assert_null(ob__serve_route("/v1/receiver/"));
}

static void test_api_paths(void **state)
{
    (void)state;
    struct serve s = {0}; /* no part running: each answers empty */
    const char *paths[] = {"/api/v1/disks", "/api/v1/prices"};
    for (size_t i = 0; i < 2; i++) {
        struct ob_http_request req = {.method = "GET", .path = paths[i], .body = ""};
        int found = 0;
        json_t *d = ob__serve_part_api(&s, &req, &found);
        assert_int_equal(found, 1);
        assert_non_null(d);
        json_decref(d);
    }
    struct ob_http_request none = {.method = "GET", .path = "/api/v1/nothing", .body = ""};
    int found = 1;
    assert_null(ob__serve_part_api(&s, &none, &found));
    assert_int_equal(found, 0);
}

static void test_own_series(void **state)
{
    (void)state;
    const char *own = "opsbox_log_template_lines_total";
    assert_int_equal(ob__serve_own_series(own, strlen(own)), 1);
    assert_int_equal(ob__serve_own_series(own, strlen(own) - 1), 0);
    assert_int_equal(ob__serve_own_series("up", 2), 0);
}

static struct flagged *some_signals(size_t n)
{
    struct flagged *f = calloc(n, sizeof *f);
    assert_non_null(f);
    for (size_t i = 0; i < n; i++) {
        f[i].key = strdup("x{a=\"1\"}");
        f[i].labels = calloc(1, sizeof *f[i].labels);
        f[i].labels[0].name = strdup("a");
        f[i].labels[0].value = strdup("1");
        f[i].nlabels = 1;
    }
    return f;
}

static void test_signals_taken(void **state)
{
    (void)state;
    struct serve s = {0};
    pthread_mutex_init(&s.lock, NULL);
    ob__serve_post_signals(&s, some_signals(3), 3); /* the receiver is not running: freed */
    ob__serve_post_signals(&s, NULL, 0);
    s.flagged = some_signals(2);
    s.nflagged = 2;
    ob__serve_signals(&s); /* takes the list under the lock */
    assert_null(s.flagged);
    assert_int_equal(s.nflagged, 0);
    pthread_mutex_destroy(&s.lock);
}

static void test_events_without_parts(void **state)
{
    (void)state;
    struct serve s = {0};
    struct ob_webhook w = {0};
    ob__serve_post_event(&s, &w);
    ob__serve_outbox_ready(&s);
    json_t *o = json_object();
    ob__serve_part_status(&s, o);
    assert_int_equal(json_integer_value(json_object_get(o, "incidents_open")), 0);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),         cmocka_unit_test(test_api_paths),
        cmocka_unit_test(test_own_series),     cmocka_unit_test(test_signals_taken),
        cmocka_unit_test(test_events_without_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
