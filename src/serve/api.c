/* api.c - the daemon's JSON API, for the web page and for scripts.
 * Shaped like Prometheus's API ({"status": "success", "data": ...}).
 *
 *   GET /api/v1/series[?match=TEXT&limit=N]
 *       the series with the highest current anomaly_score (a flag held as
 *       on /metrics), with value, forecast and band; match keeps those whose
 *       name{labels} contains TEXT; limit defaults to 100
 *   GET /api/v1/series/history?series=NAME{LABELS}
 *       its recent points: [time, value, yhat, yhat_lower, yhat_upper, anomaly]
 *   GET /api/v1/targets   every target with its health
 *   GET /api/v1/disks     each drive's failure probability and state
 *   GET /api/v1/prices    the cheapest offers that fit, the latest price findings
 *   GET /api/v1/templates[?limit=N]  log templates by count, with an example
 *   GET /api/v1/status    version, models, points, store size, open incidents
 *   GET /api/v1/incidents[?limit=N]   the newest incidents (default 50)
 *   GET /api/v1/incidents/ID          one, with members and timeline */
#include "serve/serve_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SERIES_LIMIT 100

struct ranked {
    size_t index;
    double score;
    int anomaly;
};

static int by_score(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return (x->index > y->index) - (x->index < y->index);
}

static json_t *series_json(const struct ob_series_view *v, const struct ranked *r)
{
    return json_pack("{s:s, s:f, s:f, s:f, s:f, s:f, s:i, s:I, s:f}", "series", v->key, "value",
                     v->last_value, "yhat", v->last.yhat, "yhat_lower", v->last.yhat_lower,
                     "yhat_upper", v->last.yhat_upper, "anomaly_score", r->score, "anomaly",
                     r->anomaly, "points", (json_int_t)v->points, "timestamp", v->last_ts);
}

static json_t *ranked_series(struct serve *s, const struct ob_http_request *req, double now)
{
    const char *match = ob_http_query(req, "match");
    size_t limit = (size_t)ob__api_limit(req, SERIES_LIMIT);
    size_t n = ob_registry_size(s->reg), k = 0;
    struct ranked *r = malloc((n ? n : 1) * sizeof *r);
    json_t *arr = json_array();
    if (!r || !arr) {
        free(r);
        json_decref(arr);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        struct ob_series_view v = ob_registry_get(s->reg, i);
        if (v.points == 0 || (match && *match && !strstr(v.key, match)))
            continue;
        r[k] = (struct ranked){.index = i};
        ob__serve_shown(&v, now, &r[k].anomaly, &r[k].score);
        k++;
    }
    qsort(r, k, sizeof *r, by_score);
    for (size_t i = 0; i < k && i < limit; i++) {
        struct ob_series_view v = ob_registry_get(s->reg, r[i].index);
        json_array_append_new(arr, series_json(&v, &r[i]));
    }
    free(r);
    return arr;
}

static json_t *targets(struct serve *s)
{
    json_t *arr = json_array();
    size_t i = 0;
    for (size_t j = 0; arr && j < s->cfg->nscrapes; j++)
        for (size_t t = 0; t < s->cfg->scrapes[j].ntargets; t++, i++) {
            const struct target_stat *st = &s->stats[i];
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:b, s:f, s:f, s:I, s:I, s:I}", "job",
                               s->cfg->scrapes[j].job_name, "instance",
                               s->cfg->scrapes[j].targets[t].address, "up", st->up, "last_scrape",
                               st->last, "scrape_duration_seconds", st->duration, "samples",
                               (json_int_t)st->samples, "scrapes", (json_int_t)st->scrapes,
                               "errors", (json_int_t)st->errors));
        }
    return arr;
}

static void add_point(void *arg, double ts, double value, double yhat, double lo, double hi, int anomaly)
{
    json_array_append_new(arg, json_pack("[f, f, f, f, f, i]", ts, value, yhat, lo, hi, anomaly));
}

static int respond_error(struct ob_buf *body, int status, const char *why)
{
    json_t *doc = json_pack("{s:s, s:s}", "status", "error", "error", why);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (text) {
        ob_buf_put(body, text, strlen(text));
        ob_buf_put(body, "\n", 1);
    }
    free(text);
    json_decref(doc);
    return status;
}

static int respond(struct ob_buf *body, json_t *data, int status);

static int history(struct serve *s, const struct ob_http_request *req, struct ob_buf *body)
{
    const char *key = ob_http_query(req, "series");
    if (!key || !*key)
        return respond_error(body, 400, "series: missing (name{labels} as /api/v1/series gives it)");
    json_t *points = json_array();
    if (ob_registry_history(s->reg, key, strlen(key), add_point, points) < 0) {
        json_decref(points);
        return respond_error(body, 404, "no such series");
    }
    return respond(body, json_pack("{s:s, s:o}", "series", key, "points", points), 200);
}

static int collect_incident(void *arg, struct ob_incident *inc)
{
    json_array_append_new(arg, ob_incident_json(inc, 0));
    ob_incident_free(inc);
    return 0;
}

struct one {
    struct ob_store *store;
    json_t *doc;
};

static int take_incident(void *arg, struct ob_incident *inc)
{
    struct one *o = arg;
    o->doc = ob_incident_json(inc, 1);
    json_object_set_new(o->doc, "timeline", ob_store_timeline_json(o->store, inc->id));
    ob_incident_free(inc);
    return 0;
}

static int incidents(struct serve *s, const struct ob_http_request *req, struct ob_buf *body)
{
    const char *rest = req->path + strlen("/api/v1/incidents");
    if (!*rest) {
        json_t *all = json_array();
        if (ob_store_recent_incidents(s->store, ob__api_limit(req, 50), collect_incident, all) < 0) {
            json_decref(all);
            return respond_error(body, 500, "reading the store failed");
        }
        return respond(body, all, 200);
    }
    char *end;
    long long id = rest[0] == '/' ? strtoll(rest + 1, &end, 10) : 0;
    if (id <= 0 || *end)
        return respond_error(body, 404, "no such endpoint");
    struct one o = {s->store, NULL};
    if (ob_store_one_incident(s->store, id, take_incident, &o) < 0)
        return respond_error(body, 500, "reading the store failed");
    return o.doc ? respond(body, o.doc, 200) : respond_error(body, 404, "no such incident");
}

static long long file_bytes(const char *path, const char *suffix)
{
    char name[4096];
    struct stat st;
    snprintf(name, sizeof name, "%s%s", path, suffix);
    return stat(name, &st) == 0 ? (long long)st.st_size : 0;
}

/* What the page's status panel shows: the daemon itself. */
static json_t *status(struct serve *s)
{
    const char *store = s->cfg->store;
    long long bytes = file_bytes(store, "") + file_bytes(store, "-wal");
    json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:s, s:I}", "version", OB_VERSION, "models",
                          (json_int_t)ob_registry_size(s->reg), "points", (json_int_t)s->points, "scrapes",
                          (json_int_t)s->scrapes, "store", store, "store_bytes", (json_int_t)bytes);
    if (o) { /* the parts' own (open incidents), then when it started */
        ob__serve_part_status(s, o);
        json_object_set_new(o, "started", json_real(s->started));
    }
    return o;
}

static int respond(struct ob_buf *body, json_t *data, int status)
{
    json_t *doc = data ? json_pack("{s:s, s:o}", "status", "success", "data", data)
                       : json_pack("{s:s, s:s}", "status", "error", "error",
                                   status == 404 ? "no such endpoint" : "out of memory");
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (text) {
        ob_buf_put(body, text, strlen(text));
        ob_buf_put(body, "\n", 1);
    } else {
        body->failed = 1;
    }
    free(text);
    json_decref(doc);
    return status;
}

int ob__serve_api(struct serve *s, const struct ob_http_request *req, struct ob_buf *body, double now)
{
    const char *path = req->path;
    if (!strcmp(path, "/api/v1/series")) {
        json_t *d = ranked_series(s, req, now);
        return respond(body, d, d ? 200 : 500);
    }
    int found;
    json_t *part = ob__serve_part_api(s, req, &found); /* prices, disks, templates */
    if (found)
        return respond(body, part, part ? 200 : 500);
    if (!strcmp(path, "/api/v1/status")) {
        json_t *d = status(s);
        return respond(body, d, d ? 200 : 500);
    }
    if (!strcmp(path, "/api/v1/series/history"))
        return history(s, req, body);
    if (!strncmp(path, "/api/v1/incidents", 17))
        return incidents(s, req, body);
    if (!strcmp(path, "/api/v1/targets")) {
        json_t *d = targets(s);
        return respond(body, d, d ? 200 : 500);
    }
    return respond(body, NULL, 404);
}
