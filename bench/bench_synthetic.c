/* bench_synthetic.c - how many injected events the detector reports, and how
 * many other reports it makes, on series that are not NAB's: four families
 * generated here (a noisy daily sine with spikes and dips, a random walk
 * with spikes, counts with bursts, flat noise with level shifts), 20 seeds
 * each, beside a naive baseline (a sliding-window z-score, NAB's "windowed
 * Gaussian") in the same run. NAB is one corpus; this is the check that
 * what was learnt there holds on shapes it does not have.
 *
 * An event is found when a report falls from its first point to 10 points
 * after its last; any other report after the first 1000 points (both
 * detectors learn before that) is counted as other. Prints one figure per
 * line.
 *
 *   bench_synthetic [THRESHOLD]   opsbox's threshold (default: its own) */
#include "metrics/metrics.h"
#include "zscore.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define POINTS 7000
#define SEEDS 20
#define WARMUP 1000
#define SLACK 10           /* points after an event still counted as finding it */
#define BASELINE_Z 4.0     /* baseline reports |z| at or above this... */
#define BASELINE_WARM 30   /* ...once it has this many points */
#define STEP 300.0         /* five-minute samples */
#define T0 1404172800.0

static double uniform(uint64_t *s) /* in [-1, 1) */
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return ((double)(*s >> 11) / 9007199254740992.0 - 0.5) * 2.0;
}

enum family { SINE, WALK, COUNTS, SHIFTS, N_FAMILIES };
static const char *const family_name[N_FAMILIES] = {"sine", "walk", "counts", "shifts"};

/* One series: values, and for each point whether it is inside an event
 * (the event's number, from 1) or not (0). */
struct series {
    double v[POINTS];
    int event[POINTS];
    int nevents;
};

/* The normal part of family f at point i; *state carries what it needs. */
static double normal_part(enum family f, int i, uint64_t *rng, double *state)
{
    double day = sin(2 * 3.14159265358979 * (T0 + i * STEP) / 86400.0);
    switch (f) {
    case SINE:
        return 50 + 10 * day + uniform(rng) + uniform(rng);
    case WALK:
        *state += 0.3 * uniform(rng);
        return 100 + *state + uniform(rng);
    case COUNTS: { /* a rough Poisson: a sum of 40 coin flips, scaled by the day */
        double n = 0;
        for (int k = 0; k < 40; k++)
            n += uniform(rng) > 0;
        return n * (1.0 + 0.5 * day);
    }
    default:
        return 20 + *state + uniform(rng);
    }
}

/* An event every 300 to 1300 points after the warm-up: a spike or dip of
 * 5 to 30 noise units lasting 1 to 21 points; counts burst to 2 to 5 times;
 * shifts move the level for good. */
static void generate(enum family f, uint64_t seed, struct series *s)
{
    uint64_t rng = seed * 7919 + (uint64_t)f;
    double state = 0, height = 0;
    int next = WARMUP, end = -1;
    s->nevents = 0;
    for (int i = 0; i < POINTS; i++) {
        if (i == next) {
            s->nevents++;
            double size = 5 + fabs(uniform(&rng)) * 25, sign = uniform(&rng) > 0 ? 1 : -1;
            height = f == COUNTS ? 2 + fabs(uniform(&rng)) * 3 : sign * size;
            end = i + 1 + (f == SHIFTS ? 0 : (int)((uniform(&rng) + 1) * 10));
            next = i + 300 + (int)((uniform(&rng) + 1) * 500);
            if (f == SHIFTS)
                state += height;
        }
        double v = normal_part(f, i, &rng, &state);
        s->event[i] = i < end ? s->nevents : 0;
        if (i < end && f == COUNTS)
            v *= height;
        else if (i < end && f != SHIFTS)
            v += height;
        s->v[i] = v;
    }
}

struct tally {
    int events, found, other;
};

/* Counts what the reports in flags[] find in s. */
static void score(const struct series *s, const int *flags, struct tally *t)
{
    int last_event = 0, since = SLACK + 1;
    char *found = calloc((size_t)s->nevents + 1, 1);
    for (int i = 0; i < POINTS; i++) {
        if (s->event[i]) {
            last_event = s->event[i];
            since = 0;
        } else {
            since++;
        }
        if (!flags[i])
            continue;
        if (since <= SLACK && last_event)
            found[last_event] = 1;
        else if (i >= WARMUP)
            t->other++;
    }
    for (int e = 1; e <= s->nevents; e++)
        t->found += found[e];
    t->events += s->nevents;
    free(found);
}

int main(int argc, char **argv)
{
    static struct series s;
    struct ob_detector_params params = ob_detector_params_default();
    if (argc > 1 && !(sscanf(argv[1], "%lf", &params.threshold) == 1 && params.threshold >= 0 &&
                      params.threshold <= 1)) {
        fprintf(stderr, "bench_synthetic: THRESHOLD must be a number in [0,1]\n");
        return 2;
    }
    static int flags[POINTS];
    for (int f = 0; f < N_FAMILIES; f++) {
        struct tally ob = {0}, base = {0};
        for (uint64_t seed = 1; seed <= SEEDS; seed++) {
            generate((enum family)f, seed, &s);
            struct ob_detector *d = ob_detector_new(&params);
            if (!d)
                return 1;
            for (int i = 0; i < POINTS; i++)
                flags[i] = ob_detector_step(d, T0 + i * STEP, s.v[i]).anomaly;
            ob_detector_free(d);
            score(&s, flags, &ob);
            struct zscore *b = calloc(1, sizeof *b);
            if (!b)
                return 1;
            for (int i = 0; i < POINTS; i++) {
                bool warm = b->n >= BASELINE_WARM;
                flags[i] = zscore_step(b, s.v[i]) >= BASELINE_Z && warm;
            }
            free(b);
            score(&s, flags, &base);
        }
        const char *n = family_name[f];
        printf("synthetic_%s_events %d\n", n, ob.events);
        printf("synthetic_%s_opsbox_found_share %.3f\n", n, (double)ob.found / ob.events);
        printf("synthetic_%s_opsbox_other_reports %d\n", n, ob.other);
        printf("synthetic_%s_baseline_found_share %.3f\n", n, (double)base.found / base.events);
        printf("synthetic_%s_baseline_other_reports %d\n", n, base.other);
    }
    return 0;
}
