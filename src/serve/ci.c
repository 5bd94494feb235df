/* ci.c - CI test results in `opsbox serve`: every ci.interval, read
 * the runs in ci.results_dir (each entry a run, by name, as `opsbox ci
 * tests` reads its arguments), analyse them (src/ci/history.c) and report
 *   opsbox_ci_test_runs_total{suite, test, result="pass|fail"}
 *   opsbox_ci_test_flaky{suite, test}          1 when flaky
 *   opsbox_ci_test_new_failure_runs{suite, test} runs of a new failure's streak
 *   opsbox_ci_pass_rate                         share of runs (outages left
 *                                               out) where every test passed
 *   opsbox_ci_runs, opsbox_ci_infra_runs
 * A new failure lasting ci.new_failure_runs runs opens an incident through
 * the same path as an Alertmanager group (alertname CiNewFailure), which the
 * tracker turns into one GitHub issue; it resolves when the test passes.
 * The whole folder is read again each time: a history of runs is small
 * beside what the analysis needs to see, and nothing is left to get out of
 * step with the files. */
#include "serve/serve_int.h"

#include "ci/ci.h"
#include "core/clock.h"
#include "core/log.h"
#include "io/ciresults.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ci_test {
    char *suite, *name;
    uint32_t runs, failures, streak;
    long since;
    int flaky, reported;
};

struct ci {
    pthread_mutex_t mu;
    struct ci_test *t;
    size_t n;
    size_t runs, infra;
    double pass_rate, next;
    uint64_t reads, errors;
};

int ob__ci_start(struct serve *s, char *err, size_t errlen)
{
    if (!s->cfg->ci.results_dir)
        return 0;
    struct ci *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pthread_mutex_init(&k->mu, NULL);
    s->ci = k;
    ob_info("ci: the runs in %s, every %.0f s", s->cfg->ci.results_dir, s->cfg->ci.interval_s);
    return 0;
}

static void free_tests(struct ci_test *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(t[i].suite);
        free(t[i].name);
    }
    free(t);
}

void ob__ci_stop(struct serve *s)
{
    struct ci *k = s->ci;
    if (!k)
        return;
    free_tests(k->t, k->n);
    pthread_mutex_destroy(&k->mu);
    free(k);
    s->ci = NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every run in the folder, by name, into h. */
static int read_runs(const char *dir, struct ob_ci_history *h)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || (len > 4 && !strcmp(e->d_name + len - 4, ".tmp")))
            continue;
        if (ob_grow((void **)&names, &cap, n + 1, sizeof *names) < 0 ||
            !(names[n] = malloc(strlen(dir) + len + 2)))
            break;
        sprintf(names[n++], "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (names)
        qsort(names, n, sizeof *names, by_name);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char err[4400];
        if (ob_ciresults_read(h, names[i], err, sizeof err) != 0) {
            ob_warn("ci: %s", err);
            bad++;
        }
        free(names[i]);
    }
    free(names);
    return bad;
}

/* An incident for a test failing since a run, the way disk.c does. */
static void tell_incidents(struct serve *s, const struct ci_test *t, int firing)
{
    char key[700], summary[800], runs[32], id[600];
    snprintf(id, sizeof id, "%s%s%s", t->suite, t->suite[0] ? "." : "", t->name);
    snprintf(key, sizeof key, "{}:{alertname=\"CiNewFailure\",test=\"%s\"}", id);
    snprintf(summary, sizeof summary, "%s has failed in every run since run %ld (%u runs)", id,
             t->since + 1, t->streak);
    snprintf(runs, sizeof runs, "%u", t->streak);
    struct ob_kv labels[] = {{"alertname", "CiNewFailure"}, {"suite", t->suite}, {"test", id},
                             {"severity", "warning"}};
    struct ob_kv group[] = {{"alertname", "CiNewFailure"}, {"test", id}};
    struct ob_kv notes[] = {{"runs", runs}, {"summary", summary}};
    char fp[640];
    snprintf(fp, sizeof fp, "ci-%s", id);
    struct ob_alert a = {firing, labels, 4, notes, 2, 0, 0, fp, NULL};
    struct ob_webhook w = {"opsbox-ci", key, NULL, firing, 0, group, labels, NULL, 2, 4, 0, &a, 1};
    ob__serve_post_event(s, &w);
}

static const struct ci_test *find_old(const struct ci *k, const char *suite, const char *name)
{
    for (size_t i = 0; i < k->n; i++)
        if (!strcmp(k->t[i].name, name) && !strcmp(k->t[i].suite, suite))
            return &k->t[i];
    return NULL;
}

void ob__ci_tick(struct serve *s, double now)
{
    struct ci *k = s->ci;
    if (!k || now < k->next)
        return;
    k->next = now + s->cfg->ci.interval_s;
    struct ob_ci_history *h = ob_ci_history_new();
    struct ob_ci_params p = ob_ci_params_default();
    struct ob_ci_test_report *T = NULL;
    struct ob_ci_run_report *R = NULL;
    size_t nt = 0, nr = 0;
    int bad = h ? read_runs(s->cfg->ci.results_dir, h) : -1;
    if (bad < 0 || ob_ci_history_analyse(h, &p, &T, &nt, &R, &nr) < 0) {
        ob_warn("ci: %s cannot be read", s->cfg->ci.results_dir);
        k->errors++;
        ob_ci_history_free(h);
        return;
    }
    struct ci_test *t = calloc(nt + 1, sizeof *t);
    size_t clean = 0, infra = 0, counted = 0;
    for (size_t r = 0; r < nr; r++) {
        infra += R[r].infra != 0;
        if (!R[r].infra && R[r].tests) {
            counted++;
            clean += R[r].failures == 0;
        }
    }
    /* the changes to tell, decided under the lock, told after it */
    struct ci_test *tell = calloc(nt + 1, sizeof *tell);
    int *how = calloc(nt + 1, sizeof *how);
    size_t ntell = 0;
    pthread_mutex_lock(&k->mu);
    for (size_t i = 0; t && i < nt; i++) {
        t[i] = (struct ci_test){.suite = strdup(T[i].suite), .name = strdup(T[i].name),
                                .runs = T[i].runs, .failures = T[i].failures,
                                .streak = T[i].failing_since >= 0 ? T[i].streak : 0,
                                .since = T[i].failing_since, .flaky = T[i].flaky};
        const struct ci_test *old = find_old(k, T[i].suite, T[i].name);
        int firing = t[i].since >= 0 && t[i].streak >= (uint32_t)s->cfg->ci.new_failure_runs;
        t[i].reported = firing || (old && old->reported && t[i].since >= 0);
        if (tell && how && firing != (old && old->reported) && (firing || (old && old->reported))) {
            tell[ntell] = t[i];
            how[ntell++] = firing;
        }
    }
    if (t) {
        free_tests(k->t, k->n);
        k->t = t;
        k->n = nt;
    }
    k->runs = nr;
    k->infra = infra;
    k->pass_rate = counted ? (double)clean / counted : 0;
    k->reads++;
    k->errors += bad > 0;
    pthread_mutex_unlock(&k->mu);
    for (size_t i = 0; i < ntell; i++) {
        ob_info("ci: %s%s%s %s", tell[i].suite, tell[i].suite[0] ? "." : "", tell[i].name,
                how[i] ? "is a new failure" : "passes again");
        tell_incidents(s, &tell[i], how[i]);
    }
    free(tell);
    free(how);
    free(T);
    free(R);
    ob_ci_history_free(h);
}

void ob__ci_metrics(struct serve *s, struct ob_expo *e)
{
    struct ci *k = s->ci;
    if (!k)
        return;
    pthread_mutex_lock(&k->mu);
    ob_expo_family(e, "opsbox_ci_test_runs_total", "counter", "Runs of each test by result (outages included).");
    for (size_t i = 0; i < k->n; i++)
        for (int fail = 0; fail < 2; fail++) {
            struct ob_label l[] = {ob_label_of("suite", k->t[i].suite), ob_label_of("test", k->t[i].name),
                                   ob_label_of("result", fail ? "fail" : "pass")};
            ob_expo_sample_u64(e, l, 3, fail ? k->t[i].failures : k->t[i].runs - k->t[i].failures);
        }
    ob_expo_family(e, "opsbox_ci_test_flaky", "gauge",
                   "1 when the test fails and passes again with no fix, or passes on retry.");
    for (size_t i = 0; i < k->n; i++) {
        struct ob_label l[] = {ob_label_of("suite", k->t[i].suite), ob_label_of("test", k->t[i].name)};
        ob_expo_sample_u64(e, l, 2, k->t[i].flaky != 0);
    }
    ob_expo_family(e, "opsbox_ci_test_new_failure_runs", "gauge",
                   "Runs a test has failed in a row since it began failing (new failures only).");
    for (size_t i = 0; i < k->n; i++) {
        if (k->t[i].since < 0)
            continue;
        struct ob_label l[] = {ob_label_of("suite", k->t[i].suite), ob_label_of("test", k->t[i].name)};
        ob_expo_sample_u64(e, l, 2, k->t[i].streak);
    }
    ob_expo_single(e, "opsbox_ci_pass_rate", "gauge", "Share of the runs (outages left out) where every test passed.",
                   k->pass_rate);
    ob_expo_single_u64(e, "opsbox_ci_runs", "gauge", "Runs read.", k->runs);
    ob_expo_single_u64(e, "opsbox_ci_infra_runs", "gauge", "Runs that were outages (the infrastructure failed).",
                       k->infra);
    ob_expo_single_u64(e, "opsbox_ci_read_errors_total", "counter", "Reads of the results folder that failed.",
                       k->errors);
    pthread_mutex_unlock(&k->mu);
}

/* The part, as the core sees it (parts[] in core.c). */
const struct ob_serve_part ob__part_ci = {
    .name = "ci",
    .start = ob__ci_start,
    .stop = ob__ci_stop,
    .tick = ob__ci_tick,
    .metrics = ob__ci_metrics,
};
