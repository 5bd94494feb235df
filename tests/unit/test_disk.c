/* test_disk.c - disk failure prediction: features follow a drive's
 * counters over days; a trained model saved and loaded scores identically;
 * the drive-level figures count as Backblaze's rule says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "disk/disk.h"

static struct ob_disk_reading reading(const char *serial, long day, double r5, double r197)
{
    struct ob_disk_reading r;
    ob_disk_reading_init(&r);
    snprintf(r.serial, sizeof r.serial, "%s", serial);
    r.day = day;
    r.v[ob_disk_field_of(5)] = r5;
    r.v[ob_disk_field_of(197)] = r197;
    r.v[ob_disk_field_of(9)] = 1000 + day;
    return r;
}

static void test_features_follow_counters(void **state)
{
    (void)state;
    struct ob_disk_fleet *f = ob_disk_fleet_new();
    float x[OB_DISK_NFEAT];
    for (long d = 0; d < 10; d++) {
        struct ob_disk_reading r = reading("A", 100 + d, d < 5 ? 8 : 8 + (double)(d - 4) * 10, 0);
        assert_int_equal(ob_disk_fleet_add(f, &r, x), 0);
    }
    /* Day 9: smart 5 is 58, was 48 a day before and 8 seven days before. */
    int k5 = ob_disk_field_of(5);
    assert_float_equal(x[k5], log1p(58), 1e-5);
    float d1 = x[OB_DISK_NFIELDS + 0], d7 = x[OB_DISK_NFIELDS + 1], d14 = x[OB_DISK_NFIELDS + 2];
    assert_float_equal(d1, log1p(10), 1e-5);
    assert_float_equal(d7, log1p(50), 1e-5); /* day 2: 8 */
    assert_float_equal(d14, log1p(50), 1e-5); /* oldest held: day 0, 8 */
    assert_true(isnan(x[ob_disk_field_of(187)])); /* not reported: missing, not 0 */
    assert_int_equal(ob_disk_fleet_drives(f), 1);
    /* A new drive starts with no history: no growth seen (0, as a drive
     * with days and no change, not missing). */
    struct ob_disk_reading b = reading("B", 100, 3, 0);
    assert_int_equal(ob_disk_fleet_add(f, &b, x), 0);
    assert_float_equal(x[OB_DISK_NFIELDS + 1], 0, 0);
    /* A counter it does not report has no growth either. */
    assert_true(isnan(x[OB_DISK_NFIELDS + 3 * 3])); /* 187: the fourth counter followed */
    ob_disk_fleet_free(f);
}

static void test_model_round_trip(void **state)
{
    (void)state;
    enum { N = 2000 };
    float *x = malloc(N * OB_DISK_NFEAT * sizeof *x), y[N], a[N], b[N];
    struct ob_disk_fleet *f = ob_disk_fleet_new();
    for (int i = 0; i < N; i++) {
        char serial[16];
        snprintf(serial, sizeof serial, "S%d", i / 20);
        int failing = (i / 20) % 10 == 0;
        struct ob_disk_reading r = reading(serial, i % 20, failing ? (i % 20) * 5.0 : (i % 3), 0);
        ob_disk_fleet_add(f, &r, &x[i * OB_DISK_NFEAT]);
        y[i] = failing && i % 20 >= 6;
    }
    char err[256];
    struct ob_disk_model *m = ob_disk_train(x, y, N, NULL, err, sizeof err);
    assert_non_null(m);
    assert_int_equal(ob_disk_predict(m, x, N, a), 0);
    ob_disk_set_thresholds(m, 0.6, 0.3);
    char *json;
    size_t len;
    assert_int_equal(ob_disk_model_save(m, &json, &len, err, sizeof err), 0);
    struct ob_disk_model *back = ob_disk_model_load(json, len, err, sizeof err);
    assert_non_null(back);
    assert_int_equal(ob_disk_predict(back, x, N, b), 0);
    assert_memory_equal(a, b, sizeof a); /* identical scores */
    assert_int_equal(ob_disk_state(back, 0.7), OB_DISK_BAD);
    assert_int_equal(ob_disk_state(back, 0.4), OB_DISK_WARNING);
    assert_int_equal(ob_disk_state(back, 0.1), OB_DISK_GOOD);
    /* It learned something: the growing drives score above the flat ones. */
    assert_true(a[19] > a[39]);
    struct ob_disk_reading nvme;
    ob_disk_reading_init(&nvme);
    nvme.v[ob_disk_field_of(187)] = 0;
    assert_int_equal(ob_disk_model_knows(back, &nvme), 0); /* never saw 187 */
    struct ob_disk_reading ata = reading("Z", 1, 0, 0);
    assert_int_equal(ob_disk_model_knows(back, &ata), 1);
    /* Not a model, and another model's file: refused. */
    assert_null(ob_disk_model_load("{}", 2, err, sizeof err));
    assert_null(ob_disk_model_load("garbage", 7, err, sizeof err));
    /* No failing rows: nothing to learn, said so. */
    float zeros[N] = {0};
    assert_null(ob_disk_train(x, zeros, N, NULL, err, sizeof err));
    assert_non_null(strstr(err, "both failing and healthy"));
    /* Weights of 1 are no weights: the same scores. Failing rows that weigh
     * nothing leave nothing to learn, as none at all. */
    float ones[N], c[N];
    for (int i = 0; i < N; i++)
        ones[i] = 1;
    struct ob_disk_model *w = ob_disk_train_weighted(x, y, ones, N, NULL, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(ob_disk_predict(w, x, N, c), 0);
    assert_memory_equal(a, c, sizeof a);
    ob_disk_model_free(w);
    for (int i = 0; i < N; i++)
        ones[i] = y[i] > 0.5f ? 0 : 1;
    assert_null(ob_disk_train_weighted(x, y, ones, N, NULL, err, sizeof err));
    free(json);
    ob_disk_model_free(m);
    ob_disk_model_free(back);
    ob_disk_fleet_free(f);
    free(x);
}

static void test_figures(void **state)
{
    (void)state;
    double healthy[100], failing[] = {0.99, 0.95, 0.5, 0.1};
    for (int i = 0; i < 100; i++)
        healthy[i] = i / 100.0; /* 0.00 .. 0.99 */
    double t;
    /* 1% false alarms: above 0.98 (one healthy drive, 0.99, is not above). */
    assert_float_equal(ob_disk_recall_at(failing, 4, healthy, 100, 0.01, &t), 0.25, 1e-9);
    assert_float_equal(t, 0.98, 1e-9);
    assert_float_equal(ob_disk_recall_at(failing, 4, healthy, 100, 0.05, &t), 0.5, 1e-9);
    double auc = ob_disk_auc(failing, 4, healthy, 100);
    /* 0.99: 99 below + 1 tie; 0.95: 95 below + tie; 0.5: 50 + tie; 0.1: 10 + tie. */
    assert_float_equal(auc, (99.5 + 95.5 + 50.5 + 10.5) / 400.0, 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_features_follow_counters),
        cmocka_unit_test(test_model_round_trip),
        cmocka_unit_test(test_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
