/* test_timeparse.c - the timestamp forms opsbox accepts, and what it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/timeparse.h"

static double parse_ok(const char *s)
{
    double t = -12345;
    assert_int_equal(ob_time_parse(s, strlen(s), &t), 0);
    return t;
}

static void refuse(const char *s)
{
    double t = -12345;
    assert_int_equal(ob_time_parse(s, strlen(s), &t), -1);
    assert_true(t == -12345); /* nothing written on failure */
}

static void test_nab_form(void **state)
{
    (void)state;
    assert_true(parse_ok("1970-01-01 00:00:00") == 0);
    assert_true(parse_ok("2014-07-01 00:30:00") == 1404174600);
    assert_true(parse_ok("2000-02-29 12:00:00") == 951825600);
}

static void test_rfc3339(void **state)
{
    (void)state;
    assert_true(parse_ok("2014-07-01T00:30:00Z") == 1404174600);
    assert_true(parse_ok("2014-07-01T02:30:00+02:00") == 1404174600);
    assert_true(parse_ok("2014-06-30T23:30:00-01:00") == 1404174600);
    assert_true(parse_ok("2014-07-01T00:30:00.250Z") == 1404174600.25);
}

static void test_unix_seconds(void **state)
{
    (void)state;
    assert_true(parse_ok("1404174600") == 1404174600);
    assert_true(parse_ok(" 1404174600.5 ") == 1404174600.5);
}

static void test_refusals(void **state)
{
    (void)state;
    refuse("");
    refuse("   ");
    refuse("yesterday");
    refuse("2014-13-01 00:00:00");
    refuse("2014-02-30 00:00:00");
    refuse("2015-02-29 00:00:00");
    refuse("2014-07-01 24:00:00");
    refuse("2014-07-01");
    refuse("2014-07-01T00:30:00+2");
    refuse("2014-07-01 00:30:00 trailing");
    refuse("12abc");
    refuse("1e5");
    refuse("99999999999999999999999");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nab_form),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_unix_seconds),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
