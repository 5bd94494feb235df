/* history.c - which tests are flaky, which broke, which runs were outages.
 *
 * Input: one result per test and run, runs in order (JUnit files of many
 * builds, a TestGrid grid). The three findings, in the order they are
 * decided:
 *
 *  1. infra: a run where most tests failed together (infra_share of those
 *     that ran, at least infra_min) and where most of those tests pass
 *     again in a later run (or it is the last run): an outage, a broken
 *     runner, a missing service. Its failures are set aside, so that one
 *     outage makes no test look flaky or broken. A run where most tests
 *     fail and never pass again is a breakage, and each test says so.
 *  2. new failure: a test whose last results are a streak of failures, at
 *     least min_streak long, that its own failure rate before the streak
 *     makes less likely than `chance` (rate^length): a test that never
 *     failed needs two failures in a row; one failing a third of the time
 *     needs seven. "Failing since run N" names the streak's first run.
 *  3. flaky: a test that failed and then passed again with nothing to say
 *     it was fixed: any failure followed by a pass, unless the failures
 *     before that pass were a streak as unlikely as in 2 (broken, then
 *     fixed); or a test that passed on retry within a run.
 *
 * Per-test results are kept as one 32-bit word each (run, result,
 * retried), in an array per test; a history of 10,000 runs of 1,000 tests
 * is 40 MB and one pass over it. */
#include "ci/ci.h"

#include "core/strmap.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define EV_RUN(e) ((e) >> 3)
#define EV_RES(e) (((e) >> 1) & 3u)
#define EV_RETRIED(e) ((e) & 1u)
#define EV(run, res, retried) (((uint32_t)(run) << 3) | ((uint32_t)(res) << 1) | ((retried) ? 1u : 0u))
#define RUNS_MAX (1u << 29)

struct test {
    char *suite, *name;
    uint32_t *ev;
    uint32_t n, cap;
};

struct ob_ci_history {
    struct ob_strmap *index; /* suite '\0' name -> test */
    struct test *t;
    uint32_t nt, cap_t;
    char **labels;
    uint32_t nruns, cap_runs;
    char *key;
    size_t cap_key;
};

struct ob_ci_params ob_ci_params_default(void)
{
    return (struct ob_ci_params){.infra_share = 0.5, .infra_min = 3, .chance = 1e-3, .min_streak = 2};
}

struct ob_ci_history *ob_ci_history_new(void)
{
    struct ob_ci_history *h = calloc(1, sizeof *h);
    if (!h || !(h->index = ob_strmap_new())) {
        free(h);
        return NULL;
    }
    return h;
}

void ob_ci_history_free(struct ob_ci_history *h)
{
    if (!h)
        return;
    for (uint32_t i = 0; i < h->nt; i++) {
        free(h->t[i].suite);
        free(h->t[i].name);
        free(h->t[i].ev);
    }
    for (uint32_t i = 0; i < h->nruns; i++)
        free(h->labels[i]);
    free(h->t);
    free(h->labels);
    free(h->key);
    ob_strmap_free(h->index);
    free(h);
}

static int grow(void **p, size_t elem, uint32_t *cap, uint32_t need)
{
    if (need <= *cap)
        return 0;
    uint32_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, (size_t)c * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

long ob_ci_history_run(struct ob_ci_history *h, const char *label)
{
    if (h->nruns >= RUNS_MAX - 1 ||
        grow((void **)&h->labels, sizeof *h->labels, &h->cap_runs, h->nruns + 1) < 0)
        return -1;
    char *l = label ? dup_n(label, strlen(label)) : NULL;
    if (label && !l)
        return -1;
    h->labels[h->nruns] = l;
    return (long)h->nruns++;
}

static long test_of(struct ob_ci_history *h, const char *suite, size_t slen, const char *name,
                    size_t nlen)
{
    size_t klen = slen + 1 + nlen;
    if (klen > h->cap_key) {
        char *k = realloc(h->key, klen);
        if (!k)
            return -1;
        h->key = k;
        h->cap_key = klen;
    }
    memcpy(h->key, suite, slen);
    h->key[slen] = '\0';
    memcpy(h->key + slen + 1, name, nlen);
    uint32_t id;
    if (ob_strmap_get(h->index, h->key, klen, &id))
        return id;
    if (grow((void **)&h->t, sizeof *h->t, &h->cap_t, h->nt + 1) < 0)
        return -1;
    struct test *t = &h->t[h->nt];
    memset(t, 0, sizeof *t);
    t->suite = dup_n(suite, slen);
    t->name = dup_n(name, nlen);
    if (!t->suite || !t->name || ob_strmap_put(h->index, h->key, klen, h->nt) < 0) {
        free(t->suite);
        free(t->name);
        return -1;
    }
    return h->nt++;
}

/* Two results of one test in one run: a pass after (or before) a failure
 * is a pass on retry; a skip gives way to anything. */
static uint32_t merge(uint32_t old, enum ob_ci_result r, int retried)
{
    unsigned o = EV_RES(old);
    uint32_t run = EV_RUN(old);
    if (o == OB_CI_SKIP || o == OB_CI_NONE)
        return EV(run, r, retried);
    if (r == OB_CI_SKIP || r == OB_CI_NONE)
        return old;
    if (o != r)
        return EV(run, OB_CI_PASS, 1);
    return EV(run, o, EV_RETRIED(old) || retried);
}

int ob_ci_history_add(struct ob_ci_history *h, long run, const char *suite, size_t slen,
                      const char *name, size_t nlen, enum ob_ci_result r, int retried)
{
    if (run < 0 || (uint32_t)run >= h->nruns || r > OB_CI_SKIP)
        return -1;
    long ti = test_of(h, suite, slen, name, nlen);
    if (ti < 0)
        return -1;
    struct test *t = &h->t[ti];
    /* the same run again: usually the last word; retries come together */
    for (uint32_t i = t->n; i > 0 && i + 4 > t->n; i--)
        if (EV_RUN(t->ev[i - 1]) == (uint32_t)run) {
            t->ev[i - 1] = merge(t->ev[i - 1], r, retried);
            return 0;
        }
    if (grow((void **)&t->ev, sizeof *t->ev, &t->cap, t->n + 1) < 0)
        return -1;
    t->ev[t->n++] = EV(run, r, retried);
    return 0;
}

static int by_word(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Results in run order (TestGrid adds them test by test, JUnit run by run;
 * either way they are almost always sorted already). */
static void sort_events(struct test *t)
{
    for (uint32_t i = 1; i < t->n; i++)
        if (EV_RUN(t->ev[i]) < EV_RUN(t->ev[i - 1])) {
            qsort(t->ev, t->n, sizeof *t->ev, by_word);
            return;
        }
}

/* Marks outage runs: many failures together that mostly pass again later. */
static int find_infra(struct ob_ci_history *h, const struct ob_ci_params *p,
                      struct ob_ci_run_report *runs, uint8_t *infra)
{
    uint32_t *recover = calloc((size_t)h->nruns + 1, sizeof *recover);
    if (!recover)
        return -1;
    for (uint32_t i = 0; i < h->nt; i++) {
        struct test *t = &h->t[i];
        sort_events(t);
        bool later_pass = false;
        for (uint32_t j = t->n; j-- > 0;) {
            uint32_t e = t->ev[j], run = EV_RUN(e);
            unsigned r = EV_RES(e);
            if (r == OB_CI_PASS || r == OB_CI_FAIL)
                runs[run].tests++;
            if (r == OB_CI_FAIL) {
                runs[run].failures++;
                if (later_pass)
                    recover[run]++;
            }
            if (r == OB_CI_PASS)
                later_pass = true;
        }
    }
    for (uint32_t r = 0; r < h->nruns; r++) {
        struct ob_ci_run_report *x = &runs[r];
        /* the last run cannot show recovery yet; alone, it is not an outage */
        bool last = r + 1 == h->nruns && h->nruns > 1;
        infra[r] = x->failures >= p->infra_min && x->tests &&
                   (double)x->failures >= p->infra_share * x->tests &&
                   (last || 2 * recover[r] >= x->failures);
        x->infra = infra[r];
    }
    free(recover);
    return 0;
}

/* Chance that a test failing at `rate` fails `len` times in a row. */
static bool unlikely(const struct ob_ci_params *p, double rate, uint32_t len)
{
    return len >= p->min_streak && pow(rate, len) <= p->chance;
}

static void analyse_test(const struct test *t, const uint8_t *infra, const struct ob_ci_params *p,
                         struct ob_ci_test_report *o)
{
    memset(o, 0, sizeof *o);
    o->suite = t->suite;
    o->name = t->name;
    o->failing_since = o->first_flip_run = o->last_flip_run = -1;
    uint32_t n = 0, f = 0;
    for (uint32_t j = 0; j < t->n; j++) {
        uint32_t e = t->ev[j];
        unsigned r = EV_RES(e);
        if (r != OB_CI_PASS && r != OB_CI_FAIL)
            continue;
        if (infra[EV_RUN(e)] && r == OB_CI_FAIL) {
            o->infra_failures++;
            continue;
        }
        n++;
        f += r == OB_CI_FAIL;
        o->retried += EV_RETRIED(e) && r == OB_CI_PASS;
    }
    o->runs = n + o->infra_failures;
    o->failures = f + o->infra_failures;
    /* streaks of failures, and what followed them */
    uint32_t seg = 0, seg_start = 0, seen = 0, fails_seen = 0;
    for (uint32_t j = 0; j <= t->n; j++) {
        uint32_t e = j < t->n ? t->ev[j] : 0;
        unsigned r = j < t->n ? EV_RES(e) : OB_CI_NONE;
        if (j < t->n && ((r != OB_CI_PASS && r != OB_CI_FAIL) ||
                         (infra[EV_RUN(e)] && r == OB_CI_FAIL)))
            continue;
        if (r == OB_CI_FAIL) {
            if (seg++ == 0)
                seg_start = EV_RUN(e);
            seen++;
            fails_seen++;
            continue;
        }
        if (seg) {
            /* the rate outside this streak: Laplace's, so a test seen to
             * fail never still has a rate */
            uint32_t out_n = n - seg, out_f = f - seg;
            double rate = (out_f + 0.5) / (out_n + 1.0);
            if (r == OB_CI_PASS) {
                if (!unlikely(p, rate, seg)) {
                    o->flips++;
                    if (o->first_flip_run < 0)
                        o->first_flip_run = seg_start;
                    o->last_flip_run = seg_start;
                }
            } else { /* the streak runs to the end */
                uint32_t before_n = seen - seg, before_f = fails_seen - seg;
                double rb = (before_f + 0.5) / (before_n + 1.0);
                o->streak = seg;
                o->rate_before = before_n ? (double)before_f / before_n : 0;
                if (before_n > before_f && unlikely(p, rb, seg))
                    o->failing_since = seg_start;
            }
        }
        seg = 0;
        if (r == OB_CI_PASS)
            seen++;
    }
    o->always_failing = n > 1 && f == n;
    o->flaky = o->flips > 0 || o->retried > 0;
}

int ob_ci_history_analyse(struct ob_ci_history *h, const struct ob_ci_params *p,
                          struct ob_ci_test_report **tests, size_t *ntests,
                          struct ob_ci_run_report **runs, size_t *nruns)
{
    struct ob_ci_run_report *R = calloc((size_t)h->nruns + 1, sizeof *R);
    uint8_t *infra = calloc((size_t)h->nruns + 1, 1);
    struct ob_ci_test_report *T = malloc(((size_t)h->nt + 1) * sizeof *T);
    if (!R || !infra || !T ||
        find_infra(h, p, R, infra) < 0) {
        free(R);
        free(infra);
        free(T);
        return -1;
    }
    for (uint32_t r = 0; r < h->nruns; r++)
        R[r].label = h->labels[r];
    for (uint32_t i = 0; i < h->nt; i++)
        analyse_test(&h->t[i], infra, p, &T[i]);
    free(infra);
    *tests = T;
    *ntests = h->nt;
    *runs = R;
    *nruns = h->nruns;
    return 0;
}
