/* rules.c - NVMe and SCSI drives judged by rules, until there is data to
 * train a model on (Backblaze's public data is ATA only). Each rule reads
 * what the drive itself reports and what changed over the days the fleet
 * holds (up to 14), gives a state and a prior probability of failure
 * within 14 days, and says why; a drive's state is its worst rule's. The
 * priors are documented guesses in the order of the evidence, not
 * measurements: "good" is about a healthy drive's base rate (1-2 % a year
 * is ~0.001 in 14 days), a lost-data or read-only drive is near certain.
 * The NVMe rules follow the health log's own definitions (NVMe base
 * specification, SMART / Health Information log page). */
#include "disk/disk.h"
#include "disk/disk_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define P_GOOD 0.001
#define STABLE_DAYS 7 /* errors that did not grow for a week: old damage, not a drive going */

struct verdict {
    int state;
    double prob;
    char *reason;
    size_t len, used;
};

static void fire(struct verdict *v, int state, double prob, const char *fmt, double a, double b, double c)
{
    if (state > v->state)
        v->state = state;
    if (prob > v->prob)
        v->prob = prob;
    if (v->used < v->len) {
        char one[200];
        snprintf(one, sizeof one, fmt, a, b, c);
        int n = snprintf(v->reason + v->used, v->len - v->used, "%s%s", v->used ? "; " : "", one);
        v->used += n > 0 ? (size_t)n : 0;
        if (v->used >= v->len)
            v->used = v->len - 1;
    }
}

static int has(double x)
{
    return !isnan(x);
}

/* Counters that record lost data: growing, or with no week of history to
 * show they do not, the drive is going; a week without new ones, damage
 * from before. */
static void lost_data(struct verdict *v, double now, const double *then, long days, const char *what)
{
    char fmt[160];
    if (!has(now) || now <= 0)
        return;
    if (then && has(*then) && now > *then) {
        snprintf(fmt, sizeof fmt, "%%.0f %s (+%%.0f in %%.0f days)", what);
        fire(v, OB_DISK_BAD, 0.5, fmt, now, now - *then, (double)days);
    } else if (then && has(*then) && days >= STABLE_DAYS) {
        snprintf(fmt, sizeof fmt, "%%.0f %s (none new in %%.0f days)", what);
        fire(v, OB_DISK_WARNING, 0.05, fmt, now, (double)days, 0);
    } else {
        snprintf(fmt, sizeof fmt, "%%.0f %s (no week of history to show they stopped)", what);
        fire(v, OB_DISK_BAD, 0.5, fmt, now, 0, 0);
    }
}

static void nvme(struct verdict *v, const struct ob_disk_health *h, const struct ob_disk_health *p, long days)
{
    enum { SPARE, TEMPERATURE, RELIABILITY, READ_ONLY, BACKUP, PMR_READ_ONLY }; /* critical_warning bits */
    unsigned cw = has(h->critical_warning) && h->critical_warning > 0 ? (unsigned)h->critical_warning : 0;
    if (cw & (1u << RELIABILITY))
        fire(v, OB_DISK_BAD, 0.9, "critical warning: NVM subsystem reliability degraded", 0, 0, 0);
    if (cw & (1u << READ_ONLY))
        fire(v, OB_DISK_BAD, 0.9, "critical warning: media placed in read-only mode", 0, 0, 0);
    if (cw & (1u << BACKUP))
        fire(v, OB_DISK_BAD, 0.9, "critical warning: volatile memory backup failed", 0, 0, 0);
    if ((cw & (1u << SPARE)) ||
        (has(h->available_spare) && has(h->spare_threshold) && h->available_spare < h->spare_threshold))
        fire(v, OB_DISK_BAD, 0.7, "available spare %.0f%% below its threshold %.0f%%", h->available_spare,
             h->spare_threshold, 0);
    lost_data(v, h->media_errors, p ? &p->media_errors : NULL, days, "media errors (data the drive could not recover)");
    if (cw & (1u << TEMPERATURE))
        fire(v, OB_DISK_WARNING, 0.01, "critical warning: temperature outside its thresholds", 0, 0, 0);
    if (cw & (1u << PMR_READ_ONLY))
        fire(v, OB_DISK_WARNING, 0.05, "critical warning: persistent memory region read-only", 0, 0, 0);
    if (p && has(h->available_spare) && has(p->available_spare) && h->available_spare < p->available_spare)
        fire(v, OB_DISK_WARNING, 0.05, "available spare fell from %.0f%% to %.0f%% in %.0f days",
             p->available_spare, h->available_spare, (double)days);
    if (has(h->percentage_used) && h->percentage_used >= 100)
        fire(v, OB_DISK_WARNING, 0.02, "%.0f%% of its rated endurance used", h->percentage_used, 0, 0);
    if (p && has(h->unsafe_shutdowns) && has(p->unsafe_shutdowns) && h->unsafe_shutdowns - p->unsafe_shutdowns >= 3)
        fire(v, OB_DISK_WARNING, 0.01, "power lost %.0f times in %.0f days (unsafe shutdowns)",
             h->unsafe_shutdowns - p->unsafe_shutdowns, (double)days, 0);
}

static void scsi(struct verdict *v, const struct ob_disk_health *h, const struct ob_disk_health *p, long days)
{
    lost_data(v, h->uncorrected_errors, p ? &p->uncorrected_errors : NULL, days, "uncorrected read/write errors");
    if (!has(h->grown_defects) || h->grown_defects <= 0)
        return;
    if (p && has(p->grown_defects) && h->grown_defects > p->grown_defects)
        fire(v, OB_DISK_BAD, 0.3, "grown defect list: %.0f (+%.0f in %.0f days)", h->grown_defects,
             h->grown_defects - p->grown_defects, (double)days);
    else if (p && has(p->grown_defects)) /* remapped, nothing lost: old defects, a drive runs years with them */
        fire(v, OB_DISK_WARNING, 0.02, "grown defect list: %.0f (none new in %.0f days)", h->grown_defects,
             (double)days, 0);
    else
        fire(v, OB_DISK_WARNING, 0.02, "grown defect list: %.0f (no history to show whether it grows)",
             h->grown_defects, 0, 0);
}

int ob_disk_judge(const struct ob_disk_fleet *f, const struct ob_disk_reading *r, double *prob, char *reason,
                  size_t len)
{
    struct verdict v = {OB_DISK_GOOD, P_GOOD, reason, len, 0};
    if (len)
        reason[0] = '\0';
    *prob = 0;
    const struct ob_disk_health *h = &r->h;
    int nvme_log = has(h->critical_warning) || has(h->media_errors) || has(h->available_spare) ||
                   has(h->percentage_used);
    int scsi_log = has(h->grown_defects) || has(h->uncorrected_errors);
    if (r->kind == OB_DISK_KIND_ATA || (!nvme_log && !scsi_log && r->smart_passed < 0)) {
        if (len)
            snprintf(reason, len, "%s", r->kind == OB_DISK_KIND_ATA ? "an ATA drive: the model judges it"
                                                                    : "no health log in the output");
        return OB_DISK_UNKNOWN;
    }
    struct ob_disk_health then;
    long when = 0;
    int old = f && ob__disk_health_before(f, r->serial, r->day, &then, &when) == 0;
    long days = old ? r->day - when : 0;
    const struct ob_disk_health *p = old ? &then : NULL;
    if (r->smart_passed == 0)
        fire(&v, OB_DISK_BAD, 0.9, "SMART health self-assessment: failed", 0, 0, 0);
    if (r->kind == OB_DISK_KIND_NVME)
        nvme(&v, h, p, days);
    else
        scsi(&v, h, p, days);
    /* Told, not judged: many drives log every admin command they refuse. */
    if (r->kind == OB_DISK_KIND_NVME && p && has(h->err_log_entries) && has(p->err_log_entries) &&
        h->err_log_entries > p->err_log_entries)
        fire(&v, OB_DISK_GOOD, 0, "%.0f new error-log entries in %.0f days (not by themselves a sign)",
             h->err_log_entries - p->err_log_entries, (double)days, 0);
    if (v.used == 0)
        fire(&v, OB_DISK_GOOD, 0,
             r->kind == OB_DISK_KIND_NVME ? "health log clean: no critical warning or media errors; spare above threshold"
                                          : "no grown defects or uncorrected errors",
             0, 0, 0);
    *prob = v.prob;
    return v.state;
}
