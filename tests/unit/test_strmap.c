/* test_strmap.c - the hash map against a plain array model: puts, gets
 * and deletes in a random order, across growth, must always agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/strmap.h"

#define KEYS 5000

static void test_against_model(void **state)
{
    (void)state;
    static int present[KEYS];
    static uint32_t value[KEYS];
    memset(present, 0, sizeof present);
    struct ob_strmap *m = ob_strmap_new();
    assert_non_null(m);
    uint64_t rng = 12345;
    char key[32];
    size_t live = 0;
    for (int step = 0; step < 200000; step++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        int k = (int)((rng >> 33) % KEYS), op = (int)((rng >> 20) % 3);
        int n = snprintf(key, sizeof key, "k%d", k);
        uint32_t v;
        if (op == 0) {
            assert_int_equal(ob_strmap_put(m, key, (size_t)n, (uint32_t)step), 0);
            live += !present[k];
            present[k] = 1;
            value[k] = (uint32_t)step;
        } else if (op == 1) {
            assert_int_equal(ob_strmap_del(m, key, (size_t)n), present[k]);
            live -= present[k];
            present[k] = 0;
        } else {
            assert_int_equal(ob_strmap_get(m, key, (size_t)n, &v), present[k]);
            if (present[k])
                assert_int_equal(v, value[k]);
        }
        assert_int_equal(ob_strmap_size(m), live);
    }
    for (int k = 0; k < KEYS; k++) {
        uint32_t v;
        int n = snprintf(key, sizeof key, "k%d", k);
        assert_int_equal(ob_strmap_get(m, key, (size_t)n, &v), present[k]);
    }
    assert_int_equal(ob_strmap_get(m, "", 0, &(uint32_t){0}), 0);
    ob_strmap_free(m);
}

/* Keys that come and go do not pile up: removed keys' bytes are given
 * back, present ones still found, borrowed ones left where they are. */
static void test_removed_keys_given_back(void **state)
{
    (void)state;
    struct ob_strmap *m = ob_strmap_new();
    assert_non_null(m);
    static const char borrowed[] = "a key the caller keeps";
    assert_int_equal(ob_strmap_put_ref(m, borrowed, sizeof borrowed - 1, 7), 0);
    char key[64];
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 1000; i++) {
            int n = snprintf(key, sizeof key, "incident %d member %040d", round, i);
            assert_int_equal(ob_strmap_put(m, key, (size_t)n, (uint32_t)i), 0);
        }
        for (int i = 0; i < 1000; i++) {
            if (round == 19 && i % 10 == 0)
                continue; /* the last round keeps a tenth */
            int n = snprintf(key, sizeof key, "incident %d member %040d", round, i);
            assert_int_equal(ob_strmap_del(m, key, (size_t)n), 1);
        }
    }
    /* 20 000 keys of ~60 bytes went through; what is held stays near the
     * live ones (100) plus a chunk's worth of removed ones. */
    assert_true(ob_strmap_key_bytes(m) < 2 * 65536);
    assert_int_equal(ob_strmap_size(m), 101);
    uint32_t v;
    for (int i = 0; i < 1000; i += 10) {
        int n = snprintf(key, sizeof key, "incident 19 member %040d", i);
        assert_int_equal(ob_strmap_get(m, key, (size_t)n, &v), 1);
        assert_int_equal(v, (uint32_t)i);
    }
    assert_int_equal(ob_strmap_get(m, borrowed, sizeof borrowed - 1, &v), 1);
    assert_int_equal(v, 7);
    ob_strmap_free(m);
}

/* Maps past 2 MiB of slots and of keys take their memory in huge pages
 * (strmap.c's alloc_big): every key must still be there after growth,
 * removals and the compaction that moves the live keys to one chunk, and
 * a key larger than a chunk must get its own. */
static void test_large_map(void **state)
{
    (void)state;
    enum { N = 300000 };
    struct ob_strmap *m = ob_strmap_new();
    assert_non_null(m);
    char key[64];
    for (uint32_t i = 0; i < N; i++) {
        int n = snprintf(key, sizeof key, "template %u of the large map test", i);
        assert_int_equal(ob_strmap_put(m, key, (size_t)n, i), 0);
    }
    static char huge[3 << 20];
    memset(huge, 'x', sizeof huge);
    assert_int_equal(ob_strmap_put(m, huge, sizeof huge, 7), 0);
    assert_int_equal(ob_strmap_size(m), N + 1);
    uint32_t v;
    for (uint32_t i = 0; i < N; i += 2) {
        int n = snprintf(key, sizeof key, "template %u of the large map test", i);
        assert_int_equal(ob_strmap_del(m, key, (size_t)n), 1);
    }
    assert_int_equal(ob_strmap_del(m, huge, sizeof huge), 1);
    /* More removed than live bytes: the live ones have moved to one chunk. */
    assert_true(ob_strmap_key_bytes(m) < (size_t)N / 2 * 40 + (3u << 20));
    for (uint32_t i = 0; i < N; i++) {
        int n = snprintf(key, sizeof key, "template %u of the large map test", i);
        assert_int_equal(ob_strmap_get(m, key, (size_t)n, &v), (int)(i % 2));
        if (i % 2)
            assert_int_equal(v, i);
    }
    assert_int_equal(ob_strmap_get(m, huge, sizeof huge, &v), 0);
    ob_strmap_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_model),
        cmocka_unit_test(test_removed_keys_given_back),
        cmocka_unit_test(test_large_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
