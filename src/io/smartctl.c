/* smartctl.c - `smartctl --json` (smartmontools 7.x) into readings.
 *
 * ATA drives give their attribute table; NVMe and SCSI drives give other
 * counters, mapped onto the ATA attribute that means the same thing so
 * that one model reads all three: NVMe media_errors and SCSI uncorrected
 * errors are "reported uncorrectable" (187), SCSI's grown defect list is
 * "reallocated sectors" (5), power-on hours (9), temperature (194), power
 * cycles (12), NVMe unsafe shutdowns (192). The NVMe health log and the
 * SCSI counters are also kept as reported (struct ob_disk_health), for the
 * rules that judge those drives (src/disk/rules.c). */
#include "io/smart.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void set(struct ob_disk_reading *r, int ata_id, json_t *v)
{
    int f = ob_disk_field_of(ata_id);
    if (f >= 0 && json_is_number(v))
        r->v[f] = json_number_value(v);
}

static void add(struct ob_disk_reading *r, int ata_id, json_t *v)
{
    int f = ob_disk_field_of(ata_id);
    if (f >= 0 && json_is_number(v))
        r->v[f] = (isnan(r->v[f]) ? 0 : r->v[f]) + json_number_value(v);
}

static void ata(struct ob_disk_reading *r, json_t *table)
{
    size_t i;
    json_t *a;
    json_array_foreach(table, i, a) {
        json_t *id = json_object_get(a, "id"), *raw = json_object_get(json_object_get(a, "raw"), "value");
        if (!json_is_integer(id))
            continue;
        int n = (int)json_integer_value(id);
        /* Temperatures: many drives pack the minimum and maximum above the
         * current value's low byte (smartctl's raw.string "38 (Min/Max
         * 20/45)"); Backblaze's CSVs, the training data, hold the current. */
        if ((n == 190 || n == 194) && json_is_integer(raw) && json_integer_value(raw) > 255) {
            int f = ob_disk_field_of(n);
            r->v[f] = (double)(json_integer_value(raw) & 0xff);
        } else
            set(r, n, raw);
    }
}

static double num(json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static void nvme(struct ob_disk_reading *r, json_t *log)
{
    struct ob_disk_health *h = &r->h;
    r->kind = OB_DISK_KIND_NVME;
    h->critical_warning = num(json_object_get(log, "critical_warning"));
    h->media_errors = num(json_object_get(log, "media_errors"));
    h->available_spare = num(json_object_get(log, "available_spare"));
    h->spare_threshold = num(json_object_get(log, "available_spare_threshold"));
    h->percentage_used = num(json_object_get(log, "percentage_used"));
    h->err_log_entries = num(json_object_get(log, "num_err_log_entries"));
    h->unsafe_shutdowns = num(json_object_get(log, "unsafe_shutdowns"));
    set(r, 187, json_object_get(log, "media_errors"));
    set(r, 9, json_object_get(log, "power_on_hours"));
    set(r, 194, json_object_get(log, "temperature"));
    set(r, 12, json_object_get(log, "power_cycles"));
    set(r, 192, json_object_get(log, "unsafe_shutdowns"));
    json_t *cw = json_object_get(log, "critical_warning"), *used = json_object_get(log, "percentage_used");
    json_t *spare = json_object_get(log, "available_spare");
    json_t *floor_ = json_object_get(log, "available_spare_threshold");
    if (json_is_number(cw))
        r->v[OB_DISK_NVME_CRITICAL_WARNING] = json_number_value(cw);
    if (json_is_number(used))
        r->v[OB_DISK_NVME_PERCENT_USED] = json_number_value(used);
    if (json_is_number(spare) && json_is_number(floor_)) {
        double below = json_number_value(floor_) - json_number_value(spare);
        r->v[OB_DISK_NVME_SPARE_BELOW] = below > 0 ? below : 0;
    }
}

static void scsi(struct ob_disk_reading *r, json_t *doc)
{
    json_t *defects = json_object_get(doc, "scsi_grown_defect_list");
    set(r, 5, defects);
    json_t *log = json_object_get(doc, "scsi_error_counter_log");
    if (defects || log)
        r->kind = OB_DISK_KIND_SCSI;
    r->h.grown_defects = num(defects);
    static const char *const ops[] = {"read", "write", "verify"};
    for (int i = 0; log && i < 3; i++) {
        json_t *v = json_object_get(json_object_get(log, ops[i]), "total_uncorrected_errors");
        add(r, 187, v);
        if (json_is_number(v))
            r->h.uncorrected_errors = (isnan(r->h.uncorrected_errors) ? 0 : r->h.uncorrected_errors) + num(v);
    }
}

static void text(char *dst, size_t cap, json_t *v)
{
    const char *s = json_string_value(v);
    snprintf(dst, cap, "%s", s ? s : "");
}

/* One smartctl document. day_hint: the day from Ceph's key, else 0. */
static int reading(json_t *doc, long day_hint, const char *name, ob_smart_fn fn, void *arg, char *err,
                   size_t errlen)
{
    if (!json_is_object(doc) || (!json_object_get(doc, "smartctl") && !json_object_get(doc, "device") &&
                                 !json_object_get(doc, "ata_smart_attributes"))) {
        snprintf(err, errlen, "%s: not smartctl --json output (no smartctl, device or attributes)", name);
        return -1;
    }
    if (json_object_get(doc, "devices") && !json_object_get(doc, "serial_number")) {
        snprintf(err, errlen, "%s: a device list (smartctl --scan), not one drive's --all output", name);
        return -1;
    }
    struct ob_disk_reading r;
    ob_disk_reading_init(&r);
    text(r.serial, sizeof r.serial, json_object_get(doc, "serial_number"));
    text(r.model, sizeof r.model, json_object_get(doc, "model_name"));
    if (!r.model[0])
        text(r.model, sizeof r.model, json_object_get(doc, "scsi_model_name"));
    if (!r.model[0])
        text(r.model, sizeof r.model, json_object_get(doc, "product"));
    json_t *t = json_object_get(json_object_get(doc, "local_time"), "time_t");
    double when = json_is_number(t) ? json_number_value(t) : (double)time(NULL);
    if (!(fabs(when) < 1e11)) { /* about 3000 years either way */
        snprintf(err, errlen, "%s: local_time.time_t: %g is not a time", name, when);
        return -1;
    }
    r.day = day_hint ? day_hint : (long)floor(when / 86400.0);
    json_t *passed = json_object_get(json_object_get(doc, "smart_status"), "passed");
    r.smart_passed = json_is_boolean(passed) ? json_is_true(passed) : -1;
    ata(&r, json_object_get(json_object_get(doc, "ata_smart_attributes"), "table"));
    json_t *nv = json_object_get(doc, "nvme_smart_health_information_log");
    if (nv)
        nvme(&r, nv);
    scsi(&r, doc);
    /* An NVMe or SCSI drive without its health log (smartctl --info) is
     * still one: the rules say there is nothing to judge. */
    const char *proto = json_string_value(json_object_get(json_object_get(doc, "device"), "protocol"));
    if (proto && !strcmp(proto, "NVMe"))
        r.kind = OB_DISK_KIND_NVME;
    else if (proto && !strcmp(proto, "SCSI") && !json_object_get(doc, "ata_smart_attributes"))
        r.kind = OB_DISK_KIND_SCSI;
    set(&r, 9, json_object_get(json_object_get(doc, "power_on_time"), "hours"));
    if (isnan(r.v[ob_disk_field_of(194)]))
        set(&r, 194, json_object_get(json_object_get(doc, "temperature"), "current"));
    json_t *dev = json_object_get(json_object_get(doc, "device"), "name");
    if (fn(arg, &r, json_string_value(dev) ? json_string_value(dev) : "") != 0) {
        snprintf(err, errlen, "%s: out of memory", name);
        return -1;
    }
    return 0;
}

static long ceph_history(json_t *root, const char *name, ob_smart_fn fn, void *arg, char *err, size_t errlen)
{
    const char *key;
    json_t *v;
    long n = 0, last = 0;
    json_object_foreach(root, key, v) {
        long day = ob_day_of(key, strlen(key));
        if (day == LONG_MIN) {
            snprintf(err, errlen, "%s: '%.40s' is neither smartctl output nor a date of Ceph's history", name, key);
            return -1;
        }
        if (day <= last) {
            snprintf(err, errlen, "%s: the days of Ceph's history are not in order at '%s'", name, key);
            return -1;
        }
        last = day;
        if (reading(v, day, name, fn, arg, err, errlen) < 0)
            return -1;
        n++;
    }
    return n;
}

long ob_smartctl_decode(const void *json, size_t len, const char *name, ob_smart_fn fn, void *arg, char *err,
                        size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loadb(json, len, 0, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: not valid JSON: %s", name, jerr.line, jerr.column, jerr.text);
        return -1;
    }
    long n;
    if (json_is_object(root) && !json_object_get(root, "smartctl") && !json_object_get(root, "device") &&
        json_object_size(root) > 0 && json_is_object(json_object_iter_value(json_object_iter(root))) &&
        strlen(json_object_iter_key(json_object_iter(root))) == 10)
        n = ceph_history(root, name, fn, arg, err, errlen);
    else
        n = reading(root, 0, name, fn, arg, err, errlen) < 0 ? -1 : 1;
    json_decref(root);
    return n;
}
