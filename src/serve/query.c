/* query.c - query_sources: a Prometheus-compatible query API
 * (Prometheus, VictoriaMetrics, Thanos) as where series come from, for
 * operators whose metrics are already stored and who will not let another
 * tool scrape everything again.
 *
 * On start, each selector's history is fetched with query_range, `page`
 * at a time from `backfill` ago (so no single request asks for a year),
 * and fed to the models in time order: they are warm before the first live
 * point. Then it follows at `step`, asking only for what came since. One
 * thread for all sources; the client is io/query_api.c; progress in the log. */
#include "serve/serve_int.h"

#include "core/clock.h"
#include "core/log.h"
#include "io/query_api.h"
#include "io/remote_write.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LABELS 256

struct cursor {
    double last_end;           /* the newest time fetched, per selector */
};

struct querier {
    struct ob_config *cfg;     /* held from start to stop: sources change on restart */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    struct ob_query_client *client; /* non-NULL once the thread runs */
    struct cursor **cur;       /* [source][selector] */
    uint64_t points, requests, errors;
    int backfilled;
};

/* One series of a query_range answer into the models; returns points. */
static long feed_series(struct serve *s, json_t *series, double after, double *newest)
{
    json_t *metric = json_object_get(series, "metric"), *values = json_object_get(series, "values");
    const char *name = json_string_value(json_object_get(metric, "__name__"));
    if (!name || !json_is_array(values))
        return 0; /* an expression without a name is not a series to model */
    struct ob_label l[MAX_LABELS];
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(metric, k, v) {
        if (n < MAX_LABELS && strcmp(k, "__name__") && json_is_string(v))
            l[n++] = ob_label_of(k, json_string_value(v));
    }
    qsort(l, n, sizeof l[0], ob_label_by_name);
    long fed = 0;
    size_t i;
    json_t *pair;
    json_array_foreach(values, i, pair) {
        double ts = json_number_value(json_array_get(pair, 0));
        const char *text = json_string_value(json_array_get(pair, 1));
        char *end;
        double value = text ? strtod(text, &end) : NAN;
        if (!text || *end || !isfinite(value) || ts <= after)
            continue;
        ob__serve_point(s, name, l, n, ts, value);
        if (ts > *newest)
            *newest = ts;
        fed++;
    }
    return fed;
}

/* GET url/api/v1/query_range for [start, end]; feeds the answer. Returns
 * points fed, or -1 (logged). */
/* *newest: the time of the newest point fed (unchanged when none). */
static long query_range(struct serve *s, struct querier *q, const struct ob_query_source *src,
                        const char *selector, double start, double end, double after, double *newest)
{
    char why[256];
    json_t *result = ob_query_range(q->client, src->url, selector, start, end, src->step_s, why, sizeof why);
    long fed = -1;
    if (!result) {
        ob_warn("query source %s: %s: %s", src->url, selector, why);
    } else {
        fed = 0;
        size_t i;
        json_t *series;
        pthread_mutex_lock(&s->lock);
        json_array_foreach(result, i, series)
            fed += feed_series(s, series, after, newest);
        ob__serve_flush(s);
        pthread_mutex_unlock(&s->lock);
        ob__serve_signals(s);
    }
    pthread_mutex_lock(&q->mu);
    q->requests++;
    q->errors += fed < 0;
    q->points += fed > 0 ? (uint64_t)fed : 0;
    pthread_mutex_unlock(&q->mu);
    json_decref(result);
    return fed;
}

static int stopping(struct querier *q, double seconds)
{
    struct timespec until = ob_deadline(seconds);
    pthread_mutex_lock(&q->mu);
    if (!q->stop && seconds > 0)
        pthread_cond_timedwait(&q->cv, &q->mu, &until);
    int stop = q->stop;
    pthread_mutex_unlock(&q->mu);
    return stop;
}

static void backfill(struct serve *s, struct querier *q, size_t i, double now)
{
    const struct ob_query_source *src = &q->cfg->queries[i];
    double from = floor((now - src->backfill_s) / src->step_s) * src->step_s;
    for (size_t m = 0; m < src->nmatch; m++) {
        struct cursor *c = &q->cur[i][m];
        c->last_end = from - src->step_s;
        long total = 0;
        int pages = (int)ceil((now - from) / src->page_s), page = 0;
        for (double t = from; t <= now && !stopping(q, 0); t += src->page_s, page++) {
            double end = fmin(t + src->page_s - src->step_s, now);
            double newest = c->last_end;
            long fed = query_range(s, q, src, src->match[m], t, end, c->last_end, &newest);
            if (fed < 0)
                break;
            total += fed;
            c->last_end = end;
            ob_info("query source %s: %s: backfill page %d/%d, %ld points", src->url, src->match[m], page + 1,
                    pages, total);
        }
    }
}

static void *run(void *arg)
{
    struct serve *s = arg;
    struct querier *q = s->querier;
    double now = ob_now();
    for (size_t i = 0; i < q->cfg->nqueries && !stopping(q, 0); i++)
        if (q->cfg->queries[i].backfill_s > 0)
            backfill(s, q, i, now);
        else
            for (size_t m = 0; m < q->cfg->queries[i].nmatch; m++)
                q->cur[i][m].last_end = now;
    pthread_mutex_lock(&q->mu);
    q->backfilled = 1;
    pthread_mutex_unlock(&q->mu);
    ob_info("query sources: backfill done; following");
    double step = INFINITY;
    for (size_t i = 0; i < q->cfg->nqueries; i++)
        step = fmin(step, q->cfg->queries[i].step_s);
    while (!stopping(q, step)) {
        now = ob_now();
        for (size_t i = 0; i < q->cfg->nqueries; i++) {
            const struct ob_query_source *src = &q->cfg->queries[i];
            for (size_t m = 0; m < src->nmatch; m++) {
                struct cursor *c = &q->cur[i][m];
                if (now - c->last_end < src->step_s)
                    continue;
                /* Up to the newest point received, not to now: the store may
                 * not show the last seconds yet (VictoriaMetrics holds back
                 * -search.latencyOffset), and those must come next time.
                 * Nothing new for a page long: move on, not ask for ever more. */
                double newest = c->last_end, start = fmax(c->last_end + src->step_s, now - src->page_s);
                if (query_range(s, q, src, src->match[m], start, now, c->last_end, &newest) >= 0)
                    c->last_end = newest > c->last_end ? newest : fmax(c->last_end, now - src->page_s);
            }
        }
    }
    return NULL;
}

int ob__query_start(struct serve *s, char *err, size_t errlen)
{
    if (!s->cfg->nqueries)
        return 0;
    struct querier *q = calloc(1, sizeof *q);
    if (!q || !(q->cur = calloc(s->cfg->nqueries, sizeof *q->cur)) || !(q->client = ob_query_client_new())) {
        snprintf(err, errlen, "query sources: out of memory");
        if (q)
            free(q->cur);
        free(q);
        return -1;
    }
    s->querier = q;
    q->cfg = ob__cfg_hold(s);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    for (size_t i = 0; i < q->cfg->nqueries; i++)
        if (!(q->cur[i] = calloc(q->cfg->queries[i].nmatch + 1, sizeof *q->cur[i]))) {
            snprintf(err, errlen, "query sources: out of memory");
            return -1;
        }
    if (pthread_create(&q->thread, NULL, run, s) != 0) {
        snprintf(err, errlen, "query sources: cannot start a thread");
        ob_query_client_free(q->client);
        q->client = NULL;
        return -1;
    }
    ob_info("query sources: %zu, backfilling", q->cfg->nqueries);
    return 0;
}

void ob__query_stop(struct serve *s)
{
    struct querier *q = s->querier;
    if (!q)
        return;
    if (q->client) {
        ob__worker_stop(&q->mu, &q->cv, &q->stop, q->thread);
        ob_query_client_free(q->client);
    }
    for (size_t i = 0; i < q->cfg->nqueries; i++)
        free(q->cur[i]);
    free(q->cur);
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
    ob__cfg_release(s, q->cfg);
    free(q);
    s->querier = NULL;
}

void ob__query_metrics(struct serve *s, struct ob_expo *e)
{
    struct querier *q = s->querier;
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    ob_expo_single_u64(e, "opsbox_query_source_points_total", "counter", "Points read from query sources.",
                       q->points);
    ob_expo_single_u64(e, "opsbox_query_source_requests_total", "counter", "Requests to query sources.",
                       q->requests);
    ob_expo_single_u64(e, "opsbox_query_source_errors_total", "counter", "Requests to query sources that failed.",
                       q->errors);
    ob_expo_single(e, "opsbox_query_source_backfilled", "gauge", "1 once the history has been read.",
                   q->backfilled);
    pthread_mutex_unlock(&q->mu);
}

/* The part, as the core sees it (parts[] in core.c). */
const struct ob_serve_part ob__part_query = {
    .name = "query",
    .start = ob__query_start,
    .stop = ob__query_stop,
    .metrics = ob__query_metrics,
};
