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

#include "core/strmap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const int ob_disk_ata_ids[OB_DISK_ATA] = {1,   3,   4,   5,   7,   9,   10,  12,  183, 184, 187, 188,
                                          189, 190, 192, 193, 194, 196, 197, 198, 199, 240, 241, 242};

/* The error counters whose growth is followed. */
static const int counter_ids[] = {5, 10, 184, 187, 188, 197, 198, 199};
#define NCOUNTERS 8
#define DAYS 15
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
}

int ob_disk_reading_fields(const struct ob_disk_reading *r)
{
    int n = 0;
    for (int i = 0; i < OB_DISK_NFIELDS; i++)
        n += !isnan(r->v[i]);
    return n;
}

struct drive {
    long day[DAYS];
    float c[DAYS][NCOUNTERS];
    unsigned n, head; /* held, next slot */
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
    free(f->drives);
    free(f);
}

size_t ob_disk_fleet_drives(const struct ob_disk_fleet *f)
{
    return f->n;
}

static struct drive *find(struct ob_disk_fleet *f, const char *serial)
{
    uint32_t i;
    size_t len = strlen(serial);
    if (ob_strmap_get(f->index, serial, len, &i))
        return &f->drives[i];
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

int ob_disk_fleet_add(struct ob_disk_fleet *f, const struct ob_disk_reading *r, float *x)
{
    struct drive *d = find(f, r->serial);
    if (!d)
        return -1;
    int k = 0, nonzero = 0;
    for (int i = 0; i < OB_DISK_NFIELDS; i++)
        x[k++] = logp(r->v[i]);
    float now[NCOUNTERS];
    for (int c = 0; c < NCOUNTERS; c++) {
        now[c] = (float)r->v[ob_disk_field_of(counter_ids[c])];
        nonzero += now[c] > 0;
        for (int s = 0; s < NSPANS; s++) {
            float then = value_before(d, r->day, spans[s], c);
            x[k++] = isnan(now[c]) || isnan(then) ? NAN : logp((double)now[c] - (double)then);
        }
    }
    unsigned last = (d->head + DAYS - 1) % DAYS;
    long span = d->n ? r->day - d->day[(d->head + DAYS - d->n) % DAYS] : 0;
    x[k++] = (float)(span < 0 ? 0 : span > 14 ? 14 : span);
    x[k++] = r->smart_passed < 0 ? NAN : (float)r->smart_passed;
    x[k++] = (float)nonzero;
    if (d->n == 0 || r->day > d->day[last]) { /* a new day enters the history */
        d->day[d->head] = r->day;
        memcpy(d->c[d->head], now, sizeof now);
        d->head = (d->head + 1) % DAYS;
        if (d->n < DAYS)
            d->n++;
    }
    return 0;
}
