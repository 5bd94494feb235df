/* test_detector.c - properties the metric detector must keep, whatever its
 * internals: spikes flagged, constants and gaps not, the band covers, and a
 * saved state resumes with identical results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "metrics/metrics.h"

#define STEP 300.0 /* five-minute samples */
#define T0 1404172800.0

/* A small deterministic noise source, so tests never flake. */
static double noise(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return ((double)(*s >> 11) / 9007199254740992.0 - 0.5) * 2.0;
}

static double daily_sine(double ts, uint64_t *rng)
{
    return 100.0 + 20.0 * sin(2 * 3.14159265358979 * ts / 86400.0) + noise(rng);
}

static struct ob_detector *fresh(void)
{
    struct ob_detector *d = ob_detector_new(NULL);
    assert_non_null(d);
    return d;
}

static void test_spike_after_sine_is_flagged(void **state)
{
    (void)state;
    struct ob_detector *d = fresh();
    uint64_t rng = 1;
    double worst_normal = 0;
    int n = 4000, spike = 3500;
    struct ob_detection at_spike = {0};
    for (int i = 0; i < n; i++) {
        double ts = T0 + i * STEP;
        double v = daily_sine(ts, &rng) + (i == spike ? 40.0 : 0.0);
        struct ob_detection r = ob_detector_step(d, ts, v);
        if (i == spike)
            at_spike = r;
        else if (i > 1000 && i < spike)
            worst_normal = fmax(worst_normal, r.anomaly_score);
    }
    assert_int_equal(at_spike.anomaly, 1);
    assert_true(at_spike.anomaly_score > worst_normal);
    assert_true(at_spike.anomaly_score <= 1.0);
    ob_detector_free(d);
}

/* A daily sine with noise and, every 300 to 1300 points, a departure of 5
 * to 30 (either sign) lasting 1 to 21 points. Sets reported[k] when the
 * departure starting at starts[k] is reported; counts other reports. */
static void injected_events(uint64_t seed, const int starts[], int n, int reported[], int *other)
{
    struct ob_detector *d = fresh();
    uint64_t rng = seed;
    int next = 1000, start = -1, end = -1;
    double h = 0;
    *other = 0;
    for (int i = 0; i < 7000; i++) {
        double ts = T0 + i * STEP;
        double v = 50 + 10 * sin(2 * 3.14159265358979 * ts / 86400.0) + noise(&rng) + noise(&rng);
        if (i == next) {
            start = i;
            h = (noise(&rng) > 0 ? 1 : -1) * (5 + fabs(noise(&rng)) * 25);
            end = i + 1 + (int)((noise(&rng) + 1) * 10);
            next = i + 300 + (int)((noise(&rng) + 1) * 500);
        }
        if (i < end)
            v += h;
        if (!ob_detector_step(d, ts, v).anomaly)
            continue;
        if (i >= start && i < end + 3) {
            for (int k = 0; k < n; k++)
                reported[k] |= starts[k] == start;
        } else if (i >= 1000) {
            (*other)++;
        }
    }
    ob_detector_free(d);
}

/* Four features just under their tops at once are reported: in this series
 * the departure at 5411 is no larger an error, nor further out of range,
 * than ones seen before, so no feature alone is rare enough; that four
 * agree is. Nothing but the injected events is reported. */
static void test_agreeing_features_are_flagged(void **state)
{
    (void)state;
    const int starts[] = {1000, 3339, 5411, 6191};
    int reported[4] = {0}, other;
    injected_events(22, starts, 4, reported, &other);
    for (int k = 0; k < 4; k++)
        assert_int_equal(reported[k], 1);
    assert_int_equal(other, 0);
}

/* A square wave between 0 and 100 that switches every 50 to 150 points:
 * its switches are far larger errors than anything below, and they stay
 * inside the range. */
static double square_wave(int i, uint64_t *rng, double *level, int *next)
{
    if (i == *next) {
        *level = 100.0 - *level;
        *next = i + 50 + (int)((noise(rng) + 1.0) * 50.0);
    }
    return *level + noise(rng);
}

/* Leaving the range by far is reported even when the detector saw the same
 * departure not long ago: the first spike to 130 is rare in every sense;
 * the second, 1500 points later, is no larger an error than a switch and
 * no further out than the first, but the range has relaxed since, and it
 * leaves it by about 18 %. */
static void test_repeated_jump_out_of_range_is_flagged(void **state)
{
    (void)state;
    struct ob_detector *d = fresh();
    uint64_t rng = 5;
    double level = 0;
    int next = 80, first = 3000, second = 4500;
    int flagged[2] = {0, 0};
    for (int i = 0; i < 5000; i++) {
        double v = square_wave(i, &rng, &level, &next);
        if (i == first || i == second)
            v = 130.0;
        struct ob_detection r = ob_detector_step(d, T0 + i * STEP, v);
        if (i == first || i == second)
            flagged[i == second] = r.anomaly;
    }
    assert_int_equal(flagged[0], 1);
    assert_int_equal(flagged[1], 1);
    ob_detector_free(d);
}

/* After a report the series holds quiet for a while, even for a larger
 * spike: one event, one report. Past the hold it reports again. */
static void test_report_holds_then_reports_again(void **state)
{
    (void)state;
    struct ob_detector *d = fresh();
    uint64_t rng = 9;
    int spikes[3] = {3000, 3020, 3200};
    double height[3] = {40.0, 80.0, 160.0};
    int flagged[3] = {0, 0, 0};
    for (int i = 0; i < 3300; i++) {
        double ts = T0 + i * STEP;
        double v = daily_sine(ts, &rng);
        for (int k = 0; k < 3; k++)
            if (i == spikes[k])
                v += height[k];
        struct ob_detection r = ob_detector_step(d, ts, v);
        for (int k = 0; k < 3; k++)
            if (i == spikes[k])
                flagged[k] = r.anomaly;
    }
    assert_int_equal(flagged[0], 1);
    assert_int_equal(flagged[1], 0);
    assert_int_equal(flagged[2], 1);
    ob_detector_free(d);
}

static void test_constant_series_flags_nothing(void **state)
{
    (void)state;
    struct ob_detector *d = fresh();
    for (int i = 0; i < 3000; i++) {
        struct ob_detection r = ob_detector_step(d, T0 + i * STEP, 42.0);
        assert_int_equal(r.anomaly, 0);
        assert_true(r.anomaly_score == 0.0);
        assert_true(r.yhat == 42.0);
    }
    ob_detector_free(d);
}

static void test_gap_alone_does_not_flag(void **state)
{
    (void)state;
    struct ob_detector *d = fresh();
    uint64_t rng = 7;
    double ts = T0;
    int flagged_after_gap = 0;
    for (int i = 0; i < 4000; i++) {
        ts += (i == 3000) ? 6 * 3600.0 : STEP; /* six hours missing */
        struct ob_detection r = ob_detector_step(d, ts, daily_sine(ts, &rng));
        if (i >= 3000 && i < 3050)
            flagged_after_gap += r.anomaly;
    }
    assert_int_equal(flagged_after_gap, 0);
    ob_detector_free(d);
}

static void test_band_covers_normal_points(void **state)
{
    (void)state;
    struct ob_detector *d = fresh();
    uint64_t rng = 3;
    int inside = 0, counted = 0;
    for (int i = 0; i < 6000; i++) {
        double ts = T0 + i * STEP;
        double v = daily_sine(ts, &rng);
        struct ob_detection r = ob_detector_step(d, ts, v);
        assert_true(r.yhat_lower <= r.yhat && r.yhat <= r.yhat_upper);
        if (i >= 2000) {
            counted++;
            inside += v >= r.yhat_lower && v <= r.yhat_upper;
        }
    }
    assert_true(inside >= 0.95 * counted);
    ob_detector_free(d);
}

static void test_state_round_trip_is_identical(void **state)
{
    (void)state;
    assert_true(ob_detector_state_size() <= 4096);
    struct ob_detector *a = fresh();
    uint64_t rng = 11;
    for (int i = 0; i < 2000; i++) {
        double ts = T0 + i * STEP;
        ob_detector_step(a, ts, daily_sine(ts, &rng));
    }
    size_t cap = ob_detector_blob_size();
    unsigned char *blob = malloc(cap);
    assert_non_null(blob);
    assert_int_equal(ob_detector_save(a, blob, cap), cap);
    assert_int_equal(ob_detector_save(a, blob, cap - 1), 0);
    struct ob_detector *b = ob_detector_load(blob, cap);
    assert_non_null(b);
    for (int i = 2000; i < 4000; i++) {
        double ts = T0 + i * STEP;
        double v = daily_sine(ts, &rng) + (i == 3000 ? 50 : 0);
        struct ob_detection ra = ob_detector_step(a, ts, v);
        struct ob_detection rb = ob_detector_step(b, ts, v);
        assert_true(ra.anomaly_score == rb.anomaly_score && ra.yhat == rb.yhat);
        assert_true(ra.yhat_lower == rb.yhat_lower && ra.yhat_upper == rb.yhat_upper);
        assert_int_equal(ra.anomaly, rb.anomaly);
    }
    /* Corrupt, truncated and foreign blobs are refused. */
    assert_null(ob_detector_load(blob, cap - 1));
    blob[cap / 2] ^= 0x40;
    assert_null(ob_detector_load(blob, cap));
    memset(blob, 0, cap);
    assert_null(ob_detector_load(blob, cap));
    free(blob);
    ob_detector_free(a);
    ob_detector_free(b);
}

static void test_hostile_values_stay_finite(void **state)
{
    (void)state;
    struct ob_detector *d = fresh();
    static const double v[] = {1e308, -1e308, 0, 5e-324, -1e308, 1e308, -7, 1e300};
    for (int i = 0; i < 4000; i++) {
        double ts = T0 + (i % 5 == 0 ? -i : i) * STEP; /* out of order too */
        struct ob_detection r = ob_detector_step(d, ts, v[i % 8]);
        assert_true(r.anomaly_score >= 0 && r.anomaly_score <= 1);
        assert_false(isnan(r.yhat) || isnan(r.yhat_lower) || isnan(r.yhat_upper));
    }
    ob_detector_free(d);
}

static void test_bad_params_refused(void **state)
{
    (void)state;
    struct ob_detector_params p = ob_detector_params_default();
    p.band = 1.0;
    assert_null(ob_detector_new(&p));
    p = ob_detector_params_default();
    p.threshold = -0.1;
    assert_null(ob_detector_new(&p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spike_after_sine_is_flagged),
        cmocka_unit_test(test_agreeing_features_are_flagged),
        cmocka_unit_test(test_repeated_jump_out_of_range_is_flagged),
        cmocka_unit_test(test_report_holds_then_reports_again),
        cmocka_unit_test(test_constant_series_flags_nothing),
        cmocka_unit_test(test_gap_alone_does_not_flag),
        cmocka_unit_test(test_band_covers_normal_points),
        cmocka_unit_test(test_state_round_trip_is_identical),
        cmocka_unit_test(test_hostile_values_stay_finite),
        cmocka_unit_test(test_bad_params_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
