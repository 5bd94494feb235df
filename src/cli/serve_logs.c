/* serve_logs.c - logs in `opsbox serve`: Loki's push API in, templates out.
 *
 * POST /loki/api/v1/push (JSON, or protobuf + snappy by its Content-Type)
 * is what promtail, Grafana Alloy, Vector and
 * Fluent Bit send to Loki; pointed at opsbox, each line joins a template of
 * the one miner (src/logs). What comes out:
 *   - counts per template on /metrics and /api/v1/templates (the page);
 *   - a template first seen after the warm-up is news: a signal that joins
 *     the incidents its stream's labels match;
 *   - each template's rate, every rate_interval, is a series in the
 *     registry (opsbox_log_template_lines_total{template_id="N"}), so the
 *     metric detector scores log rates like any other series.
 * The miner is saved with the models and comes back on start, with the
 * same template ids. */
#include "cli/serve_int.h"

#include "core/clock.h"
#include "core/log.h"
#include "io/logmask.h"
#include "io/loki.h"
#include "logs/logs.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATE_NAME "logs.miner"
#define RATE_SERIES "opsbox_log_template_lines_total"
#define EXAMPLE_MAX 300   /* bytes of a template's first line kept as its example */
#define TEMPLATE_TEXT_MAX 4096

struct tinfo {
    char *example;
    double first_seen;
};

struct logs {
    pthread_mutex_t mu;
    struct ob_miner *m;
    struct tinfo *info;       /* by template id */
    size_t ninfo;
    long warmup;
    struct ob_logmask *mask;  /* the user's, from logs.masks */
    double next_rate;
    uint64_t accepted, rejected, lines, news;
};

int ob__logs_start(struct serve *s, char *err, size_t errlen)
{
    struct logs *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->logs = l;
    pthread_mutex_init(&l->mu, NULL);
    l->warmup = s->cfg->logs.warmup;
    if (s->cfg->logs.nmasks &&
        !(l->mask = ob_logmask_new(s->cfg->logs.masks, s->cfg->logs.nmasks, err, errlen)))
        return -1;
    void *blob = NULL;
    size_t len = 0;
    int got = ob_store_get_blob(s->store, STATE_NAME, &blob, &len);
    if (got == 1 && !(l->m = ob_miner_load(blob, len)))
        ob_warn("logs: the saved templates in %s are not ones this opsbox can load; starting over",
                s->cfg->store);
    free(blob);
    if (!l->m) {
        struct ob_miner_params p = ob_miner_params_default();
        l->m = ob_miner_new(&p);
    }
    if (!l->m) {
        snprintf(err, errlen, "logs: out of memory");
        return -1;
    }
    if (ob_miner_templates(l->m))
        ob_info("logs: %u templates from %s", ob_miner_templates(l->m), s->cfg->store);
    return 0;
}

void ob__logs_stop(struct serve *s)
{
    struct logs *l = s->logs;
    if (!l)
        return;
    for (size_t i = 0; i < l->ninfo; i++)
        free(l->info[i].example);
    free(l->info);
    ob_miner_free(l->m);
    ob_logmask_free(l->mask);
    pthread_mutex_destroy(&l->mu);
    free(l);
    s->logs = NULL;
}

static int note_example(struct logs *l, uint32_t id, const char *line, size_t len, double now)
{
    if (id >= l->ninfo) {
        size_t n = (size_t)id + 64;
        struct tinfo *info = realloc(l->info, n * sizeof *info);
        if (!info)
            return -1;
        memset(info + l->ninfo, 0, (n - l->ninfo) * sizeof *info);
        l->info = info;
        l->ninfo = n;
    }
    if (!l->info[id].example) {
        l->info[id].example = strndup(line, len < EXAMPLE_MAX ? len : EXAMPLE_MAX);
        l->info[id].first_seen = now;
    }
    return 0;
}

/* A new template after the warm-up: a signal for the incidents, with its
 * stream's labels. */
static void add_news(struct logs *l, struct flagged **news, size_t *n, uint32_t id,
                     const struct ob_loki_stream *st)
{
    struct flagged *f = realloc(*news, (*n + 1) * sizeof *f);
    if (!f)
        return;
    *news = f;
    f = &f[*n];
    memset(f, 0, sizeof *f);
    char key[64], text[TEMPLATE_TEXT_MAX];
    snprintf(key, sizeof key, "log template %u", id);
    ob_miner_template_text(l->m, id, text, sizeof text);
    f->kind = OB_MEMBER_LOG;
    f->key = strdup(key);
    f->summary = strdup(text);
    f->labels = calloc(st->nlabels + 1, sizeof *f->labels);
    for (size_t i = 0; f->labels && i < st->nlabels; i++) {
        f->labels[i].name = strdup(st->labels[i].name);
        f->labels[i].value = strdup(st->labels[i].value);
        f->nlabels = i + 1;
    }
    (*n)++;
    l->news++;
}

static int mine(struct logs *l, const struct ob_loki_push *p, struct flagged **news, size_t *nnews)
{
    double now = ob_now();
    for (size_t i = 0; i < p->nstreams; i++) {
        const struct ob_loki_stream *st = &p->streams[i];
        for (size_t j = 0; j < st->nentries; j++) {
            uint32_t before = ob_miner_templates(l->m);
            size_t len;
            const char *msg = ob_logmask_apply(l->mask, st->entries[j].line, st->entries[j].len, &len);
            uint32_t id = ob_miner_add(l->m, msg, len);
            if (!id || note_example(l, id, st->entries[j].line, st->entries[j].len, now) < 0)
                return -1;
            l->lines++;
            if (id > before && ob_miner_template_first(l->m, id) > (uint64_t)l->warmup)
                add_news(l, news, nnews, id, st);
        }
    }
    return 0;
}

int ob__logs_push(struct serve *s, const struct ob_http_request *req, struct ob_buf *body)
{
    struct logs *l = s->logs;
    struct ob_loki_push p;
    char err[512], msg[640];
    int proto = req->content_type && strstr(req->content_type, "protobuf");
    if ((proto ? ob_loki_decode_proto(req->body, req->body_len, &p, err, sizeof err)
               : ob_loki_decode(req->body, req->body_len, &p, err, sizeof err)) < 0) {
        pthread_mutex_lock(&l->mu);
        l->rejected++;
        pthread_mutex_unlock(&l->mu);
        int n = snprintf(msg, sizeof msg, "bad push: %s\n", err);
        ob_buf_put(body, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
        return 400;
    }
    struct flagged *news = NULL;
    size_t nnews = 0;
    pthread_mutex_lock(&l->mu);
    int rc = mine(l, &p, &news, &nnews);
    l->accepted += rc == 0;
    pthread_mutex_unlock(&l->mu);
    ob_loki_free(&p);
    if (nnews)
        ob__alerts_hand_signals(s, news, nnews);
    if (rc < 0) {
        ob_buf_put(body, "out of memory\n", 14);
        return 500;
    }
    return 204; /* as Loki answers */
}

int ob__logs_feed(struct serve *s, const struct ob_loki_push *p)
{
    struct logs *l = s->logs;
    struct flagged *news = NULL;
    size_t nnews = 0;
    pthread_mutex_lock(&l->mu);
    int rc = mine(l, p, &news, &nnews);
    pthread_mutex_unlock(&l->mu);
    if (nnews)
        ob__alerts_hand_signals(s, news, nnews);
    return rc;
}

/* Every rate_interval: each template's count is a counter point, so the
 * registry models its rate. */
void ob__logs_tick(struct serve *s, double now)
{
    struct logs *l = s->logs;
    if (!l || now < l->next_rate)
        return;
    l->next_rate = now + s->cfg->logs.rate_interval_s;
    pthread_mutex_lock(&s->lock);
    pthread_mutex_lock(&l->mu);
    uint32_t n = ob_miner_templates(l->m);
    char key[96];
    for (uint32_t id = 1; id <= n; id++) {
        if (ob_miner_resolve(l->m, id) != id)
            continue; /* merged into another */
        int len = snprintf(key, sizeof key, RATE_SERIES "{template_id=\"%u\"}", id);
        ob_registry_observe_counter(s->reg, key, (size_t)len, strlen(RATE_SERIES), now,
                                    (double)ob_miner_template_count(l->m, id));
    }
    pthread_mutex_unlock(&l->mu);
    pthread_mutex_unlock(&s->lock);
}

int ob__logs_is_own(const char *name, size_t n)
{
    return n == strlen(RATE_SERIES) && !memcmp(name, RATE_SERIES, n);
}

int ob__logs_save(struct serve *s, double now)
{
    struct logs *l = s->logs;
    if (!l)
        return 0;
    void *blob = NULL;
    pthread_mutex_lock(&l->mu);
    size_t len = ob_miner_templates(l->m) ? ob_miner_save(l->m, &blob) : 0;
    pthread_mutex_unlock(&l->mu);
    int rc = len ? ob_store_put_blob(s->store, STATE_NAME, blob, len, now) : 0;
    free(blob);
    return rc;
}

void ob__logs_metrics(struct serve *s, struct ob_buf *b)
{
    struct logs *l = s->logs;
    if (!l)
        return;
    char line[512], text[TEMPLATE_TEXT_MAX];
    pthread_mutex_lock(&l->mu);
    uint32_t n = ob_miner_templates(l->m);
    int k = snprintf(line, sizeof line,
                     "# HELP opsbox_log_pushes_total Loki pushes received, by result.\n"
                     "# TYPE opsbox_log_pushes_total counter\n"
                     "opsbox_log_pushes_total{result=\"accepted\"} %llu\n"
                     "opsbox_log_pushes_total{result=\"rejected\"} %llu\n",
                     (unsigned long long)l->accepted, (unsigned long long)l->rejected);
    ob_buf_put(b, line, (size_t)k);
    k = snprintf(line, sizeof line,
                 "# HELP opsbox_log_lines_total Log lines mined.\n# TYPE opsbox_log_lines_total counter\n"
                 "opsbox_log_lines_total %llu\n"
                 "# HELP opsbox_log_new_templates_total Templates first seen after the warm-up.\n"
                 "# TYPE opsbox_log_new_templates_total counter\nopsbox_log_new_templates_total %llu\n",
                 (unsigned long long)l->lines, (unsigned long long)l->news);
    ob_buf_put(b, line, (size_t)k);
    ob_buf_put(b, "# HELP " RATE_SERIES " Lines per log template.\n# TYPE " RATE_SERIES " counter\n",
               sizeof("# HELP " RATE_SERIES " Lines per log template.\n# TYPE " RATE_SERIES " counter\n") - 1);
    for (uint32_t id = 1; id <= n; id++) {
        if (ob_miner_resolve(l->m, id) != id)
            continue;
        ob_miner_template_text(l->m, id, text, 121); /* a label, not a document */
        k = snprintf(line, sizeof line, RATE_SERIES "{template_id=\"%u\",template=\"", id);
        ob_buf_put(b, line, (size_t)k);
        ob__put_label_value(b, text, strlen(text));
        k = snprintf(line, sizeof line, "\"} %llu\n", (unsigned long long)ob_miner_template_count(l->m, id));
        ob_buf_put(b, line, (size_t)k);
    }
    pthread_mutex_unlock(&l->mu);
}

struct ranked_template {
    uint32_t id;
    uint64_t count;
};

static int by_count(const void *a, const void *b)
{
    const struct ranked_template *x = a, *y = b;
    return x->count != y->count ? (x->count < y->count ? 1 : -1) : (x->id > y->id) - (x->id < y->id);
}

json_t *ob__logs_templates_json(struct serve *s, long limit)
{
    struct logs *l = s->logs;
    json_t *arr = json_array();
    if (!l || !arr)
        return arr;
    pthread_mutex_lock(&l->mu);
    uint32_t n = ob_miner_templates(l->m);
    struct ranked_template *r = malloc((n + 1) * sizeof *r);
    size_t k = 0;
    for (uint32_t id = 1; r && id <= n; id++)
        if (ob_miner_resolve(l->m, id) == id)
            r[k++] = (struct ranked_template){id, ob_miner_template_count(l->m, id)};
    if (r)
        qsort(r, k, sizeof *r, by_count);
    char text[TEMPLATE_TEXT_MAX];
    for (size_t i = 0; r && i < k && (long)i < limit; i++) {
        uint32_t id = r[i].id;
        ob_miner_template_text(l->m, id, text, sizeof text);
        const struct tinfo *t = id < l->ninfo ? &l->info[id] : NULL;
        json_array_append_new(arr, json_pack("{s:I, s:s, s:I, s:b, s:s?, s:f}", "id", (json_int_t)id, "template",
                                             text, "count", (json_int_t)r[i].count, "new",
                                             ob_miner_template_first(l->m, id) > (uint64_t)l->warmup,
                                             "example", t ? t->example : NULL, "first_seen",
                                             t ? t->first_seen : 0.0));
    }
    pthread_mutex_unlock(&l->mu);
    free(r);
    return arr;
}
