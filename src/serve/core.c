/* core.c - the daemon behind `opsbox serve` (src/cli/cmd_serve.c turns argv
 * into ob_serve_options and calls ob_serve_run). Scrapes the configured targets,
 * keeps a detector per series, and serves /metrics with the forecast, band
 * and score of every series in Prometheus anomaly detector's layout:
 *
 *   name_opsbox{labels..., value_type="yhat"|"yhat_lower"|"yhat_upper"|
 *                          "anomaly"|"anomaly_score"}
 *
 * Models are saved to the store every snapshot_interval and on SIGTERM, and
 * come back before the first scrape, so a restart keeps what was learned;
 * kill -9 loses at most one interval.
 *
 * Threads: the main thread runs the scrape loop; libmicrohttpd answers
 * requests on its own thread. One mutex guards the registry and counters.
 * The threads start with SIGTERM, SIGINT and SIGHUP blocked, so the
 * handler runs on the main thread, which acts on its flags between polls. */
#include "serve/serve.h"
#include "serve/serve_int.h"

#include "core/asset.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/strmap.h"
#include "io/config.h"
#include "io/expfmt.h"
#include "io/httpd.h"
#include "io/remote_write.h"
#include "io/webconfig.h"
#include "io/scrape.h"
#include "io/shard.h"
#include "io/statefile.h"
#include "io/store.h"
#include "metrics/registry.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The web page, embedded (web_assets.c, written by cmake/embed.cmake). */
extern const struct ob_asset ob_web_assets[];
extern const unsigned ob_web_nassets;

/* Set by the handler, read by the main loop. Atomics, not only
 * sig_atomic_t: the handler may run on a thread the daemon does not own
 * (libcurl's resolver, started from the main thread); lock-free, so safe
 * in a handler. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the signal flags must be lock-free");
static atomic_int stop_requested, reload_requested;

static void on_signal(int sig)
{
    int saved = errno; /* the interrupted code may be about to read it */
    atomic_store(sig == SIGHUP ? &reload_requested : &stop_requested, 1);
    errno = saved;
}

/* Blocks SIGTERM, SIGINT and SIGHUP in the calling thread, so that the
 * threads it starts now inherit the mask and never run the handler; the
 * main thread gets them back with unblock_signals. */
static void block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void unblock_signals(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

static size_t target_index(const struct serve *s, const struct ob_scrape_result *r)
{
    size_t base = 0;
    for (size_t i = 0; i < s->cfg->nscrapes; i++) {
        const struct ob_scrape_config *sc = &s->cfg->scrapes[i];
        if (sc == r->job)
            return base + (size_t)(r->target - sc->targets);
        base += sc->ntargets;
    }
    return 0;
}

static void put_str(struct ob_buf *b, const char *s)
{
    ob_buf_put(b, s, strlen(s));
}

void ob__worker_stop(pthread_mutex_t *mu, pthread_cond_t *cv, int *stop, pthread_t thread)
{
    pthread_mutex_lock(mu);
    *stop = 1;
    if (cv)
        pthread_cond_signal(cv);
    pthread_mutex_unlock(mu);
    pthread_join(thread, NULL);
}


static bool has_label(const struct ob_label *l, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (l[i].name_len == strlen(name) && !memcmp(l[i].name, name, l[i].name_len))
            return true;
    return false;
}

/* The sample's labels, then the target's, job and instance (a label the
 * sample already has wins, as with honor_labels), sorted by name. */
static int gather_labels(const struct serve *s, const struct ob_sample *smp, struct ob_label *l)
{
    const struct ob_scrape_result *r = s->current;
    int n = 0;
    for (int i = 0; i < smp->nlabels; i++)
        l[n++] = smp->labels[i];
    for (size_t i = 0; i < r->target->nlabels && n < OB_EXPFMT_MAX_LABELS; i++)
        if (!has_label(l, n, r->target->labels[i].name))
            l[n++] = ob_label_of(r->target->labels[i].name, r->target->labels[i].value);
    if (n < OB_EXPFMT_MAX_LABELS && !has_label(l, n, "job"))
        l[n++] = (struct ob_label){"job", r->job->job_name, 3, strlen(r->job->job_name)};
    if (n < OB_EXPFMT_MAX_LABELS && !has_label(l, n, "instance"))
        l[n++] = (struct ob_label){"instance", r->target->address, 8, strlen(r->target->address)};
    qsort(l, (size_t)n, sizeof *l, ob_label_by_name);
    return n;
}

/* name ends with "_" + the output suffix: one of opsbox's own outputs. */
static bool is_output(const struct serve *s, const char *name, size_t n)
{
    size_t k = strlen(s->cfg->output_suffix);
    return n > k + 1 && name[n - k - 1] == '_' && !memcmp(name + n - k, s->cfg->output_suffix, k);
}

#define FLAGGED_MAX 1000 /* per scrape: a storm of flags is one signal too many */

/* Keeps a flagged series for the incidents, handed over after the scrape;
 * its labels come back out of its key. */
static void note_flagged(struct serve *s, const char *key, size_t len)
{
    if (s->nflagged >= FLAGGED_MAX)
        return;
    struct flagged *f = realloc(s->flagged, (s->nflagged + 1) * sizeof *f);
    if (!f)
        return;
    s->flagged = f;
    f = &s->flagged[s->nflagged];
    memset(f, 0, sizeof *f);
    f->kind = OB_MEMBER_ANOMALY;
    f->key = strndup(key, len);
    char *buf = malloc(len + 1);
    struct ob_label l[OB_KEY_MAX_LABELS];
    const char *name;
    int n = f->key && buf ? ob_key_split(f->key, len, buf, len + 1, &name, l, OB_KEY_MAX_LABELS) : -1;
    f->labels = n >= 0 ? calloc((size_t)n + 1, sizeof *f->labels) : NULL;
    for (int i = 0; f->labels && i < n; i++) {
        f->labels[i].name = strdup(l[i].name);
        f->labels[i].value = strdup(l[i].value);
        f->nlabels = (size_t)i + 1;
        if (!f->labels[i].name || !f->labels[i].value)
            break;
    }
    free(buf);
    if (!f->key || !f->labels || f->nlabels != (size_t)n) {
        for (size_t i = 0; f->labels && i < f->nlabels; i++) {
            free(f->labels[i].name);
            free(f->labels[i].value);
        }
        free(f->labels);
        free(f->key);
        return;
    }
    s->nflagged++;
}


/* Scores the point model_point left waiting for its model to reach the
 * cache. */
void ob__serve_flush(struct serve *s)
{
    struct pending_point *p = &s->pending;
    if (!p->waiting)
        return;
    p->waiting = false;
    int rc = p->counter ? ob_registry_observe_counter_prepared(s->reg, p->handle, p->ts, p->value)
                        : ob_registry_observe_prepared(s->reg, p->handle, p->ts, p->value);
    if (rc >= 0)
        s->points++;
    if (rc == 1)
        note_flagged(s, (const char *)p->key.p, p->key.len);
}

/* One point of series name{l...} (labels sorted by name), from a scrape or
 * a remote write: its key, its shard, its model. Called with s->lock. The
 * point waits while the next one is found (ob__serve_flush scores the
 * last), so one model's trip from memory overlaps another's scoring. */
static void model_point(struct serve *s, const char *name, size_t name_len, const struct ob_label *l, size_t n,
                        double ts, double value)
{
    /* Scraping an opsbox (itself, or a peer) must not model its forecasts:
     * each would grow five more series, which would grow five more... */
    if (is_output(s, name, name_len) || ob__serve_own_series(name, name_len))
        return; /* template rates: modelled from the miner directly */
    struct ob_buf *k = &s->key;
    k->len = 0;
    ob_key_build(k, name, name_len, l, n);
    if (s->shards > 1 && !k->failed && ob_shard_of((char *)k->p, k->len, s->shards) != s->shard) {
        s->skipped++;
        return;
    }
    if (k->failed || !(value == value) || value - value != 0)
        return; /* NaN and Inf are not points a model can learn */
    long h = ob_registry_prepare(s->reg, (char *)k->p, k->len, name_len);
    if (h < 0)
        return;
    ob__serve_flush(s);
    struct ob_buf spare = s->pending.key; /* the new key waits; its buffer is reused */
    s->pending = (struct pending_point){.key = s->key, .handle = h, .waiting = true,
                                        .counter = ob_metric_is_counter(name, name_len), .ts = ts, .value = value};
    s->key = spare;
}

static int on_sample(void *arg, const struct ob_sample *smp)
{
    struct serve *s = arg;
    struct ob_label l[OB_EXPFMT_MAX_LABELS + 8];
    int n = gather_labels(s, smp, l);
    double ts = smp->has_timestamp ? (double)smp->timestamp_ms / 1000.0 : s->current->started;
    model_point(s, smp->name, smp->name_len, l, (size_t)n, ts, smp->value);
    return 0;
}

void ob__serve_point(struct serve *s, const char *name, const struct ob_label *labels, size_t nlabels,
                     double ts, double value)
{
    model_point(s, name, strlen(name), labels, nlabels < 256 ? nlabels : 256, ts, value);
}

static int on_written(void *arg, const char *name, const struct ob_label *labels, size_t nlabels, double ts,
                      double value)
{
    struct serve *s = arg;
    ob__serve_point(s, name, labels, nlabels, ts, value);
    s->written++;
    return 0;
}

/* POST /api/v1/write: Prometheus remote write 1.0. All or nothing: the
 * body is decoded and checked whole before its samples are modelled. */
static int remote_write(struct serve *s, const struct ob_http_request *req, struct ob_buf *body)
{
    char err[512];
    long dropped;
    pthread_mutex_lock(&s->lock);
    long n = ob_remote_write_decode(req->body, req->body_len, on_written, s, &dropped, err, sizeof err);
    s->write_invalid += n >= 0 ? (uint64_t)dropped : 0;
    ob__serve_flush(s);
    s->writes += n >= 0;
    s->write_errors += n < 0;
    pthread_mutex_unlock(&s->lock);
    ob__serve_signals(s);
    if (n < 0) {
        ob_warn("remote write refused: %s", err);
        put_str(body, "bad remote write: ");
        put_str(body, err);
        put_str(body, "\n");
        return 400;
    }
    return 204;
}

static void on_scrape(void *arg, const struct ob_scrape_result *r)
{
    struct serve *s = arg;
    char err[256];
    pthread_mutex_lock(&s->lock);
    struct target_stat *st = &s->stats[target_index(s, r)];
    int was_up = st->up, first = !st->seen;
    s->scrapes++;
    st->scrapes++;
    st->seen = 1;
    st->duration = r->duration;
    st->last = r->started;
    s->current = r;
    double t0 = ob_now();
    long got = r->ok ? ob_expfmt_parse(r->body, r->len, on_sample, s, err, sizeof err) : -1;
    ob__serve_flush(s);
    st->processing = ob_now() - t0;
    st->samples = got;
    st->up = got >= 0;
    if (!st->up)
        st->errors++;
    pthread_mutex_unlock(&s->lock);
    ob__serve_signals(s);
    if (!st->up && (was_up || first))
        ob_warn("scrape %s (%s) failed: %s", r->target->address, r->job->job_name,
                r->ok ? err : r->error);
    else if (st->up && !was_up && !first)
        ob_info("scrape %s (%s) is back", r->target->address, r->job->job_name);
}

static int save_one(void *arg, const char *key, size_t key_len, const void *blob, size_t len)
{
    struct serve *s = arg;
    return ob_store_put_model(s->store, key, key_len, blob, len, ob_now());
}

/* Every model, in one transaction: a crash mid-way keeps the last whole one. */
static void snapshot(struct serve *s)
{
    double t0 = ob_now();
    pthread_mutex_lock(&s->lock);
    size_t n = ob_registry_size(s->reg);
    int rc = ob_store_begin(s->store);
    if (rc == 0) {
        rc = ob_store_clear_models(s->store);
        if (rc == 0)
            rc = ob_registry_each_model(s->reg, save_one, s);
        if (rc == 0)
            rc = ob__serve_part_save(s, ob_now()); /* the miner, and the journal's cursor */
        if (rc == 0)
            rc = ob_store_commit(s->store);
        else
            ob_store_rollback(s->store);
    }
    s->snapshots++;
    s->snapshot_errors += rc != 0;
    s->snapshot_seconds = ob_now() - t0;
    pthread_mutex_unlock(&s->lock);
    if (rc != 0)
        ob_error("saving %zu models to %s failed: %s", n, s->cfg->store, ob_store_error(s->store));
    else
        ob_debug("saved %zu models in %.3f s", n, s->snapshot_seconds);
}

/* Series a target stopped exposing go after the staleness period, as
 * Prometheus marks them stale: their models would only take memory. */
static void drop_stale(struct serve *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = ob_registry_drop_unseen(s->reg, ob_now() - s->cfg->staleness_s);
    s->stale_dropped += n;
    pthread_mutex_unlock(&s->lock);
    if (n)
        ob_info("dropped %zu series not seen for %.0f s", n, s->cfg->staleness_s);
}

static int restore_one(void *arg, const char *key, size_t key_len, const void *blob, size_t len)
{
    struct serve *s = arg;
    if (s->shards > 1 && ob_shard_of(key, key_len, s->shards) != s->shard)
        return 1; /* another replica's, in a shared store */
    if (ob_registry_restore(s->reg, key, key_len, blob, len, ob_now()) < 0) {
        if (s->unloadable++ == 0) /* after an upgrade, all of them: say it once */
            ob_warn("model of %.*s in the store is not one this opsbox can load (saved by another "
                    "version?); it starts over", (int)key_len, key);
        return -1;
    }
    return 0;
}

/* Per scrape target: {job, instance} and the stat f picks. */
static void put_targets(struct serve *s, struct ob_expo *e, const char *name, const char *type, const char *help,
                        double (*f)(const struct target_stat *))
{
    ob_expo_family(e, name, type, help);
    size_t i = 0;
    for (size_t j = 0; j < s->cfg->nscrapes; j++)
        for (size_t t = 0; t < s->cfg->scrapes[j].ntargets; t++, i++) {
            struct ob_label l[] = {ob_label_of("job", s->cfg->scrapes[j].job_name),
                                   ob_label_of("instance", s->cfg->scrapes[j].targets[t].address)};
            ob_expo_sample(e, l, 2, f(&s->stats[i]));
        }
}

static double stat_up(const struct target_stat *t) { return t->up; }
static double stat_duration(const struct target_stat *t) { return t->duration; }
static double stat_errors(const struct target_stat *t) { return (double)t->errors; }
static double stat_processing(const struct target_stat *t) { return t->processing; }
static double stat_samples(const struct target_stat *t) { return (double)t->samples; }
static double stat_scrapes(const struct target_stat *t) { return (double)t->scrapes; }

static void put_self(struct serve *s, struct ob_expo *e)
{
    struct ob_label version = ob_label_of("version", OB_VERSION);
    ob_expo_family(e, "opsbox_build_info", "gauge", "opsbox's version.");
    ob_expo_sample(e, &version, 1, 1);
    ob_expo_single(e, "opsbox_series_models", "gauge", "Series with a model.", (double)ob_registry_size(s->reg));
    ob_expo_single(e, "opsbox_series_dropped_stale_total", "counter", "Series dropped after the staleness period.",
                   (double)s->stale_dropped);
    ob_expo_single(e, "opsbox_points_ingested_total", "counter", "Points modelled.", (double)s->points);
    ob_expo_single(e, "opsbox_shard_skipped_samples_total", "counter", "Samples of series other shards own.",
                   (double)s->skipped);
    ob_expo_single(e, "opsbox_scrapes_total", "counter", "Scrapes of all targets.", (double)s->scrapes);
    struct ob_label accepted = ob_label_of("result", "accepted"), refused = ob_label_of("result", "refused");
    ob_expo_family(e, "opsbox_remote_write_requests_total", "counter", "Remote write requests, by result.");
    ob_expo_sample(e, &accepted, 1, (double)s->writes);
    ob_expo_sample(e, &refused, 1, (double)s->write_errors);
    ob_expo_single(e, "opsbox_remote_write_samples_total", "counter", "Samples received by remote write.",
                   (double)s->written);
    ob_expo_single(e, "opsbox_remote_write_invalid_labels_samples_total", "counter",
                   "Samples of remote-written series left out: a metric or label name outside the text format's "
                   "grammar, a label value not UTF-8, or a label name twice.",
                   (double)s->write_invalid);
    ob_expo_single(e, "opsbox_store_snapshots_total", "counter", "Snapshots of the models to the store.",
                   (double)s->snapshots);
    ob_expo_single(e, "opsbox_store_snapshot_errors_total", "counter", "Snapshots that failed.",
                   (double)s->snapshot_errors);
    ob_expo_single(e, "opsbox_store_snapshot_seconds", "gauge", "How long the last snapshot took.", s->snapshot_seconds);
    put_targets(s, e, "opsbox_target_up", "gauge", "1 when the target's last scrape worked.", stat_up);
    put_targets(s, e, "opsbox_scrape_duration_seconds", "gauge", "How long the target's last scrape took.",
                stat_duration);
    put_targets(s, e, "opsbox_scrape_errors_total", "counter", "Failed scrapes of the target.", stat_errors);
    put_targets(s, e, "opsbox_scrape_processing_seconds", "gauge", "Parsing and scoring the last scrape.",
                stat_processing);
    put_targets(s, e, "opsbox_scrape_samples", "gauge", "Samples in the target's last scrape.", stat_samples);
    put_targets(s, e, "opsbox_target_scrapes_total", "counter", "Scrapes of the target.", stat_scrapes);
}

/* One output line: name_suffix{labels,value_type="kind"} value. */
static void put_output(struct ob_expo *e, const struct ob_series_view *v, const char *kind, double value)
{
    const char *labels = v->key + v->name_len + 1; /* after '{' */
    struct ob_label type = ob_label_of("value_type", kind);
    ob_expo_sample_escaped(e, labels, strlen(labels) - 1 /* without '}' */, &type, 1, value);
}

struct by_family {
    const char *key;
    size_t name_len, index;
};

static int family_order(const void *a, const void *b)
{
    const struct by_family *x = a, *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->key, y->key, n);
    if (!c)
        c = (x->name_len > y->name_len) - (x->name_len < y->name_len);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* The outputs of a series with a value_type label of its own (opsbox's
 * prices, scraped back): that one becomes exported_value_type (with one
 * more exported_ while the series has that name too), as Prometheus renames a target's label that clashes, since a sample with
 * two value_type labels would make the whole of /metrics unreadable. 0, or
 * -1 when the series has no such label after all. */
static int put_renamed(struct ob_expo *e, const struct ob_series_view *v, const char *const kinds[5],
                       const double values[5])
{
    size_t len = strlen(v->key);
    char *buf = malloc(len + 1);
    struct ob_label l[OB_KEY_MAX_LABELS + 1];
    const char *name;
    int n = buf ? ob_key_split(v->key, len, buf, len + 1, &name, l, OB_KEY_MAX_LABELS) : -1, clash = 0;
    const char *exported = n > 0 ? ob_label_exported_value_type(l, (size_t)n) : NULL;
    for (int i = 0; exported && i < n; i++)
        if (l[i].name_len == 10 && !memcmp(l[i].name, "value_type", 10)) {
            l[i].name = exported;
            l[i].name_len = strlen(exported);
            clash = 1;
        }
    for (int t = 0; clash && t < 5; t++) {
        l[n] = ob_label_of("value_type", kinds[t]);
        ob_expo_sample(e, l, (size_t)n + 1, values[t]);
    }
    free(buf);
    return clash ? 0 : -1;
}

/* One series' five outputs, in its family name_suffix. */
static void put_one_series(struct serve *s, struct ob_expo *e, struct ob_buf *name, size_t i, double now)
{
    static const char *const kinds[5] = {"yhat", "yhat_lower", "yhat_upper", "anomaly", "anomaly_score"};
    struct ob_series_view v = ob_registry_get(s->reg, i);
    int anomaly;
    double score;
    ob__serve_shown(&v, now, &anomaly, &score);
    const double values[5] = {v.last.yhat, v.last.yhat_lower, v.last.yhat_upper, anomaly, score};
    name->len = 0;
    ob_buf_put(name, v.key, v.name_len);
    ob_buf_put(name, "_", 1);
    ob_buf_put(name, s->cfg->output_suffix, strlen(s->cfg->output_suffix));
    ob_expo_family_n(e, (const char *)name->p, name->len, "gauge",
                     "opsbox's forecast of the series (value_type yhat, with its band yhat_lower and "
                     "yhat_upper), its flag (anomaly) and its anomaly_score.");
    if (strstr(v.key + v.name_len, "value_type=\"") && put_renamed(e, &v, kinds, values) == 0)
        return;
    for (int t = 0; t < 5; t++)
        put_output(e, &v, kinds[t], values[t]);
}

/* Whether the registry's order keeps each name's series together (the
 * usual case: a scrape lists a family's samples in a row); one look-up
 * per change of name. */
static bool grouped_already(const struct ob_registry *reg)
{
    struct ob_strmap *seen = ob_strmap_new();
    const char *prev = NULL;
    size_t prev_len = 0;
    bool grouped = seen != NULL;
    for (size_t i = 0; grouped && i < ob_registry_size(reg); i++) {
        struct ob_series_view v = ob_registry_get(reg, i);
        if (v.points == 0 || (prev && v.name_len == prev_len && !memcmp(v.key, prev, prev_len)))
            continue;
        uint32_t ignored;
        grouped = !ob_strmap_get(seen, v.key, v.name_len, &ignored) &&
                  ob_strmap_put(seen, v.key, v.name_len, 0) == 0;
        prev = v.key;
        prev_len = v.name_len;
    }
    ob_strmap_free(seen);
    return grouped;
}

/* Every modelled series, grouped by name as the format wants a family:
 * in the registry's order when that keeps them together, else sorted. */
static void put_series(struct serve *s, struct ob_expo *e)
{
    double now = ob_now();
    size_t total = ob_registry_size(s->reg), n = 0;
    struct by_family *order = grouped_already(s->reg) ? NULL : malloc((total ? total : 1) * sizeof *order);
    struct ob_buf name = {0};
    for (size_t i = 0; i < total; i++) {
        struct ob_series_view v = ob_registry_get(s->reg, i);
        if (v.points == 0)
            continue; /* a counter with only its baseline so far */
        if (!order)
            put_one_series(s, e, &name, i, now); /* grouped already, or no memory to sort */
        else
            order[n++] = (struct by_family){v.key, v.name_len, i};
    }
    if (order) {
        qsort(order, n, sizeof *order, family_order);
        for (size_t i = 0; i < n; i++)
            put_one_series(s, e, &name, order[i].index, now);
    }
    free(order);
    free(name.p);
}

/* The parts, in the order they start; they stop in reverse, also when a
 * start fails half way, so no thread outlives the lock and registry. Their
 * metrics go on /metrics in this order too. */
static const struct ob_serve_part *const parts[] = {
    &ob__part_alerts, &ob__part_tracker, &ob__part_logs, &ob__part_disks, &ob__part_prices,
    &ob__part_ci,     &ob__part_query,   &ob__part_rw,   &ob__part_journal,
};
#define NPARTS (sizeof parts / sizeof *parts)
const struct ob_serve_part *const *const ob__parts = parts; /* for route.c */
const size_t ob__nparts = NPARTS;

static int handle(void *arg, const struct ob_http_request *req, struct ob_buf *body, const char **type)
{
    struct serve *s = arg;
    const char *method = req->method, *path = req->path;
    if (!strcmp(path, "/api/v1/write")) {
        if (strcmp(method, "POST")) {
            put_str(body, "POST a remote write 1.0 body (snappy, protobuf) here\n");
            return 405;
        }
        return remote_write(s, req, body);
    }
    const struct ob_serve_route *route = ob__serve_route(path); /* a part's own */
    if (route) {
        if (strcmp(method, "POST")) {
            put_str(body, route->usage);
            return 405;
        }
        if (route->type)
            *type = route->type;
        return route->post(s, req, body);
    }
    if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
        put_str(body, "only GET and HEAD\n");
        return 405;
    }
    if (!strcmp(path, "/metrics")) {
        *type = "text/plain; version=0.0.4; charset=utf-8";
        struct ob_expo e = ob_expo_on(body);
        pthread_mutex_lock(&s->lock);
        put_self(s, &e);
        put_series(s, &e);
        pthread_mutex_unlock(&s->lock);
        for (size_t i = 0; i < NPARTS; i++)
            if (parts[i]->metrics)
                parts[i]->metrics(s, &e);
        ob_expo_done(&e);
        return 200;
    }
    if (!strncmp(path, "/api/", 5)) {
        *type = "application/json";
        pthread_mutex_lock(&s->lock);
        int status = ob__serve_api(s, req, body, ob_now());
        pthread_mutex_unlock(&s->lock);
        return status;
    }
    if (!strcmp(path, "/-/healthy") || !strcmp(path, "/-/ready")) {
        put_str(body, "OK\n");
        return 200;
    }
    for (unsigned i = 0; i < ob_web_nassets; i++)
        if (!strcmp(path, ob_web_assets[i].path)) { /* the page, embedded */
            *type = ob_web_assets[i].content_type;
            ob_buf_put(body, ob_web_assets[i].data, ob_web_assets[i].len);
            return 200;
        }
    put_str(body, "not found\n");
    return 404;
}

/* Without --config: the local node_exporter and opsbox itself, every 15 s,
 * so a fresh install has something to learn from at once. (Not itself
 * behind a web config: its scraper speaks neither TLS nor basic auth.) */
static struct ob_config *embedded_default(const char *listen, int self)
{
    char text[1024], err[256];
    snprintf(text, sizeof text,
             "listen: '%s'\n"
             "global: {scrape_interval: 15s, scrape_timeout: 10s}\n"
             "scrape_configs:\n"
             "  - job_name: node\n"
             "    static_configs: [{targets: ['127.0.0.1:9100']}]\n"
             "%s%s%s",
             listen, self ? "  - job_name: opsbox\n    static_configs: [{targets: ['" : "", self ? listen : "",
             self ? "']}]\n" : "");
    struct ob_config *c = ob_config_parse(text, strlen(text), "embedded default", err, sizeof err);
    if (!c)
        fprintf(stderr, "opsbox serve: %s\n", err);
    return c;
}

#define CONFIG_MAX ((size_t)16 << 20) /* a config larger than this is a mistake */

/* The config file's folder: file_sd_configs' relative paths start there. */
static void config_dir(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, cap, ".");
    else
        snprintf(dir, cap, "%.*s", (int)(slash == path ? 1 : slash - path), path);
}

static struct ob_config *load_config(const char *path, const char *listen, int self, int *rc)
{
    if (!path)
        return embedded_default(listen ? listen : "127.0.0.1:9393", self);
    void *text = NULL;
    size_t len = 0;
    int got = ob_statefile_read(path, CONFIG_MAX, &text, &len);
    if (got != 0) {
        fprintf(stderr, "opsbox serve: --config %s: %s\n", path, strerror(got > 0 ? ENOENT : errno));
        *rc = OB_SERVE_USAGE;
        return NULL;
    }
    char err[512];
    struct ob_config *c = ob_config_parse(text, len, path, err, sizeof err);
    free(text);
    char dir[4096];
    config_dir(path, dir, sizeof dir);
    if (c && ob_config_load_file_sd(c, dir, err, sizeof err) < 0) {
        ob_config_free(c);
        c = NULL;
    }
    if (!c) {
        fprintf(stderr, "opsbox serve: %s\n", err);
        *rc = OB_SERVE_USAGE;
    }
    return c;
}

static size_t count_targets(const struct ob_config *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nscrapes; i++)
        n += c->scrapes[i].ntargets;
    return n;
}

/* Stats of targets that stay (same job and address) carry over a reload,
 * so a target already known to be down is not announced again. */
static void carry_stats(const struct ob_config *old, const struct target_stat *olds,
                        const struct ob_config *next, struct target_stat *nexts)
{
    size_t ni = 0;
    for (size_t j = 0; j < next->nscrapes; j++)
        for (size_t t = 0; t < next->scrapes[j].ntargets; t++, ni++) {
            size_t oi = 0;
            for (size_t k = 0; k < old->nscrapes; k++)
                for (size_t u = 0; u < old->scrapes[k].ntargets; u++, oi++)
                    if (!strcmp(old->scrapes[k].job_name, next->scrapes[j].job_name) &&
                        !strcmp(old->scrapes[k].targets[u].address, next->scrapes[j].targets[t].address))
                        nexts[ni] = olds[oi];
        }
}

struct ob_config *ob__cfg_hold(struct serve *s)
{
    pthread_mutex_lock(&s->lock);
    struct ob_config *c = s->cfg;
    c->holds++;
    pthread_mutex_unlock(&s->lock);
    return c;
}

void ob__cfg_release(struct serve *s, struct ob_config *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&s->lock);
    int last = --c->holds == 0 && c != s->cfg;
    pthread_mutex_unlock(&s->lock);
    if (last)
        ob_config_free(c);
}

/* SIGHUP, or file_sd files that changed: read the config again and scrape
 * what it says from now on. The models stay; listen and store keep their
 * values until a restart, and so do the alerts:, github:, query_sources:
 * and remote_write: sections: their parts hold the config they started
 * with (ob__cfg_hold) and never read the new one. The new config is
 * published whole, under s->lock. A bad file is logged and the running
 * config kept. */
static void reload_config(struct serve *s, struct ob_scraper **sc, const char *why)
{
    int rc = 0;
    if (!s->config_path) {
        ob_warn("%s: no --config to read again; nothing changes", why);
        return;
    }
    struct ob_config *next = load_config(s->config_path, NULL, 1, &rc);
    struct target_stat *stats = next ? calloc(count_targets(next) + 1, sizeof *stats) : NULL;
    struct ob_scraper *nsc = stats ? ob_scraper_new(next) : NULL;
    if (!nsc) {
        ob_error("%s: keeping the running config (%s)", why, next ? "out of memory" : "see above");
        free(stats);
        ob_config_free(next);
        return;
    }
    if (strcmp(next->listen, s->cfg->listen) || strcmp(next->store, s->cfg->store))
        ob_warn("%s: listen and store change only on restart", why); /* alerts and github too */
    free(next->listen);
    free(next->store);
    next->listen = strdup(s->cfg->listen);
    next->store = strdup(s->cfg->store);
    ob_scraper_free(*sc);
    *sc = nsc;
    pthread_mutex_lock(&s->lock);
    struct ob_config *old = s->cfg;
    carry_stats(old, s->stats, next, stats);
    free(s->stats);
    s->cfg = next;
    s->stats = stats;
    ob_registry_set_history(s->reg, (uint32_t)next->history_points);
    ob_registry_apply_params(s->reg); /* the metrics: section may have changed */
    int unheld = old->holds == 0; /* else its last holder frees it */
    pthread_mutex_unlock(&s->lock);
    if (unheld)
        ob_config_free(old);
    for (size_t i = 0; i < NPARTS; i++)
        if (parts[i]->reload)
            parts[i]->reload(s);
    ob_info("%s: %s read again: %zu targets in %zu jobs", why, s->config_path, count_targets(next),
            next->nscrapes);
}

/* A part's reload may start its thread again: with the signals blocked. */
static void reload(struct serve *s, struct ob_scraper **sc, const char *why)
{
    sigset_t old;
    block_signals(&old);
    reload_config(s, sc, why);
    unblock_signals(&old);
}

static void stop_parts(struct serve *s, size_t started)
{
    while (started--)
        parts[started]->stop(s);
}

/* Starts every part; on a failure says why, stops those started and
 * returns -1. A part that fails to start leaves what it made for its stop. */
static int start_parts(struct serve *s)
{
    char err[512];
    for (size_t i = 0; i < NPARTS; i++)
        if (parts[i]->start(s, err, sizeof err) < 0) {
            fprintf(stderr, "opsbox serve: %s\n", err);
            stop_parts(s, i + 1);
            return -1;
        }
    return 0;
}

/* The registry's size for a log line: the query and remote-write threads
 * add series while the main loop runs, so it is read under s->lock. */
static size_t models_now(struct serve *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = ob_registry_size(s->reg);
    pthread_mutex_unlock(&s->lock);
    return n;
}

static int run_daemon(struct serve *s)
{
    char err[512];
    sigset_t old; /* every thread started here leaves the signals to this one */
    block_signals(&old);
    if (start_parts(s) < 0) {
        unblock_signals(&old);
        return OB_SERVE_FAILURE;
    }
    struct ob_scraper *sc = ob_scraper_new(s->cfg);
    struct ob_httpd *h = sc ? ob_httpd_start(s->cfg->listen, handle, s, s->web, err, sizeof err) : NULL;
    unblock_signals(&old);
    if (!h) {
        fprintf(stderr, "opsbox serve: %s\n", sc ? err : "cannot start the scraper (libcurl)");
        ob_scraper_free(sc);
        stop_parts(s, NPARTS);
        return OB_SERVE_FAILURE;
    }
    ob_info("listening on %s (port %d); %zu targets in %zu jobs; %zu models from %s", s->cfg->listen,
            ob_httpd_port(h), count_targets(s->cfg), s->cfg->nscrapes, models_now(s),
            s->cfg->store);
    ob_info("forecasts, bands and scores: http://%s/metrics", s->cfg->listen);
    int rc = OB_SERVE_OK;
    double next_snapshot = ob_now() + s->cfg->snapshot_s, next_stale_check = ob_now() + 1.0;
    double next_sd_check = 0;
    unsigned long long sd_stamp = 0;
    if (s->config_path) {
        char dir[4096];
        config_dir(s->config_path, dir, sizeof dir);
        sd_stamp = ob_config_file_sd_stamp(s->cfg, dir);
    }
    while (!atomic_load(&stop_requested)) {
        if (atomic_exchange(&reload_requested, 0)) {
            reload(s, &sc, "SIGHUP");
        }
        if (ob_scraper_poll(sc, 200, on_scrape, s) < 0) {
            ob_error("scrape loop failed (libcurl)");
            rc = OB_SERVE_FAILURE;
            break;
        }
        if (ob_now() >= next_stale_check) {
            drop_stale(s);
            ob_store_checkpoint(s->store); /* the receiver's WAL, off its path */
            next_stale_check = ob_now() + 1.0;
        }
        if (s->config_path && ob_config_file_sd_refresh(s->cfg) > 0 && ob_now() >= next_sd_check) {
            char dir[4096];
            config_dir(s->config_path, dir, sizeof dir);
            unsigned long long stamp = ob_config_file_sd_stamp(s->cfg, dir);
            if (stamp != sd_stamp) {
                sd_stamp = stamp;
                reload(s, &sc, "file_sd_configs changed");
            }
            next_sd_check = ob_now() + ob_config_file_sd_refresh(s->cfg);
        }
        for (size_t i = 0; i < NPARTS; i++)
            if (parts[i]->tick)
                parts[i]->tick(s, ob_now());
        if (ob_now() >= next_snapshot) {
            snapshot(s);
            next_snapshot = ob_now() + s->cfg->snapshot_s;
        }
    }
    ob_info("stopping: saving %zu models", models_now(s));
    ob__serve_part_pause(s); /* before the last snapshot: nothing mined after it */
    snapshot(s);
    ob_httpd_stop(h);
    ob_scraper_free(sc);
    stop_parts(s, NPARTS);
    return rc;
}

int ob_serve_run(const struct ob_serve_options *o)
{
    const char *config = o->config, *listen = o->listen, *store = o->store, *webconfig = o->webconfig;
    uint64_t shard = o->shard, shards = o->shards ? o->shards : 1;
    int rc = OB_SERVE_OK;
    struct serve s = {.config_path = config, .shard = shard, .shards = shards, .started = ob_now()};
    char werr[512];
    if (webconfig && !(s.web = ob_webconfig_load(webconfig, werr, sizeof werr))) {
        fprintf(stderr, "opsbox serve: --web.config.file %s\n", werr);
        return OB_SERVE_USAGE;
    }
    if (!(s.cfg = load_config(config, listen, !s.web, &rc))) {
        ob_webconfig_free(s.web);
        return rc ? rc : OB_SERVE_FAILURE;
    }
    if (listen) {
        free(s.cfg->listen);
        s.cfg->listen = strdup(listen);
    }
    if (store) {
        free(s.cfg->store);
        s.cfg->store = strdup(store);
    }
    s.reg = ob_registry_new(NULL);
    if (s.reg) {
        ob_registry_set_history(s.reg, (uint32_t)s.cfg->history_points);
        ob_registry_set_params_fn(s.reg, ob__series_params, &s);
    }
    s.stats = calloc(count_targets(s.cfg) + 1, sizeof *s.stats);
    char err[512];
    if (s.reg && !(s.store = ob_store_connect(s.cfg->store, s.cfg->store_password_file, err, sizeof err))) {
        fprintf(stderr, "opsbox serve: %s\n", err);
        ob_registry_free(s.reg);
        free(s.stats);
        ob_config_free(s.cfg);
        ob_webconfig_free(s.web);
        return OB_SERVE_FAILURE;
    }
    char tag[48] = ""; /* replicas on one store keep each other's models */
    if (s.store && s.shards > 1) {
        snprintf(tag, sizeof tag, "%llu/%llu", (unsigned long long)s.shard, (unsigned long long)s.shards);
        ob_store_set_shard(s.store, tag);
    }
    /* Every model comes back before the first scrape. */
    if (s.store && ob_store_each_model(s.store, restore_one, &s) < 0)
        ob_warn("reading models from %s: %s", s.cfg->store, ob_store_error(s.store));
    if (s.unloadable > 1)
        ob_warn("%zu models in %s could not be loaded; they start over", s.unloadable, s.cfg->store);
    pthread_mutex_init(&s.lock, NULL);
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    rc = s.reg && s.stats && s.cfg->listen ? run_daemon(&s) : OB_SERVE_FAILURE;
    ob__flagged_free(s.flagged, s.nflagged); /* none took them */
    pthread_mutex_destroy(&s.lock); /* run_daemon stopped every part it started */
    ob_store_close(s.store);
    ob_registry_free(s.reg);
    free(s.stats);
    free(s.key.p);
    free(s.pending.key.p);
    ob_config_free(s.cfg);
    ob_webconfig_free(s.web);
    return rc;
}
