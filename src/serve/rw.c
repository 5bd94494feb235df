/* rw.c - remote write out: opsbox's outputs (name_<suffix>{labels,
 * value_type=yhat|yhat_lower|yhat_upper|anomaly|anomaly_score}) sent to a
 * Prometheus or VictoriaMetrics every interval, so the scores live beside
 * the data in long-term storage.
 *
 * Through a queue on disk: every interval the outputs are encoded (remote
 * write 1.0, snappy + protobuf) into numbered files; a thread sends the
 * oldest first and deletes it once the receiver took it (2xx). A receiver
 * that is down makes the queue grow, up to max_queue_files, past which the
 * oldest batches are dropped (counted): bounded, and a restart resends what
 * was queued. A 4xx other than 429 is the batch's fault: dropped, logged.
 * The queue and the sender are io/rw_queue.c; this part is the policy. */
#include "serve/serve_int.h"

#include "core/clock.h"
#include "core/log.h"
#include "io/remote_write.h"
#include "io/rw_queue.h"
#include "io/store.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_SERIES 20000 /* output series per queued file */
#define MAX_LABELS 64

struct writer {
    const struct ob_remote_write *cfg;
    char dir[4096];
    struct ob_rwq *q;
    struct ob_rw_sender *tx;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, started;
    double next;
    uint64_t sent, failed, dropped, batches;
    long queued;
};

struct rwout {
    struct ob_config *cfg;     /* held from start to stop: each w->cfg points into it */
    struct writer *w;          /* one per remote_write entry */
    size_t n;
};

/* ---- the queue ---- */

static void enqueue(struct writer *w, const void *data, size_t len)
{
    size_t queued;
    long excess = ob_rwq_push(w->q, data, len, &queued);
    if (excess < 0) {
        ob_warn("remote write %s: cannot queue a batch in %s: %s", w->cfg->url, w->dir, strerror(errno));
        return;
    }
    pthread_mutex_lock(&w->mu);
    w->batches++;
    w->dropped += (uint64_t)excess;
    w->queued = (long)queued;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* ---- producing: the outputs of every series ---- */

struct blob {
    void *data;
    size_t len;
};

struct producer {
    struct blob *out;           /* encoded batches, queued after the lock */
    size_t nout;
    struct ob_rw_series *series;
    struct ob_label *labels; /* MAX_LABELS per output series */
    char *text;                 /* names and values, 2 KiB per source series */
    char (*names)[256];
    size_t n;
};

/* A series' own value_type label goes out as exported_value_type (as on
 * /metrics): the outputs' value_type must be the only one. Keeps l sorted. */
static void rename_value_type(struct ob_label *l, int n)
{
    const char *exported = ob_label_exported_value_type(l, (size_t)n); /* not a name l has already */
    for (int i = 0; exported && i < n; i++) {
        if (strcmp(l[i].name, "value_type"))
            continue;
        struct ob_label x = l[i];
        x.name = exported;
        x.name_len = strlen(x.name);
        int j = i;
        for (; j > 0 && strcmp(l[j - 1].name, x.name) > 0; j--)
            l[j] = l[j - 1];
        l[j] = x;
    }
}

static void produce_one(struct serve *s, struct producer *p, const struct ob_series_view *v, double now)
{
    static const char *const types[] = {"yhat", "yhat_lower", "yhat_upper", "anomaly", "anomaly_score"};
    size_t slot = p->n / 5;
    char *buf = p->text + slot * 2048;
    struct ob_label l[MAX_LABELS];
    const char *name;
    int n = ob_key_split(v->key, strlen(v->key), buf, 2048, &name, l, MAX_LABELS - 1);
    if (n < 0)
        return;
    rename_value_type(l, n);
    int anomaly;
    double score;
    ob__serve_shown(v, now, &anomaly, &score);
    double values[] = {v->last.yhat, v->last.yhat_lower, v->last.yhat_upper, anomaly, score};
    snprintf(p->names[slot], sizeof p->names[slot], "%s_%s", name, s->cfg->output_suffix);
    for (int t = 0; t < 5; t++) {
        struct ob_label *ol = &p->labels[(p->n + (size_t)t) * MAX_LABELS];
        int k = 0, placed = 0;
        for (int i = 0; i < n; i++) { /* value_type, in its sorted place */
            if (!placed && strcmp(l[i].name, "value_type") > 0) {
                ol[k++] = ob_label_of("value_type", types[t]);
                placed = 1;
            }
            ol[k++] = l[i];
        }
        if (!placed)
            ol[k++] = ob_label_of("value_type", types[t]);
        p->series[p->n + (size_t)t] = (struct ob_rw_series){p->names[slot], ol, (size_t)k, v->last_ts, values[t]};
    }
    p->n += 5;
}

static void flush(struct producer *p)
{
    if (!p->n)
        return;
    void *data = NULL;
    size_t len = 0;
    struct blob *out = realloc(p->out, (p->nout + 1) * sizeof *out);
    if (out) {
        p->out = out;
        if (ob_remote_write_encode(p->series, p->n, &data, &len) == 0)
            p->out[p->nout++] = (struct blob){data, len};
    }
    p->n = 0;
}

void ob__rw_tick(struct serve *s, double now)
{
    struct rwout *o = s->rwout;
    if (!o || now < o->w[0].next)
        return;
    for (size_t i = 0; i < o->n; i++)
        o->w[i].next = now + o->w[i].cfg->interval_s;
    struct producer p = {0};
    p.series = calloc(BATCH_SERIES, sizeof *p.series);
    p.labels = calloc((size_t)BATCH_SERIES * MAX_LABELS, sizeof *p.labels);
    p.text = malloc((size_t)BATCH_SERIES / 5 * 2048);
    p.names = calloc(BATCH_SERIES / 5, sizeof *p.names);
    if (p.series && p.labels && p.text && p.names) {
        /* Encoded under the lock (the views borrow the registry's strings);
         * written to disk and sent without it. */
        pthread_mutex_lock(&s->lock);
        size_t n = ob_registry_size(s->reg);
        for (size_t i = 0; i < n; i++) {
            struct ob_series_view v = ob_registry_get(s->reg, i);
            if (v.points == 0)
                continue;
            produce_one(s, &p, &v, now);
            if (p.n + 5 > BATCH_SERIES)
                flush(&p);
        }
        flush(&p);
        pthread_mutex_unlock(&s->lock);
    }
    for (size_t b = 0; b < p.nout; b++) {
        for (size_t i = 0; i < o->n; i++)
            enqueue(&o->w[i], p.out[b].data, p.out[b].len);
        free(p.out[b].data);
    }
    free(p.out);
    free(p.series);
    free(p.labels);
    free(p.text);
    free(p.names);
}

/* ---- sending ---- */

/* POSTs one queued file: 1 sent or dropped (delete it), 0 retry later. */
static int send_file(struct writer *w, const char *name)
{
    void *data = NULL;
    size_t len = 0;
    if (ob_rwq_read(w->q, name, &data, &len) != 0)
        return 1; /* vanished or unreadable: nothing to send */
    long status;
    char why[256];
    int rc = ob_rw_send(w->tx, data, len, &status, why, sizeof why);
    free(data);
    pthread_mutex_lock(&w->mu);
    int done = rc > 0, refused = rc < 0;
    w->sent += (uint64_t)done;
    w->failed += (uint64_t)!done;
    w->dropped += (uint64_t)refused;
    pthread_mutex_unlock(&w->mu);
    if (refused)
        ob_error("remote write %s: HTTP %ld: the batch is dropped", w->cfg->url, status);
    else if (!done)
        ob_debug("remote write %s: %s", w->cfg->url, why);
    return done || refused;
}

static int wait_or_stop(struct writer *w, double seconds)
{
    struct timespec until = ob_deadline(seconds);
    pthread_mutex_lock(&w->mu);
    if (!w->stop)
        pthread_cond_timedwait(&w->cv, &w->mu, &until);
    int stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

static void *run(void *arg)
{
    struct writer *w = arg;
    double backoff = 1;
    int was_failing = 0;
    while (!wait_or_stop(w, was_failing ? backoff : 1)) {
        size_t n;
        char **names = ob_rwq_list(w->q, &n);
        size_t i = 0;
        for (; i < n; i++) {
            if (!send_file(w, names[i]))
                break;
            ob_rwq_remove(w->q, names[i]);
            pthread_mutex_lock(&w->mu);
            int stop = w->stop;
            pthread_mutex_unlock(&w->mu);
            if (stop)
                break;
        }
        int failing = i < n;
        if (failing && !was_failing)
            ob_warn("remote write %s: cannot send; %zu batches wait on disk", w->cfg->url, n - i);
        else if (!failing && was_failing)
            ob_info("remote write %s: sending again", w->cfg->url);
        backoff = failing ? fmin(was_failing ? backoff * 2 : 1, 60) : 1;
        was_failing = failing;
        pthread_mutex_lock(&w->mu);
        w->queued = (long)(n - i);
        pthread_mutex_unlock(&w->mu);
        ob_rwq_free_list(names, n);
    }
    return NULL;
}

int ob__rw_start(struct serve *s, char *err, size_t errlen)
{
    if (!s->cfg->nwrites)
        return 0;
    struct rwout *o = calloc(1, sizeof *o);
    if (!o || !(o->w = calloc(s->cfg->nwrites, sizeof *o->w))) {
        free(o);
        snprintf(err, errlen, "remote write: out of memory");
        return -1;
    }
    s->rwout = o;
    o->cfg = ob__cfg_hold(s);
    for (size_t i = 0; i < o->cfg->nwrites; i++, o->n++) {
        struct writer *w = &o->w[i];
        w->cfg = &o->cfg->writes[i];
        pthread_mutex_init(&w->mu, NULL);
        pthread_cond_init(&w->cv, NULL);
        if (w->cfg->queue_dir)
            snprintf(w->dir, sizeof w->dir, "%s", w->cfg->queue_dir);
        else /* beside the store's file; a database has none: the working folder */
            snprintf(w->dir, sizeof w->dir, "%s.rw-queue-%zu",
                     ob_store_is_url(s->cfg->store) ? "./opsbox" : s->cfg->store, i);
        char why[4400];
        if (!(w->q = ob_rwq_open(w->dir, (size_t)w->cfg->max_queue_files, why, sizeof why))) {
            snprintf(err, errlen, "remote write: %s", why);
            return -1;
        }
        size_t n = ob_rwq_resumed(w->q); /* numbering goes on after a restart */
        if (!(w->tx = ob_rw_sender_new(w->cfg->url)) || pthread_create(&w->thread, NULL, run, w) != 0) {
            snprintf(err, errlen, "remote write: cannot start its thread");
            return -1;
        }
        w->started = 1;
        ob_info("remote write: outputs to %s every %.0f s (queue %s%s)", w->cfg->url, w->cfg->interval_s, w->dir,
                n ? ", with batches from before" : "");
    }
    return 0;
}

void ob__rw_stop(struct serve *s)
{
    struct rwout *o = s->rwout;
    if (!o)
        return;
    for (size_t i = 0; i < o->n; i++) {
        struct writer *w = &o->w[i];
        if (w->started)
            ob__worker_stop(&w->mu, &w->cv, &w->stop, w->thread);
        ob_rw_sender_free(w->tx);
        ob_rwq_close(w->q);
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
    }
    free(o->w);
    ob__cfg_release(s, o->cfg);
    free(o);
    s->rwout = NULL;
}

struct rw_counts {
    double v[5]; /* batches, sent, failed, dropped, queued */
};

void ob__rw_metrics(struct serve *s, struct ob_expo *e)
{
    static const struct {
        const char *name, *type, *help;
    } fam[5] = {
        {"opsbox_remote_write_out_batches_total", "counter", "Batches of outputs made for the URL."},
        {"opsbox_remote_write_out_sent_total", "counter", "Batches the URL accepted."},
        {"opsbox_remote_write_out_failed_total", "counter", "Sends that failed (retried)."},
        {"opsbox_remote_write_out_dropped_total", "counter", "Batches dropped: refused, or the queue full."},
        {"opsbox_remote_write_out_queued_batches", "gauge", "Batches waiting on disk to be sent."},
    };
    struct rwout *o = s->rwout;
    struct rw_counts *c = o ? calloc(o->n ? o->n : 1, sizeof *c) : NULL;
    if (!c)
        return;
    for (size_t i = 0; i < o->n; i++) { /* each writer's, of one moment */
        struct writer *w = &o->w[i];
        pthread_mutex_lock(&w->mu);
        c[i] = (struct rw_counts){{(double)w->batches, (double)w->sent, (double)w->failed, (double)w->dropped,
                                   (double)w->queued}};
        pthread_mutex_unlock(&w->mu);
    }
    for (int f = 0; f < 5; f++) { /* a family's samples together */
        ob_expo_family(e, fam[f].name, fam[f].type, fam[f].help);
        for (size_t i = 0; i < o->n; i++) {
            struct ob_label url = ob_label_of("url", o->w[i].cfg->url);
            ob_expo_sample(e, &url, 1, c[i].v[f]);
        }
    }
    free(c);
}

/* The part, as the core sees it (parts[] in core.c). */
const struct ob_serve_part ob__part_rw = {
    .name = "rw",
    .start = ob__rw_start,
    .stop = ob__rw_stop,
    .tick = ob__rw_tick,
    .metrics = ob__rw_metrics,
};
