/* serve_api.c - the daemon's JSON API, for the web page and for scripts.
 * Shaped like Prometheus's API ({"status": "success", "data": ...}).
 *
 *   GET /api/v1/series    the 100 series with the highest current
 *                         anomaly_score (a flag held as on /metrics), with
 *                         value, forecast and band
 *   GET /api/v1/targets   every target with its health */
#include "cli/serve_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

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

void ob__serve_shown(const struct ob_series_view *v, double now, int *anomaly, double *score)
{
    int held = v->flagged_ts > 0 && now - v->flagged_ts <= ANOMALY_HOLD_S;
    *anomaly = held || v->last.anomaly;
    *score = held && v->flagged_score > v->last.anomaly_score ? v->flagged_score
                                                              : v->last.anomaly_score;
}

static json_t *series_json(const struct ob_series_view *v, const struct ranked *r)
{
    return json_pack("{s:s, s:f, s:f, s:f, s:f, s:f, s:i, s:I, s:f}", "series", v->key, "value",
                     v->last_value, "yhat", v->last.yhat, "yhat_lower", v->last.yhat_lower,
                     "yhat_upper", v->last.yhat_upper, "anomaly_score", r->score, "anomaly",
                     r->anomaly, "points", (json_int_t)v->points, "timestamp", v->last_ts);
}

static json_t *ranked_series(struct serve *s, double now)
{
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
        if (v.points == 0)
            continue;
        r[k] = (struct ranked){.index = i};
        ob__serve_shown(&v, now, &r[k].anomaly, &r[k].score);
        k++;
    }
    qsort(r, k, sizeof *r, by_score);
    for (size_t i = 0; i < k && i < SERIES_LIMIT; i++) {
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

int ob__serve_api(struct serve *s, const char *path, struct ob_buf *body, double now)
{
    if (!strcmp(path, "/api/v1/series")) {
        json_t *d = ranked_series(s, now);
        return respond(body, d, d ? 200 : 500);
    }
    if (!strcmp(path, "/api/v1/targets")) {
        json_t *d = targets(s);
        return respond(body, d, d ? 200 : 500);
    }
    return respond(body, NULL, 404);
}
