/* test_csv.c - CSV field splitting and quoting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/csv.h"

static int split(char *line, struct ob_csv_field *f, int max, size_t *err)
{
    return ob_csv_split(line, strlen(line), f, max, err);
}

static void assert_field(const struct ob_csv_field *f, const char *want, size_t col)
{
    assert_int_equal(f->len, strlen(want));
    assert_memory_equal(f->ptr, want, f->len);
    assert_int_equal(f->col, col);
}

static void test_plain(void **state)
{
    (void)state;
    char line[] = "a,bc,,d";
    struct ob_csv_field f[4];
    size_t err = 0;
    assert_int_equal(split(line, f, 4, &err), 4);
    assert_field(&f[0], "a", 1);
    assert_field(&f[1], "bc", 3);
    assert_field(&f[2], "", 6);
    assert_field(&f[3], "d", 7);
}

static void test_quoted(void **state)
{
    (void)state;
    char line[] = "\"x,y\",\"say \"\"hi\"\"\",z";
    struct ob_csv_field f[3];
    size_t err = 0;
    assert_int_equal(split(line, f, 3, &err), 3);
    assert_field(&f[0], "x,y", 1);
    assert_field(&f[1], "say \"hi\"", 7);
    assert_field(&f[2], "z", 20);
}

static void test_counts_beyond_max(void **state)
{
    (void)state;
    char line[] = "1,2,3,4,5";
    struct ob_csv_field f[2];
    size_t err = 0;
    assert_int_equal(split(line, f, 2, &err), 5);
    assert_field(&f[1], "2", 3);
}

static void test_bad_quotes(void **state)
{
    (void)state;
    struct ob_csv_field f[2];
    size_t err = 0;
    char open[] = "a,\"never closed";
    assert_int_equal(split(open, f, 2, &err), -1);
    assert_int_equal(err, 3);
    char after[] = "\"ab\"c,d";
    assert_int_equal(split(after, f, 2, &err), -1);
    assert_int_equal(err, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_counts_beyond_max),
        cmocka_unit_test(test_bad_quotes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
