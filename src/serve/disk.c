/* disk.c - disks in `opsbox serve`: every disk.interval, read each
 * drive's SMART data (running `smartctl --json --all DEV` for disk.devices,
 * and reading the *.json files in disk.json_dir), score it with the disk
 * model, and report:
 *   opsbox_disk_failure_probability{device, model, serial}
 *   opsbox_disk_state{device, model, serial, state="good|warning|bad|unknown"}
 * and /api/v1/disks. A drive turning bad opens an incident the way an
 * Alertmanager group does (alertname DiskFailurePredicted), which resolves
 * when it is no longer bad. */
#include "serve/serve_int.h"

#include "core/clock.h"
#include "core/log.h"
#include "disk/disk.h"
#include "io/smart.h"
#include "io/statefile.h"

#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SMARTCTL_OUTPUT_MAX ((size_t)16 << 20)

struct drive_state {
    char device[256], serial[64], model[64];
    double score, seen;
    int state, reported_bad;
    char reason[320];
};

struct disks {
    pthread_mutex_t mu;
    struct ob_disk_model *model;
    struct ob_disk_fleet *fleet;
    struct drive_state *d;
    size_t n, cap;
    double next;
    uint64_t reads, errors;
};

int ob__disks_start(struct serve *s, char *err, size_t errlen)
{
    const struct ob_disk_config *c = &s->cfg->disk;
    if (!c->ndevices && !c->json_dir)
        return 0;
    struct disks *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->disks = k;
    pthread_mutex_init(&k->mu, NULL);
    if (!(k->model = ob_disk_model_read(c->model, err, errlen)) || !(k->fleet = ob_disk_fleet_new())) {
        if (k->model)
            snprintf(err, errlen, "disk: out of memory");
        return -1;
    }
    ob_info("disk: %zu devices%s%s, every %.0f s", c->ndevices, c->json_dir ? " and the files in " : "",
            c->json_dir ? c->json_dir : "", c->interval_s);
    return 0;
}

void ob__disks_stop(struct serve *s)
{
    struct disks *k = s->disks;
    if (!k)
        return;
    ob_disk_model_free(k->model);
    ob_disk_fleet_free(k->fleet);
    free(k->d);
    pthread_mutex_destroy(&k->mu);
    free(k);
    s->disks = NULL;
}

static struct drive_state *slot(struct disks *k, const char *device, const char *serial)
{
    for (size_t i = 0; i < k->n; i++)
        if (!strcmp(k->d[i].serial, serial) && !strcmp(k->d[i].device, device))
            return &k->d[i];
    if (ob_grow((void **)&k->d, &k->cap, k->n + 1, sizeof *k->d) < 0)
        return NULL;
    struct drive_state *d = &k->d[k->n++];
    memset(d, 0, sizeof *d);
    snprintf(d->device, sizeof d->device, "%s", device);
    snprintf(d->serial, sizeof d->serial, "%s", serial);
    return d;
}

/* An incident for a drive, through the same path as Alertmanager's. */
static void tell_incidents(struct serve *s, const struct drive_state *d, int firing)
{
    /* room for every field whole, and the words and score around them */
    char key[256], summary[sizeof d->serial + sizeof d->model + sizeof d->device + sizeof d->reason + 96], score[32];
    snprintf(key, sizeof key, "{}:{alertname=\"DiskFailurePredicted\",serial=\"%s\"}", d->serial);
    snprintf(summary, sizeof summary, "%s (%s) on %s: failure within 14 days likely (score %.2f)%s%s",
             d->serial, d->model, d->device, d->score, d->reason[0] ? ": " : "", d->reason);
    snprintf(score, sizeof score, "%.3f", d->score);
    struct ob_kv labels[] = {{"alertname", "DiskFailurePredicted"}, {"device", (char *)d->device},
                             {"model", (char *)d->model},           {"serial", (char *)d->serial},
                             {"severity", "critical"}};
    struct ob_kv group[] = {{"alertname", "DiskFailurePredicted"}, {"serial", (char *)d->serial}};
    struct ob_kv notes[] = {{"score", score}, {"summary", summary}};
    char fp[80];
    snprintf(fp, sizeof fp, "disk-%s", d->serial);
    struct ob_alert a = {firing, labels, 5, notes, 2, 0, 0, fp, NULL};
    struct ob_webhook w = {"opsbox-disk", key, NULL, firing, 0, group, labels, NULL, 2, 5, 0, &a, 1};
    ob__serve_post_event(s, &w);
}

struct read_ctx {
    struct serve *s;
    const char *source;
    struct ob_disk_reading last;
    float x[OB_DISK_NFEAT];
    char device[256];
    int have;
};

static int on_reading(void *arg, const struct ob_disk_reading *r, const char *device)
{
    struct read_ctx *c = arg;
    c->last = *r;
    snprintf(c->device, sizeof c->device, "%s", device[0] ? device : c->source);
    c->have = 1;
    return ob_disk_fleet_add(c->s->disks->fleet, r, c->x);
}

/* Scores one smartctl document; returns 1 when the drive just turned bad,
 * -1 when it just stopped being bad, else 0 (*d set). */
static int score(struct serve *s, const void *json, size_t len, const char *source, struct drive_state **out)
{
    struct disks *k = s->disks;
    struct read_ctx c = {.s = s, .source = source};
    char err[512];
    *out = NULL;
    if (ob_smartctl_decode(json, len, source, on_reading, &c, err, sizeof err) < 0 || !c.have) {
        ob_warn("disk: %s", c.have ? err : "no drive in the output");
        k->errors++;
        return 0;
    }
    struct drive_state *d = slot(k, c.device, c.last.serial);
    if (!d)
        return 0;
    snprintf(d->model, sizeof d->model, "%s", c.last.model);
    d->seen = ob_now();
    d->reason[0] = '\0';
    d->score = 0;
    float p = 0;
    if (c.last.kind != OB_DISK_KIND_ATA) { /* NVMe, SCSI: the rules on the health log, with its history */
        double prob = 0;
        d->state = ob_disk_judge(k->fleet, &c.last, &prob, d->reason, sizeof d->reason);
        d->score = prob;
    } else {
        if (!ob_disk_reading_fields(&c.last))
            snprintf(d->reason, sizeof d->reason, "no SMART attributes or health log");
        else if (!ob_disk_model_knows(k->model, &c.last))
            snprintf(d->reason, sizeof d->reason, "the model was trained on no drive with these counters");
        else if (ob_disk_predict(k->model, c.x, 1, &p) == 0)
            d->score = p;
        d->state = d->reason[0] ? OB_DISK_UNKNOWN : ob_disk_state(k->model, d->score);
        /* The drive's own verdict, which the model never saw: failed is bad. */
        if (c.last.smart_passed == 0 && d->state != OB_DISK_BAD) {
            d->state = OB_DISK_BAD;
            snprintf(d->reason, sizeof d->reason, "SMART health self-assessment: failed");
        }
    }
    k->reads++;
    *out = d;
    int bad = d->state == OB_DISK_BAD;
    int change = bad && !d->reported_bad ? 1 : !bad && d->reported_bad ? -1 : 0;
    d->reported_bad = bad;
    return change;
}

static void read_device(struct serve *s, const char *dev, struct drive_state **changed, int *how, size_t *n)
{
    struct ob_buf out = {0};
    ob_smartctl_run(s->cfg->disk.smartctl, dev, SMARTCTL_OUTPUT_MAX, &out); /* io/smartctl_run.c */
    struct drive_state *d;
    int c = out.len ? score(s, out.p, out.len, dev, &d) : 0;
    if (!out.len) {
        ob_warn("disk: %s: no output from %s", dev, s->cfg->disk.smartctl);
        s->disks->errors++;
    }
    if (c) {
        changed[*n] = d;
        how[(*n)++] = c;
    }
    free(out.p);
}

#define CHANGES_MAX 256

void ob__disks_tick(struct serve *s, double now)
{
    struct disks *k = s->disks;
    const struct ob_disk_config *c = &s->cfg->disk;
    if (!k || now < k->next)
        return;
    k->next = now + c->interval_s;
    struct drive_state *changed[CHANGES_MAX];
    int how[CHANGES_MAX];
    size_t n = 0;
    pthread_mutex_lock(&k->mu);
    for (size_t i = 0; i < c->ndevices && n < CHANGES_MAX; i++)
        read_device(s, c->devices[i], changed, how, &n);
    DIR *dir = c->json_dir ? opendir(c->json_dir) : NULL;
    struct dirent *e;
    while (dir && n < CHANGES_MAX && (e = readdir(dir))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", c->json_dir, e->d_name);
        void *buf = NULL;
        size_t blen = 0;
        struct drive_state *d;
        if (ob_statefile_read(path, SMARTCTL_OUTPUT_MAX, &buf, &blen) == 0) {
            int ch = score(s, buf, blen, path, &d);
            if (ch) {
                changed[n] = d;
                how[n++] = ch;
            }
        }
        free(buf);
    }
    if (dir)
        closedir(dir);
    else if (c->json_dir)
        ob_warn("disk: json_dir %s cannot be read", c->json_dir);
    /* Copies: the incidents are told without the disks' lock held. */
    struct drive_state copy[CHANGES_MAX];
    for (size_t i = 0; i < n; i++)
        copy[i] = *changed[i];
    pthread_mutex_unlock(&k->mu);
    for (size_t i = 0; i < n; i++) {
        ob_info("disk: %s %s (%s) is %s (score %.2f)", copy[i].device, copy[i].serial, copy[i].model,
                how[i] > 0 ? "bad: failure within 14 days likely" : "no longer bad", copy[i].score);
        tell_incidents(s, &copy[i], how[i] > 0);
    }
}

void ob__disks_metrics(struct serve *s, struct ob_expo *e)
{
    struct disks *k = s->disks;
    if (!k)
        return;
    pthread_mutex_lock(&k->mu);
    ob_expo_family(e, "opsbox_disk_failure_probability", "gauge", "Probability that the drive fails within 14 days.");
    for (size_t i = 0; i < k->n; i++) {
        const struct drive_state *d = &k->d[i];
        struct ob_label l[] = {ob_label_of("device", d->device), ob_label_of("model", d->model),
                               ob_label_of("serial", d->serial)};
        ob_expo_sample(e, l, 3, d->score);
    }
    ob_expo_family(e, "opsbox_disk_state", "gauge",
                   "The drive's state (Ceph's: good > 6 weeks, warning 2-6 weeks, bad < 2 weeks, unknown).");
    for (size_t i = 0; i < k->n; i++)
        for (int st = OB_DISK_UNKNOWN; st <= OB_DISK_BAD; st++) {
            const struct drive_state *d = &k->d[i];
            struct ob_label l[] = {ob_label_of("device", d->device), ob_label_of("model", d->model),
                                   ob_label_of("serial", d->serial), ob_label_of("state", ob_disk_state_name(st))};
            ob_expo_sample_u64(e, l, 4, d->state == st);
        }
    ob_expo_single_u64(e, "opsbox_disk_read_errors_total", "counter", "SMART reads that failed.", k->errors);
    pthread_mutex_unlock(&k->mu);
}

json_t *ob__disks_json(struct serve *s, const struct ob_http_request *req)
{
    (void)req;
    struct disks *k = s->disks;
    json_t *arr = json_array();
    if (!k || !arr)
        return arr;
    pthread_mutex_lock(&k->mu);
    for (size_t i = 0; i < k->n; i++) {
        const struct drive_state *d = &k->d[i];
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:f, s:s, s:s?, s:f}", "device", d->device, "serial",
                                             d->serial, "model", d->model, "score", d->score, "state",
                                             ob_disk_state_name(d->state), "reason", d->reason[0] ? d->reason : NULL,
                                             "seen", d->seen));
    }
    pthread_mutex_unlock(&k->mu);
    return arr;
}

/* The part, as the core sees it (parts[] in core.c). */
const struct ob_serve_part ob__part_disks = {
    .name = "disks",
    .start = ob__disks_start,
    .stop = ob__disks_stop,
    .tick = ob__disks_tick,
    .metrics = ob__disks_metrics,
    .api_path = "/api/v1/disks",
    .api = ob__disks_json,
};
