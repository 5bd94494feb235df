/* features.c - from a drive's readings to the model's features.
 *
 * What predicts a failure is less a counter's level than its movement: a
 * drive that has carried 8 reallocated sectors for years is not the drive
 * that reallocated 8 this week. So each drive keeps its last 15 days of the
 * error counters, and a reading's features are the attributes now (log
 * scale: raw values span ten orders of magnitude), the counters' growth
 * over 1, 7 and 14 days, how many days there are to go on, and SMART's own
 * verdict. Missing stays missing (NaN): XGBoost learns where it goes. */
#include "disk/disk.h"
#include "disk/disk_int.h"

#include "core/strmap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const int ob_disk_ata_ids[OB_DISK_ATA] = {1,   3,   4,   5,   7,   9,   10,  12,  183, 184, 187, 188,
                                          189, 190, 192, 193, 194, 196, 197, 198, 199, 240, 241, 242};

/* The error counters whose growth is followed; the last one held is their
 * sum over the bad-sector counters (below), which every ATA drive model
 * reports some of under one name or another. */
static const int counter_ids[] = {5, 10, 184, 187, 188, 197, 198, 199};
#define NIDS 8
#define NCOUNTERS (NIDS + 1)
/* Sectors the drive could not read or had to move: the same thing on every
 * drive model, unlike raw read-error rates or seek counts, which vendors
 * encode each their own way. */
static const int bad_ids[] = {5, 187, 197, 198};
#define NBAD 4
#define DAYS 15
/* The NVMe and SCSI counters the rules follow over days. */
#define NHEALTH OB__DISK_NHEALTH
static const int spans[] = {1, 7, 14};
#define NSPANS 3

int ob_disk_field_of(int ata_id)
{
    for (int i = 0; i < OB_DISK_ATA; i++)
        if (ob_disk_ata_ids[i] == ata_id)
            return i;
    return -1;
}

void ob_disk_reading_init(struct ob_disk_reading *r)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < OB_DISK_NFIELDS; i++)
        r->v[i] = NAN;
    r->smart_passed = -1;
    r->kind = OB_DISK_KIND_ATA;
    double h[NHEALTH];
    for (int i = 0; i < NHEALTH; i++)
        h[i] = NAN;
    memcpy(&r->h, h, sizeof r->h);
}

int ob_disk_reading_fields(const struct ob_disk_reading *r)
{
    int n = 0;
    for (int i = 0; i < OB_DISK_NFIELDS; i++)
        n += !isnan(r->v[i]);
    double h[NHEALTH];
    memcpy(h, &r->h, sizeof h);
    for (int i = 0; i < NHEALTH; i++)
        n += !isnan(h[i]);
    return n;
}

struct drive {
    long day[DAYS];
    float c[DAYS][NCOUNTERS];
    double (*h)[NHEALTH]; /* NVMe/SCSI drives only: their health counters per day */
    unsigned n, head;     /* held, next slot */
};

struct ob_disk_fleet {
    struct ob_strmap *index; /* serial -> drive */
    struct drive *drives;
    size_t n, cap;
};

struct ob_disk_fleet *ob_disk_fleet_new(void)
{
    struct ob_disk_fleet *f = calloc(1, sizeof *f);
    if (f && !(f->index = ob_strmap_new())) {
        free(f);
        return NULL;
    }
    return f;
}

void ob_disk_fleet_free(struct ob_disk_fleet *f)
{
    if (!f)
        return;
    ob_strmap_free(f->index);
    for (size_t i = 0; i < f->n; i++)
        free(f->drives[i].h);
    free(f->drives);
    free(f);
}

size_t ob_disk_fleet_drives(const struct ob_disk_fleet *f)
{
    return f->n;
}

static struct drive *lookup(const struct ob_disk_fleet *f, const char *serial)
{
    uint32_t i;
    return ob_strmap_get(f->index, serial, strlen(serial), &i) ? &f->drives[i] : NULL;
}

static struct drive *find(struct ob_disk_fleet *f, const char *serial)
{
    size_t len = strlen(serial);
    struct drive *old = lookup(f, serial);
    if (old)
        return old;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 1024;
        struct drive *d = realloc(f->drives, cap * sizeof *d);
        if (!d)
            return NULL;
        f->drives = d;
        f->cap = cap;
    }
    if (ob_strmap_put(f->index, serial, len, (uint32_t)f->n) < 0)
        return NULL;
    memset(&f->drives[f->n], 0, sizeof f->drives[0]);
    return &f->drives[f->n++];
}

static float logp(double v)
{
    return isnan(v) ? NAN : (float)log1p(v > 0 ? v : 0);
}

/* The counter's value k or more days before day: the latest such reading,
 * else the oldest held; NaN when there is none older than day. */
static float value_before(const struct drive *d, long day, int k, int c)
{
    float best = NAN, oldest = NAN;
    long best_day = -1, oldest_day = day;
    for (unsigned i = 0; i < d->n; i++) {
        unsigned s = (d->head + DAYS - 1 - i) % DAYS;
        if (d->day[s] <= day - k && d->day[s] > best_day) {
            best_day = d->day[s];
            best = d->c[s][c];
        }
        if (d->day[s] < oldest_day) {
            oldest_day = d->day[s];
            oldest = d->c[s][c];
        }
    }
    return best_day >= 0 ? best : oldest;
}

_Static_assert(sizeof(struct ob_disk_health) == NHEALTH * sizeof(double), "ob_disk_health: NHEALTH doubles");

static void health_of(const struct ob_disk_reading *r, double *h)
{
    memcpy(h, &r->h, sizeof r->h);
}

int ob_disk_fleet_add(struct ob_disk_fleet *f, const struct ob_disk_reading *r, float *x)
{
    struct drive *d = find(f, r->serial);
    if (!d)
        return -1;
    if (r->kind != OB_DISK_KIND_ATA && !d->h && !(d->h = calloc(DAYS, sizeof *d->h)))
        return -1;
    int k = 0, nonzero = 0;
    for (int i = 0; i < OB_DISK_NFIELDS; i++)
        x[k++] = logp(r->v[i]);
    float now[NCOUNTERS];
    double bad = NAN;
    for (int i = 0; i < NBAD; i++) {
        double v = r->v[ob_disk_field_of(bad_ids[i])];
        if (!isnan(v))
            bad = (isnan(bad) ? 0 : bad) + (v > 0 ? v : 0);
    }
    for (int c = 0; c < NCOUNTERS; c++) {
        now[c] = c < NIDS ? (float)r->v[ob_disk_field_of(counter_ids[c])] : (float)bad;
        nonzero += c < NIDS && now[c] > 0;
        /* With no earlier day, no growth seen: 0, not missing. Missing would
         * set a drive's first day apart from its others, and beside
         * one-day snapshots (Backblaze 2019) that is a base rate, not a sign. */
        for (int s = 0; s < NSPANS; s++) {
            float then = d->n ? value_before(d, r->day, spans[s], c) : now[c];
            x[k++] = isnan(now[c]) || isnan(then) ? NAN : logp((double)now[c] - (double)then);
        }
    }
    /* The bad sectors now, and per day powered on: 8 sectors on a drive of
     * five years is not 8 on a drive of five weeks. */
    double hours = r->v[ob_disk_field_of(9)];
    x[k++] = logp(bad);
    x[k++] = isnan(bad) || isnan(hours) ? NAN : logp(bad / (hours / 24 > 1 ? hours / 24 : 1));
    unsigned last = (d->head + DAYS - 1) % DAYS;
    long span = d->n ? r->day - d->day[(d->head + DAYS - d->n) % DAYS] : 0;
    x[k++] = (float)(span < 0 ? 0 : span > 14 ? 14 : span);
    x[k++] = r->smart_passed < 0 ? NAN : (float)r->smart_passed;
    x[k++] = (float)nonzero;
    if (d->n == 0 || r->day > d->day[last]) { /* a new day enters the history */
        d->day[d->head] = r->day;
        memcpy(d->c[d->head], now, sizeof now);
        if (d->h)
            health_of(r, d->h[d->head]);
        d->head = (d->head + 1) % DAYS;
        if (d->n < DAYS)
            d->n++;
    }
    return 0;
}

/* ---- what the features mean, for the model's constraints ---- */

enum { F_GROWTH = OB_DISK_NFIELDS, F_BAD = F_GROWTH + NCOUNTERS * NSPANS, F_BAD_PER_DAY, F_SPAN, F_PASSED,
       F_NONZERO, F_END };
_Static_assert(F_END == OB_DISK_NFEAT, "OB_DISK_NFEAT is the number of features written above");

static int is_counter_field(int feature)
{
    if (feature >= OB_DISK_ATA) /* NVMe's critical warning, spare below threshold, wear */
        return 1;
    for (int c = 0; c < NIDS; c++)
        if (ob_disk_field_of(counter_ids[c]) == feature)
            return 1;
    return 0;
}

int ob_disk_feature_direction(int feature)
{
    if (feature < 0 || feature >= OB_DISK_NFEAT)
        return 0;
    if (feature < OB_DISK_NFIELDS)
        return is_counter_field(feature);
    if (feature == F_SPAN)
        return 0;
    return feature == F_PASSED ? -1 : 1;
}

int ob_disk_feature_used(int featset, int feature)
{
    if (feature < 0 || feature >= OB_DISK_NFEAT)
        return 0;
    if (featset == OB_DISK_FEAT_ALL)
        return 1;
    if (featset == OB_DISK_FEAT_PORTABLE) {
        static const int vendor_ids[] = {1, 3, 7, 240, 241, 242};
        for (size_t i = 0; i < sizeof vendor_ids / sizeof vendor_ids[0]; i++)
            if (feature == ob_disk_field_of(vendor_ids[i]))
                return 0;
        return 1;
    }
    return feature < OB_DISK_NFIELDS ? is_counter_field(feature) : feature != F_SPAN;
}

/* ---- the history the NVMe/SCSI rules read ---- */

/* The drive's oldest held health counters from before day (and that day),
 * or -1. */
int ob__disk_health_before(const struct ob_disk_fleet *f, const char *serial, long day, struct ob_disk_health *h,
                           long *when)
{
    const struct drive *d = lookup(f, serial);
    if (!d || !d->h)
        return -1;
    int best = -1;
    for (unsigned i = 0; i < d->n; i++) {
        unsigned s = (d->head + DAYS - 1 - i) % DAYS;
        if (d->day[s] < day && (best < 0 || d->day[s] < d->day[best]))
            best = (int)s;
    }
    if (best < 0)
        return -1;
    memcpy(h, d->h[best], sizeof d->h[best]);
    *when = d->day[best];
    return 0;
}
