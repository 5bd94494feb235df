/* disk.h - disk failure prediction from SMART data (public interface).
 *
 * A drive's daily readings (from Backblaze's CSVs or `smartctl --json`,
 * decoded by src/io) go through a per-drive history that turns each into
 * features: the attributes now, and how the error counters moved over the
 * last 7 and 14 days. A gradient-boosted model (XGBoost's C API) gives the
 * probability that the drive fails within 14 days; thresholds kept in the
 * model file turn it into Ceph's states. NVMe and SCSI drives map their
 * counters onto the ATA attributes that mean the same, so one model serves
 * all three. No I/O: models go to and from memory buffers. */
#ifndef OB_DISK_H
#define OB_DISK_H

#include <stddef.h>
#include <stdint.h>

/* The fields of a reading: ATA SMART raw values by id, then NVMe's own. */
enum {
    OB_DISK_ATA = 24,                 /* ob_disk_ata_ids */
    OB_DISK_NVME_CRITICAL_WARNING = OB_DISK_ATA,
    OB_DISK_NVME_SPARE_BELOW,         /* available_spare_threshold - available_spare, when > 0 */
    OB_DISK_NVME_PERCENT_USED,
    OB_DISK_NFIELDS
};
extern const int ob_disk_ata_ids[OB_DISK_ATA];
/* The field index of ATA attribute id, or -1. */
int ob_disk_field_of(int ata_id);

/* What kind of drive gave the reading: ATA drives (and Backblaze's rows)
 * are scored by the model, NVMe and SCSI drives by documented rules
 * (ob_disk_judge) until there is data to train on. */
enum ob_disk_kind { OB_DISK_KIND_ATA, OB_DISK_KIND_NVME, OB_DISK_KIND_SCSI };

/* The NVMe health log and SCSI counters as reported (NaN when absent). */
struct ob_disk_health {
    double critical_warning, media_errors, available_spare, spare_threshold, percentage_used, err_log_entries,
        unsafe_shutdowns;                     /* NVMe */
    double grown_defects, uncorrected_errors; /* SCSI: grown defect list; read + write + verify */
};

struct ob_disk_reading {
    char serial[64], model[64];
    long day;                        /* days since 1970-01-01 */
    double v[OB_DISK_NFIELDS];       /* NaN when the drive did not report it */
    int failure;                     /* Backblaze: the drive failed this day */
    int smart_passed;                /* smart_status.passed: 1, 0, or -1 unknown */
    int kind;                        /* enum ob_disk_kind */
    int source;                      /* the caller's number for where it came from (a file) */
    struct ob_disk_health h;
};
void ob_disk_reading_init(struct ob_disk_reading *r);
/* Fields present: 0 means nothing to go on ("unknown"). */
int ob_disk_reading_fields(const struct ob_disk_reading *r);

/* ---- histories and features ---- */

#define OB_DISK_NFEAT 59

struct ob_disk_fleet;
struct ob_disk_fleet *ob_disk_fleet_new(void);
void ob_disk_fleet_free(struct ob_disk_fleet *f);
/* Adds a drive's reading (days in order per drive; a repeated or older day
 * is used for features but does not enter the history) and writes its
 * features (OB_DISK_NFEAT floats, NaN for missing). 0, or -1 on OOM. */
int ob_disk_fleet_add(struct ob_disk_fleet *f, const struct ob_disk_reading *r, float *features);
size_t ob_disk_fleet_drives(const struct ob_disk_fleet *f);

/* ---- the model ---- */

enum ob_disk_state { OB_DISK_UNKNOWN, OB_DISK_GOOD, OB_DISK_WARNING, OB_DISK_BAD };
const char *ob_disk_state_name(int state);

struct ob_disk_model;

/* Which features a model may use. */
enum ob_disk_featset {
    OB_DISK_FEAT_ALL,      /* every feature, vendor-specific raw values too */
    OB_DISK_FEAT_COUNTERS, /* only what means the same on every drive model: the
                              error counters, their growth and rate per power-on
                              day, SMART's verdict */
    OB_DISK_FEAT_PORTABLE, /* all but the raw values vendors encode each their own
                              way (1 read error rate, 3 spin-up time, 7 seek error
                              rate, 240-242 head hours and LBAs): those name the
                              drive model rather than its health */
};

struct ob_disk_train_params {
    int rounds;          /* boosting rounds; default 100 */
    int depth;           /* tree depth; default 2: failing drives are few, shallow
                            trees generalise (repeated grouped CV) */
    double eta;          /* default 0.1 */
    int threads;         /* default 1 */
    int monotone;        /* default 1: more errors never lower the risk */
    int featset;         /* enum ob_disk_featset; default OB_DISK_FEAT_PORTABLE: with
                            the constraints, best 10th percentile on the 2013
                            drives and best leaving one drive model out
                            (docs/disk.md) */
    double min_child;    /* least hessian weight in a leaf; default 20 */
    double lambda;       /* L2 penalty on leaf weights; default 10: with min_child
                            20, a little better on the 2013 drives' low end and
                            leaving one drive model out than 5 and 1 (docs/disk.md) */
};
void ob_disk_train_defaults(struct ob_disk_train_params *p);
/* Each feature's direction: +1 when more of it can only mean more risk
 * (error counters, their growth), -1 (SMART passed), 0 free. */
int ob_disk_feature_direction(int feature);
/* 1 when the feature set uses the feature. */
int ob_disk_feature_used(int featset, int feature);

/* Trains on n rows of features (row-major) with labels 0/1 (fails within
 * 14 days). NULL with err on failure. */
struct ob_disk_model *ob_disk_train(const float *x, const float *y, size_t n,
                                    const struct ob_disk_train_params *p, char *err, size_t errlen);
/* The same with a weight per row (w NULL: 1 each); failing rows are then
 * weighed up by the weighted, not the counted, ratio. */
struct ob_disk_model *ob_disk_train_weighted(const float *x, const float *y, const float *w, size_t n,
                                             const struct ob_disk_train_params *p, char *err, size_t errlen);
/* Platt scaling of the raw score: p = 1 / (1 + exp(-(a * logit(raw) + b))),
 * fitted on out-of-fold scores and kept in the model file (a = 1, b = 0:
 * none). */
void ob_disk_set_calibration(struct ob_disk_model *m, double a, double b);
/* Scores n rows into out (calibrated probabilities). 0, or -1. */
int ob_disk_predict(struct ob_disk_model *m, const float *x, size_t n, float *out);
/* Thresholds on the score for "bad" and "warning", kept in the model file. */
void ob_disk_set_thresholds(struct ob_disk_model *m, double bad, double warning);
int ob_disk_state(const struct ob_disk_model *m, double score);
/* 1 when the model was trained with at least one of the failure counters
 * (5, 187, 188, 197, 198) that this reading reports; 0: "unknown". */
int ob_disk_model_knows(const struct ob_disk_model *m, const struct ob_disk_reading *r);
/* XGBoost's JSON model (with opsbox's thresholds as attributes), to a
 * malloc'd buffer / back. */
int ob_disk_model_save(struct ob_disk_model *m, char **json, size_t *len, char *err, size_t errlen);
struct ob_disk_model *ob_disk_model_load(const void *json, size_t len, char *err, size_t errlen);
void ob_disk_model_free(struct ob_disk_model *m);

/* ---- logistic regression (the baseline, and calibration) ---- */

/* Fits w (d + 1 values, the last the intercept) of P(y=1) = sigmoid(w.x)
 * by Newton's method with an L2 penalty lambda on the weights (not the
 * intercept). x is n rows of d doubles, no NaN; sample weights wt may be
 * NULL. 0, or -1 (out of memory, d > 64). */
int ob_disk_logit_fit(const double *x, const double *y, const double *wt, size_t n, int d, double lambda,
                      double *w);

/* ---- NVMe and SCSI: rules ---- */

/* The verdict of the rules on an NVMe or SCSI drive's reading, with the
 * drive's earlier readings in the fleet (ob_disk_fleet_add first; changes
 * are over the last 14 days held). prob is the rule's documented prior
 * probability of failure within 14 days, not a measured one. reason names
 * every rule that fired. Returns the state, or OB_DISK_UNKNOWN when the
 * reading has nothing the rules read (an ATA drive, or an info-only
 * output). */
int ob_disk_judge(const struct ob_disk_fleet *f, const struct ob_disk_reading *r, double *prob, char *reason,
                  size_t len);

/* ---- evaluation (Backblaze's rule, drive level) ---- */

/* Drive-level scores: a failing drive's highest score over its last 14
 * days, a healthy drive's over all days. Recall at the threshold that
 * flags frac of the healthy drives, and the ROC AUC. */
double ob_disk_recall_at(const double *failing, size_t nf, const double *healthy, size_t nh, double frac,
                         double *threshold);
double ob_disk_auc(const double *failing, size_t nf, const double *healthy, size_t nh);

#endif
