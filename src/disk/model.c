/* model.c - the failure model: gradient-boosted trees through XGBoost's C
 * API, saved as XGBoost's own JSON model file (portable across versions,
 * unlike the pickles Ceph's predictor ships), with opsbox's state
 * thresholds as attributes of the booster. Training is deterministic
 * (one thread, fixed seed), so a rebuilt default model is the same model. */
#include "disk/disk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

struct ob_disk_model {
    BoosterHandle booster;
    double bad, warning;
    double cal_a, cal_b; /* Platt scaling of the raw score */
    uint32_t fields;   /* reading fields that had values in training */
};

/* The counters that say a drive is going: a model trained without any a
 * drive reports has nothing to say about it. */
static const int sign_ids[] = {5, 187, 188, 197, 198};

static int xgb_fail(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s: %s", what, XGBGetLastError());
    return -1;
}

const char *ob_disk_state_name(int state)
{
    static const char *const names[] = {"unknown", "good", "warning", "bad"};
    return names[state >= 0 && state <= OB_DISK_BAD ? state : 0];
}

void ob_disk_train_defaults(struct ob_disk_train_params *p)
{
    *p = (struct ob_disk_train_params){.rounds = 100, .depth = 2, .eta = 0.1, .threads = 1, .monotone = 1,
                                       .featset = OB_DISK_FEAT_PORTABLE, .min_child = 20, .lambda = 10};
}

static int set_params(BoosterHandle b, const struct ob_disk_train_params *p, double pos_weight)
{
    char v[64];
    if (p->monotone) {
        /* What the data cannot teach with a few hundred failures: more
         * reallocated, pending or uncorrectable sectors never mean less risk. */
        char mc[4 * OB_DISK_NFEAT + 4];
        size_t k = 0;
        mc[k++] = '(';
        for (int f = 0; f < OB_DISK_NFEAT; f++)
            k += (size_t)snprintf(mc + k, sizeof mc - k, "%s%d", f ? "," : "", ob_disk_feature_direction(f));
        snprintf(mc + k, sizeof mc - k, ")");
        if (XGBoosterSetParam(b, "monotone_constraints", mc))
            return -1;
    }
    int rc = XGBoosterSetParam(b, "objective", "binary:logistic");
    snprintf(v, sizeof v, "%d", p->depth);
    rc |= XGBoosterSetParam(b, "max_depth", v);
    snprintf(v, sizeof v, "%g", p->eta);
    rc |= XGBoosterSetParam(b, "eta", v);
    snprintf(v, sizeof v, "%d", p->threads);
    rc |= XGBoosterSetParam(b, "nthread", v);
    snprintf(v, sizeof v, "%g", pos_weight);
    rc |= XGBoosterSetParam(b, "scale_pos_weight", v);
    rc |= XGBoosterSetParam(b, "tree_method", "hist");
    rc |= XGBoosterSetParam(b, "subsample", "0.8");
    rc |= XGBoosterSetParam(b, "colsample_bytree", "0.8");
    snprintf(v, sizeof v, "%g", p->min_child);
    rc |= XGBoosterSetParam(b, "min_child_weight", v);
    snprintf(v, sizeof v, "%g", p->lambda);
    rc |= XGBoosterSetParam(b, "lambda", v);
    rc |= XGBoosterSetParam(b, "seed", "1");
    rc |= XGBoosterSetParam(b, "verbosity", "0");
    return rc ? -1 : 0;
}

struct ob_disk_model *ob_disk_train(const float *x, const float *y, size_t n,
                                    const struct ob_disk_train_params *params, char *err, size_t errlen)
{
    return ob_disk_train_weighted(x, y, NULL, n, params, err, errlen);
}

struct ob_disk_model *ob_disk_train_weighted(const float *x, const float *y, const float *w, size_t n,
                                             const struct ob_disk_train_params *params, char *err, size_t errlen)
{
    struct ob_disk_train_params p;
    ob_disk_train_defaults(&p);
    if (params)
        p = *params;
    double pos = 0, wpos = 0, wall = 0;
    for (size_t i = 0; i < n; i++) {
        pos += y[i] > 0.5f;
        wpos += y[i] > 0.5f ? (w ? w[i] : 1) : 0;
        wall += w ? w[i] : 1;
    }
    if (pos == 0 || pos == (double)n || wpos <= 0 || wpos >= wall) {
        snprintf(err, errlen, "training needs both failing and healthy drive-days (%.0f of %zu fail)", pos, n);
        return NULL;
    }
    DMatrixHandle d = NULL;
    struct ob_disk_model *m = calloc(1, sizeof *m);
    /* The features the set leaves out are missing to the trees: never split on. */
    float *xm = malloc(n * OB_DISK_NFEAT * sizeof *xm + 1);
    if (xm) {
        memcpy(xm, x, n * OB_DISK_NFEAT * sizeof *xm);
        for (int f = 0; f < OB_DISK_NFEAT; f++)
            if (!ob_disk_feature_used(p.featset, f))
                for (size_t i = 0; i < n; i++)
                    xm[i * OB_DISK_NFEAT + (size_t)f] = NAN;
    }
    int rc = !m || !xm ? (snprintf(err, errlen, "out of memory"), -1)
             : XGDMatrixCreateFromMat(xm, (bst_ulong)n, OB_DISK_NFEAT, NAN, &d) ? xgb_fail(err, errlen, "features")
             : XGDMatrixSetFloatInfo(d, "label", y, (bst_ulong)n)         ? xgb_fail(err, errlen, "labels")
             : w && XGDMatrixSetFloatInfo(d, "weight", w, (bst_ulong)n)   ? xgb_fail(err, errlen, "weights")
             : XGBoosterCreate(&d, 1, &m->booster)                        ? xgb_fail(err, errlen, "booster")
             : 0;
    /* Failing days are rare (1 in 100 or fewer): weigh them up, but only by
     * the square root, so that scores stay near probabilities. */
    if (rc == 0 && set_params(m->booster, &p, sqrt((wall - wpos) / wpos)) < 0)
        rc = xgb_fail(err, errlen, "parameters");
    for (int i = 0; rc == 0 && i < p.rounds; i++)
        if (XGBoosterUpdateOneIter(m->booster, i, d))
            rc = xgb_fail(err, errlen, "training");
    XGDMatrixFree(d);
    if (rc < 0) {
        free(xm);
        ob_disk_model_free(m);
        return NULL;
    }
    m->bad = 0.5;
    m->warning = 0.2;
    m->cal_a = 1;
    m->cal_b = 0;
    for (size_t i = 0; i < n; i++)
        for (int f = 0; f < OB_DISK_NFIELDS; f++)
            if (!isnan(x[i * OB_DISK_NFEAT + (size_t)f]))
                m->fields |= 1u << f;
    free(xm);
    return m;
}

int ob_disk_model_knows(const struct ob_disk_model *m, const struct ob_disk_reading *r)
{
    for (size_t i = 0; i < sizeof sign_ids / sizeof sign_ids[0]; i++) {
        int f = ob_disk_field_of(sign_ids[i]);
        if (!isnan(r->v[f]) && (m->fields & (1u << f)))
            return 1;
    }
    return 0;
}

int ob_disk_predict(struct ob_disk_model *m, const float *x, size_t n, float *out)
{
    if (n == 0)
        return 0;
    DMatrixHandle d;
    if (XGDMatrixCreateFromMat(x, (bst_ulong)n, OB_DISK_NFEAT, NAN, &d))
        return -1;
    bst_ulong len = 0;
    const float *res = NULL;
    int rc = XGBoosterPredict(m->booster, d, 0, 0, 0, &len, &res);
    if (rc == 0 && len == n)
        for (size_t i = 0; i < n; i++) {
            double p = res[i] < 1e-7f ? 1e-7 : res[i] > 1 - 1e-7f ? 1 - 1e-7 : res[i];
            out[i] = m->cal_a == 1 && m->cal_b == 0 ? res[i]
                                                    : (float)(1 / (1 + exp(-(m->cal_a * log(p / (1 - p)) + m->cal_b))));
        }
    XGDMatrixFree(d);
    return rc == 0 && len == n ? 0 : -1;
}

void ob_disk_set_calibration(struct ob_disk_model *m, double a, double b)
{
    if (isfinite(a) && isfinite(b) && a > 0) {
        m->cal_a = a;
        m->cal_b = b;
    }
}

void ob_disk_set_thresholds(struct ob_disk_model *m, double bad, double warning)
{
    m->bad = bad;
    m->warning = warning < bad ? warning : bad;
}

int ob_disk_state(const struct ob_disk_model *m, double score)
{
    return score >= m->bad ? OB_DISK_BAD : score >= m->warning ? OB_DISK_WARNING : OB_DISK_GOOD;
}

int ob_disk_model_save(struct ob_disk_model *m, char **json, size_t *len, char *err, size_t errlen)
{
    char v[64];
    snprintf(v, sizeof v, "%.9g", m->bad);
    XGBoosterSetAttr(m->booster, "opsbox_threshold_bad", v);
    snprintf(v, sizeof v, "%.9g", m->warning);
    XGBoosterSetAttr(m->booster, "opsbox_threshold_warning", v);
    snprintf(v, sizeof v, "%lu", (unsigned long)m->fields);
    XGBoosterSetAttr(m->booster, "opsbox_fields", v);
    snprintf(v, sizeof v, "%.9g", m->cal_a);
    XGBoosterSetAttr(m->booster, "opsbox_calibration_a", v);
    snprintf(v, sizeof v, "%.9g", m->cal_b);
    XGBoosterSetAttr(m->booster, "opsbox_calibration_b", v);
    bst_ulong n = 0;
    const char *buf = NULL;
    if (XGBoosterSaveModelToBuffer(m->booster, "{\"format\": \"json\"}", &n, &buf))
        return xgb_fail(err, errlen, "saving the model");
    if (!(*json = malloc(n + 1)))
        return snprintf(err, errlen, "out of memory"), -1;
    memcpy(*json, buf, n);
    (*json)[n] = '\0';
    *len = n;
    return 0;
}

static double attr(BoosterHandle b, const char *name, double fallback, double lo, double hi)
{
    const char *out = NULL;
    int ok = 0;
    if (XGBoosterGetAttr(b, name, &out, &ok) || !ok || !out)
        return fallback;
    char *end;
    double v = strtod(out, &end);
    return *end || !(v >= lo && v <= hi) ? fallback : v;
}

struct ob_disk_model *ob_disk_model_load(const void *json, size_t len, char *err, size_t errlen)
{
    struct ob_disk_model *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (XGBoosterCreate(NULL, 0, &m->booster) || XGBoosterLoadModelFromBuffer(m->booster, json, (bst_ulong)len)) {
        xgb_fail(err, errlen, "not an XGBoost model");
        ob_disk_model_free(m);
        return NULL;
    }
    bst_ulong features = 0;
    if (XGBoosterGetNumFeature(m->booster, &features) || features != OB_DISK_NFEAT) {
        snprintf(err, errlen, "the model takes %llu features, opsbox's disk model %d: not one of opsbox's",
                 (unsigned long long)features, OB_DISK_NFEAT);
        ob_disk_model_free(m);
        return NULL;
    }
    XGBoosterSetParam(m->booster, "nthread", "1");
    m->bad = attr(m->booster, "opsbox_threshold_bad", 0.5, 0, 1);
    m->warning = attr(m->booster, "opsbox_threshold_warning", 0.2, 0, 1);
    m->cal_a = attr(m->booster, "opsbox_calibration_a", 1, 1e-6, 1e6);
    m->cal_b = attr(m->booster, "opsbox_calibration_b", 0, -1e6, 1e6);
    const char *fields = NULL;
    int ok = 0;
    m->fields = XGBoosterGetAttr(m->booster, "opsbox_fields", &fields, &ok) == 0 && ok && fields
                    ? (uint32_t)strtoul(fields, NULL, 10)
                    : 0xffffffffu;
    return m;
}

void ob_disk_model_free(struct ob_disk_model *m)
{
    if (!m)
        return;
    if (m->booster)
        XGBoosterFree(m->booster);
    free(m);
}

/* ---- evaluation ---- */

static int desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

double ob_disk_recall_at(const double *failing, size_t nf, const double *healthy, size_t nh, double frac,
                         double *threshold)
{
    double *h = malloc((nh + 1) * sizeof *h);
    if (!h || !nf || !nh) {
        free(h);
        return NAN;
    }
    memcpy(h, healthy, nh * sizeof *h);
    qsort(h, nh, sizeof *h, desc);
    /* Flagged means above the threshold: at most frac of healthy drives are. */
    size_t k = (size_t)floor(frac * (double)nh);
    double t = h[k < nh ? k : nh - 1];
    free(h);
    size_t caught = 0;
    for (size_t i = 0; i < nf; i++)
        caught += failing[i] > t;
    if (threshold)
        *threshold = t;
    return (double)caught / (double)nf;
}

double ob_disk_auc(const double *failing, size_t nf, const double *healthy, size_t nh)
{
    double *h = malloc((nh + 1) * sizeof *h);
    if (!h || !nf || !nh) {
        free(h);
        return NAN;
    }
    memcpy(h, healthy, nh * sizeof *h);
    qsort(h, nh, sizeof *h, desc); /* descending */
    double wins = 0;
    for (size_t i = 0; i < nf; i++) { /* healthy below, ties half (binary search) */
        size_t lo = 0, hi = nh; /* first index with h < failing[i] */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (h[mid] >= failing[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t above_or_equal = lo, lo2 = 0, hi2 = nh; /* first index with h <= failing[i] */
        while (lo2 < hi2) {
            size_t mid = (lo2 + hi2) / 2;
            if (h[mid] > failing[i])
                lo2 = mid + 1;
            else
                hi2 = mid;
        }
        wins += (double)(nh - above_or_equal) + 0.5 * (double)(above_or_equal - lo2);
    }
    free(h);
    return wins / ((double)nf * (double)nh);
}
