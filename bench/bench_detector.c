/* bench_detector.c - points per second on one core and bytes of state per
 * series for the opsbox detector, side by side with a naive baseline (a
 * sliding-window z-score, NAB's "windowed Gaussian"), in one run.
 * Prints one figure per line; medians of five runs. */
#include "metrics/metrics.h"
#include "zscore.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POINTS 2000000
#define RUNS 5

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static double *make_series(void)
{
    double *v = malloc(POINTS * sizeof *v);
    uint64_t s = 42;
    for (int i = 0; i < POINTS; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double r = (double)(s >> 11) / 9007199254740992.0;
        v[i] = 100 + 20 * sin(i * (2 * 3.14159265358979 / 288)) + 5 * r + (r > 0.9999 ? 80 : 0);
    }
    return v;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return v[n / 2];
}

int main(void)
{
    double *v = make_series();
    double det_rate[RUNS], base_rate[RUNS], sink = 0;
    for (int r = 0; r < RUNS; r++) {
        struct ob_detector *d = ob_detector_new(NULL);
        double t = now();
        for (int i = 0; i < POINTS; i++)
            sink += ob_detector_step(d, 1404172800.0 + i * 300.0, v[i]).anomaly_score;
        det_rate[r] = POINTS / (now() - t);
        ob_detector_free(d);

        struct zscore *b = calloc(1, sizeof *b);
        t = now();
        for (int i = 0; i < POINTS; i++)
            sink += zscore_step(b, v[i]);
        base_rate[r] = POINTS / (now() - t);
        free(b);
    }
    double dr = median(det_rate, RUNS), br = median(base_rate, RUNS);
    printf("detector_points_per_sec %.0f\n", dr);
    printf("baseline_points_per_sec %.0f\n", br);
    printf("detector_vs_baseline_speed %.2f\n", dr / br);
    printf("detector_state_bytes %zu\n", ob_detector_state_size());
    printf("baseline_state_bytes %zu\n", sizeof(struct zscore));
    fprintf(stderr, "(checksum %g)\n", sink);
    free(v);
    return 0;
}
