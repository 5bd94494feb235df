/* test_label.c - series keys (src/core/label.c): a label value escaped as
 * the exposition format wants it, and a key split back into its name and
 * unescaped labels; keys not of the form are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/label.h"

static char *escaped(const char *v)
{
    struct ob_buf b = {0};
    ob_label_escape(&b, v, strlen(v));
    ob_buf_put(&b, "", 1);
    return (char *)b.p;
}

static void test_escape(void **state)
{
    (void)state;
    char *e = escaped("plain");
    assert_string_equal(e, "plain");
    free(e);
    e = escaped("a\\b\"c\nd");
    assert_string_equal(e, "a\\\\b\\\"c\\nd");
    free(e);
    e = escaped("");
    assert_string_equal(e, "");
    free(e);
}

static void test_split(void **state)
{
    (void)state;
    const char *key = "http_requests_total{code=\"200\",path=\"/a\\\"b\\\\c\\nd\"}";
    char buf[128];
    const char *name;
    struct ob_label l[OB_KEY_MAX_LABELS];
    int n = ob_key_split(key, strlen(key), buf, strlen(key) + 1, &name, l, OB_KEY_MAX_LABELS);
    assert_int_equal(n, 2);
    assert_string_equal(name, "http_requests_total");
    assert_string_equal(l[0].name, "code");
    assert_string_equal(l[0].value, "200");
    assert_string_equal(l[1].name, "path");
    assert_string_equal(l[1].value, "/a\"b\\c\nd");
    n = ob_key_split("up{}", strlen("up{}"), buf, sizeof buf, &name, l, OB_KEY_MAX_LABELS);
    assert_int_equal(n, 0);
    assert_string_equal(name, "up");
}

/* What put_label_value writes, split_key reads back as it was. */
static void test_round_trip(void **state)
{
    (void)state;
    const char *values[] = {"", "x", "\"", "\\", "\n", "a\\\"b\nc\\\\", "{}=,\"\""};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        char *e = escaped(values[i]);
        char key[256], buf[256];
        snprintf(key, sizeof key, "m{k=\"%s\"}", e);
        const char *name;
        struct ob_label l[2];
        assert_int_equal(ob_key_split(key, strlen(key), buf, strlen(key) + 1, &name, l, 2), 1);
        assert_string_equal(name, "m");
        assert_string_equal(l[0].name, "k");
        assert_string_equal(l[0].value, values[i]);
        free(e);
    }
}

static void test_refused(void **state)
{
    (void)state;
    const char *bad[] = {"no_labels", "m{a}", "m{a=1}", "m{a=\"1}"};
    char buf[64];
    const char *name;
    struct ob_label l[4];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(ob_key_split(bad[i], strlen(bad[i]), buf, sizeof buf, &name, l, 4), -1);
}

/* Names of the text format's grammar only; UTF-8 as Go's ValidString. */
static void test_names_and_utf8(void **state)
{
    (void)state;
    const char *good_metric[] = {"up", "a:b_c9", "_x", ":", "node_cpu_seconds_total"};
    const char *bad_metric[] = {"", "9up", "a-b", "a\"b", "a=b", "a,b", "a\nb", "a{b", "\xc3\xa9t\xc3\xa9", "a b"};
    for (size_t i = 0; i < sizeof good_metric / sizeof *good_metric; i++)
        assert_true(ob_metric_name_ok(good_metric[i], strlen(good_metric[i])));
    for (size_t i = 0; i < sizeof bad_metric / sizeof *bad_metric; i++) {
        assert_false(ob_metric_name_ok(bad_metric[i], strlen(bad_metric[i])));
        assert_false(ob_label_name_ok(bad_metric[i], strlen(bad_metric[i])));
    }
    assert_true(ob_label_name_ok("__name__", 8));
    assert_true(ob_label_name_ok("job_2", 5));
    assert_false(ob_label_name_ok("a:b", 3)); /* ':' in metric names only */
    assert_false(ob_label_name_ok("ab", 0));
    const char *good_utf8[] = {"", "plain", "\xc3\xbcn\xc3\xaf" "code", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\x9f\xbf",
                               "\xf4\x8f\xbf\xbf"};
    const char *bad_utf8[] = {"\xff", "a\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80" /* a surrogate */,
                              "\xf4\x90\x80\x80" /* past U+10FFFF */, "\xe2\x82", "\x80", "\xf0\x9f\x98x"};
    for (size_t i = 0; i < sizeof good_utf8 / sizeof *good_utf8; i++)
        assert_true(ob_utf8_ok(good_utf8[i], strlen(good_utf8[i])));
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof *bad_utf8; i++)
        assert_false(ob_utf8_ok(bad_utf8[i], strlen(bad_utf8[i])));
    /* the length is the bound, not a NUL */
    assert_false(ob_utf8_ok("\xe2\x82\xac", 2));
}

/* exported_value_type, then exported_exported_value_type while taken. */
static void test_exported_value_type(void **state)
{
    (void)state;
    struct ob_label l[] = {ob_label_of("job", "x"), ob_label_of("value_type", "a")};
    assert_string_equal(ob_label_exported_value_type(l, 2), "exported_value_type");
    struct ob_label m[] = {ob_label_of("exported_value_type", "b"), ob_label_of("value_type", "a")};
    assert_string_equal(ob_label_exported_value_type(m, 2), "exported_exported_value_type");
    struct ob_label k[] = {ob_label_of("exported_exported_value_type", "c"), ob_label_of("exported_value_type", "b"),
                           ob_label_of("value_type", "a")};
    assert_string_equal(ob_label_exported_value_type(k, 3), "exported_exported_exported_value_type");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_names_and_utf8),
        cmocka_unit_test(test_exported_value_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
