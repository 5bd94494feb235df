/* cmd_disk.c - `opsbox disk`: train, evaluate and apply the disk failure
 * model (src/disk) on Backblaze drive-stats CSVs and smartctl JSON. */
#include "cli/cli.h"

#include "core/buf.h"
#include "core/strmap.h"
#include "disk/disk.h"
#include "io/smart.h"
#include "io/statefile.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HORIZON_DAYS 14 /* "fails within 14 days" */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: opsbox disk train --backblaze FILE... --out MODEL.json [--repeats R] [--folds K]\n"
            "       opsbox disk eval --backblaze FILE... [--repeats R] [--folds K] [--candidates]\n"
            "       opsbox disk predict [--model MODEL.json] --backblaze FILE...\n"
            "       opsbox disk predict [--model MODEL.json] SMARTCTL.json...\n\n"
            "Predicts which drives fail within 14 days from SMART data: ATA drives with a\n"
            "gradient-boosted model (XGBoost), NVMe and SCSI drives with documented rules on\n"
            "their health logs. FILEs are Backblaze drive-stats daily CSVs (plain or gzip,\n"
            "any year's columns); SMARTCTL.json is `smartctl --json --all DEV` output.\n"
            "eval: repeated cross-validation grouped by serial (default 20 x 5-fold): mean\n"
            "  and 10th percentile over the held-out folds of recall at 1%% and 5%% false\n"
            "  alarms and AUC, for the model, the SMART 5+197 rule and a logistic\n"
            "  regression; then leave-one-drive-model-out. --candidates: also the model\n"
            "  configurations the default was chosen from.\n"
            "train: the same figures, then calibration and the state thresholds\n"
            "  from its out-of-fold scores, and the model fitted on all drives, saved.\n"
            "predict: CSV date,serial_number,model,score,state per drive-day (Backblaze),\n"
            "  or device,serial_number,model,score,state,reason per drive (smartctl).\n"
            "  States: good (> 6 weeks), warning (2-6 weeks), bad (< 2 weeks), unknown.\n"
            "Without --model, the model built into opsbox (trained on Backblaze data).\n");
}

/* ---- all rows of some Backblaze files, in (serial, day) order ---- */

struct rows {
    struct ob_disk_reading *r;
    size_t n, cap;
};

static int read_backblaze(char **files, int nfiles, struct rows *rows)
{
    char err[512];
    for (int i = 0; i < nfiles; i++) {
        struct ob_backblaze *b = ob_backblaze_open(files[i], err, sizeof err);
        if (!b) {
            fprintf(stderr, "opsbox disk: %s\n", err);
            return -1;
        }
        int rc;
        for (;;) {
            if (ob_grow((void **)&rows->r, &rows->cap, rows->n + 1, sizeof *rows->r) < 0) {
                fprintf(stderr, "opsbox disk: out of memory at %zu rows\n", rows->n);
                ob_backblaze_close(b);
                return -1;
            }
            if ((rc = ob_backblaze_next(b, &rows->r[rows->n], err, sizeof err)) <= 0)
                break;
            rows->r[rows->n++].source = i;
        }
        ob_backblaze_close(b);
        if (rc < 0) {
            fprintf(stderr, "opsbox disk: %s\n", err);
            return -1;
        }
    }
    return 0;
}

static struct rows *disk_rows; /* the rows behind the table, for serials */

static int by_drive_day(const void *a, const void *b)
{
    const struct ob_disk_reading *x = a, *y = b;
    int c = strcmp(x->serial, y->serial);
    return c ? c : (x->day > y->day) - (x->day < y->day);
}

/* Features and labels of every row; drive[i] numbers the row's drive and
 * fails[d] is the drive's failure day (or -1). */
struct table {
    float *x, *y;
    size_t *drive;
    long *fail_day;
    size_t n, ndrives;
};

static int build(struct rows *rows, struct table *t)
{
    qsort(rows->r, rows->n, sizeof *rows->r, by_drive_day);
    t->n = rows->n;
    t->x = malloc((rows->n + 1) * OB_DISK_NFEAT * sizeof *t->x);
    t->y = malloc((rows->n + 1) * sizeof *t->y);
    t->drive = malloc((rows->n + 1) * sizeof *t->drive);
    t->fail_day = malloc((rows->n + 1) * sizeof *t->fail_day);
    struct ob_disk_fleet *f = ob_disk_fleet_new();
    if (!t->x || !t->y || !t->drive || !t->fail_day || !f) {
        ob_disk_fleet_free(f);
        fprintf(stderr, "opsbox disk: out of memory for %zu rows\n", rows->n);
        return -1;
    }
    for (size_t i = 0; i < rows->n; i++) {
        if (i == 0 || strcmp(rows->r[i].serial, rows->r[i - 1].serial))
            t->fail_day[t->ndrives++] = -1;
        size_t d = t->ndrives - 1;
        t->drive[i] = d;
        if (rows->r[i].failure)
            t->fail_day[d] = rows->r[i].day;
    }
    for (size_t i = 0; i < rows->n; i++) {
        long fd = t->fail_day[t->drive[i]];
        t->y[i] = fd >= 0 && rows->r[i].day > fd - HORIZON_DAYS && rows->r[i].day <= fd;
        if (ob_disk_fleet_add(f, &rows->r[i], &t->x[i * OB_DISK_NFEAT]) < 0) {
            ob_disk_fleet_free(f);
            return -1;
        }
    }
    ob_disk_fleet_free(f);
    return 0;
}

static void free_table(struct table *t)
{
    free(t->x);
    free(t->y);
    free(t->drive);
    free(t->fail_day);
}

/* ---- drive-level figures ---- */

struct figures {
    double recall1, recall5, auc, t1, t5;
    size_t failing, healthy;
};

/* From row scores to Backblaze's drive-level rule, over the drives held
 * (held NULL: all). */
static void figures(const struct table *t, const float *score, const unsigned char *held, struct figures *out)
{
    double *best = malloc((t->ndrives + 1) * sizeof *best);
    double *fail = malloc((t->ndrives + 1) * sizeof *fail), *ok = malloc((t->ndrives + 1) * sizeof *ok);
    memset(out, 0, sizeof *out);
    out->recall1 = out->recall5 = out->auc = NAN;
    if (!best || !fail || !ok) {
        free(best);
        free(fail);
        free(ok);
        return;
    }
    for (size_t d = 0; d < t->ndrives; d++)
        best[d] = -1e300;
    for (size_t i = 0; i < t->n; i++) {
        size_t d = t->drive[i];
        if (held && !held[d])
            continue;
        /* A failing drive counts on its last 14 days; a healthy one on all. */
        if (t->fail_day[d] >= 0 && !(t->y[i] > 0.5f))
            continue;
        if (score[i] > best[d])
            best[d] = score[i];
    }
    size_t nf = 0, nh = 0;
    for (size_t d = 0; d < t->ndrives; d++) {
        if (best[d] == -1e300)
            continue;
        if (t->fail_day[d] >= 0)
            fail[nf++] = best[d];
        else
            ok[nh++] = best[d];
    }
    out->failing = nf;
    out->healthy = nh;
    out->recall1 = ob_disk_recall_at(fail, nf, ok, nh, 0.01, &out->t1);
    out->recall5 = ob_disk_recall_at(fail, nf, ok, nh, 0.05, &out->t5);
    out->auc = ob_disk_auc(fail, nf, ok, nh);
    free(best);
    free(fail);
    free(ok);
}

/* ---- the models compared ---- */

enum { M_XGB, M_RULE, M_LOGIT };

struct method {
    const char *name; /* one word: bench/disk.sh reads the table */
    int kind;
    struct ob_disk_train_params p;
    int per_drive; /* each drive's days weigh 1 in all, not 1 each */
};

/* The logistic regression's inputs: the bad-sector counters and their sum,
 * its growth and rate per power-on day (log scale, missing as 0). */
static const int logit_ids[] = {5, 187, 188, 197, 198};
#define LOGIT_D 8

static void logit_row(const float *x, double *z)
{
    int k = 0;
    for (size_t i = 0; i < sizeof logit_ids / sizeof logit_ids[0]; i++)
        z[k++] = x[ob_disk_field_of(logit_ids[i])];
    /* The bad-sector sum and its 14-day growth, its rate per day: see features.c's layout. */
    int bad = OB_DISK_NFEAT - 5, growth14 = bad - 1;
    z[k++] = x[bad];
    z[k++] = x[growth14];
    z[k++] = x[bad + 1];
    for (int j = 0; j < LOGIT_D; j++)
        if (isnan(z[j]))
            z[j] = 0;
}

/* Trains the method on the rows whose drive is not held (held NULL: all
 * rows) and scores every row. The rule needs no training. */
static int fit_and_score(const struct table *t, const unsigned char *held, const struct method *m, float *score,
                         struct ob_disk_model **keep)
{
    if (m->kind == M_RULE) { /* reallocated + pending sectors, as a score */
        int r5 = ob_disk_field_of(5), r197 = ob_disk_field_of(197);
        for (size_t i = 0; i < t->n; i++) {
            float a = t->x[i * OB_DISK_NFEAT + r5], b = t->x[i * OB_DISK_NFEAT + r197];
            score[i] = (isnan(a) ? 0 : a) + (isnan(b) ? 0 : b);
        }
        return 0;
    }
    size_t n = 0;
    double pos = 0;
    for (size_t i = 0; i < t->n; i++)
        if (!held || !held[t->drive[i]]) {
            n++;
            pos += t->y[i] > 0.5f;
        }
    if (m->kind == M_LOGIT) {
        double *z = malloc((n + 1) * LOGIT_D * sizeof *z), *y = malloc((n + 1) * sizeof *y);
        double *wt = malloc((n + 1) * sizeof *wt), w[LOGIT_D + 1], mu[LOGIT_D] = {0}, sd[LOGIT_D] = {0};
        if (!z || !y || !wt) {
            free(z), free(y), free(wt);
            return -1;
        }
        double up = pos > 0 ? sqrt(((double)n - pos) / pos) : 1; /* as the trees weigh failing days */
        size_t k = 0;
        for (size_t i = 0; i < t->n; i++)
            if (!held || !held[t->drive[i]]) {
                logit_row(&t->x[i * OB_DISK_NFEAT], &z[k * LOGIT_D]);
                y[k] = t->y[i];
                wt[k] = y[k] > 0.5 ? up : 1;
                for (int j = 0; j < LOGIT_D; j++)
                    mu[j] += z[k * LOGIT_D + j];
                k++;
            }
        for (int j = 0; j < LOGIT_D; j++)
            mu[j] /= (double)(n ? n : 1);
        for (size_t i = 0; i < n; i++)
            for (int j = 0; j < LOGIT_D; j++)
                sd[j] += (z[i * LOGIT_D + j] - mu[j]) * (z[i * LOGIT_D + j] - mu[j]);
        for (int j = 0; j < LOGIT_D; j++)
            sd[j] = sd[j] > 0 ? sqrt(sd[j] / (double)n) : 1;
        for (size_t i = 0; i < n; i++)
            for (int j = 0; j < LOGIT_D; j++)
                z[i * LOGIT_D + j] = (z[i * LOGIT_D + j] - mu[j]) / sd[j];
        int rc = ob_disk_logit_fit(z, y, wt, n, LOGIT_D, 1.0, w);
        for (size_t i = 0; rc == 0 && i < t->n; i++) {
            double r[LOGIT_D], s = w[LOGIT_D];
            logit_row(&t->x[i * OB_DISK_NFEAT], r);
            for (int j = 0; j < LOGIT_D; j++)
                s += w[j] * (r[j] - mu[j]) / sd[j];
            score[i] = (float)(1 / (1 + exp(-s)));
        }
        free(z), free(y), free(wt);
        return rc;
    }
    float *x = malloc((n + 1) * OB_DISK_NFEAT * sizeof *x), *y = malloc((n + 1) * sizeof *y);
    float *w = m->per_drive ? malloc((n + 1) * sizeof *w) : NULL;
    size_t *days = m->per_drive ? calloc(t->ndrives + 1, sizeof *days) : NULL;
    size_t k = 0, ndrives = 0;
    for (size_t i = 0; days && i < t->n; i++)
        if (!held || !held[t->drive[i]])
            ndrives += days[t->drive[i]]++ == 0;
    for (size_t i = 0; x && y && i < t->n; i++)
        if (!held || !held[t->drive[i]]) {
            memcpy(&x[k * OB_DISK_NFEAT], &t->x[i * OB_DISK_NFEAT], OB_DISK_NFEAT * sizeof *x);
            /* 1 / days, scaled so the rows' mean weight stays 1 (leaf sizes keep their meaning) */
            if (w && days)
                w[k] = (float)((double)n / (double)ndrives / (double)days[t->drive[i]]);
            y[k++] = t->y[i];
        }
    char err[512] = "out of memory";
    struct ob_disk_model *model = x && y && (!m->per_drive || (w && days))
                                      ? ob_disk_train_weighted(x, y, w, k, &m->p, err, sizeof err)
                                      : NULL;
    free(x);
    free(y);
    free(w);
    free(days);
    if (!model) {
        fprintf(stderr, "opsbox disk: training failed: %s\n", err);
        return -1;
    }
    int rc = ob_disk_predict(model, t->x, t->n, score);
    if (keep && rc == 0)
        *keep = model;
    else
        ob_disk_model_free(model);
    return rc;
}

/* ---- repeated grouped cross-validation ---- */

/* The figures of every held-out fold of every repetition. */
struct cv {
    double *r1, *r5, *auc;
    size_t n;
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void mean_p10(const double *v, size_t n, double *mean, double *p10)
{
    double *s = malloc((n + 1) * sizeof *s), sum = 0;
    size_t k = 0;
    for (size_t i = 0; s && i < n; i++)
        if (!isnan(v[i])) {
            s[k++] = v[i];
            sum += v[i];
        }
    *mean = *p10 = NAN;
    if (s && k) {
        qsort(s, k, sizeof *s, cmp_double);
        double at = 0.1 * (double)(k - 1);
        size_t lo = (size_t)floor(at);
        *mean = sum / (double)k;
        *p10 = lo + 1 < k ? s[lo] + (at - (double)lo) * (s[lo + 1] - s[lo]) : s[lo];
    }
    free(s);
}

static void print_cv_row(const char *name, const struct cv *c)
{
    double m1, p1, m5, p5, ma, pa;
    mean_p10(c->r1, c->n, &m1, &p1);
    mean_p10(c->r5, c->n, &m5, &p5);
    mean_p10(c->auc, c->n, &ma, &pa);
    printf("  %-22s %6.3f %6.3f   %6.3f %6.3f   %6.3f %6.3f\n", name, m1, p1, m5, p5, ma, pa);
}

static size_t *first_rows(const struct table *t)
{
    size_t *first = malloc((t->ndrives + 1) * sizeof *first);
    for (size_t i = t->n; first && i-- > 0;)
        first[t->drive[i]] = i;
    return first;
}

/* A drive's fold in repetition rep, from its serial: the same every run. */
static unsigned fold_of(const char *serial, int rep, int folds)
{
    char key[96];
    int n = snprintf(key, sizeof key, "%s#%d", serial, rep);
    return (unsigned)(ob_hash_bytes(key, (size_t)n) % (uint64_t)folds);
}

/* Repeated grouped CV of nm methods; fills cv[m * (nsrc + 1) + s] (s = 0:
 * all drives, s > 0: the drives of source s - 1). oof0, when given, gets
 * method 0's out-of-fold scores of the first repetition. */
static int repeated_cv(const struct table *t, const struct method *ms, int nm, int repeats, int folds, int nsrc,
                       struct cv *cv, float *oof0)
{
    size_t *first = first_rows(t);
    unsigned char *held = malloc(t->ndrives + 1), *sub = malloc(t->ndrives + 1);
    float *score = malloc((t->n + 1) * sizeof *score);
    if (!first || !held || !sub || !score) {
        free(first), free(held), free(sub), free(score);
        return -1;
    }
    size_t cap = (size_t)repeats * (size_t)folds;
    for (int i = 0; i < nm * (nsrc + 1); i++) {
        cv[i].r1 = calloc(cap + 1, sizeof(double));
        cv[i].r5 = calloc(cap + 1, sizeof(double));
        cv[i].auc = calloc(cap + 1, sizeof(double));
        cv[i].n = 0;
    }
    int rc = 0;
    for (int rep = 0; rep < repeats && rc == 0; rep++)
        for (int k = 0; k < folds && rc == 0; k++) {
            for (size_t d = 0; d < t->ndrives; d++)
                held[d] = fold_of(disk_rows->r[first[d]].serial, rep, folds) == (unsigned)k;
            for (int m = 0; m < nm && rc == 0; m++) {
                if (fit_and_score(t, held, &ms[m], score, NULL) < 0) {
                    rc = -1;
                    break;
                }
                if (m == 0 && rep == 0 && oof0)
                    for (size_t i = 0; i < t->n; i++)
                        if (held[t->drive[i]])
                            oof0[i] = score[i];
                for (int s = 0; s <= nsrc; s++) {
                    const unsigned char *h = held;
                    if (s > 0) {
                        for (size_t d = 0; d < t->ndrives; d++)
                            sub[d] = held[d] && disk_rows->r[first[d]].source == s - 1;
                        h = sub;
                    }
                    struct figures f;
                    figures(t, score, h, &f);
                    struct cv *c = &cv[m * (nsrc + 1) + s];
                    c->r1[c->n] = f.recall1;
                    c->r5[c->n] = f.recall5;
                    c->auc[c->n++] = f.auc;
                }
            }
        }
    free(first), free(held), free(sub), free(score);
    return rc;
}

static void free_cv(struct cv *cv, int n)
{
    for (int i = 0; i < n; i++) {
        free(cv[i].r1);
        free(cv[i].r5);
        free(cv[i].auc);
    }
}

/* The files as separate data sets, when no drive is in two of them. */
static int separate_sources(const struct table *t, int nfiles)
{
    if (nfiles < 2)
        return 0;
    for (size_t i = 1; i < t->n; i++)
        if (t->drive[i] == t->drive[i - 1] && disk_rows->r[i].source != disk_rows->r[i - 1].source)
            return 0;
    return 1;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void drive_counts(const struct table *t, size_t *nf, size_t *nh)
{
    *nf = *nh = 0;
    for (size_t d = 0; d < t->ndrives; d++)
        (t->fail_day[d] >= 0 ? (*nf)++ : (*nh)++);
}

static int report_cv(const struct table *t, const struct method *ms, int nm, int repeats, int folds, char **files,
                     int nfiles, float *oof0)
{
    int nsrc = separate_sources(t, nfiles) ? nfiles : 0;
    struct cv *cv = calloc((size_t)(nm * (nsrc + 1)), sizeof *cv);
    if (!cv || repeated_cv(t, ms, nm, repeats, folds, nsrc, cv, oof0) < 0) {
        if (cv)
            free_cv(cv, nm * (nsrc + 1));
        free(cv);
        return -1;
    }
    size_t nf, nh;
    drive_counts(t, &nf, &nh);
    printf("repeated grouped cross-validation by serial: %d x %d-fold, %zu failing and %zu healthy drives;\n"
           "Backblaze's drive-level rule; mean and 10th percentile over the %d held-out folds\n",
           repeats, folds, nf, nh, repeats * folds);
    printf("  %-22s %-13s   %-13s   %s\n", "", "recall@1%FA", "recall@5%FA", "AUC");
    printf("  %-22s %6s %6s   %6s %6s   %6s %6s\n", "method", "mean", "p10", "mean", "p10", "mean", "p10");
    for (int s = 0; s <= nsrc; s++) {
        if (s > 0)
            printf(" only the drives of %s:\n", base_name(files[s - 1]));
        for (int m = 0; m < nm; m++)
            print_cv_row(ms[m].name, &cv[m * (nsrc + 1) + s]);
    }
    free_cv(cv, nm * (nsrc + 1));
    free(cv);
    return 0;
}

/* Leave one drive model out: for each model with at least 10 failing
 * drives, train on all other models and score that one's drives. */
#define LOMO_MIN_FAILING 10

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int report_lomo(const struct table *t, const struct method *ms, int nm)
{
    size_t *first = first_rows(t);
    char **names = malloc((t->ndrives + 1) * sizeof *names);
    unsigned char *held = malloc(t->ndrives + 1);
    float *score = malloc((t->n + 1) * sizeof *score);
    double *med = calloc((size_t)nm * (t->ndrives + 1), sizeof *med);
    if (!first || !names || !held || !score || !med) {
        free(first), free(names), free(held), free(score), free(med);
        return -1;
    }
    size_t nn = 0;
    for (size_t d = 0; d < t->ndrives; d++)
        names[nn++] = disk_rows->r[first[d]].model;
    qsort(names, nn, sizeof *names, cmp_str);
    printf("leave one drive model out (train on the other models, score this one): recall at 1%% false alarms\n");
    printf("  %-24s %7s %7s", "drive model", "failing", "healthy");
    for (int m = 0; m < nm; m++)
        printf(" %12.12s", ms[m].name);
    printf("\n");
    size_t ntest = 0;
    int rc = 0;
    for (size_t i = 0; i < nn && rc == 0; i++) {
        if (i > 0 && !strcmp(names[i], names[i - 1]))
            continue;
        size_t nf = 0, nh = 0;
        for (size_t d = 0; d < t->ndrives; d++) {
            held[d] = !strcmp(disk_rows->r[first[d]].model, names[i]);
            if (held[d])
                (t->fail_day[d] >= 0 ? nf++ : nh++);
        }
        if (nf < LOMO_MIN_FAILING || nh < 100)
            continue;
        printf("  %-24.24s %7zu %7zu", names[i], nf, nh);
        for (int m = 0; m < nm; m++) {
            struct figures f;
            if (fit_and_score(t, held, &ms[m], score, NULL) < 0) {
                rc = -1;
                break;
            }
            figures(t, score, held, &f);
            med[(size_t)m * (t->ndrives + 1) + ntest] = f.recall1;
            printf(" %12.3f", f.recall1);
        }
        printf("\n");
        ntest++;
    }
    if (rc == 0 && ntest) {
        printf("  %-40s", "median");
        for (int m = 0; m < nm; m++) {
            double *v = &med[(size_t)m * (t->ndrives + 1)];
            qsort(v, ntest, sizeof *v, cmp_double);
            printf(" %12.3f", ntest % 2 ? v[ntest / 2] : (v[ntest / 2 - 1] + v[ntest / 2]) / 2);
        }
        printf("\n");
    }
    free(first), free(names), free(held), free(score), free(med);
    return rc;
}

/* The shipped configuration, and what it is chosen against. */
static void methods(struct method *ms, int *nm, int candidates)
{
    int k = 0;
    ms[k] = (struct method){"xgboost", M_XGB, {0}, 0};
    ob_disk_train_defaults(&ms[k++].p);
    ms[k++] = (struct method){"rule_5+197", M_RULE, {0}, 0};
    ms[k++] = (struct method){"logistic", M_LOGIT, {0}, 0};
    if (candidates) { /* the configurations the default was chosen from */
        ms[k] = (struct method){"xgb_all", M_XGB, {0}, 0};
        ob_disk_train_defaults(&ms[k].p);
        ms[k++].p.featset = OB_DISK_FEAT_ALL;
        ms[k] = (struct method){"xgb_free", M_XGB, {0}, 0};
        ob_disk_train_defaults(&ms[k].p);
        ms[k++].p.monotone = 0;
        ms[k] = (struct method){"xgb_depth3", M_XGB, {0}, 0};
        ob_disk_train_defaults(&ms[k].p);
        ms[k++].p.depth = 3;
        ms[k] = (struct method){"xgb_counters", M_XGB, {0}, 0};
        ob_disk_train_defaults(&ms[k].p);
        ms[k++].p.featset = OB_DISK_FEAT_COUNTERS;
        ms[k] = (struct method){"xgb_cnt_free", M_XGB, {0}, 0};
        ob_disk_train_defaults(&ms[k].p);
        ms[k].p.featset = OB_DISK_FEAT_COUNTERS;
        ms[k++].p.monotone = 0;
    }
    if (candidates) { /* weaker regularisation; stumps (an additive model); per-drive weights */
        ms[k] = (struct method){"xgb_weak_reg", M_XGB, {0}, 0}; /* the default before: leaves of 5, lambda 1 */
        ob_disk_train_defaults(&ms[k].p);
        ms[k].p.min_child = 5;
        ms[k++].p.lambda = 1;
        ms[k] = (struct method){"xgb_stumps", M_XGB, {0}, 0};
        ob_disk_train_defaults(&ms[k].p);
        ms[k].p.depth = 1;
        ms[k++].p.rounds = 200;
        ms[k] = (struct method){"xgb_per_drive", M_XGB, {0}, 0};
        ob_disk_train_defaults(&ms[k].p);
        ms[k++].per_drive = 1;
    }
    *nm = k;
}

static int cmd_eval(struct table *t, int folds, int repeats, int candidates, char **files, int nfiles)
{
    struct method ms[12];
    int nm;
    methods(ms, &nm, candidates);
    if (report_cv(t, ms, nm, repeats, folds, files, nfiles, NULL) < 0 || report_lomo(t, ms, nm) < 0)
        return OB_EXIT_FAILURE;
    return OB_EXIT_OK;
}

/* Platt scaling on the out-of-fold scores: logit(raw) -> the label. */
static void calibrate(const struct table *t, const float *oof, double *a, double *b)
{
    double *z = malloc((t->n + 1) * sizeof *z), *y = malloc((t->n + 1) * sizeof *y), w[2] = {1, 0};
    *a = 1;
    *b = 0;
    if (z && y) {
        for (size_t i = 0; i < t->n; i++) {
            double p = oof[i] < 1e-7f ? 1e-7 : oof[i] > 1 - 1e-7f ? 1 - 1e-7 : oof[i];
            z[i] = log(p / (1 - p));
            y[i] = t->y[i];
        }
        if (ob_disk_logit_fit(z, y, NULL, t->n, 1, 0, w) == 0 && w[0] > 0) {
            *a = w[0];
            *b = w[1];
        }
    }
    free(z);
    free(y);
}

static int cmd_train(struct table *t, int folds, int repeats, char **files, int nfiles, const char *out)
{
    struct method ms[12];
    int nm;
    methods(ms, &nm, 0);
    float *oof = malloc((t->n + 1) * sizeof *oof);
    if (!oof || report_cv(t, ms, nm, repeats, folds, files, nfiles, oof) < 0 || report_lomo(t, ms, nm) < 0) {
        free(oof);
        return OB_EXIT_FAILURE;
    }
    /* Calibration and thresholds from the first repetition's out-of-fold
     * scores: bad flags 1 % of the healthy drives, warning 5 %. */
    double a, b;
    calibrate(t, oof, &a, &b);
    for (size_t i = 0; i < t->n; i++) {
        double p = oof[i] < 1e-7f ? 1e-7 : oof[i] > 1 - 1e-7f ? 1 - 1e-7 : oof[i];
        oof[i] = (float)(1 / (1 + exp(-(a * log(p / (1 - p)) + b))));
    }
    struct figures f;
    figures(t, oof, NULL, &f);
    free(oof);
    struct ob_disk_model *m = NULL;
    float *score = malloc((t->n + 1) * sizeof *score);
    if (!score || fit_and_score(t, NULL, &ms[0], score, &m) < 0) {
        free(score);
        return OB_EXIT_FAILURE;
    }
    free(score);
    ob_disk_set_calibration(m, a, b);
    if (f.failing && f.healthy)
        ob_disk_set_thresholds(m, f.t1, f.t5);
    printf("calibration: p = 1 / (1 + exp(-(%.4f logit(raw) %+.4f))); thresholds: bad %.4f, warning %.4f\n", a,
           b, f.t1, f.t5);
    char *json = NULL, err[512];
    size_t len = 0;
    int rc = ob_disk_model_save(m, &json, &len, err, sizeof err) < 0 ? -1 : ob_statefile_write(out, json, len);
    ob_disk_model_free(m);
    free(json);
    if (rc != 0) {
        fprintf(stderr, "opsbox disk: writing %s failed\n", out);
        return OB_EXIT_FAILURE;
    }
    printf("model: %s (%zu drives, %zu drive-days)\n", out, t->ndrives, t->n);
    return OB_EXIT_OK;
}

/* ---- predicting ---- */

static struct ob_disk_model *load_model(const char *path)
{
    char err[512];
    struct ob_disk_model *m = ob_disk_model_read(path, err, sizeof err);
    if (!m)
        fprintf(stderr, "opsbox disk: %s\n", err);
    return m;
}

#define BATCH 8192

struct batch {
    struct ob_disk_model *m;
    float x[BATCH * OB_DISK_NFEAT], score[BATCH];
    struct ob_disk_reading r[BATCH];
    size_t n;
};

static int flush_batch(struct batch *b)
{
    if (ob_disk_predict(b->m, b->x, b->n, b->score) < 0)
        return -1;
    for (size_t i = 0; i < b->n; i++) {
        long z = b->r[i].day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
        long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
        long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
        int state = ob_disk_reading_fields(&b->r[i]) && ob_disk_model_knows(b->m, &b->r[i])
                        ? ob_disk_state(b->m, b->score[i])
                        : OB_DISK_UNKNOWN;
        printf("%04ld-%02ld-%02ld,%s,%s,%.6f,%s\n", y, m, d, b->r[i].serial, b->r[i].model, b->score[i],
               ob_disk_state_name(state));
    }
    b->n = 0;
    return 0;
}

static int predict_backblaze(struct ob_disk_model *m, char **files, int nfiles)
{
    struct batch *b = calloc(1, sizeof *b);
    struct ob_disk_fleet *f = ob_disk_fleet_new();
    char err[512];
    int rc = b && f ? OB_EXIT_OK : OB_EXIT_FAILURE;
    if (b)
        b->m = m;
    printf("date,serial_number,model,score,state\n");
    for (int i = 0; i < nfiles && rc == OB_EXIT_OK; i++) {
        struct ob_backblaze *bb = ob_backblaze_open(files[i], err, sizeof err);
        int got = bb ? 1 : -1;
        while (bb && (got = ob_backblaze_next(bb, &b->r[b->n], err, sizeof err)) == 1) {
            if (ob_disk_fleet_add(f, &b->r[b->n], &b->x[b->n * OB_DISK_NFEAT]) < 0 ||
                (++b->n == BATCH && flush_batch(b) < 0)) {
                got = -1;
                snprintf(err, sizeof err, "out of memory");
                break;
            }
        }
        ob_backblaze_close(bb);
        if (got < 0) {
            fprintf(stderr, "opsbox disk: %s\n", err);
            rc = OB_EXIT_USAGE;
        }
    }
    if (rc == OB_EXIT_OK && b->n && flush_batch(b) < 0)
        rc = OB_EXIT_FAILURE;
    ob_disk_fleet_free(f);
    free(b);
    return rc;
}

struct drive_out {
    struct ob_disk_fleet *fleet;
    struct ob_disk_model *m;
    struct ob_disk_reading last;
    float x[OB_DISK_NFEAT];
    char device[128];
    int have;
};

static int on_reading(void *arg, const struct ob_disk_reading *r, const char *device)
{
    struct drive_out *o = arg;
    o->last = *r;
    snprintf(o->device, sizeof o->device, "%s", device);
    o->have = 1;
    return ob_disk_fleet_add(o->fleet, r, o->x);
}

static int predict_smartctl(struct ob_disk_model *m, char **files, int nfiles)
{
    int rc = OB_EXIT_OK;
    printf("device,serial_number,model,score,state,reason\n");
    for (int i = 0; i < nfiles; i++) {
        void *buf = NULL;
        size_t len = 0;
        char err[512];
        struct drive_out o = {.fleet = ob_disk_fleet_new(), .m = m};
        if (ob_statefile_read(files[i], (size_t)64 << 20, &buf, &len) != 0) {
            fprintf(stderr, "opsbox disk: %s: cannot read\n", files[i]);
            rc = OB_EXIT_USAGE;
        } else if (ob_smartctl_decode(buf, len, files[i], on_reading, &o, err, sizeof err) < 0) {
            fprintf(stderr, "opsbox disk: %s\n", err); /* the other drives go on */
            rc = OB_EXIT_USAGE;
        } else if (o.have) {
            float score = 0;
            char reason[512] = "";
            int state = OB_DISK_UNKNOWN;
            if (o.last.kind != OB_DISK_KIND_ATA) { /* NVMe, SCSI: the rules */
                double p = 0;
                state = ob_disk_judge(o.fleet, &o.last, &p, reason, sizeof reason);
                score = (float)p;
            } else if (!ob_disk_reading_fields(&o.last))
                snprintf(reason, sizeof reason, "no SMART attributes or health log in the output");
            else if (!ob_disk_model_knows(m, &o.last))
                snprintf(reason, sizeof reason,
                         "the model was trained on no drive that reports these counters (retrain with such drives)");
            else if (ob_disk_predict(m, o.x, 1, &score) == 0)
                state = ob_disk_state(m, score);
            /* The drive's own verdict, which Backblaze's data (so the model)
             * never has: failed is bad, whatever the counters say. */
            if (o.last.kind == OB_DISK_KIND_ATA && o.last.smart_passed == 0 && state != OB_DISK_BAD) {
                state = OB_DISK_BAD;
                snprintf(reason, sizeof reason, "SMART health self-assessment: failed");
            }
            printf("%s,%s,%s,%.6f,%s,%s\n", o.device, o.last.serial, o.last.model, score,
                   ob_disk_state_name(state), reason);
        }
        ob_disk_fleet_free(o.fleet);
        free(buf);
    }
    return rc;
}

int ob_cmd_disk(int argc, char **argv)
{
    static const struct option opts[] = {
        {"backblaze", no_argument, NULL, 'b'},      {"out", required_argument, NULL, 'o'},
        {"model", required_argument, NULL, 'm'},    {"repeats", required_argument, NULL, 'r'},
        {"folds", required_argument, NULL, 'k'},    {"candidates", no_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? OB_EXIT_USAGE : OB_EXIT_OK;
    }
    const char *verb = argv[1], *out = NULL, *model = NULL;
    int backblaze = 0, folds = 5, repeats = 20, candidates = 0, c;
    optind = 2;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end;
        if (c == 'b')
            backblaze = 1;
        else if (c == 'o')
            out = optarg;
        else if (c == 'm')
            model = optarg;
        else if (c == 'r' && (repeats = (int)strtol(optarg, &end, 10)) >= 1 && repeats <= 1000 && !*end)
            continue;
        else if (c == 'c')
            candidates = 1;
        else if (c == 'k' && (folds = (int)strtol(optarg, &end, 10)) >= 2 && folds <= 20 && !*end)
            continue;
        else if (c == 'h') {
            usage(stdout);
            return OB_EXIT_OK;
        } else {
            fprintf(stderr, "opsbox disk: bad or unknown option '%s'; see --help\n", argv[optind - 1]);
            return OB_EXIT_USAGE;
        }
    }
    char **files = argv + optind;
    int nfiles = argc - optind;
    int training = !strcmp(verb, "train") || !strcmp(verb, "eval");
    if ((!training && strcmp(verb, "predict")) || nfiles < 1 || (training && !backblaze) ||
        (!strcmp(verb, "train") && !out)) {
        fprintf(stderr, "opsbox disk: expected train --backblaze FILE... --out M, eval --backblaze "
                        "FILE..., or predict FILE...; see --help\n");
        return OB_EXIT_USAGE;
    }
    if (!training) {
        struct ob_disk_model *m = load_model(model);
        if (!m)
            return OB_EXIT_USAGE;
        int rc = backblaze ? predict_backblaze(m, files, nfiles) : predict_smartctl(m, files, nfiles);
        ob_disk_model_free(m);
        return rc;
    }
    struct rows rows = {0};
    struct table t = {0};
    disk_rows = &rows;
    int rc = read_backblaze(files, nfiles, &rows) < 0 ? OB_EXIT_USAGE
             : build(&rows, &t) < 0                 ? OB_EXIT_FAILURE
             : !strcmp(verb, "eval")                ? cmd_eval(&t, folds, repeats, candidates, files, nfiles)
                                                    : cmd_train(&t, folds, repeats, files, nfiles, out);
    free_table(&t);
    free(rows.r);
    return rc;
}
