/* alerts.c - the Alertmanager receiver of `opsbox serve`.
 *
 * POST /v1/receiver (alertmanager-github-receiver's path) takes a webhook,
 * applies it to the incidents, and writes what changed -- incident rows,
 * members, timeline, and the tracker actions they cause (the outbox) -- in
 * one transaction with synchronous=FULL. Only then does it answer 200: an
 * alert that was acknowledged is on disk, and its issue will be sent.
 *
 * Group commit: each fsync costs a fraction of a millisecond, and
 * Alertmanager sends many small webhooks at once. Requests queue; whoever
 * finds no commit running becomes the leader, takes the whole queue, and
 * commits it as one transaction; the others wait for their turn to be done.
 * Signals (series flagged by the detector) go through the same queue, so
 * one thread at a time touches the incidents.
 *
 * Replicas on one PostgreSQL store: each keeps the incidents in memory, and
 * they take turns (ob_store_lock_incidents) for the whole of a batch: read
 * what the others changed since this replica's last turn, apply the batch,
 * write, commit. So the same webhook sent to two replicas is applied twice
 * to one state: the second finds its alerts already there and writes
 * nothing, and an incident is opened (and its issue queued) once. */
#include "serve/serve_int.h"

#include "alerts/alerts.h"
#include "core/clock.h"
#include "core/log.h"
#include "io/statefile.h"
#include "io/store.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

struct pending {
    struct ob_webhook w;       /* a webhook, when w.group_key is set */
    struct flagged *signals;   /* or signals from a scrape */
    size_t nsignals;
    int done, status;
    struct pending *next;
};

struct alerts {
    struct ob_config *cfg;     /* held from start to stop: alerts: and github: change on restart */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pending *head, **tail;
    int busy;                  /* a leader is committing */
    struct ob_store *store;    /* this receiver's own connection */
    struct ob_incidents *inc;
    struct ob_events ev;
    int64_t rev;               /* the store's incident revision the set is at */
    int stale;                 /* a failed batch left the set ahead of the store */
    int send;                  /* github configured: write the outbox */
    char *expect_bearer, *expect_basic; /* whole Authorization values */
    /* counters, under mu */
    uint64_t accepted, rejected, unauthorized, failed, alerts, signals, commits;
    size_t open;               /* incidents firing, after the last commit */
    double commit_seconds;
};

static char *auth_value(const char *scheme, const char *secret)
{
    size_t n = strlen(scheme) + strlen(secret) + 2;
    char *v = malloc(n);
    if (v)
        snprintf(v, n, "%s %s", scheme, secret);
    return v;
}

/* The Authorization values a sender must present, from the config. */
static int load_auth(struct alerts *a, const struct ob_alerts_config *c, char *err, size_t errlen)
{
    char *token = c->bearer_token ? strdup(c->bearer_token)
                  : c->bearer_token_file ? ob_statefile_secret(c->bearer_token_file) : NULL;
    if (c->bearer_token_file && !token) {
        snprintf(err, errlen, "alerts.receiver.bearer_token_file %s: cannot read", c->bearer_token_file);
        return -1;
    }
    a->expect_bearer = token ? auth_value("Bearer", token) : NULL;
    free(token);
    if (!c->username)
        return 0;
    char *pass = c->password ? strdup(c->password) : ob_statefile_secret(c->password_file);
    if (!pass) {
        snprintf(err, errlen, "alerts.receiver.basic_auth.password_file %s: cannot read",
                 c->password_file);
        return -1;
    }
    size_t n = strlen(c->username) + strlen(pass) + 2;
    char *plain = malloc(n), *b64 = malloc(4 * (n / 3 + 1) + 1);
    if (plain && b64) {
        snprintf(plain, n, "%s:%s", c->username, pass);
        EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)plain, (int)strlen(plain));
        a->expect_basic = auth_value("Basic", b64);
    }
    free(plain);
    free(b64);
    free(pass);
    return 0;
}

static int same_secret(const char *expected, const char *given)
{
    size_t n = strlen(expected);
    return given && strlen(given) == n && CRYPTO_memcmp(expected, given, n) == 0;
}

static int authorized(const struct alerts *a, const char *given)
{
    if (!a->expect_bearer && !a->expect_basic)
        return 1;
    return (a->expect_bearer && same_secret(a->expect_bearer, given)) ||
           (a->expect_basic && same_secret(a->expect_basic, given));
}

/* ---- from events to rows ---- */

static const char *event_name(int kind)
{
    static const char *const names[] = {"opened",   "joined",   "member_resolved", "member_firing",
                                        "severity", "resolved", "reopened"};
    return kind >= 0 && kind <= OB_EV_REOPENED ? names[kind] : "unknown";
}

static char *payload(const char *title, const char *body, const struct ob_github_config *g)
{
    json_t *o = json_object();
    if (title)
        json_object_set_new(o, "title", json_string(title));
    json_object_set_new(o, "body", json_string(body ? body : ""));
    if (title) {
        json_t *labels = json_array();
        for (size_t i = 0; i < g->nlabels; i++)
            json_array_append_new(labels, json_string(g->labels[i]));
        json_object_set_new(o, "labels", labels);
    }
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* Comments for one incident, gathered over a run of events so that ten
 * alerts joining in one webhook make one comment, not ten: GitHub limits
 * how fast content may be created. */
struct comment_acc {
    const struct ob_incident *inc;
    struct ob_buf text;
    int lines, more;
};

#define COMMENT_LINES 20 /* then "...and N more": the store has them all */

static int queue(struct serve *s, const struct ob_incident *inc, const char *action, const char *title,
                 const char *text, double now)
{
    char *p = payload(title, text, &s->alerts->cfg->github);
    int rc = p ? ob_store_add_outbox(s->alerts->store, inc->id, action, p, now) : -1;
    free(p);
    return rc;
}

static int flush_comment(struct serve *s, struct comment_acc *c, double now)
{
    int rc = 0;
    if (c->lines) {
        if (c->more) {
            char tail[96];
            int n = snprintf(tail, sizeof tail, "\n…and %d more (`opsbox incidents show %lld`).\n",
                             c->more, (long long)c->inc->id);
            ob_buf_put(&c->text, tail, (size_t)n);
        }
        ob_buf_put(&c->text, "", 1);
        rc = c->text.failed ? -1 : queue(s, c->inc, "comment", NULL, (const char *)c->text.p, now);
    }
    c->text.len = 0;
    c->lines = c->more = 0;
    c->inc = NULL;
    return rc;
}

/* The tracker action an event causes, if any. JOINED of an incident opened
 * in this same batch is already in the body. */
static int queue_action(struct serve *s, struct comment_acc *c, const struct ob_event *e, int opened_now,
                        double now)
{
    const struct ob_incident *inc = e->incident;
    if (c->inc != inc && flush_comment(s, c, now) < 0)
        return -1;
    if (e->kind == OB_EV_OPENED) {
        const struct ob_github_config *g = &s->alerts->cfg->github;
        char *title = ob_render_title(inc, g->title), *body = ob_render_body(inc, g->body);
        int rc = title && body ? queue(s, inc, "open", title, body, now) : -1;
        free(title);
        free(body);
        return rc;
    }
    if (e->kind == OB_EV_JOINED && opened_now)
        return 0;
    char *text = ob_render_comment(e);
    if (!text)
        return 0;
    int rc = 0;
    if (e->kind == OB_EV_REOPENED || (e->kind == OB_EV_RESOLVED && s->alerts->cfg->alerts.close_on_resolve)) {
        rc = flush_comment(s, c, now);
        if (rc == 0)
            rc = queue(s, inc, e->kind == OB_EV_REOPENED ? "reopen" : "close", NULL, text, now);
    } else if (c->lines < COMMENT_LINES) {
        c->inc = inc;
        ob_buf_put(&c->text, text, strlen(text));
        c->lines++;
    } else {
        c->more++;
    }
    free(text);
    return rc;
}

static int was_opened(const struct ob_events *ev, size_t upto, const struct ob_incident *inc)
{
    for (size_t i = 0; i < upto; i++)
        if (ev->ev[i].kind == OB_EV_OPENED && ev->ev[i].incident == inc)
            return 1;
    return 0;
}

static int persist_event(struct serve *s, struct comment_acc *c, const struct ob_event *e, int opened_now,
                         double now)
{
    struct alerts *a = s->alerts;
    const struct ob_incident *inc = e->incident;
    const struct ob_member *m = e->member < inc->nmembers ? &inc->members[e->member] : NULL;
    char detail[64] = "";
    if (e->kind == OB_EV_SEVERITY)
        snprintf(detail, sizeof detail, "%s -> %s", ob_severity_name(e->detail),
                 ob_severity_name(inc->severity));
    if (ob_store_add_timeline(a->store, inc->id, e->at, event_name(e->kind), m ? m->key : NULL,
                              m ? m->labels : detail[0] ? detail : NULL) < 0 ||
        (m && ob_store_put_member(a->store, inc->id, e->member, m) < 0))
        return -1;
    return a->send ? queue_action(s, c, e, opened_now, now) : 0;
}

static int persist(struct serve *s, const struct ob_events *ev, double now)
{
    const struct ob_incident *last = NULL;
    struct comment_acc c = {0};
    int rc = 0;
    for (size_t i = 0; i < ev->n && rc == 0; i++) {
        const struct ob_event *e = &ev->ev[i];
        /* Events come grouped by incident; the row is written once per run. */
        if (e->incident != last && ob_store_put_incident(s->alerts->store, e->incident) < 0)
            rc = -1;
        last = e->incident;
        if (rc == 0)
            rc = persist_event(s, &c, e, e->kind == OB_EV_JOINED && was_opened(ev, i, e->incident), now);
    }
    if (rc == 0 && s->alerts->send)
        rc = flush_comment(s, &c, now);
    free(c.text.p);
    return rc;
}

/* ---- the set in memory, and restoring it ---- */

static int restore_one(void *arg, struct ob_incident *inc)
{
    return ob_incidents_restore(arg, inc);
}

static struct ob_incidents *load_incidents(struct serve *s, long *n)
{
    const struct ob_alerts_config *c = &s->alerts->cfg->alerts;
    struct ob_incident_params p = {(const char *const *)c->identifying, c->nidentifying, c->window_s,
                                   c->hold_off_s, 0};
    struct ob_incidents *inc = ob_incidents_new(&p);
    double keep = c->hold_off_s > c->window_s ? c->hold_off_s : c->window_s;
    int64_t max_id = 0;
    if (inc && ((*n = ob_store_live_incidents(s->alerts->store, ob_now() - keep, restore_one, inc)) < 0 ||
                ob_store_max_incident_id(s->alerts->store, &max_id) < 0)) {
        ob_incidents_free(inc);
        return NULL;
    }
    if (inc) /* an incident that expired from memory keeps its id */
        ob_incidents_reserve_id(inc, max_id);
    return inc;
}

static int replace_one(void *arg, struct ob_incident *inc)
{
    return ob_incidents_replace(arg, inc);
}

/* At the start of a turn whose revision is rev: the set as the store has
 * it, by what the other replicas wrote since our last turn, or whole after
 * a failure. */
static int catch_up(struct serve *s, int64_t rev)
{
    struct alerts *a = s->alerts;
    if (a->stale) {
        long n = 0;
        struct ob_incidents *fresh = load_incidents(s, &n);
        if (!fresh)
            return -1;
        ob_incidents_free(a->inc);
        a->inc = fresh;
        a->stale = 0;
    } else if (rev - 1 != a->rev) {
        if (ob_store_changed_incidents(a->store, a->rev, replace_one, a->inc) < 0) {
            a->stale = 1;
            return -1;
        }
    }
    a->rev = rev - 1;
    return 0;
}

static uint64_t random64(void)
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
        v = (uint64_t)(ob_now() * 1e6) ^ (uint64_t)(uintptr_t)&v;
    return v;
}

static void apply_one(struct serve *s, struct pending *p, double now, int *rc)
{
    struct alerts *a = s->alerts;
    if (p->w.group_key) {
        if (*rc == 0)
            *rc = ob_incidents_webhook(a->inc, &p->w, now, random64(), &a->ev);
        return;
    }
    for (size_t i = 0; i < p->nsignals && *rc == 0; i++) {
        struct flagged *f = &p->signals[i];
        char summary[64];
        snprintf(summary, sizeof summary, "anomaly score %.2f", f->score);
        if (!f->key || (f->nlabels && !f->labels))
            continue; /* a signal that lost its memory on the way: nothing to join */
        *rc = ob_incidents_signal(a->inc, f->kind, f->key, f->labels, f->nlabels,
                                  f->summary ? f->summary : summary, f->score, now, &a->ev);
    }
}

/* One transaction for the whole batch, in this replica's turn. On failure
 * nothing was written, and the set in memory (which did change) is read
 * back from the store at the next turn. */
static int commit_batch(struct serve *s, struct pending *batch)
{
    struct alerts *a = s->alerts;
    double now = ob_now();
    ob_events_clear(&a->ev);
    int64_t rev = 0;
    int rc = ob_store_begin(a->store);
    if (rc == 0 && (rc = ob_store_lock_incidents(a->store, &rev)) == 0)
        rc = catch_up(s, rev);
    for (struct pending *p = batch; p && rc == 0; p = p->next)
        apply_one(s, p, now, &rc);
    if (rc == 0 && a->ev.n && (rc = persist(s, &a->ev, now)) == 0 &&
        (rc = ob_store_commit(a->store)) == 0)
        a->rev = rev;
    else if (ob_store_rollback(a->store) != 0 && rc == 0)
        rc = -1; /* nothing changed, but what it read is not durable yet: no 200 on it */
    if (rc != 0) {
        ob_error("incidents: writing to the store failed (%s); reading them back",
                 ob_store_error(a->store));
        a->stale = 1;
    }
    ob_incidents_expire(a->inc, now);
    a->commit_seconds = ob_now() - now;
    return rc;
}

/* Queues p and returns once it is committed (p->status set). */
static void submit(struct serve *s, struct pending *p)
{
    struct alerts *a = s->alerts;
    pthread_mutex_lock(&a->mu);
    *a->tail = p;
    a->tail = &p->next;
    while (!p->done) {
        if (a->busy) {
            pthread_cond_wait(&a->cv, &a->mu);
            continue;
        }
        struct pending *batch = a->head;
        a->head = NULL;
        a->tail = &a->head;
        a->busy = 1;
        pthread_mutex_unlock(&a->mu);
        int rc = commit_batch(s, batch);
        pthread_mutex_lock(&a->mu);
        a->commits++;
        a->open = ob_incidents_firing(a->inc); /* still the leader: the set is ours to read */
        /* 503 while the database is away: Alertmanager retries, later. */
        int failed = ob_store_unavailable(a->store) ? 503 : 500;
        for (struct pending *q = batch; q; q = q->next) {
            q->status = rc == 0 ? 200 : failed;
            q->done = 1;
        }
        a->busy = 0;
        pthread_cond_broadcast(&a->cv);
    }
    pthread_mutex_unlock(&a->mu);
    if (p->status == 200 && a->send)
        ob__serve_outbox_ready(s);
}

static void count(struct alerts *a, uint64_t *counter, uint64_t alerts)
{
    pthread_mutex_lock(&a->mu);
    (*counter)++;
    a->alerts += alerts;
    pthread_mutex_unlock(&a->mu);
}

int ob__alerts_receive(struct serve *s, const struct ob_http_request *req, struct ob_buf *body)
{
    struct alerts *a = s->alerts;
    char err[512], msg[640];
    if (!authorized(a, req->authorization)) {
        count(a, &a->unauthorized, 0);
        ob_buf_put(body, "unauthorized\n", 13);
        return 401;
    }
    struct pending p = {0};
    if (ob_webhook_decode(req->body, req->body_len, &p.w, err, sizeof err) < 0) {
        count(a, &a->rejected, 0);
        ob_warn("receiver: refused a webhook: %s", err);
        int n = snprintf(msg, sizeof msg, "bad webhook: %s\n", err);
        ob_buf_put(body, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
        return 400;
    }
    submit(s, &p);
    count(a, p.status == 200 ? &a->accepted : &a->failed, p.status == 200 ? p.w.nalerts : 0);
    int n = snprintf(msg, sizeof msg, "{\"status\":\"%s\",\"alerts\":%zu}\n",
                     p.status == 200 ? "accepted" : "store failed", p.w.nalerts);
    ob_buf_put(body, msg, (size_t)n);
    ob_webhook_free(&p.w);
    return p.status;
}

void ob__alerts_hand_signals(struct serve *s, struct flagged *f, size_t n)
{
    if (!s->alerts || !n) {
        ob__flagged_free(f, n);
        return;
    }
    struct pending p = {.signals = f, .nsignals = n};
    submit(s, &p);
    pthread_mutex_lock(&s->alerts->mu);
    s->alerts->signals += p.nsignals;
    pthread_mutex_unlock(&s->alerts->mu);
    ob__flagged_free(p.signals, p.nsignals);
}

int ob__alerts_start(struct serve *s, char *err, size_t errlen)
{
    struct alerts *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->alerts = a;
    a->cfg = ob__cfg_hold(s);
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    a->tail = &a->head;
    a->send = s->cfg->github.enabled;
    if (load_auth(a, &s->cfg->alerts, err, errlen) < 0 ||
        !(a->store = ob_store_connect(s->cfg->store, s->cfg->store_password_file, err, errlen)))
        return -1;
    if (ob_store_set_durable(a->store) < 0) {
        snprintf(err, errlen, "store: %s", ob_store_error(a->store));
        return -1;
    }
    long n = 0;
    if (ob_store_incidents_rev(a->store, &a->rev) < 0 || !(a->inc = load_incidents(s, &n))) {
        snprintf(err, errlen, "reading incidents from %s: %s", s->cfg->store, ob_store_error(a->store));
        return -1;
    }
    ob_info("receiver: POST /v1/receiver; %ld live incidents from %s%s", n, s->cfg->store,
            a->expect_bearer || a->expect_basic ? "; authentication required" : "");
    return 0;
}

void ob__alerts_stop(struct serve *s)
{
    struct alerts *a = s->alerts;
    if (!a)
        return;
    ob_incidents_free(a->inc);
    ob_events_free(&a->ev);
    ob_store_close(a->store);
    free(a->expect_bearer);
    free(a->expect_basic);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    ob__cfg_release(s, a->cfg);
    free(a);
    s->alerts = NULL;
}

void ob__alerts_metrics(struct serve *s, struct ob_expo *e)
{
    struct alerts *a = s->alerts;
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    const char *results[] = {"accepted", "rejected", "unauthorized", "failed"};
    const uint64_t by_result[] = {a->accepted, a->rejected, a->unauthorized, a->failed};
    ob_expo_family(e, "opsbox_webhooks_total", "counter", "Alertmanager webhooks received, by result.");
    for (int i = 0; i < 4; i++) {
        struct ob_label l = ob_label_of("result", results[i]);
        ob_expo_sample_u64(e, &l, 1, by_result[i]);
    }
    ob_expo_single_u64(e, "opsbox_alerts_received_total", "counter", "Alerts in accepted webhooks.", a->alerts);
    ob_expo_single_u64(e, "opsbox_signals_total", "counter", "Series flags handed to the incidents.", a->signals);
    ob_expo_single_u64(e, "opsbox_incident_commits_total", "counter", "Transactions of the receiver (group commits).",
                       a->commits);
    ob_expo_single_u64(e, "opsbox_incidents_open", "gauge", "Incidents firing now.", a->open);
    pthread_mutex_unlock(&a->mu);
}

/* /api/v1/status: the incidents firing after the last commit. */
static void ob__alerts_status(struct serve *s, json_t *o)
{
    struct alerts *a = s->alerts;
    size_t n = 0;
    if (a) {
        pthread_mutex_lock(&a->mu);
        n = a->open;
        pthread_mutex_unlock(&a->mu);
    }
    json_object_set_new(o, "incidents_open", json_integer((json_int_t)n));
}

void ob__alerts_submit(struct serve *s, const struct ob_webhook *w)
{
    if (!s->alerts)
        return;
    struct pending p = {.w = *w};
    submit(s, &p);
    if (p.status != 200)
        ob_error("incidents: could not record %s", w->group_key);
}

static const struct ob_serve_route receiver = {"/v1/receiver", "POST an Alertmanager webhook here\n",
                                               "application/json", ob__alerts_receive};

/* The part, as the core sees it (parts[] in core.c). */
const struct ob_serve_part ob__part_alerts = {
    .name = "alerts",
    .start = ob__alerts_start,
    .stop = ob__alerts_stop,
    .metrics = ob__alerts_metrics,
    .signals = ob__alerts_hand_signals,
    .event = ob__alerts_submit,
    .route = &receiver,
    .status = ob__alerts_status,
};
