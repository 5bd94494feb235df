/* config.c - opsbox.yml through libyaml's document API, which keeps the
 * line of every node so each error can say where it is.
 *
 *   listen: 127.0.0.1:9393
 *   store: ./opsbox.db
 *   output_suffix: opsbox
 *   snapshot_interval: 1m
 *   staleness: 5m
 *   history_points: 64
 *   global: {scrape_interval: 15s, scrape_timeout: 10s}
 *   scrape_configs:
 *     - job_name: node
 *       scrape_interval: 15s
 *       metrics_path: /metrics
 *       scheme: http
 *       static_configs:
 *         - targets: ['127.0.0.1:9100']
 *           labels: {env: dev}
 *       file_sd_configs:
 *         - files: ['targets.yml']
 *           refresh_interval: 1m
 *   alerts:                      # POST /v1/receiver (Alertmanager webhook)
 *     identifying_labels: [instance, job, namespace]
 *     window: 5m
 *     hold_off: 10m
 *     close_on_resolve: true
 *     receiver: {bearer_token_file: /etc/opsbox/token}   # or basic_auth
 *   logs: {warmup: 1000, rate_interval: 15s, masks: ['user=\\w+'], max_stream_series: 10000}
 *   disk: {devices: [/dev/sda], json_dir: /var/lib/smart, interval: 1h}
 *   prices: {files: [/var/lib/prices/spot.json, /var/lib/prices/ec2/], interval: 1h,
 *            vcpu: 8, memory: 32G, gpu: 0, region: us-east-1, spot: true, limit: 5}
 *   ci: {results_dir: /var/lib/ci/results, interval: 1m, new_failure_runs: 3}
 *   metrics: {threshold: 0.6795, band: 0.99, overrides: [{match: {job: api}, threshold: 0.7}]}
 *   remote_write: [{url: 'http://127.0.0.1:8428/api/v1/write', interval: 15s}]
 *   query_sources:
 *     - {url: 'http://127.0.0.1:8428', match: ['{job="node"}'], step: 15s, backfill: 1d}
 *   github:
 *     api_url: https://api.github.com
 *     repo: owner/name
 *     token_file: /etc/opsbox/github-token               # else $GITHUB_TOKEN
 *     labels: [opsbox]
 *     title: '{{alertname}} ({{labels}})'
 *     body: '{{summary}} {{members}}'
 *
 * Unknown keys are errors rather than ignored: a misspelt key that is
 * silently dropped is a scrape that silently never happens. */
#include "io/config.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <sys/stat.h>
#include <yaml.h>

#include "io/statefile.h"

struct ctx {
    yaml_document_t *doc;
    const char *name;
    char *err;
    size_t errlen;
};

static int fail(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    int k = snprintf(c->err, c->errlen, "%s:%lu: ", c->name,
                     n ? (unsigned long)n->start_mark.line + 1 : 1ul);
    va_list ap;
    va_start(ap, fmt);
    if (k > 0 && (size_t)k < c->errlen)
        vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

static yaml_node_t *node(struct ctx *c, int index)
{
    return yaml_document_get_node(c->doc, index);
}

static const char *scalar(struct ctx *c, const yaml_node_t *n, const char *what)
{
    if (!n || n->type != YAML_SCALAR_NODE) {
        fail(c, n, "%s: expected a single value", what);
        return NULL;
    }
    return (const char *)n->data.scalar.value;
}

static int set_string(struct ctx *c, const yaml_node_t *n, const char *what, char **out)
{
    const char *s = scalar(c, n, what);
    if (!s)
        return -1;
    char *copy = strdup(s);
    if (!copy)
        return fail(c, n, "out of memory");
    free(*out);
    *out = copy;
    return 0;
}

static int set_duration(struct ctx *c, const yaml_node_t *n, const char *what, double *out)
{
    const char *s = scalar(c, n, what);
    if (!s)
        return -1;
    double d = ob_parse_duration(s);
    if (d <= 0)
        return fail(c, n, "%s: '%s' is not a duration such as 15s, 1m or 500ms", what, s);
    *out = d;
    return 0;
}

/* Calls fn for each key/value of mapping n. */
typedef int (*pair_fn)(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg);

static int each_pair(struct ctx *c, yaml_node_t *n, const char *what, pair_fn fn, void *arg)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return fail(c, n, "%s: expected a mapping of keys", what);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
        const char *key = scalar(c, k, what);
        if (!key || fn(c, key, k, v, arg) < 0)
            return -1;
    }
    return 0;
}

static int grow_array(void **p, size_t elem, size_t n)
{
    void *q = realloc(*p, (n + 1) * elem);
    if (!q)
        return -1;
    *p = q;
    memset((char *)q + n * elem, 0, elem);
    return 0;
}

struct static_ctx {
    struct ob_scrape_config *sc;
    struct ob_label_pair *labels;
    size_t nlabels;
    yaml_node_t *targets;
};

static int label_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct static_ctx *s = arg;
    if (grow_array((void **)&s->labels, sizeof *s->labels, s->nlabels) < 0)
        return fail(c, k, "out of memory");
    struct ob_label_pair *l = &s->labels[s->nlabels++];
    if (!(l->name = strdup(key)))
        return fail(c, k, "out of memory");
    return set_string(c, v, "labels", &l->value);
}

static int static_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct static_ctx *s = arg;
    if (!strcmp(key, "targets")) {
        if (!v || v->type != YAML_SEQUENCE_NODE)
            return fail(c, v, "targets: expected a list of host:port");
        s->targets = v;
        return 0;
    }
    if (!strcmp(key, "labels"))
        return each_pair(c, v, "labels", label_pair, s);
    return fail(c, k, "static_configs: unknown key '%s'", key);
}

static struct ob_label_pair *copy_labels(const struct ob_label_pair *l, size_t n)
{
    struct ob_label_pair *out = calloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; out && i < n; i++) {
        out[i].name = strdup(l[i].name);
        out[i].value = strdup(l[i].value);
    }
    return out;
}

static void free_labels(struct ob_label_pair *l, size_t n)
{
    for (size_t i = 0; l && i < n; i++) {
        free(l[i].name);
        free(l[i].value);
    }
    free(l);
}

/* One static_configs entry: each of its targets, with its labels. */
static int static_config(struct ctx *c, yaml_node_t *n, struct ob_scrape_config *sc)
{
    struct static_ctx s = {sc, NULL, 0, NULL};
    int rc = each_pair(c, n, "static_configs", static_pair, &s);
    if (rc == 0 && !s.targets)
        rc = fail(c, n, "static_configs: no targets");
    for (yaml_node_item_t *it = rc == 0 ? s.targets->data.sequence.items.start : NULL;
         it && it < s.targets->data.sequence.items.top && rc == 0; it++) {
        yaml_node_t *t = node(c, *it);
        const char *addr = scalar(c, t, "targets");
        if (!addr || !*addr || strchr(addr, '/')) {
            rc = addr ? fail(c, t, "targets: '%s' is not host:port", addr) : -1;
            break;
        }
        if (grow_array((void **)&sc->targets, sizeof *sc->targets, sc->ntargets) < 0) {
            rc = fail(c, t, "out of memory");
            break;
        }
        struct ob_target *tg = &sc->targets[sc->ntargets++];
        tg->address = strdup(addr);
        tg->labels = copy_labels(s.labels, s.nlabels);
        tg->nlabels = s.nlabels;
        if (!tg->address || !tg->labels)
            rc = fail(c, t, "out of memory");
    }
    free_labels(s.labels, s.nlabels);
    return rc;
}

static int set_strings(struct ctx *c, const yaml_node_t *n, const char *what, char ***out, size_t *nout);
static void free_strings(char **v, size_t n);

static int file_sd_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_scrape_config *sc = arg;
    if (!strcmp(key, "files")) {
        char **files = NULL;
        size_t n = 0;
        if (set_strings(c, v, "file_sd_configs.files", &files, &n) < 0) {
            free_strings(files, n);
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            if (grow_array((void **)&sc->sd_files, sizeof *sc->sd_files, sc->nsd_files) < 0)
                return fail(c, v, "out of memory");
            sc->sd_files[sc->nsd_files++] = files[i];
        }
        free(files);
        return 0;
    }
    if (!strcmp(key, "refresh_interval")) {
        double d = 0; /* set on success; GCC at -O3 cannot see it */
        if (set_duration(c, v, "file_sd_configs.refresh_interval", &d) < 0)
            return -1;
        if (sc->sd_refresh_s == 0 || d < sc->sd_refresh_s)
            sc->sd_refresh_s = d;
        return 0;
    }
    return fail(c, k, "file_sd_configs: unknown key '%s'", key);
}

static int scrape_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_scrape_config *sc = arg;
    if (!strcmp(key, "file_sd_configs")) {
        if (!v || v->type != YAML_SEQUENCE_NODE)
            return fail(c, v, "file_sd_configs: expected a list");
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
            if (each_pair(c, node(c, *it), "file_sd_configs", file_sd_pair, sc) < 0)
                return -1;
        if (sc->sd_refresh_s == 0)
            sc->sd_refresh_s = 300;
        return 0;
    }
    if (!strcmp(key, "job_name"))
        return set_string(c, v, "job_name", &sc->job_name);
    if (!strcmp(key, "scrape_interval"))
        return set_duration(c, v, "scrape_interval", &sc->interval_s);
    if (!strcmp(key, "scrape_timeout"))
        return set_duration(c, v, "scrape_timeout", &sc->timeout_s);
    if (!strcmp(key, "metrics_path"))
        return set_string(c, v, "metrics_path", &sc->metrics_path);
    if (!strcmp(key, "scheme")) {
        const char *s = scalar(c, v, "scheme");
        if (s && strcmp(s, "http") && strcmp(s, "https"))
            return fail(c, v, "scheme: '%s' is neither http nor https", s);
        return s ? set_string(c, v, "scheme", &sc->scheme) : -1;
    }
    if (!strcmp(key, "static_configs")) {
        if (!v || v->type != YAML_SEQUENCE_NODE)
            return fail(c, v, "static_configs: expected a list");
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
            if (static_config(c, node(c, *it), sc) < 0)
                return -1;
        return 0;
    }
    return fail(c, k, "scrape_configs: unknown key '%s'", key);
}

static int set_count(struct ctx *c, const yaml_node_t *n, const char *what, long max, long *out)
{
    const char *s = scalar(c, n, what);
    if (!s)
        return -1;
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > max)
        return fail(c, n, "%s: '%s' is not a whole number from 0 to %ld", what, s, max);
    *out = v;
    return 0;
}

static int set_bool(struct ctx *c, const yaml_node_t *n, const char *what, int *out)
{
    const char *s = scalar(c, n, what);
    if (!s)
        return -1;
    if (!strcmp(s, "true") || !strcmp(s, "yes"))
        *out = 1;
    else if (!strcmp(s, "false") || !strcmp(s, "no"))
        *out = 0;
    else
        return fail(c, n, "%s: '%s' is neither true nor false", what, s);
    return 0;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static int set_strings(struct ctx *c, const yaml_node_t *n, const char *what, char ***out, size_t *nout)
{
    if (!n || n->type != YAML_SEQUENCE_NODE)
        return fail(c, n, "%s: expected a list", what);
    free_strings(*out, *nout);
    *out = NULL;
    *nout = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *item = node(c, *it);
        if (grow_array((void **)out, sizeof **out, *nout) < 0)
            return fail(c, item, "out of memory");
        if (set_string(c, item, what, &(*out)[*nout]) < 0)
            return -1;
        (*nout)++;
    }
    return 0;
}

static int basic_auth_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_alerts_config *a = arg;
    if (!strcmp(key, "username"))
        return set_string(c, v, "basic_auth.username", &a->username);
    if (!strcmp(key, "password"))
        return set_string(c, v, "basic_auth.password", &a->password);
    if (!strcmp(key, "password_file"))
        return set_string(c, v, "basic_auth.password_file", &a->password_file);
    return fail(c, k, "basic_auth: unknown key '%s'", key);
}

static int receiver_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_alerts_config *a = arg;
    if (!strcmp(key, "bearer_token"))
        return set_string(c, v, "receiver.bearer_token", &a->bearer_token);
    if (!strcmp(key, "bearer_token_file"))
        return set_string(c, v, "receiver.bearer_token_file", &a->bearer_token_file);
    if (!strcmp(key, "basic_auth"))
        return each_pair(c, v, "basic_auth", basic_auth_pair, a);
    return fail(c, k, "alerts.receiver: unknown key '%s'", key);
}

static int alerts_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_alerts_config *a = arg;
    if (!strcmp(key, "identifying_labels"))
        return set_strings(c, v, "alerts.identifying_labels", &a->identifying, &a->nidentifying);
    if (!strcmp(key, "window"))
        return set_duration(c, v, "alerts.window", &a->window_s);
    if (!strcmp(key, "hold_off"))
        return set_duration(c, v, "alerts.hold_off", &a->hold_off_s);
    if (!strcmp(key, "close_on_resolve"))
        return set_bool(c, v, "alerts.close_on_resolve", &a->close_on_resolve);
    if (!strcmp(key, "receiver"))
        return each_pair(c, v, "alerts.receiver", receiver_pair, a);
    return fail(c, k, "alerts: unknown key '%s'", key);
}

static int logs_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_logs_config *l = arg;
    if (!strcmp(key, "warmup"))
        return set_count(c, v, "logs.warmup", 1000000000L, &l->warmup);
    if (!strcmp(key, "rate_interval"))
        return set_duration(c, v, "logs.rate_interval", &l->rate_interval_s);
    if (!strcmp(key, "max_stream_series"))
        return set_count(c, v, "logs.max_stream_series", 10000000L, &l->max_stream_series);
    if (!strcmp(key, "masks"))
        return set_strings(c, v, "logs.masks", &l->masks, &l->nmasks);
    return fail(c, k, "logs: unknown key '%s'", key);
}

static int disk_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_disk_config *d = arg;
    if (!strcmp(key, "devices"))
        return set_strings(c, v, "disk.devices", &d->devices, &d->ndevices);
    if (!strcmp(key, "json_dir"))
        return set_string(c, v, "disk.json_dir", &d->json_dir);
    if (!strcmp(key, "smartctl"))
        return set_string(c, v, "disk.smartctl", &d->smartctl);
    if (!strcmp(key, "model"))
        return set_string(c, v, "disk.model", &d->model);
    if (!strcmp(key, "interval"))
        return set_duration(c, v, "disk.interval", &d->interval_s);
    return fail(c, k, "disk: unknown key '%s'", key);
}

/* "32G", "32GiB", "512M", "1T", "16": GiB. */
static int set_memory(struct ctx *c, const yaml_node_t *n, const char *what, double *out)
{
    const char *s = scalar(c, n, what);
    if (!s)
        return -1;
    char *end;
    double v = strtod(s, &end);
    double mult = *end == 'M' ? 1.0 / 1024 : *end == 'T' ? 1024 : 1;
    if (*end == 'G' || *end == 'M' || *end == 'T')
        end++;
    if (*end == 'i')
        end++;
    if (*end == 'B')
        end++;
    if (end == s || *end || !(v >= 0) || v > 1e9)
        return fail(c, n, "%s: '%s' is not a size (32G, 512M)", what, s);
    *out = v * mult;
    return 0;
}

static int prices_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_prices_config *p = arg;
    if (!strcmp(key, "files"))
        return set_strings(c, v, "prices.files", &p->files, &p->nfiles);
    if (!strcmp(key, "interval"))
        return set_duration(c, v, "prices.interval", &p->interval_s);
    if (!strcmp(key, "vcpu"))
        return set_count(c, v, "prices.vcpu", 1000000L, &p->vcpu);
    if (!strcmp(key, "gpu"))
        return set_count(c, v, "prices.gpu", 100000L, &p->gpu);
    if (!strcmp(key, "memory"))
        return set_memory(c, v, "prices.memory", &p->mem_gib);
    if (!strcmp(key, "region"))
        return set_string(c, v, "prices.region", &p->region);
    if (!strcmp(key, "spot"))
        return set_bool(c, v, "prices.spot", &p->spot);
    if (!strcmp(key, "limit"))
        return set_count(c, v, "prices.limit", 10000L, &p->limit);
    return fail(c, k, "prices: unknown key '%s'", key);
}

static int ci_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_ci_config *d = arg;
    if (!strcmp(key, "results_dir"))
        return set_string(c, v, "ci.results_dir", &d->results_dir);
    if (!strcmp(key, "interval"))
        return set_duration(c, v, "ci.interval", &d->interval_s);
    if (!strcmp(key, "new_failure_runs"))
        return set_count(c, v, "ci.new_failure_runs", 100000L, &d->new_failure_runs);
    return fail(c, k, "ci: unknown key '%s'", key);
}

static int query_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_query_source *q = arg;
    if (!strcmp(key, "url"))
        return set_string(c, v, "query_sources.url", &q->url);
    if (!strcmp(key, "match"))
        return set_strings(c, v, "query_sources.match", &q->match, &q->nmatch);
    if (!strcmp(key, "step"))
        return set_duration(c, v, "query_sources.step", &q->step_s);
    if (!strcmp(key, "page"))
        return set_duration(c, v, "query_sources.page", &q->page_s);
    if (!strcmp(key, "backfill")) {
        const char *s = scalar(c, v, "query_sources.backfill");
        if (s && !strcmp(s, "0")) {
            q->backfill_s = -1; /* none */
            return 0;
        }
        return set_duration(c, v, "query_sources.backfill", &q->backfill_s);
    }
    return fail(c, k, "query_sources: unknown key '%s'", key);
}

static int query_sources(struct ctx *c, yaml_node_t *v, struct ob_config *cfg)
{
    if (!v || v->type != YAML_SEQUENCE_NODE)
        return fail(c, v, "query_sources: expected a list");
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *n = node(c, *it);
        if (grow_array((void **)&cfg->queries, sizeof *cfg->queries, cfg->nqueries) < 0)
            return fail(c, n, "out of memory");
        struct ob_query_source *q = &cfg->queries[cfg->nqueries++];
        if (each_pair(c, n, "query_sources", query_pair, q) < 0)
            return -1;
        if (!q->url || !q->nmatch)
            return fail(c, n, "query_sources: url and match are required");
        q->step_s = q->step_s ? q->step_s : 15;
        q->page_s = q->page_s ? q->page_s : 6 * 3600;
        q->backfill_s = q->backfill_s < 0 ? 0 : q->backfill_s ? q->backfill_s : 86400;
        if (q->page_s < q->step_s)
            return fail(c, n, "query_sources: page is shorter than step");
    }
    return 0;
}

static int rw_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_remote_write *w = arg;
    if (!strcmp(key, "url"))
        return set_string(c, v, "remote_write.url", &w->url);
    if (!strcmp(key, "interval"))
        return set_duration(c, v, "remote_write.interval", &w->interval_s);
    if (!strcmp(key, "queue_dir"))
        return set_string(c, v, "remote_write.queue_dir", &w->queue_dir);
    if (!strcmp(key, "max_queue_files"))
        return set_count(c, v, "remote_write.max_queue_files", 1000000, &w->max_queue_files);
    return fail(c, k, "remote_write: unknown key '%s'", key);
}

static int remote_writes(struct ctx *c, yaml_node_t *v, struct ob_config *cfg)
{
    if (!v || v->type != YAML_SEQUENCE_NODE)
        return fail(c, v, "remote_write: expected a list");
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *n = node(c, *it);
        if (grow_array((void **)&cfg->writes, sizeof *cfg->writes, cfg->nwrites) < 0)
            return fail(c, n, "out of memory");
        struct ob_remote_write *w = &cfg->writes[cfg->nwrites++];
        if (each_pair(c, n, "remote_write", rw_pair, w) < 0)
            return -1;
        if (!w->url)
            return fail(c, n, "remote_write: url is required");
        w->interval_s = w->interval_s ? w->interval_s : 15;
        w->max_queue_files = w->max_queue_files ? w->max_queue_files : 1000;
    }
    return 0;
}

static int journal_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_journal_config *j = arg;
    if (!strcmp(key, "directory"))
        return set_string(c, v, "journal.directory", &j->directory);
    if (!strcmp(key, "matches"))
        return set_strings(c, v, "journal.matches", &j->matches, &j->nmatches);
    return fail(c, k, "journal: unknown key '%s'", key);
}

static int github_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_github_config *g = arg;
    if (!strcmp(key, "api_url"))
        return set_string(c, v, "github.api_url", &g->api_url);
    if (!strcmp(key, "repo")) {
        const char *s = scalar(c, v, "github.repo");
        const char *slash = s ? strchr(s, '/') : NULL;
        if (s && (!slash || slash == s || !slash[1] || strchr(slash + 1, '/')))
            return fail(c, v, "github.repo: '%s' is not owner/name", s);
        return s ? set_string(c, v, "github.repo", &g->repo) : -1;
    }
    if (!strcmp(key, "token_file"))
        return set_string(c, v, "github.token_file", &g->token_file);
    if (!strcmp(key, "labels"))
        return set_strings(c, v, "github.labels", &g->labels, &g->nlabels);
    if (!strcmp(key, "title"))
        return set_string(c, v, "github.title", &g->title);
    if (!strcmp(key, "body"))
        return set_string(c, v, "github.body", &g->body);
    if (!strcmp(key, "timeout"))
        return set_duration(c, v, "github.timeout", &g->timeout_s);
    if (!strcmp(key, "backoff_max"))
        return set_duration(c, v, "github.backoff_max", &g->backoff_max_s);
    return fail(c, k, "github: unknown key '%s'", key);
}

/* A number within [lo, hi] (open at an end where open_lo / open_hi). */
static int set_fraction(struct ctx *c, const yaml_node_t *n, const char *what, bool open_lo,
                        double *out)
{
    const char *s = scalar(c, n, what);
    if (!s)
        return -1;
    char *end;
    double v = strtod(s, &end);
    bool in = open_lo ? v > 0 && v < 1 : v >= 0 && v <= 1;
    if (!*s || *end || !in)
        return fail(c, n, "%s: '%s' is not a number %s", what, s,
                    open_lo ? "between 0 and 1 (both excluded)" : "from 0 to 1");
    *out = v;
    return 0;
}

static int override_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_metrics_override *o = arg;
    if (!strcmp(key, "match")) {
        struct static_ctx m = {NULL, o->match, o->nmatch, NULL};
        int rc = each_pair(c, v, "metrics.overrides.match", label_pair, &m);
        o->match = m.labels;
        o->nmatch = m.nlabels;
        return rc;
    }
    if (!strcmp(key, "threshold"))
        return set_fraction(c, v, "metrics.overrides.threshold", false, &o->threshold);
    if (!strcmp(key, "band"))
        return set_fraction(c, v, "metrics.overrides.band", true, &o->band);
    return fail(c, k, "metrics.overrides: unknown key '%s'", key);
}

static int metrics_overrides(struct ctx *c, yaml_node_t *v, struct ob_metrics_config *m)
{
    if (!v || v->type != YAML_SEQUENCE_NODE)
        return fail(c, v, "metrics.overrides: expected a list");
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *n = node(c, *it);
        if (grow_array((void **)&m->overrides, sizeof *m->overrides, m->noverrides) < 0)
            return fail(c, n, "out of memory");
        struct ob_metrics_override *o = &m->overrides[m->noverrides++];
        o->threshold = o->band = NAN;
        if (each_pair(c, n, "metrics.overrides", override_pair, o) < 0)
            return -1;
        if (!o->nmatch)
            return fail(c, n, "metrics.overrides: match (labels and values) is required");
        if (isnan(o->threshold) && isnan(o->band))
            return fail(c, n, "metrics.overrides: sets neither threshold nor band");
    }
    return 0;
}

static int metrics_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct ob_metrics_config *m = arg;
    if (!strcmp(key, "threshold"))
        return set_fraction(c, v, "metrics.threshold", false, &m->threshold);
    if (!strcmp(key, "band"))
        return set_fraction(c, v, "metrics.band", true, &m->band);
    if (!strcmp(key, "overrides"))
        return metrics_overrides(c, v, m);
    return fail(c, k, "metrics: unknown key '%s'", key);
}

static bool override_matches(const struct ob_metrics_override *o, const char *name,
                             const struct ob_label_pair *l, size_t n)
{
    for (size_t i = 0; i < o->nmatch; i++) {
        const struct ob_label_pair *m = &o->match[i];
        const char *have = !strcmp(m->name, "__name__") ? name : "";
        for (size_t j = 0; !*have && j < n; j++) /* as in Prometheus, absent is "" */
            if (!strcmp(l[j].name, m->name))
                have = l[j].value;
        if (strcmp(have, m->value))
            return false;
    }
    return true;
}

void ob_config_metrics_params(const struct ob_metrics_config *m, const char *name,
                              const struct ob_label_pair *labels, size_t nlabels,
                              double *threshold, double *band)
{
    for (size_t i = 0; i <= m->noverrides; i++) { /* i = 0: the section itself */
        const struct ob_metrics_override *o = i ? &m->overrides[i - 1] : NULL;
        if (o && !override_matches(o, name, labels, nlabels))
            continue;
        double t = o ? o->threshold : m->threshold, b = o ? o->band : m->band;
        *threshold = isnan(t) ? *threshold : t;
        *band = isnan(b) ? *band : b;
        if (o)
            break;
    }
}

struct globals {
    double interval_s, timeout_s;
};

static int global_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct globals *g = arg;
    if (!strcmp(key, "scrape_interval"))
        return set_duration(c, v, "global.scrape_interval", &g->interval_s);
    if (!strcmp(key, "scrape_timeout"))
        return set_duration(c, v, "global.scrape_timeout", &g->timeout_s);
    return fail(c, k, "global: unknown key '%s'", key);
}

struct top {
    struct ob_config *cfg;
    struct globals g;
    yaml_node_t *scrapes;
};

static int top_pair(struct ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct top *t = arg;
    if (!strcmp(key, "listen"))
        return set_string(c, v, "listen", &t->cfg->listen);
    if (!strcmp(key, "store"))
        return set_string(c, v, "store", &t->cfg->store);
    if (!strcmp(key, "store_password_file"))
        return set_string(c, v, "store_password_file", &t->cfg->store_password_file);
    if (!strcmp(key, "output_suffix"))
        return set_string(c, v, "output_suffix", &t->cfg->output_suffix);
    if (!strcmp(key, "staleness"))
        return set_duration(c, v, "staleness", &t->cfg->staleness_s);
    if (!strcmp(key, "history_points"))
        return set_count(c, v, "history_points", 100000, &t->cfg->history_points);
    if (!strcmp(key, "snapshot_interval"))
        return set_duration(c, v, "snapshot_interval", &t->cfg->snapshot_s);
    if (!strcmp(key, "global"))
        return each_pair(c, v, "global", global_pair, &t->g);
    if (!strcmp(key, "alerts"))
        return each_pair(c, v, "alerts", alerts_pair, &t->cfg->alerts);
    if (!strcmp(key, "logs"))
        return each_pair(c, v, "logs", logs_pair, &t->cfg->logs);
    if (!strcmp(key, "disk"))
        return each_pair(c, v, "disk", disk_pair, &t->cfg->disk);
    if (!strcmp(key, "prices"))
        return each_pair(c, v, "prices", prices_pair, &t->cfg->prices);
    if (!strcmp(key, "ci"))
        return each_pair(c, v, "ci", ci_pair, &t->cfg->ci);
    if (!strcmp(key, "metrics"))
        return each_pair(c, v, "metrics", metrics_pair, &t->cfg->metrics);
    if (!strcmp(key, "journal")) {
        t->cfg->journal.enabled = 1;
        if (v && v->type == YAML_SCALAR_NODE && !v->data.scalar.length)
            return 0; /* journal: (empty) = the system journal */
        return each_pair(c, v, "journal", journal_pair, &t->cfg->journal);
    }
    if (!strcmp(key, "query_sources"))
        return query_sources(c, v, t->cfg);
    if (!strcmp(key, "remote_write"))
        return remote_writes(c, v, t->cfg);
    if (!strcmp(key, "github")) {
        t->cfg->github.enabled = 1;
        return each_pair(c, v, "github", github_pair, &t->cfg->github);
    }
    if (!strcmp(key, "scrape_configs")) {
        if (!v || v->type != YAML_SEQUENCE_NODE)
            return fail(c, v, "scrape_configs: expected a list");
        t->scrapes = v;
        return 0;
    }
    return fail(c, k, "unknown key '%s'", key);
}

static int scrape_configs(struct ctx *c, struct top *t)
{
    yaml_node_t *list = t->scrapes;
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
        yaml_node_t *n = node(c, *it);
        struct ob_config *cfg = t->cfg;
        if (grow_array((void **)&cfg->scrapes, sizeof *cfg->scrapes, cfg->nscrapes) < 0)
            return fail(c, n, "out of memory");
        struct ob_scrape_config *sc = &cfg->scrapes[cfg->nscrapes++];
        sc->interval_s = t->g.interval_s;
        sc->timeout_s = 0;
        if (each_pair(c, n, "scrape_configs", scrape_pair, sc) < 0)
            return -1;
        if (!sc->job_name || !*sc->job_name)
            return fail(c, n, "scrape_configs: job_name is required");
        for (size_t j = 0; j + 1 < cfg->nscrapes; j++)
            if (!strcmp(cfg->scrapes[j].job_name, sc->job_name))
                return fail(c, n, "scrape_configs: job_name '%s' is used twice", sc->job_name);
        if (sc->timeout_s == 0)
            sc->timeout_s = t->g.timeout_s < sc->interval_s ? t->g.timeout_s : sc->interval_s;
        if (sc->timeout_s > sc->interval_s)
            return fail(c, n, "scrape_configs: job '%s': scrape_timeout is longer than "
                        "scrape_interval", sc->job_name);
        if ((!sc->metrics_path && !(sc->metrics_path = strdup("/metrics"))) ||
            (!sc->scheme && !(sc->scheme = strdup("http"))))
            return fail(c, n, "out of memory");
        if (sc->ntargets == 0 && sc->nsd_files == 0)
            return fail(c, n, "scrape_configs: job '%s' has no targets", sc->job_name);
    }
    return 0;
}

static int fill_defaults(struct ob_config *cfg)
{
    if (cfg->snapshot_s == 0)
        cfg->snapshot_s = 60;
    if (cfg->staleness_s == 0)
        cfg->staleness_s = 300;
    if (cfg->history_points < 0)
        cfg->history_points = 64;
    if (cfg->logs.warmup < 0)
        cfg->logs.warmup = 1000;
    if (cfg->logs.rate_interval_s == 0)
        cfg->logs.rate_interval_s = 15;
    if (cfg->logs.max_stream_series < 0)
        cfg->logs.max_stream_series = 10000;
    if (cfg->disk.interval_s == 0)
        cfg->disk.interval_s = 3600;
    if (cfg->ci.interval_s == 0)
        cfg->ci.interval_s = 60;
    if (cfg->ci.new_failure_runs <= 0)
        cfg->ci.new_failure_runs = 3;
    if (!cfg->disk.smartctl && !(cfg->disk.smartctl = strdup("smartctl")))
        return -1;
    if (cfg->prices.interval_s == 0)
        cfg->prices.interval_s = 3600;
    if (cfg->prices.limit == 0)
        cfg->prices.limit = 5;
    if (!cfg->listen && !(cfg->listen = strdup("127.0.0.1:9393")))
        return -1;
    if (!cfg->store && !(cfg->store = strdup("./opsbox.db")))
        return -1;
    if (!cfg->output_suffix && !(cfg->output_suffix = strdup("opsbox")))
        return -1;
    struct ob_alerts_config *a = &cfg->alerts;
    static const char *const ident[] = {"instance", "job", "namespace"};
    for (size_t i = 0; !a->identifying && i < 3; i++) {
        if (grow_array((void **)&a->identifying, sizeof *a->identifying, i) < 0 ||
            !(a->identifying[i] = strdup(ident[i])))
            return -1;
        a->nidentifying = i + 1;
    }
    a->window_s = a->window_s ? a->window_s : 300;
    a->hold_off_s = a->hold_off_s ? a->hold_off_s : 600;
    struct ob_github_config *g = &cfg->github;
    g->timeout_s = g->timeout_s ? g->timeout_s : 10;
    g->backoff_max_s = g->backoff_max_s ? g->backoff_max_s : 600;
    if (!g->api_url && !(g->api_url = strdup("https://api.github.com")))
        return -1;
    if (!g->labels && (!(g->labels = calloc(1, sizeof *g->labels)) || !(g->labels[0] = strdup("opsbox"))))
        return -1;
    g->nlabels = g->nlabels ? g->nlabels : 1;
    return 0;
}

static int load(struct ctx *c, struct ob_config *cfg)
{
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    struct top t = {cfg, {60, 10}, NULL};
    cfg->alerts.close_on_resolve = 1;
    cfg->history_points = -1;
    cfg->logs.warmup = -1;
    cfg->logs.max_stream_series = -1;
    cfg->metrics.threshold = cfg->metrics.band = NAN;
    if (root && !(root->type == YAML_SCALAR_NODE && !root->data.scalar.length) &&
        each_pair(c, root, "config", top_pair, &t) < 0)
        return -1;
    if (t.g.timeout_s > t.g.interval_s)
        return fail(c, root, "global: scrape_timeout is longer than scrape_interval");
    if (t.scrapes && scrape_configs(c, &t) < 0)
        return -1;
    const struct ob_alerts_config *a = &cfg->alerts;
    if (!a->username != (!a->password && !a->password_file))
        return fail(c, root, "alerts.receiver.basic_auth: needs a username and a password (or password_file)");
    return fill_defaults(cfg) < 0 ? fail(c, root, "out of memory") : 0;
}

struct ob_config *ob_config_parse(const char *text, size_t len, const char *name, char *err,
                                  size_t errlen)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    struct ctx c = {&doc, name ? name : "config", err, errlen};
    struct ob_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg || !yaml_parser_initialize(&parser)) {
        snprintf(err, errlen, "%s: out of memory", c.name);
        free(cfg);
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errlen, "%s:%lu: not valid YAML: %s", c.name,
                 (unsigned long)parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "unknown problem");
        yaml_parser_delete(&parser);
        ob_config_free(cfg);
        return NULL;
    }
    int rc = load(&c, cfg);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc < 0) {
        ob_config_free(cfg);
        return NULL;
    }
    return cfg;
}

/* ---- file_sd_configs ---- */

static int pattern_path(char *out, size_t cap, const char *base_dir, const char *pattern)
{
    int n = pattern[0] == '/' || !base_dir ? snprintf(out, cap, "%s", pattern)
                                           : snprintf(out, cap, "%s/%s", base_dir, pattern);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* One file: a list of static_configs entries, added to sc. */
static int load_sd_file(struct ob_scrape_config *sc, const char *path, char *err, size_t errlen)
{
    void *text = NULL;
    size_t len = 0;
    if (ob_statefile_read(path, (size_t)16 << 20, &text, &len) != 0) {
        snprintf(err, errlen, "%s: cannot read", path);
        return -1;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    struct ctx c = {&doc, path, err, errlen};
    int rc = -1;
    if (!yaml_parser_initialize(&parser)) {
        free(text);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    yaml_parser_set_input_string(&parser, text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errlen, "%s:%lu: not valid YAML or JSON: %s", path,
                 (unsigned long)parser.problem_mark.line + 1, parser.problem ? parser.problem : "?");
    } else {
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        rc = 0;
        if (root && !(root->type == YAML_SCALAR_NODE && !root->data.scalar.length)) {
            if (root->type != YAML_SEQUENCE_NODE)
                rc = fail(&c, root, "expected a list of {targets: [...], labels: {...}}");
            for (yaml_node_item_t *it = rc == 0 ? root->data.sequence.items.start : NULL;
                 it && it < root->data.sequence.items.top && rc == 0; it++)
                rc = static_config(&c, node(&c, *it), sc);
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    free(text);
    return rc;
}

int ob_config_load_file_sd(struct ob_config *cfg, const char *base_dir, char *err, size_t errlen)
{
    for (size_t i = 0; i < cfg->nscrapes; i++) {
        struct ob_scrape_config *sc = &cfg->scrapes[i];
        for (size_t j = 0; j < sc->nsd_files; j++) {
            char pattern[4096];
            glob_t g;
            if (pattern_path(pattern, sizeof pattern, base_dir, sc->sd_files[j]) < 0) {
                snprintf(err, errlen, "file_sd_configs: '%s': path too long", sc->sd_files[j]);
                return -1;
            }
            int rc = glob(pattern, 0, NULL, &g);
            for (size_t k = 0; rc == 0 && k < g.gl_pathc; k++)
                if (load_sd_file(sc, g.gl_pathv[k], err, errlen) < 0) {
                    globfree(&g);
                    return -1;
                }
            if (rc == 0)
                globfree(&g);
        }
    }
    return 0;
}

unsigned long long ob_config_file_sd_stamp(const struct ob_config *cfg, const char *base_dir)
{
    unsigned long long h = 0;
    for (size_t i = 0; i < cfg->nscrapes; i++)
        for (size_t j = 0; j < cfg->scrapes[i].nsd_files; j++) {
            char pattern[4096];
            glob_t g;
            if (pattern_path(pattern, sizeof pattern, base_dir, cfg->scrapes[i].sd_files[j]) < 0 ||
                glob(pattern, 0, NULL, &g) != 0)
                continue;
            for (size_t k = 0; k < g.gl_pathc; k++) {
                struct stat st;
                const unsigned char *p = (const unsigned char *)g.gl_pathv[k];
                while (*p)
                    h = h * 1099511628211ull + *p++;
                if (stat(g.gl_pathv[k], &st) == 0)
                    h = h * 31 + (unsigned long long)st.st_size * 1000003ull +
                        (unsigned long long)st.st_mtim.tv_sec * 1000000007ull + (unsigned long long)st.st_mtim.tv_nsec;
            }
            globfree(&g);
        }
    return h;
}

double ob_config_file_sd_refresh(const struct ob_config *cfg)
{
    double r = 0;
    for (size_t i = 0; i < cfg->nscrapes; i++)
        if (cfg->scrapes[i].nsd_files && (r == 0 || cfg->scrapes[i].sd_refresh_s < r))
            r = cfg->scrapes[i].sd_refresh_s;
    return r;
}

struct ob_config *ob_config_default(void)
{
    char err[64];
    return ob_config_parse("", 0, "default", err, sizeof err);
}

void ob_config_free(struct ob_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nscrapes; i++) {
        struct ob_scrape_config *sc = &c->scrapes[i];
        for (size_t j = 0; j < sc->ntargets; j++) {
            free(sc->targets[j].address);
            free_labels(sc->targets[j].labels, sc->targets[j].nlabels);
        }
        free(sc->targets);
        free_strings(sc->sd_files, sc->nsd_files);
        free(sc->job_name);
        free(sc->metrics_path);
        free(sc->scheme);
    }
    free(c->scrapes);
    free_strings(c->alerts.identifying, c->alerts.nidentifying);
    free(c->alerts.bearer_token);
    free(c->alerts.bearer_token_file);
    free(c->alerts.username);
    free(c->alerts.password);
    free(c->alerts.password_file);
    for (size_t i = 0; i < c->nqueries; i++) {
        free(c->queries[i].url);
        free_strings(c->queries[i].match, c->queries[i].nmatch);
    }
    free(c->queries);
    for (size_t i = 0; i < c->nwrites; i++) {
        free(c->writes[i].url);
        free(c->writes[i].queue_dir);
    }
    free(c->writes);
    for (size_t i = 0; i < c->metrics.noverrides; i++)
        free_labels(c->metrics.overrides[i].match, c->metrics.overrides[i].nmatch);
    free(c->metrics.overrides);
    free_strings(c->logs.masks, c->logs.nmasks);
    free(c->journal.directory);
    free_strings(c->journal.matches, c->journal.nmatches);
    free_strings(c->disk.devices, c->disk.ndevices);
    free(c->disk.json_dir);
    free(c->disk.smartctl);
    free(c->disk.model);
    free_strings(c->prices.files, c->prices.nfiles);
    free(c->prices.region);
    free(c->ci.results_dir);
    free(c->github.api_url);
    free(c->github.repo);
    free(c->github.token_file);
    free_strings(c->github.labels, c->github.nlabels);
    free(c->github.title);
    free(c->github.body);
    free(c->listen);
    free(c->store);
    free(c->store_password_file);
    free(c->output_suffix);
    free(c);
}
