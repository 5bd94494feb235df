/* test_incidents.c - alerts become incidents: one per group, joined by
 * later alerts and by signals that share labels, resolved when all alerts
 * are, reopened within the hold-off, new after it. And their words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "alerts/alerts.h"

/* A webhook of group g with alerts "fingerprint:status:instance:severity". */
static void hook(struct ob_webhook *w, const char *group, int n, const char *const *alerts)
{
    char body[4096];
    int k = snprintf(body, sizeof body,
                     "{\"version\":\"4\",\"groupKey\":\"%s\",\"status\":\"firing\","
                     "\"groupLabels\":{\"alertname\":\"%s\",\"instance\":\"db1\"},"
                     "\"commonLabels\":{\"alertname\":\"%s\",\"job\":\"node\",\"instance\":\"db1\"},"
                     "\"externalURL\":\"http://am\",\"alerts\":[",
                     group, group, group);
    for (int i = 0; i < n; i++) {
        char fp[32], st[16], inst[32], sev[16];
        assert_int_equal(sscanf(alerts[i], "%31[^:]:%15[^:]:%31[^:]:%15s", fp, st, inst, sev), 4);
        k += snprintf(body + k, sizeof body - (size_t)k,
                      "%s{\"status\":\"%s\",\"fingerprint\":\"%s\",\"labels\":{\"alertname\":\"%s\","
                      "\"instance\":\"%s\",\"job\":\"node\",\"severity\":\"%s\"},"
                      "\"annotations\":{\"summary\":\"%s is unhappy\"}}",
                      i ? "," : "", st, fp, group, inst, sev, inst);
    }
    snprintf(body + k, sizeof body - (size_t)k, "]}");
    char err[256];
    if (ob_webhook_decode(body, strlen(body), w, err, sizeof err) < 0)
        fail_msg("%s", err);
}

static struct ob_incidents *apply(struct ob_incidents *s, const char *group, double now,
                                  struct ob_events *ev, int n, const char *const *alerts)
{
    struct ob_webhook w;
    hook(&w, group, n, alerts);
    ob_events_clear(ev);
    assert_int_equal(ob_incidents_webhook(s, &w, now, 0xabcdef0123456789ull + (uint64_t)now, ev), 0);
    ob_webhook_free(&w);
    return s;
}

static int count(const struct ob_events *ev, int kind)
{
    int n = 0;
    for (size_t i = 0; i < ev->n; i++)
        n += ev->ev[i].kind == kind;
    return n;
}

static void test_one_incident_per_group(void **state)
{
    (void)state;
    struct ob_incidents *s = ob_incidents_new(NULL);
    struct ob_events ev = {0};
    const char *a1[] = {"f1:firing:db1:warning"};
    apply(s, "DiskFull", 1000, &ev, 1, a1);
    assert_int_equal(count(&ev, OB_EV_OPENED), 1);
    assert_int_equal(count(&ev, OB_EV_JOINED), 1);
    assert_int_equal(ob_incidents_count(s), 1);
    struct ob_incident *inc = ob_incidents_at(s, 0);
    assert_int_equal(inc->id, 1);
    assert_int_equal(inc->severity, 2);
    /* The same alert again (Alertmanager's repeat): nothing new. */
    apply(s, "DiskFull", 1010, &ev, 1, a1);
    assert_int_equal(ev.n, 0);
    /* A second alert of the group joins, and raises the severity. */
    const char *a2[] = {"f1:firing:db1:warning", "f2:firing:db2:critical"};
    apply(s, "DiskFull", 1020, &ev, 2, a2);
    assert_int_equal(count(&ev, OB_EV_OPENED), 0);
    assert_int_equal(count(&ev, OB_EV_JOINED), 1);
    assert_int_equal(count(&ev, OB_EV_SEVERITY), 1);
    assert_int_equal(ev.ev[ev.n - 1].detail, 2);
    assert_int_equal(inc->severity, 4);
    assert_int_equal(inc->firing, 2);
    /* Another group is another incident. */
    apply(s, "CPUHot", 1030, &ev, 1, a1);
    assert_int_equal(count(&ev, OB_EV_OPENED), 1);
    assert_int_equal(ob_incidents_count(s), 2);
    assert_int_equal(ob_incidents_firing(s), 2);
    assert_int_equal(ob_incidents_at(s, 1)->id, 2);
    ob_events_free(&ev);
    ob_incidents_free(s);
}

static void test_resolve_reopen_and_new(void **state)
{
    (void)state;
    struct ob_incident_params p = {.hold_off_s = 600, .window_s = 300};
    struct ob_incidents *s = ob_incidents_new(&p);
    struct ob_events ev = {0};
    const char *fire[] = {"f1:firing:db1:warning", "f2:firing:db2:warning"};
    const char *half[] = {"f1:resolved:db1:warning", "f2:firing:db2:warning"};
    const char *done[] = {"f1:resolved:db1:warning", "f2:resolved:db2:warning"};
    apply(s, "G", 1000, &ev, 2, fire);
    apply(s, "G", 1100, &ev, 2, half);
    assert_int_equal(count(&ev, OB_EV_MEMBER_RESOLVED), 1);
    assert_int_equal(count(&ev, OB_EV_RESOLVED), 0);
    assert_int_equal(ob_incidents_firing(s), 1);
    apply(s, "G", 1200, &ev, 2, done);
    assert_int_equal(count(&ev, OB_EV_RESOLVED), 1);
    struct ob_incident *inc = ob_incidents_at(s, 0);
    assert_int_equal(inc->state, OB_INCIDENT_RESOLVED);
    assert_int_equal(ob_incidents_firing(s), 0);
    /* Flapping: fires again within the hold-off -> the same incident. */
    apply(s, "G", 1500, &ev, 2, fire);
    assert_int_equal(count(&ev, OB_EV_REOPENED), 1);
    assert_int_equal(count(&ev, OB_EV_OPENED), 0);
    assert_int_equal(count(&ev, OB_EV_MEMBER_FIRING), 2);
    assert_int_equal(inc->state, OB_INCIDENT_FIRING);
    assert_int_equal(ob_incidents_firing(s), 1);
    apply(s, "G", 1600, &ev, 2, done);
    assert_int_equal(count(&ev, OB_EV_RESOLVED), 1);
    /* After the hold-off: a new incident. */
    apply(s, "G", 1600 + 601, &ev, 2, fire);
    assert_int_equal(count(&ev, OB_EV_OPENED), 1);
    assert_int_equal(count(&ev, OB_EV_REOPENED), 0);
    assert_int_equal(ob_incidents_count(s), 2);
    assert_int_equal(ob_incidents_at(s, 1)->id, 2);
    assert_int_equal(ob_incidents_firing(s), 1);
    /* Resolved news of a group never seen firing opens nothing. */
    apply(s, "Other", 3000, &ev, 2, done);
    assert_int_equal(ev.n, 0);
    /* The old incident is forgotten once past hold-off and window. */
    ob_incidents_expire(s, 1600 + 601);
    assert_int_equal(ob_incidents_count(s), 1);
    assert_int_equal(ob_incidents_firing(s), 1);
    assert_int_equal(ob_incidents_at(s, 0)->id, 2);
    /* ...and the group still finds its current one. */
    apply(s, "G", 2300, &ev, 2, done);
    assert_int_equal(count(&ev, OB_EV_RESOLVED), 1);
    assert_int_equal(ob_incidents_firing(s), 0);
    ob_events_free(&ev);
    ob_incidents_free(s);
}

static void signal(struct ob_incidents *s, const char *series, const char *instance, double now,
                   struct ob_events *ev)
{
    struct ob_kv labels[] = {{"instance", (char *)instance}, {"job", "node"}};
    ob_events_clear(ev);
    assert_int_equal(ob_incidents_signal(s, OB_MEMBER_ANOMALY, series, labels, 2, "score 0.97", 0.97,
                                         now, ev),
                     0);
}

static void test_signals_join_by_labels_and_window(void **state)
{
    (void)state;
    struct ob_incident_params p = {.window_s = 300, .hold_off_s = 600};
    struct ob_incidents *s = ob_incidents_new(&p);
    struct ob_events ev = {0};
    /* Anomalies before any alert: kept, nothing to join yet. */
    signal(s, "node_load1{instance=\"db1\"}", "db1", 900, &ev);
    signal(s, "node_load1{instance=\"db9\"}", "db9", 900, &ev);
    signal(s, "old{instance=\"db1\"}", "db1", 500, &ev);
    assert_int_equal(ev.n, 0);
    const char *a[] = {"f1:firing:db1:warning"};
    apply(s, "Load", 1000, &ev, 1, a);
    /* The db1 anomaly within the window joins; db9 and the old one do not. */
    assert_int_equal(count(&ev, OB_EV_JOINED), 2);
    struct ob_incident *inc = ob_incidents_at(s, 0);
    assert_int_equal(inc->nmembers, 2);
    assert_int_equal(inc->members[1].kind, OB_MEMBER_ANOMALY);
    assert_string_equal(inc->members[1].key, "node_load1{instance=\"db1\"}");
    /* A new anomaly on db1 joins the firing incident; on db9 it does not. */
    signal(s, "disk{instance=\"db1\"}", "db1", 1010, &ev);
    assert_int_equal(count(&ev, OB_EV_JOINED), 1);
    signal(s, "disk{instance=\"db9\"}", "db9", 1010, &ev);
    assert_int_equal(ev.n, 0);
    /* The same series again is no news. */
    signal(s, "disk{instance=\"db1\"}", "db1", 1020, &ev);
    assert_int_equal(ev.n, 0);
    assert_int_equal(inc->nmembers, 3);
    ob_events_free(&ev);
    ob_incidents_free(s);
}

static void test_restore_keeps_ids_and_members(void **state)
{
    (void)state;
    struct ob_incidents *s = ob_incidents_new(NULL);
    struct ob_events ev = {0};
    const char *a[] = {"f1:firing:db1:warning"};
    apply(s, "G", 1000, &ev, 1, a);
    /* Copy incident 1 as a store would give it back. */
    const struct ob_incident *src = ob_incidents_at(s, 0);
    struct ob_incident *copy = calloc(1, sizeof *copy);
    *copy = *src;
    copy->group_key = strdup(src->group_key);
    copy->labels = NULL;
    copy->nlabels = 0;
    assert_int_equal(ob_kv_from_json("{\"alertname\":\"G\"}", &copy->labels, &copy->nlabels), 0);
    assert_int_equal(ob_kv_from_json("{\"instance\":\"db1\"}", &copy->identifying, &copy->nidentifying), 0);
    copy->repo = NULL;
    copy->external_url = NULL;
    copy->members = calloc(1, sizeof *copy->members);
    copy->members[0] = src->members[0];
    copy->members[0].key = strdup(src->members[0].key);
    copy->members[0].labels = strdup(src->members[0].labels);
    copy->members[0].summary = strdup(src->members[0].summary);
    struct ob_incidents *t = ob_incidents_new(NULL);
    assert_int_equal(ob_incidents_restore(t, copy), 0);
    assert_int_equal(ob_incidents_at(t, 0)->firing, 1);
    assert_int_equal(ob_incidents_firing(t), 1);
    /* The known member is no news; resolving it resolves the incident. */
    const char *r[] = {"f1:resolved:db1:warning"};
    apply(t, "G", 1100, &ev, 1, r);
    assert_int_equal(count(&ev, OB_EV_RESOLVED), 1);
    assert_int_equal(count(&ev, OB_EV_JOINED), 0);
    /* After the hold-off, the next incident gets the next id. */
    apply(t, "G", 5000, &ev, 1, a);
    assert_int_equal(ob_incidents_at(t, 1)->id, 2);
    ob_events_free(&ev);
    ob_incidents_free(s);
    ob_incidents_free(t);
}

/* A copy of s's i-th incident, as a store would give it back. */
static struct ob_incident *copy_of(struct ob_incidents *s, size_t i)
{
    const struct ob_incident *src = ob_incidents_at(s, i);
    struct ob_incident *c = calloc(1, sizeof *c);
    *c = *src;
    c->group_key = strdup(src->group_key);
    c->labels = c->identifying = NULL;
    c->nlabels = c->nidentifying = 0;
    c->repo = c->external_url = c->issue_url = NULL;
    c->members = calloc(src->nmembers + 1, sizeof *c->members);
    for (size_t m = 0; m < src->nmembers; m++) {
        c->members[m] = src->members[m];
        c->members[m].key = strdup(src->members[m].key);
        c->members[m].labels = strdup(src->members[m].labels);
        c->members[m].summary = strdup(src->members[m].summary);
    }
    c->cap = c->nmembers;
    return c;
}

/* Replicas: what another set changed replaces this set's copy, so the
 * same webhook applied again is no news, and new ids go past the store's. */
static void test_replace_from_another_replica(void **state)
{
    (void)state;
    struct ob_incidents *a = ob_incidents_new(NULL), *b = ob_incidents_new(NULL);
    struct ob_events ev = {0};
    const char *one[] = {"f1:firing:db1:warning"}, *two[] = {"f1:firing:db1:warning", "f2:firing:db1:critical"};
    apply(a, "G", 1000, &ev, 1, one);
    assert_int_equal(ob_incidents_replace(b, copy_of(a, 0)), 0);
    apply(b, "G", 1001, &ev, 1, one);
    assert_int_equal(ev.n, 0); /* b knew it from a */
    apply(a, "G", 1002, &ev, 2, two);
    assert_int_equal(count(&ev, OB_EV_JOINED), 1);
    assert_int_equal(ob_incidents_replace(b, copy_of(a, 0)), 0); /* a newer copy */
    assert_int_equal(ob_incidents_count(b), 1);
    assert_int_equal(ob_incidents_at(b, 0)->nmembers, 2);
    assert_int_equal(ob_incidents_firing(b), 1);
    apply(b, "G", 1003, &ev, 2, two);
    assert_int_equal(ev.n, 0);
    const char *r[] = {"f1:resolved:db1:warning", "f2:resolved:db1:critical"};
    apply(b, "G", 1004, &ev, 2, r); /* and its members are b's to resolve */
    assert_int_equal(count(&ev, OB_EV_RESOLVED), 1);
    assert_int_equal(ob_incidents_firing(b), 0);
    ob_incidents_reserve_id(b, 41);
    apply(b, "H", 1005, &ev, 1, one);
    assert_int_equal(ob_incidents_at(b, 1)->id, 42);
    ob_events_free(&ev);
    ob_incidents_free(a);
    ob_incidents_free(b);
}

static void test_render(void **state)
{
    (void)state;
    struct ob_incidents *s = ob_incidents_new(NULL);
    struct ob_events ev = {0};
    const char *a[] = {"f1:firing:db1:critical"};
    apply(s, "DiskFull", 1000, &ev, 1, a);
    struct ob_incident *inc = ob_incidents_at(s, 0);
    char *title = ob_render_title(inc, NULL);
    assert_string_equal(title, "DiskFull (instance=db1)");
    free(title);
    title = ob_render_title(inc, "[{{severity}}] {{alertname}} #{{id}}{{nosuch}}");
    assert_string_equal(title, "[critical] DiskFull #1"); /* the incident's, no such label */
    free(title);
    char *body = ob_render_body(inc, NULL), marker[64];
    ob_render_marker(inc, marker, sizeof marker);
    assert_non_null(strstr(body, marker));
    assert_non_null(strstr(body, "db1 is unhappy"));
    assert_non_null(strstr(body, "severity critical"));
    assert_non_null(strstr(body, "http://am"));
    free(body);
    body = ob_render_body(inc, "**{{alertname}}** on {{instance}}: {{summary}} ({{severity}})\n{{members}}");
    assert_non_null(strstr(body, "**DiskFull** on db1: db1 is unhappy (critical)\n| kind |"));
    assert_non_null(strstr(body, marker)); /* the marker, always */
    free(body);
    assert_null(ob_render_comment(&ev.ev[0])); /* opened: the issue says it */
    const char *r[] = {"f1:resolved:db1:critical"};
    apply(s, "DiskFull", 1100, &ev, 1, r);
    char *c = ob_render_comment(&ev.ev[ev.n - 1]);
    assert_non_null(strstr(c, "Resolved"));
    free(c);
    ob_events_free(&ev);
    ob_incidents_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_incident_per_group),
        cmocka_unit_test(test_resolve_reopen_and_new),
        cmocka_unit_test(test_signals_join_by_labels_and_window),
        cmocka_unit_test(test_restore_keeps_ids_and_members),
        cmocka_unit_test(test_replace_from_another_replica),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
