/* test_rarity.c - the decayed histogram's tail probability: larger is rarer,
 * never-seen sizes are rarer the further they go, and old history fades. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <cmocka.h>

#include "metrics/rarity.h"

/* The rarity score: -log10 of the tail. */
static double score(const struct ob_rarity *r, double u)
{
    double q = ob_rarity_tail(r, 0, ob_rarity_bin(u));
    assert_true(q > 0 && q <= 1);
    return -log10(q);
}

/* Adds u to feature 0; the other features stay at 0. */
static void add(struct ob_rarity *r, double u, double forget)
{
    int bins[OB_RARITY_FEATURES] = {ob_rarity_bin(u)};
    ob_rarity_add(r, bins, forget);
}

static void fill(struct ob_rarity *r, int n, double forget)
{
    for (int i = 0; i < n; i++)
        add(r, (double)(i % 10) / 10.0, forget); /* values in [0, 0.9] */
}

static void test_larger_is_rarer(void **state)
{
    (void)state;
    struct ob_rarity r;
    ob_rarity_init(&r);
    fill(&r, 1000, 1.0 / 300);
    double prev = -1;
    for (double u = 0; u < 2000; u = u * 2 + 0.5) {
        double s = score(&r, u);
        assert_true(s >= prev);
        prev = s;
    }
    /* Inside the history: modest. Far beyond it: more than the memory alone. */
    assert_true(score(&r, 0.0) < 0.5);
    assert_true(score(&r, 100.0) > log10(300.0));
}

static void test_history_fades(void **state)
{
    (void)state;
    struct ob_rarity r;
    ob_rarity_init(&r);
    add(&r, 50.0, 1.0 / 100);
    fill(&r, 50, 1.0 / 100);
    double recent = score(&r, 50.0);
    fill(&r, 5000, 1.0 / 100);
    assert_true(score(&r, 50.0) > recent + 1.0);
}

static void test_renormalises_without_overflow(void **state)
{
    (void)state;
    struct ob_rarity r;
    ob_rarity_init(&r);
    fill(&r, 200000, 1.0 / 50); /* inc grows past 1e30 many times */
    double s = score(&r, 0.5);
    assert_true(isfinite(s) && s >= 0);
    assert_true(isfinite(r.total) && r.inc < 1e31);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_larger_is_rarer),
        cmocka_unit_test(test_history_fades),
        cmocka_unit_test(test_renormalises_without_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
