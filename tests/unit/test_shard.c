/* test_shard.c - hashmod sharding: the values Prometheus's arithmetic gives
 * (computed independently with Python's hashlib: md5, last 8 bytes
 * big-endian, modulo N), and --shard parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "io/shard.h"

static uint64_t shard(const char *key, uint64_t n)
{
    return ob_shard_of(key, strlen(key), n);
}

static void test_known_answers(void **state)
{
    (void)state;
    assert_int_equal(shard("up{instance=\"a\"}", 3), 1);
    assert_int_equal(shard("node_load1{job=\"node\"}", 7), 5);
    assert_int_equal(shard("x", 1000), 726);
    assert_int_equal(shard("anything", 1), 0);
}

static void test_spread(void **state)
{
    (void)state;
    int count[4] = {0};
    char key[32];
    for (int i = 0; i < 4000; i++) {
        int n = snprintf(key, sizeof key, "m{id=\"%d\"}", i);
        count[ob_shard_of(key, (size_t)n, 4)]++;
    }
    for (int i = 0; i < 4; i++)
        assert_true(count[i] > 850 && count[i] < 1150);
}

static void test_parse(void **state)
{
    (void)state;
    uint64_t i, n;
    assert_int_equal(ob_shard_parse("0/2", &i, &n), 0);
    assert_true(i == 0 && n == 2);
    assert_int_equal(ob_shard_parse("3/4", &i, &n), 0);
    assert_int_equal(ob_shard_parse("4/4", &i, &n), -1);
    assert_int_equal(ob_shard_parse("1/0", &i, &n), -1);
    assert_int_equal(ob_shard_parse("-1/2", &i, &n), -1);
    assert_int_equal(ob_shard_parse("1", &i, &n), -1);
    assert_int_equal(ob_shard_parse("a/b", &i, &n), -1);
    assert_int_equal(ob_shard_parse("1/2x", &i, &n), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_spread),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
