/* test_sibkeys.c - the sibling-key map against the string map with copied
 * keys (position, sequence with UINT32_MAX at it), the representation it
 * replaced: on random sequences over a few tokens (many keys equal but at
 * one position), with the full hash and with a 2-bit one that makes nearly
 * every key collide, every lookup and the final contents must agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/strmap.h"
#include "logs/sibkeys.h"

static uint64_t rng = 99;

static uint32_t rnd(uint32_t n)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((rng >> 33) % n);
}

static size_t copied_key(uint32_t *key, const uint32_t *seq, uint32_t n, uint32_t p)
{
    key[0] = p;
    memcpy(key + 1, seq, n * sizeof *seq);
    key[1 + p] = UINT32_MAX;
    return (n + 1) * sizeof *key;
}

struct each_check {
    const struct ob_strmap *model;
    size_t seen;
};

static void check_entry(void *arg, uint32_t p, const uint32_t *seq, uint32_t n, uint32_t value)
{
    struct each_check *c = arg;
    uint32_t key[OB_SIBKEY_MAX_TOKENS + 1], v = 0;
    assert_true(ob_strmap_get(c->model, key, copied_key(key, seq, n, p), &v));
    assert_int_equal(v, value);
    c->seen++;
}

static void against_copies(uint64_t mask, int steps)
{
    struct ob_sibkeys *k = ob__sibkeys_new(mask);
    struct ob_strmap *model = ob_strmap_new();
    assert_non_null(k);
    assert_non_null(model);
    uint32_t seq[12], key[13];
    for (int step = 0; step < steps; step++) {
        uint32_t n = 3 + rnd(4);
        for (uint32_t i = 0; i < n; i++)
            seq[i] = rnd(4); /* few tokens: keys equal but at one position abound */
        struct ob_sibseq s = ob__sibkeys_seq(seq, n);
        for (uint32_t p = 1; p < n; p++) {
            uint32_t want = 0, got = 0;
            int has = ob_strmap_get(model, key, copied_key(key, seq, n, p), &want);
            assert_int_equal(ob__sibkeys_get(k, &s, p, &got), has);
            if (has)
                assert_int_equal(got, want);
            if (rnd(2)) {
                uint32_t v = (uint32_t)step * 16 + p;
                assert_int_equal(ob__sibkeys_put(k, &s, p, v), 0);
                assert_int_equal(ob_strmap_put(model, key, copied_key(key, seq, n, p), v), 0);
            }
        }
    }
    assert_int_equal(ob__sibkeys_size(k), ob_strmap_size(model));
    struct each_check c = {model, 0};
    ob__sibkeys_each(k, check_entry, &c);
    assert_int_equal(c.seen, ob_strmap_size(model));
    ob__sibkeys_free(k);
    ob_strmap_free(model);
}

static void test_full_hash(void **state)
{
    (void)state;
    against_copies(UINT64_MAX, 60000);
}

static void test_colliding_hash(void **state)
{
    (void)state;
    against_copies(3, 3000);
}

/* A position outside the sequence, or a sequence too long for a slot, is
 * refused rather than read past. */
static void test_bounds(void **state)
{
    (void)state;
    struct ob_sibkeys *k = ob__sibkeys_new(UINT64_MAX);
    uint32_t *seq = calloc(OB_SIBKEY_MAX_TOKENS + 1, sizeof *seq), v;
    struct ob_sibseq s = ob__sibkeys_seq(seq, 3);
    assert_int_equal(ob__sibkeys_put(k, &s, 3, 1), -1);
    assert_int_equal(ob__sibkeys_get(k, &s, 3, &v), 0);
    struct ob_sibseq l = ob__sibkeys_seq(seq, OB_SIBKEY_MAX_TOKENS + 1);
    assert_int_equal(ob__sibkeys_put(k, &l, 1, 1), -1);
    assert_int_equal(ob__sibkeys_size(k), 0);
    free(seq);
    ob__sibkeys_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_hash),
        cmocka_unit_test(test_colliding_hash),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
