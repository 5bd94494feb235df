/* test_expfmt.c - the Prometheus text exposition parser on what exporters
 * write, and on malformed lines (error names line and column). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "io/expfmt.h"

struct seen {
    int n;
    char text[16][160]; /* name{l=v,...} value ts */
};

static int record(void *arg, const struct ob_sample *s)
{
    struct seen *r = arg;
    if (r->n >= 16)
        return 1;
    char *t = r->text[r->n++];
    int k = snprintf(t, 160, "%.*s{", (int)s->name_len, s->name);
    for (int i = 0; i < s->nlabels; i++)
        k += snprintf(t + k, 160 - (size_t)k, "%s%.*s=%.*s", i ? "," : "", (int)s->labels[i].name_len,
                      s->labels[i].name, (int)s->labels[i].value_len, s->labels[i].value);
    k += snprintf(t + k, 160 - (size_t)k, "} %g", s->value);
    if (s->has_timestamp)
        snprintf(t + k, 160 - (size_t)k, " @%lld", (long long)s->timestamp_ms);
    return 0;
}

static long parse(const char *text, struct seen *r, char *err)
{
    memset(r, 0, sizeof *r);
    return ob_expfmt_parse(text, strlen(text), record, r, err, 200);
}

static void test_exporter_output(void **state)
{
    (void)state;
    struct seen r;
    char err[200];
    const char *text =
        "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
        "# TYPE node_cpu_seconds_total counter\n"
        "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 1.2345e+06\n"
        "up 1\r\n"
        "\n"
        "http_requests_total{path=\"/a\\\"b\\\\c\\nd\",} 7 1700000000123\n"
        "  go_gc{quantile=\"0.5\"}\t+Inf\n"
        "x_bucket{le=\"-Inf\"} -Inf\n"
        "y NaN\n"
        "ns:rule:rate5m{ job = \"a\" } -3.5\n"
        "# EOF\n";
    assert_int_equal(parse(text, &r, err), 7);
    assert_string_equal(r.text[0], "node_cpu_seconds_total{cpu=0,mode=idle} 1.2345e+06");
    assert_string_equal(r.text[1], "up{} 1");
    assert_string_equal(r.text[2], "http_requests_total{path=/a\"b\\c\nd} 7 @1700000000123");
    assert_string_equal(r.text[3], "go_gc{quantile=0.5} inf");
    assert_string_equal(r.text[4], "x_bucket{le=-Inf} -inf");
    assert_string_equal(r.text[5], "y{} nan");
    assert_string_equal(r.text[6], "ns:rule:rate5m{job=a} -3.5");
}

static void expect_error(const char *text, const char *where, const char *what)
{
    struct seen r;
    char err[200] = "";
    assert_int_equal(parse(text, &r, err), -1);
    if (!strstr(err, where) || !strstr(err, what))
        fail_msg("error '%s' lacks '%s' or '%s'", err, where, what);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_error("ok 1\n9bad 1\n", "line 2, column 1", "expected a metric name");
    expect_error("m{a=\"1\" 2\n", "line 1, column 9", "expected ',' or '}'");
    expect_error("m{a=1} 2\n", "line 1, column 5", "expected '\"'");
    expect_error("m{a=\"x} 2\n", "line 1", "closing quote");
    expect_error("m{a=\"\\t\"} 2\n", "line 1", "unknown escape");
    expect_error("m 1.2.3\n", "line 1, column 3", "'1.2.3' is not a number");
    expect_error("m 0x10\n", "line 1, column 3", "is not a number");
    expect_error("m\n", "line 1, column 2", "expected a blank");
    expect_error("m 1 12abc\n", "line 1", "unexpected text after the timestamp");
    expect_error("m 1 2 3\n", "line 1", "unexpected text after the timestamp");
}

static void test_samples_before_an_error_arrive(void **state)
{
    (void)state;
    struct seen r;
    char err[200];
    assert_int_equal(parse("a 1\nb 2\nc{\n", &r, err), -1);
    assert_int_equal(r.n, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exporter_output),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_samples_before_an_error_arrive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
