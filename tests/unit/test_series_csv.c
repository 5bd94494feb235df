/* test_series_csv.c - the series reader on good input and on each kind of bad
 * input the issue names: error text names file, line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "io/series_csv.h"

struct read_result {
    int n;           /* points read */
    double last_value;
    int rc;          /* last return of ob_series_reader_next */
    char err[512];
};

static struct read_result read_all(const char *data, size_t len)
{
    struct read_result res = {0};
    FILE *f = fmemopen((void *)data, len, "rb");
    assert_non_null(f);
    struct ob_series_reader *r = ob_series_reader_new(f, "in.csv");
    assert_non_null(r);
    struct ob_series_point p;
    while ((res.rc = ob_series_reader_next(r, &p)) == 1) {
        res.n++;
        res.last_value = p.value;
    }
    snprintf(res.err, sizeof res.err, "%s", ob_series_reader_error(r));
    ob_series_reader_free(r);
    fclose(f);
    return res;
}

static struct read_result read_str(const char *s)
{
    return read_all(s, strlen(s));
}

static void expect_error(const char *input, const char *where, const char *what)
{
    struct read_result r = read_str(input);
    assert_int_equal(r.rc, -1);
    if (!strstr(r.err, where) || !strstr(r.err, what))
        fail_msg("error '%s' lacks '%s' or '%s'", r.err, where, what);
}

static void test_good_forms(void **state)
{
    (void)state;
    struct read_result r = read_str("timestamp,value\r\n"
                                    "2014-07-01 00:00:00,10844\r\n"
                                    "2014-07-01T00:05:00Z,-3.5e2\n"
                                    "\n"
                                    "\"1404175000\",\"7\",extra\n");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.n, 3);
    assert_true(r.last_value == 7);
}

static void test_header_only_is_empty_series(void **state)
{
    (void)state;
    struct read_result r = read_str("timestamp,value\n");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.n, 0);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    expect_error("", "in.csv:1:1:", "empty input");
    expect_error("2014-07-01 00:00:00,1\n", "in.csv:1:1:", "missing header");
    expect_error("t,v\n2014-07-01 00:00:00,abc\n", "in.csv:2:21:", "not a number");
    expect_error("t,v\n2014-07-01 00:00:00,\n", "in.csv:2:21:", "not a number");
    expect_error("t,v\n2014-07-01 00:00:00,1\nnoon,2\n", "in.csv:3:1:", "cannot read 'noon'");
    expect_error("t,v\n2014-07-01 00:00:00,NaN\n", "in.csv:2:21:", "not finite");
    expect_error("t,v\n2014-07-01 00:00:00,inf\n", "in.csv:2:21:", "not finite");
    expect_error("t,v\n2014-07-01 00:00:00,1e999\n", "in.csv:2:21:", "not finite");
    expect_error("t,v\n2014-07-01 00:00:00\n", "in.csv:2:20:", "expected 2 columns");
    expect_error("t,v\n\"2014-07-01 00:00:00,1\n", "in.csv:2:1:", "unbalanced quote");
}

static void test_nul_byte_is_not_a_number(void **state)
{
    (void)state;
    static const char data[] = "t,v\n1404175000,1\0002\n";
    struct read_result r = read_all(data, sizeof data - 1);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err, "in.csv:2:12:"));
}

static void test_line_of_10mb(void **state)
{
    (void)state;
    size_t n = 10u << 20;
    char *big = malloc(n + 64);
    assert_non_null(big);
    int head = sprintf(big, "t,v\n1404175000,");
    memset(big + head, '1', n);
    strcpy(big + head + n, "\n");
    struct read_result r = read_all(big, strlen(big));
    free(big);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err, "in.csv:2:"));
    assert_non_null(strstr(r.err, "line longer than"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_forms),
        cmocka_unit_test(test_header_only_is_empty_series),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_nul_byte_is_not_a_number),
        cmocka_unit_test(test_line_of_10mb),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
