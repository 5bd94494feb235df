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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
