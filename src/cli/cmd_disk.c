/* cmd_disk.c - `opsbox disk`: train, evaluate and apply the disk failure
 * model (src/disk) on Backblaze drive-stats CSVs and smartctl JSON. */
#include "cli/cli.h"
#include "cli/serve_int.h"
#include "cli/web_assets.h"

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
            "usage: opsbox disk train --backblaze FILE... --out MODEL.json [--validation F]\n"
            "       opsbox disk eval --backblaze FILE... [--folds K]\n"
            "       opsbox disk predict [--model MODEL.json] --backblaze FILE...\n"
            "       opsbox disk predict [--model MODEL.json] SMARTCTL.json...\n\n"
            "Predicts which drives fail within 14 days from SMART data, with a gradient-\n"
            "boosted model (XGBoost). FILEs are Backblaze drive-stats daily CSVs (plain or\n"
            "gzip, any year's columns); SMARTCTL.json is `smartctl --json --all DEV` output.\n"
            "train: fit on all drives and save the model, after validating on a share of\n"
            "  drives kept out (by serial, default 0.2): recall at 1%% and 5%% false alarms, AUC.\n"
            "eval: cross-validation by serial (default 5 folds), the same figures.\n"
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
            rows->n++;
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

/* From row scores to Backblaze's drive-level rule, over the rows whose
 * drive is in the held-out set (in_set NULL: all). */
static void figures(const struct table *t, const float *score, const unsigned char *held, struct figures *out)
{
    double *best = malloc((t->ndrives + 1) * sizeof *best);
    double *fail = malloc((t->ndrives + 1) * sizeof *fail), *ok = malloc((t->ndrives + 1) * sizeof *ok);
    for (size_t d = 0; d < t->ndrives; d++)
        best[d] = -1;
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
        if (best[d] < 0)
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

static uint64_t serial_hash(const char *s)
{
    return ob_hash_bytes(s, strlen(s));
}

/* Trains on the rows whose drive is not held, scores the held ones. */
static int fit_and_score(const struct table *t, const unsigned char *held, float *score)
{
    size_t n = 0;
    float *x = malloc((t->n + 1) * OB_DISK_NFEAT * sizeof *x), *y = malloc((t->n + 1) * sizeof *y);
    for (size_t i = 0; x && y && i < t->n; i++)
        if (!held[t->drive[i]]) {
            memcpy(&x[n * OB_DISK_NFEAT], &t->x[i * OB_DISK_NFEAT], OB_DISK_NFEAT * sizeof *x);
            y[n++] = t->y[i];
        }
    char err[512];
    struct ob_disk_model *m = x && y ? ob_disk_train(x, y, n, NULL, err, sizeof err) : NULL;
    free(x);
    free(y);
    if (!m) {
        fprintf(stderr, "opsbox disk: training failed: %s\n", err);
        return -1;
    }
    int rc = ob_disk_predict(m, t->x, t->n, score);
    ob_disk_model_free(m);
    return rc;
}

static void print_figures(const char *what, const struct figures *f)
{
    printf("%s: %zu failing and %zu healthy drives held out\n", what, f->failing, f->healthy);
    printf("  recall at 1%% false alarms  %.3f\n  recall at 5%% false alarms  %.3f\n  AUC                        %.3f\n",
           f->recall1, f->recall5, f->auc);
}

static int cmd_eval(struct table *t, int folds)
{
    float *oof = malloc((t->n + 1) * sizeof *oof), *score = malloc((t->n + 1) * sizeof *score);
    unsigned char *held = malloc(t->ndrives + 1);
    size_t *first = malloc((t->ndrives + 1) * sizeof *first);
    if (!oof || !score || !held || !first)
        return OB_EXIT_FAILURE;
    /* A drive's fold from its serial (so the split is the same every run). */
    for (size_t i = t->n; i-- > 0;)
        first[t->drive[i]] = i;
    int rc = OB_EXIT_OK;
    for (int k = 0; k < folds && rc == OB_EXIT_OK; k++) {
        for (size_t d = 0; d < t->ndrives; d++)
            held[d] = serial_hash(disk_rows->r[first[d]].serial) % (uint64_t)folds == (uint64_t)k;
        if (fit_and_score(t, held, score) < 0)
            rc = OB_EXIT_FAILURE;
        for (size_t i = 0; i < t->n; i++)
            if (held[t->drive[i]])
                oof[i] = score[i];
    }
    if (rc == OB_EXIT_OK) {
        struct figures f;
        figures(t, oof, NULL, &f);
        char what[64];
        snprintf(what, sizeof what, "%d-fold cross-validation by serial", folds);
        print_figures(what, &f);
        /* Side by side, the rule people use: reallocated + pending sectors. */
        int r5 = ob_disk_field_of(5), r197 = ob_disk_field_of(197);
        for (size_t i = 0; i < t->n; i++) {
            float a = t->x[i * OB_DISK_NFEAT + r5], b = t->x[i * OB_DISK_NFEAT + r197];
            score[i] = (isnan(a) ? 0 : a) + (isnan(b) ? 0 : b);
        }
        figures(t, score, NULL, &f);
        print_figures("rule: SMART 5 + 197 raw, same drives", &f);
    }
    free(oof);
    free(score);
    free(held);
    free(first);
    return rc;
}

static int cmd_train(struct table *t, double validation, const char *out)
{
    unsigned char *held = calloc(t->ndrives + 1, 1);
    float *score = malloc((t->n + 1) * sizeof *score);
    size_t *first = malloc((t->ndrives + 1) * sizeof *first);
    if (!held || !score || !first)
        return OB_EXIT_FAILURE;
    for (size_t i = t->n; i-- > 0;)
        first[t->drive[i]] = i;
    for (size_t d = 0; d < t->ndrives; d++)
        held[d] = (double)(serial_hash(disk_rows->r[first[d]].serial) % 1000) < validation * 1000;
    struct figures f = {0};
    if (validation > 0) {
        if (fit_and_score(t, held, score) < 0)
            return OB_EXIT_FAILURE;
        figures(t, score, held, &f);
        print_figures("validation", &f);
    }
    char err[512];
    struct ob_disk_model *m = ob_disk_train(t->x, t->y, t->n, NULL, err, sizeof err);
    if (!m) {
        fprintf(stderr, "opsbox disk: training failed: %s\n", err);
        return OB_EXIT_FAILURE;
    }
    /* bad: the score that flags 1% of healthy drives; warning: 5%. */
    if (validation > 0 && f.failing)
        ob_disk_set_thresholds(m, f.t1, f.t5);
    char *json = NULL;
    size_t len = 0;
    int rc = ob_disk_model_save(m, &json, &len, err, sizeof err) < 0 ? -1 : ob_statefile_write(out, json, len);
    ob_disk_model_free(m);
    free(json);
    free(held);
    free(score);
    free(first);
    if (rc != 0) {
        fprintf(stderr, "opsbox disk: writing %s failed\n", out);
        return OB_EXIT_FAILURE;
    }
    printf("model: %s (%zu drives, %zu drive-days)\n", out, t->ndrives, t->n);
    return OB_EXIT_OK;
}

/* ---- predicting ---- */

struct ob_disk_model *ob__disk_load_model(const char *path, char *err, size_t errlen)
{
    void *buf = NULL;
    size_t len = 0;
    char why[400] = "not built in (models/disk.json was missing at build time)";
    struct ob_disk_model *m = NULL;
    if (path) {
        if (ob_statefile_read(path, (size_t)1 << 30, &buf, &len) != 0)
            snprintf(why, sizeof why, "cannot read");
        else
            m = ob_disk_model_load(buf, len, why, sizeof why);
        free(buf);
    } else {
        for (unsigned i = 0; i < ob_model_nassets; i++)
            if (ob_model_assets[i].path && strstr(ob_model_assets[i].path, "disk.json"))
                m = ob_disk_model_load(ob_model_assets[i].data, ob_model_assets[i].len, why, sizeof why);
    }
    if (!m)
        snprintf(err, errlen, "disk model %s: %s", path ? path : "(built in)", why);
    return m;
}

static struct ob_disk_model *load_model(const char *path)
{
    char err[512];
    struct ob_disk_model *m = ob__disk_load_model(path, err, sizeof err);
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
            const char *reason = "";
            int state = OB_DISK_UNKNOWN;
            if (!ob_disk_reading_fields(&o.last))
                reason = "no SMART attributes or health log in the output";
            else if (!ob_disk_model_knows(m, &o.last))
                reason = "the model was trained on no drive that reports these counters (retrain with such drives)";
            else if (ob_disk_predict(m, o.x, 1, &score) == 0)
                state = ob_disk_state(m, score);
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
        {"model", required_argument, NULL, 'm'},    {"validation", required_argument, NULL, 'v'},
        {"folds", required_argument, NULL, 'k'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? OB_EXIT_USAGE : OB_EXIT_OK;
    }
    const char *verb = argv[1], *out = NULL, *model = NULL;
    int backblaze = 0, folds = 5, c;
    double validation = 0.2;
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
        else if (c == 'v' && (validation = strtod(optarg, &end)) >= 0 && validation < 1 && !*end)
            continue;
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
             : !strcmp(verb, "eval")                ? cmd_eval(&t, folds)
                                                    : cmd_train(&t, validation, out);
    free_table(&t);
    free(rows.r);
    return rc;
}
