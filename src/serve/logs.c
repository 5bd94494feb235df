/* logs.c - logs in `opsbox serve`: Loki's push API in, templates out.
 *
 * POST /loki/api/v1/push (JSON, or protobuf + snappy by its Content-Type)
 * is what promtail, Grafana Alloy, Vector and
 * Fluent Bit send to Loki; pointed at opsbox, each line joins a template of
 * the one miner (src/logs). What comes out:
 *   - counts per template on /metrics and /api/v1/templates (the page),
 *     and per template and stream (the stream's labels) on /metrics, up
 *     to logs.max_stream_series pairs;
 *   - a template first seen after the warm-up is news: a signal that joins
 *     the incidents its stream's labels match;
 *   - each template's rate, every rate_interval, is a series in the
 *     registry (opsbox_log_template_lines_total{template_id="N"}), so the
 *     metric detector scores log rates like any other series.
 * The miner is saved with the models and comes back on start, with the
 * same template ids. */
#include "serve/serve_int.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/strmap.h"
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
#define STREAM_SERIES "opsbox_log_stream_lines_total"
#define EXAMPLE_MAX 300   /* bytes of a template's first line kept as its example */
#define TEMPLATE_TEXT_MAX 4096
#define TEMPLATE_LABEL_MAX 120 /* bytes of a template on /metrics: a label, not a document */

struct tinfo {
    char *example;
    double first_seen;
};

/* Lines of one template in one stream. */
struct pair {
    uint32_t id, stream;
    uint64_t count;
};

struct logs {
    pthread_mutex_t mu;
    struct ob_miner *m;
    struct ob_strmap *streams; /* a stream's labels as /metrics writes them -> index */
    char **stream_labels;
    size_t nstreams, streams_cap;
    struct ob_strmap *pair_index; /* (template id, stream index) -> index in pairs */
    struct pair *pairs;
    size_t npairs, pairs_cap;
    uint64_t unpaired;            /* lines past max_stream_series */
    struct tinfo *info;       /* by template id */
    size_t ninfo;
    long warmup;
    struct ob_logmask *mask;  /* the user's, from logs.masks */
    double next_rate;
    long max_pairs;           /* logs.max_stream_series, under mu: the pushes' own
                               * copy, set at start and on reload (ob__logs_reload) */
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
    l->max_pairs = s->cfg->logs.max_stream_series;
    l->warmup = s->cfg->logs.warmup;
    l->streams = ob_strmap_new();
    l->pair_index = ob_strmap_new();
    if (!l->streams || !l->pair_index) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
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
    for (size_t i = 0; i < l->nstreams; i++)
        free(l->stream_labels[i]);
    free(l->stream_labels);
    ob_strmap_free(l->streams);
    free(l->pairs);
    ob_strmap_free(l->pair_index);
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

/* A label name as Prometheus allows it: [a-zA-Z_][a-zA-Z0-9_]*, other
 * characters as '_'; template_id is opsbox's own, so a stream's becomes
 * exported_template_id (Prometheus's rule for clashing target labels). */
static void put_label_name(struct ob_buf *b, const char *name)
{
    if (!strcmp(name, "template_id"))
        ob_buf_put(b, "exported_", 9);
    if (!*name || (*name >= '0' && *name <= '9'))
        ob_buf_put(b, "_", 1);
    for (const char *c = name; *c; c++)
        ob_buf_put(b, ob_expfmt_name_char(*c, false) ? c : "_", 1);
}

/* The stream's labels as /metrics writes them (a="1",b="2"), malloc'd;
 * NULL when out of memory. */
static char *labels_text(const struct ob_loki_stream *st)
{
    struct ob_buf b = {0};
    for (size_t i = 0; i < st->nlabels; i++) {
        ob_buf_put(&b, ",", i > 0);
        put_label_name(&b, st->labels[i].name);
        ob_buf_put(&b, "=\"", 2);
        ob_label_escape(&b, st->labels[i].value, strlen(st->labels[i].value));
        ob_buf_put(&b, "\"", 1);
    }
    ob_buf_put(&b, "", 1); /* the NUL */
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return (char *)b.p;
}

/* The stream's index among those seen, by its labels; -1 when out of
 * memory or when there are already cap streams. */
static long stream_of(struct logs *l, const struct ob_loki_stream *st, long cap)
{
    char *text = labels_text(st);
    uint32_t k;
    if (!text)
        return -1;
    size_t len = strlen(text);
    if (ob_strmap_get(l->streams, text, len, &k)) {
        free(text);
        return (long)k;
    }
    void *arr = l->stream_labels;
    int kept = (long)l->nstreams < cap &&
               ob_grow(&arr, &l->streams_cap, l->nstreams + 1, sizeof *l->stream_labels) == 0;
    l->stream_labels = arr; /* grown or not, still the array */
    if (!kept || ob_strmap_put_ref(l->streams, text, len, (uint32_t)l->nstreams) < 0) {
        free(text);
        return -1;
    }
    l->stream_labels[l->nstreams] = text; /* the map borrows it */
    return (long)l->nstreams++;
}

/* One more line of template id in stream: counted, unless the pairs are at
 * their cap (then the line only counts as unpaired). */
static void count_pair(struct logs *l, uint32_t id, long stream, long cap)
{
    uint32_t key[2] = {id, (uint32_t)stream}, k;
    if (stream >= 0 && ob_strmap_get(l->pair_index, key, sizeof key, &k)) {
        l->pairs[k].count++;
        return;
    }
    void *arr = l->pairs;
    if (stream < 0 || (long)l->npairs >= cap ||
        ob_grow(&arr, &l->pairs_cap, l->npairs + 1, sizeof *l->pairs) < 0) {
        l->unpaired++;
        return;
    }
    l->pairs = arr;
    if (ob_strmap_put(l->pair_index, key, sizeof key, (uint32_t)l->npairs) < 0) {
        l->unpaired++;
        return;
    }
    l->pairs[l->npairs++] = (struct pair){id, (uint32_t)stream, 1};
}

static int mine(struct logs *l, const struct ob_loki_push *p, long max_pairs, struct flagged **news, size_t *nnews)
{
    double now = ob_now();
    for (size_t i = 0; i < p->nstreams; i++) {
        const struct ob_loki_stream *st = &p->streams[i];
        long stream = st->nentries ? stream_of(l, st, max_pairs) : -1;
        for (size_t j = 0; j < st->nentries; j++) {
            uint32_t before = ob_miner_templates(l->m);
            size_t len;
            const char *msg = ob_logmask_apply(l->mask, st->entries[j].line, st->entries[j].len, &len);
            uint32_t id = ob_miner_add(l->m, msg, len);
            if (!id || note_example(l, id, st->entries[j].line, st->entries[j].len, now) < 0)
                return -1;
            l->lines++;
            count_pair(l, id, stream, max_pairs);
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
    int rc = mine(l, &p, l->max_pairs, &news, &nnews);
    l->accepted += rc == 0;
    pthread_mutex_unlock(&l->mu);
    ob_loki_free(&p);
    if (nnews)
        ob__serve_post_signals(s, news, nnews);
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
    int rc = mine(l, p, l->max_pairs, &news, &nnews);
    pthread_mutex_unlock(&l->mu);
    if (nnews)
        ob__serve_post_signals(s, news, nnews);
    return rc;
}

/* SIGHUP: the pushes, on other threads, take the new limit from here on
 * (the main thread calls this after publishing the new config). */
void ob__logs_reload(struct serve *s)
{
    struct logs *l = s->logs;
    if (!l)
        return;
    pthread_mutex_lock(&l->mu);
    l->max_pairs = s->cfg->logs.max_stream_series;
    pthread_mutex_unlock(&l->mu);
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

/* Per template and stream; templates merged since are added to the one
 * they joined, so each (template, stream) is one series. */
static void put_stream_counts(struct logs *l, struct ob_expo *e)
{
    ob_expo_family(e, STREAM_SERIES, "counter", "Lines per log template and stream (its labels).");
    struct ob_strmap *seen = ob_strmap_new();
    struct pair *sum = malloc((l->npairs + 1) * sizeof *sum);
    size_t n = 0;
    for (size_t i = 0; seen && sum && i < l->npairs; i++) {
        uint32_t key[2] = {ob_miner_resolve(l->m, l->pairs[i].id), l->pairs[i].stream}, k;
        if (ob_strmap_get(seen, key, sizeof key, &k))
            sum[k].count += l->pairs[i].count;
        else if (ob_strmap_put(seen, key, sizeof key, (uint32_t)n) == 0)
            sum[n++] = (struct pair){key[0], key[1], l->pairs[i].count};
    }
    struct ob_buf labels = {0}; /* template_id first, then the stream's (escaped already) */
    for (size_t i = 0; i < n; i++) {
        char id[16];
        const char *stream = l->stream_labels[sum[i].stream];
        labels.len = 0;
        ob_buf_put(&labels, id, (size_t)snprintf(id, sizeof id, "template_id=\"%u\"", sum[i].id));
        ob_buf_put(&labels, ",", *stream != '\0');
        ob_buf_put(&labels, stream, strlen(stream));
        ob_expo_sample_escaped(e, (const char *)labels.p, labels.len, NULL, 0, (double)sum[i].count);
    }
    free(labels.p);
    free(sum);
    ob_strmap_free(seen);
    ob_expo_family(e, "opsbox_log_stream_unpaired_lines_total", "counter",
                   "Lines not counted per stream: past logs.max_stream_series.");
    ob_expo_sample_u64(e, NULL, 0, l->unpaired);
}

/* The length of text[0..n) without a UTF-8 sequence cut at its end. */
static size_t whole_utf8(const char *text, size_t n)
{
    size_t k = n, cont = 0;
    while (k > 0 && ((unsigned char)text[k - 1] & 0xC0) == 0x80 && cont < 3)
        k--, cont++;
    if (k == 0 || (unsigned char)text[k - 1] < 0xC0)
        return n; /* ASCII last, or stray continuation bytes: left as they are */
    unsigned char lead = (unsigned char)text[k - 1];
    size_t need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
    return cont >= need ? n : k - 1;
}

void ob__logs_metrics(struct serve *s, struct ob_expo *e)
{
    struct logs *l = s->logs;
    if (!l)
        return;
    char text[TEMPLATE_LABEL_MAX + 1], id[16];
    pthread_mutex_lock(&l->mu);
    uint32_t n = ob_miner_templates(l->m);
    struct ob_label accepted = ob_label_of("result", "accepted"), rejected = ob_label_of("result", "rejected");
    ob_expo_family(e, "opsbox_log_pushes_total", "counter", "Loki pushes received, by result.");
    ob_expo_sample_u64(e, &accepted, 1, l->accepted);
    ob_expo_sample_u64(e, &rejected, 1, l->rejected);
    ob_expo_single_u64(e, "opsbox_log_lines_total", "counter", "Log lines mined.", l->lines);
    ob_expo_single_u64(e, "opsbox_log_new_templates_total", "counter", "Templates first seen after the warm-up.",
                       l->news);
    put_stream_counts(l, e);
    ob_expo_family(e, RATE_SERIES, "counter", "Lines per log template.");
    for (uint32_t t = 1; t <= n; t++) {
        if (ob_miner_resolve(l->m, t) != t)
            continue;
        size_t len = ob_miner_template_text(l->m, t, text, sizeof text);
        if (len >= sizeof text) /* cut: not in the middle of a character */
            text[whole_utf8(text, sizeof text - 1)] = '\0';
        snprintf(id, sizeof id, "%u", t);
        struct ob_label lab[] = {ob_label_of("template_id", id), ob_label_of("template", text)};
        ob_expo_sample_u64(e, lab, 2, ob_miner_template_count(l->m, t));
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

json_t *ob__logs_templates_json(struct serve *s, const struct ob_http_request *req)
{
    long limit = ob__api_limit(req, 100);
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

/* The part, as the core sees it (parts[] in core.c). */
static const struct ob_serve_route push = {"/loki/api/v1/push", "POST Loki's push body (JSON) here\n", NULL,
                                           ob__logs_push};

const struct ob_serve_part ob__part_logs = {
    .name = "logs",
    .start = ob__logs_start,
    .stop = ob__logs_stop,
    .tick = ob__logs_tick,
    .reload = ob__logs_reload,
    .metrics = ob__logs_metrics,
    .lines = ob__logs_feed,
    .route = &push,
    .api_path = "/api/v1/templates",
    .api = ob__logs_templates_json,
    .save = ob__logs_save,
    .own_series = ob__logs_is_own,
};
