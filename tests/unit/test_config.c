/* test_config.c - opsbox.yml: Prometheus scrape_configs accepted as users
 * write them; every mistake named with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "io/config.h"

static struct ob_config *parse(const char *y, char *err)
{
    return ob_config_parse(y, strlen(y), "opsbox.yml", err, 256);
}

static void test_full_config(void **state)
{
    (void)state;
    char err[256] = "";
    struct ob_config *c = parse("listen: 0.0.0.0:9999\n"
                                "staleness: 10m\nsnapshot_interval: 30s\n"
                                "global:\n  scrape_interval: 30s\n  scrape_timeout: 5s\n"
                                "scrape_configs:\n"
                                "  - job_name: node\n"
                                "    static_configs:\n"
                                "      - targets: ['127.0.0.1:9100', 'db:9100']\n"
                                "        labels: {env: prod, team: ops}\n"
                                "      - targets: [web:9100]\n"
                                "  - job_name: app\n"
                                "    scrape_interval: 1m30s\n"
                                "    metrics_path: /stats\n"
                                "    scheme: https\n"
                                "    static_configs: [{targets: ['app:8080']}]\n",
                                err);
    if (!c)
        fail_msg("%s", err);
    assert_string_equal(c->listen, "0.0.0.0:9999");
    assert_string_equal(c->store, "./opsbox.db");
    assert_string_equal(c->output_suffix, "opsbox");
    assert_true(c->staleness_s == 600 && c->snapshot_s == 30);
    assert_int_equal(c->nscrapes, 2);
    struct ob_scrape_config *n = &c->scrapes[0], *a = &c->scrapes[1];
    assert_string_equal(n->job_name, "node");
    assert_true(n->interval_s == 30 && n->timeout_s == 5);
    assert_string_equal(n->metrics_path, "/metrics");
    assert_string_equal(n->scheme, "http");
    assert_int_equal(n->ntargets, 3);
    assert_string_equal(n->targets[1].address, "db:9100");
    assert_int_equal(n->targets[1].nlabels, 2);
    assert_string_equal(n->targets[1].labels[1].name, "team");
    assert_string_equal(n->targets[1].labels[1].value, "ops");
    assert_int_equal(n->targets[2].nlabels, 0);
    assert_true(a->interval_s == 90 && a->timeout_s == 5);
    assert_string_equal(a->metrics_path, "/stats");
    assert_string_equal(a->scheme, "https");
    ob_config_free(c);
}

static void expect_error(const char *y, const char *want)
{
    char err[256] = "";
    struct ob_config *c = parse(y, err);
    if (c || !strstr(err, want))
        fail_msg("config %s: error '%s' lacks '%s'", c ? "accepted" : "refused", err, want);
}

static void test_defaults(void **state)
{
    (void)state;
    struct ob_config *c = ob_config_default();
    assert_non_null(c);
    assert_string_equal(c->listen, "127.0.0.1:9393");
    assert_int_equal(c->nscrapes, 0);
    assert_true(c->staleness_s == 300 && c->snapshot_s == 60);
    assert_true(c->logs.warmup == 1000 && c->logs.rate_interval_s == 15 && c->logs.max_stream_series == 10000);
    ob_config_free(c);
    char err[256] = "";
    c = parse("logs: {max_stream_series: 0}\n", err);
    assert_non_null(c);
    assert_int_equal(c->logs.max_stream_series, 0); /* 0: no per-stream counts */
    ob_config_free(c);
    expect_error("logs: {max_stream_series: -3}\n", "logs.max_stream_series");
}


static void test_mistakes_named_with_line(void **state)
{
    (void)state;
    expect_error("lisen: x\n", "opsbox.yml:1: unknown key 'lisen'");
    expect_error("scrape_configs:\n  - job_name: a\n    scrape_intervall: 5s\n",
                 "opsbox.yml:3: scrape_configs: unknown key 'scrape_intervall'");
    expect_error("scrape_configs:\n  - job_name: a\n    scrape_interval: fast\n"
                 "    static_configs: [{targets: [a:1]}]\n",
                 "opsbox.yml:3: scrape_interval: 'fast' is not a duration");
    expect_error("scrape_configs:\n  - static_configs: [{targets: [a:1]}]\n",
                 "opsbox.yml:2: scrape_configs: job_name is required");
    expect_error("scrape_configs:\n  - job_name: a\n", "job 'a' has no targets");
    expect_error("scrape_configs:\n  - {job_name: a, static_configs: [{targets: [a:1]}]}\n"
                 "  - {job_name: a, static_configs: [{targets: [b:1]}]}\n",
                 "opsbox.yml:3: scrape_configs: job_name 'a' is used twice");
    expect_error("scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n"
                 "    static_configs: [{targets: [a:1]}]\n",
                 "scrape_timeout is longer than scrape_interval");
    expect_error("scrape_configs:\n  - {job_name: a, scheme: ftp, static_configs: [{targets: [a:1]}]}\n",
                 "scheme: 'ftp' is neither http nor https");
    expect_error("scrape_configs:\n  - {job_name: a, static_configs: [{targets: ['http://a:1']}]}\n",
                 "targets: 'http://a:1' is not host:port");
    expect_error("listen: [1, 2]\n", "opsbox.yml:1: listen: expected a single value");
    expect_error("scrape_configs: [\n", "not valid YAML");
    expect_error("- a\n- b\n", "config: expected a mapping");
}

/* The metrics section: for all series, then the first override whose
 * labels all match; each error named. */
static void test_metrics_section(void **state)
{
    (void)state;
    char err[256] = "";
    struct ob_config *c = parse("metrics:\n"
                                "  threshold: 0.7\n"
                                "  overrides:\n"
                                "    - {match: {job: api, env: prod}, threshold: 0.9}\n"
                                "    - {match: {job: api}, band: 0.95}\n"
                                "    - {match: {__name__: up}, threshold: 0, band: 0.5}\n"
                                "    - {match: {job: ''}, threshold: 0.8}\n", err);
    if (!c)
        fail_msg("%s", err);
    struct ob_label_pair api_prod[] = {{"env", "prod"}, {"job", "api"}}, api[] = {{"job", "api"}},
                         web[] = {{"job", "web"}};
    struct {
        const char *name;
        struct ob_label_pair *l;
        size_t n;
        double threshold, band;
    } cases[] = {
        {"req", api_prod, 2, 0.9, 0.99}, /* the first match wins; band as for all */
        {"req", api, 1, 0.7, 0.95},      /* a label it lacks does not match */
        {"up", api, 1, 0.7, 0.95},       /* the earlier override wins over __name__ */
        {"up", web, 1, 0, 0.5},
        {"req", web, 1, 0.7, 0.99},      /* no override: the section's */
        {"req", NULL, 0, 0.8, 0.99},     /* job absent equals job: '' */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double t = 0.6795, b = 0.99;
        ob_config_metrics_params(&c->metrics, cases[i].name, cases[i].l, cases[i].n, &t, &b);
        if (t != cases[i].threshold || b != cases[i].band)
            fail_msg("case %zu: threshold %g band %g, want %g %g", i, t, b, cases[i].threshold,
                     cases[i].band);
    }
    ob_config_free(c);
    c = ob_config_default(); /* no section: nothing changes */
    double t = 0.6795, b = 0.99;
    ob_config_metrics_params(&c->metrics, "x", api, 1, &t, &b);
    assert_true(t == 0.6795 && b == 0.99);
    ob_config_free(c);
    expect_error("metrics: {threshold: 1.5}\n", "opsbox.yml:1: metrics.threshold: '1.5' is not a number from 0 to 1");
    expect_error("metrics: {band: 1}\n", "metrics.band: '1' is not a number between 0 and 1");
    expect_error("metrics: {treshold: 0.5}\n", "metrics: unknown key 'treshold'");
    expect_error("metrics:\n  overrides:\n    - {threshold: 0.5}\n",
                 "opsbox.yml:3: metrics.overrides: match (labels and values) is required");
    expect_error("metrics:\n  overrides:\n    - {match: {job: a}}\n", "sets neither threshold nor band");
    expect_error("metrics: {overrides: {job: a}}\n", "metrics.overrides: expected a list");
    expect_error("metrics:\n  overrides:\n    - {match: {job: a}, threshold: x}\n",
                 "metrics.overrides.threshold: 'x' is not a number");
}

static void test_durations(void **state)
{
    (void)state;
    assert_true(ob_parse_duration("15s") == 15);
    assert_true(ob_parse_duration("1m30s") == 90);
    assert_true(ob_parse_duration("500ms") == 0.5);
    assert_true(ob_parse_duration("2h") == 7200);
    assert_true(ob_parse_duration("1d") == 86400);
    assert_true(ob_parse_duration("") < 0);
    assert_true(ob_parse_duration("5") < 0);
    assert_true(ob_parse_duration("5x") < 0);
    assert_true(ob_parse_duration("-5s") < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_config),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_mistakes_named_with_line),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_metrics_section),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
