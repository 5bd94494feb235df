/* webhook.c - decodes Alertmanager's webhook payload (version 4) with
 * jansson into plain structs, checking the shape as it goes so an error
 * names the field ("alerts[3].labels.instance: expected a string").
 *
 * Only what opsbox uses must be there: version, groupKey, status, and per
 * alert status and labels. Everything else is optional, because senders
 * other than Alertmanager (scripts, tests, amtool-like tools) omit it. */
#include "alerts/alerts.h"

#include "core/strmap.h"
#include "core/timeparse.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ALERTS 100000 /* per webhook: more is not Alertmanager */

struct where {
    char *err;
    size_t errlen;
};

static int bad(struct where *w, const char *path, const char *what)
{
    snprintf(w->err, w->errlen, "%s: %s", path, what);
    return -1;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct ob_kv *)a)->name, ((const struct ob_kv *)b)->name);
}

void ob_kv_free(struct ob_kv *kv, size_t n)
{
    if (!kv)
        return;
    for (size_t i = 0; i < n; i++) {
        free(kv[i].name);
        free(kv[i].value);
    }
    free(kv);
}

/* An object of string values into a sorted array. A missing field is an
 * empty set; anything but an object of strings is an error. */
static int get_kv(struct where *w, json_t *obj, const char *path, struct ob_kv **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!obj || json_is_null(obj))
        return 0;
    if (!json_is_object(obj))
        return bad(w, path, "expected an object of strings");
    size_t size = json_object_size(obj);
    struct ob_kv *kv = calloc(size + 1, sizeof *kv);
    if (!kv)
        return bad(w, path, "out of memory");
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        if (!json_is_string(v)) {
            char at[160];
            snprintf(at, sizeof at, "%s.%.100s", path, k);
            ob_kv_free(kv, *n);
            *n = 0;
            return bad(w, at, "expected a string");
        }
        struct ob_kv *e = &kv[(*n)++];
        e->name = strdup(k);
        e->value = strdup(json_string_value(v));
        if (!e->name || !e->value) {
            ob_kv_free(kv, *n);
            *n = 0;
            return bad(w, path, "out of memory");
        }
    }
    qsort(kv, *n, sizeof *kv, by_name);
    *out = kv;
    return 0;
}

/* An optional string field: NULL when absent, error when not a string. */
static int get_str(struct where *w, json_t *obj, const char *key, const char *path, char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        char at[160];
        snprintf(at, sizeof at, "%s%s", path, key);
        return bad(w, at, "expected a string");
    }
    return (*out = strdup(json_string_value(v))) ? 0 : bad(w, path, "out of memory");
}

/* "firing" or "resolved"; required. */
static int get_status(struct where *w, json_t *obj, const char *path, int *firing)
{
    const char *s = json_string_value(json_object_get(obj, "status"));
    char at[96];
    snprintf(at, sizeof at, "%sstatus", path);
    if (!s)
        return bad(w, at, "missing (expected \"firing\" or \"resolved\")");
    if (strcmp(s, "firing") && strcmp(s, "resolved"))
        return bad(w, at, "expected \"firing\" or \"resolved\"");
    *firing = s[0] == 'f';
    return 0;
}

/* RFC 3339; Go's zero time (year 1) and absence both mean unset. */
static int get_time(struct where *w, json_t *obj, const char *key, const char *path, double *out)
{
    json_t *v = json_object_get(obj, key);
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    const char *s = json_string_value(v);
    char at[96];
    snprintf(at, sizeof at, "%s%s", path, key);
    if (!s || ob_time_parse(s, strlen(s), out) < 0)
        return bad(w, at, "expected an RFC 3339 time");
    if (*out < 0)
        *out = 0;
    return 0;
}

static char *label_hash(const struct ob_kv *kv, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h = h * 31 + ob_hash_bytes(kv[i].name, strlen(kv[i].name));
        h = h * 31 + ob_hash_bytes(kv[i].value, strlen(kv[i].value));
    }
    char *s = malloc(17);
    if (s)
        snprintf(s, 17, "%016llx", (unsigned long long)h);
    return s;
}

static int decode_alert(struct where *w, json_t *a, size_t i, struct ob_alert *out)
{
    char path[64];
    snprintf(path, sizeof path, "alerts[%zu].", i);
    if (!json_is_object(a))
        return bad(w, path, "expected an object");
    char at[96];
    snprintf(at, sizeof at, "%slabels", path);
    if (get_status(w, a, path, &out->firing) < 0 ||
        get_kv(w, json_object_get(a, "labels"), at, &out->labels, &out->nlabels) < 0)
        return -1;
    if (out->nlabels == 0)
        return bad(w, at, "an alert needs at least one label");
    snprintf(at, sizeof at, "%sannotations", path);
    if (get_kv(w, json_object_get(a, "annotations"), at, &out->annotations, &out->nannotations) < 0 ||
        get_time(w, a, "startsAt", path, &out->starts_at) < 0 ||
        get_time(w, a, "endsAt", path, &out->ends_at) < 0 ||
        get_str(w, a, "generatorURL", path, &out->generator_url) < 0 ||
        get_str(w, a, "fingerprint", path, &out->fingerprint) < 0)
        return -1;
    if ((!out->fingerprint || !*out->fingerprint)) {
        free(out->fingerprint);
        if (!(out->fingerprint = label_hash(out->labels, out->nlabels)))
            return bad(w, path, "out of memory");
    }
    return 0;
}

static void free_alert(struct ob_alert *a)
{
    ob_kv_free(a->labels, a->nlabels);
    ob_kv_free(a->annotations, a->nannotations);
    free(a->fingerprint);
    free(a->generator_url);
}

/* One alert per fingerprint, the last one given: a body that lists an
 * alert twice (Alertmanager never does) means what it says last, and
 * applying it twice is then no news the second time. */
static int dedupe(struct where *w, struct ob_webhook *h)
{
    struct ob_strmap *seen = ob_strmap_new();
    if (!seen)
        return bad(w, "alerts", "out of memory");
    size_t kept = 0;
    for (size_t i = 0; i < h->nalerts; i++) {
        const char *fp = h->alerts[i].fingerprint;
        uint32_t at;
        if (ob_strmap_get(seen, fp, strlen(fp), &at)) {
            free_alert(&h->alerts[at]);
            h->alerts[at] = h->alerts[i]; /* the later one takes the earlier's place */
            continue;
        }
        if (ob_strmap_put(seen, fp, strlen(fp), (uint32_t)kept) < 0) {
            ob_strmap_free(seen);
            return bad(w, "alerts", "out of memory");
        }
        h->alerts[kept++] = h->alerts[i];
    }
    h->nalerts = kept;
    ob_strmap_free(seen);
    return 0;
}

static int decode_top(struct where *w, json_t *root, struct ob_webhook *h)
{
    if (!json_is_object(root))
        return bad(w, "body", "expected a JSON object (Alertmanager's webhook payload)");
    const char *version = json_string_value(json_object_get(root, "version"));
    if (version && strcmp(version, "4"))
        return bad(w, "version", "only version \"4\" is known");
    if (get_str(w, root, "groupKey", "", &h->group_key) < 0)
        return -1;
    if (!h->group_key || !*h->group_key)
        return bad(w, "groupKey", "missing or empty");
    json_t *t = json_object_get(root, "truncatedAlerts");
    if (t && !json_is_integer(t))
        return bad(w, "truncatedAlerts", "expected an integer");
    h->truncated = t ? (long)json_integer_value(t) : 0;
    if (get_status(w, root, "", &h->firing) < 0 ||
        get_str(w, root, "receiver", "", &h->receiver) < 0 ||
        get_str(w, root, "externalURL", "", &h->external_url) < 0 ||
        get_kv(w, json_object_get(root, "groupLabels"), "groupLabels", &h->group_labels,
               &h->ngroup_labels) < 0 ||
        get_kv(w, json_object_get(root, "commonLabels"), "commonLabels", &h->common_labels,
               &h->ncommon_labels) < 0 ||
        get_kv(w, json_object_get(root, "commonAnnotations"), "commonAnnotations",
               &h->common_annotations, &h->ncommon_annotations) < 0)
        return -1;
    json_t *alerts = json_object_get(root, "alerts");
    if (!json_is_array(alerts))
        return bad(w, "alerts", "missing (expected a list)");
    if (json_array_size(alerts) > MAX_ALERTS)
        return bad(w, "alerts", "more than 100000 alerts in one webhook");
    h->alerts = calloc(json_array_size(alerts) + 1, sizeof *h->alerts);
    if (!h->alerts)
        return bad(w, "alerts", "out of memory");
    for (size_t i = 0; i < json_array_size(alerts); i++) {
        h->nalerts = i + 1;
        if (decode_alert(w, json_array_get(alerts, i), i, &h->alerts[i]) < 0)
            return -1;
    }
    return dedupe(w, h);
}

int ob_webhook_decode(const void *body, size_t len, struct ob_webhook *h, char *err, size_t errlen)
{
    struct where w = {err, errlen};
    memset(h, 0, sizeof *h);
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "body:%d:%d: not valid JSON: %s", jerr.line, jerr.column, jerr.text);
        return -1;
    }
    int rc = decode_top(&w, root, h);
    json_decref(root);
    if (rc < 0)
        ob_webhook_free(h);
    return rc;
}

void ob_webhook_free(struct ob_webhook *h)
{
    for (size_t i = 0; i < h->nalerts; i++)
        free_alert(&h->alerts[i]);
    free(h->alerts);
    ob_kv_free(h->group_labels, h->ngroup_labels);
    ob_kv_free(h->common_labels, h->ncommon_labels);
    ob_kv_free(h->common_annotations, h->ncommon_annotations);
    free(h->receiver);
    free(h->group_key);
    free(h->external_url);
    memset(h, 0, sizeof *h);
}

const char *ob_kv_get(const struct ob_kv *kv, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(kv[i].name, name))
            return kv[i].value;
    return NULL;
}

char *ob_kv_to_json(const struct ob_kv *kv, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++)
        if (json_object_set_new(o, kv[i].name, json_string(kv[i].value)) < 0) {
            json_decref(o);
            return NULL;
        }
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return s;
}

int ob_kv_from_json(const char *text, struct ob_kv **kv, size_t *n)
{
    char err[128];
    struct where w = {err, sizeof err};
    json_t *o = json_loads(text ? text : "{}", 0, NULL);
    int rc = o ? get_kv(&w, o, "labels", kv, n) : -1;
    json_decref(o);
    return rc;
}
