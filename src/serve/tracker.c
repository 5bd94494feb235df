/* tracker.c - the worker that turns the outbox into GitHub issues.
 *
 * One thread, its own store connection. It takes the oldest due action of
 * each incident (so an issue is opened before it is commented on or
 * closed), records the attempt *before* sending, sends, and marks it done.
 * A failure waits: what the server asked (Retry-After, the rate-limit
 * reset), else an exponential backoff with jitter, capped.
 *
 * Exactly once, across crashes: an action whose attempt was recorded may
 * have reached GitHub before opsbox died. So a retried "open" first looks
 * for the incident's marker among the repository's issues, and a retried
 * comment for its own marker among the issue's comments; only when they
 * are not there is the request sent again. */
#include "serve/serve_int.h"

#include "core/clock.h"
#include "core/log.h"
#include "io/github.h"
#include "io/statefile.h"
#include "io/store.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

struct tracker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, woken;
    struct ob_store *store;
    struct ob_github *gh;
    double backoff_max;        /* from the start-time config (SIGHUP frees that) */
    double timeout;            /* of one request */
    double paused_until;       /* the tracker as a whole is failing: wait */
    int failing;               /* consecutive failures of the tracker as a whole */
    double next_count;         /* when to count the pending actions again */
    char *default_repo;
    /* counters, under mu */
    uint64_t sent, errors, requests;
    long pending;
    double oldest;
    long last_status;
};

/* What one action needs to go: the result, and when to try again. */
struct outcome {
    int ok;
    int64_t issue_number;
    char issue_url[512];
    double retry_after; /* -1: use the backoff */
    int whole_tracker;  /* the failure is the tracker's (down, 5xx, rate limit), not this action's */
    char error[300];
};

static void set_error(struct outcome *o, const struct ob_github_reply *r, const char *what)
{
    if (r->status == 0)
        snprintf(o->error, sizeof o->error, "%s: %s", what, r->error);
    else
        snprintf(o->error, sizeof o->error, "%s: HTTP %ld: %.200s", what, r->status,
                 r->body ? r->body : "");
    o->retry_after = r->retry_after;
    o->whole_tracker = r->status == 0 || r->status >= 500 || r->status == 429 ||
                       (r->status == 403 && r->retry_after >= 0);
}

/* One request; 0 on a 2xx reply (kept in *r), else -1 with o->error. */
static int call(struct tracker *t, const char *method, const char *path, const char *json,
                struct ob_github_reply *r, struct outcome *o, const char *what)
{
    ob_github_call(t->gh, method, path, json, r);
    pthread_mutex_lock(&t->mu);
    t->requests++;
    t->last_status = r->status;
    pthread_mutex_unlock(&t->mu);
    if (r->status >= 200 && r->status < 300)
        return 0;
    set_error(o, r, what);
    ob_github_reply_free(r);
    return -1;
}

/* Looks for marker in the body of each item of a JSON list (or of
 * {"items": [...]} from search). Returns the number of the first found and
 * its html_url, or 0. */
static int64_t find_in(const char *json, const char *marker, char *url, size_t cap)
{
    json_t *root = json_loads(json, 0, NULL);
    json_t *list = json_is_array(root) ? root : json_object_get(root, "items");
    int64_t found = 0;
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        const char *body = json_string_value(json_object_get(item, "body"));
        if (body && strstr(body, marker)) {
            found = json_integer_value(json_object_get(item, "number"));
            const char *u = json_string_value(json_object_get(item, "html_url"));
            snprintf(url, cap, "%s", u ? u : "");
            if (!found) /* a comment: no number, but there */
                found = 1;
            break;
        }
    }
    json_decref(root);
    return found;
}

/* The issue opsbox opened for this incident before, if any: the newest
 * issues first (consistent at once), then search (which lags). */
static int find_issue(struct tracker *t, const char *repo, const char *uid, struct outcome *o)
{
    char path[1024], marker[64];
    snprintf(marker, sizeof marker, "<!-- opsbox incident %s -->", uid);
    struct ob_github_reply r;
    snprintf(path, sizeof path, "/repos/%s/issues?state=all&sort=created&direction=desc&per_page=100",
             repo);
    if (call(t, "GET", path, NULL, &r, o, "listing issues") < 0)
        return -1;
    o->issue_number = find_in(r.body, marker, o->issue_url, sizeof o->issue_url);
    ob_github_reply_free(&r);
    if (o->issue_number)
        return 0;
    snprintf(path, sizeof path, "/search/issues?q=%%22opsbox+incident+%s%%22+repo:%s+in:body", uid, repo);
    if (call(t, "GET", path, NULL, &r, o, "searching issues") < 0)
        return -1;
    o->issue_number = find_in(r.body, marker, o->issue_url, sizeof o->issue_url);
    ob_github_reply_free(&r);
    return 0;
}

static int open_issue(struct tracker *t, const struct ob_outbox_item *it, const char *repo,
                      struct outcome *o)
{
    if (it->attempts > 0) { /* an earlier try may have landed */
        if (find_issue(t, repo, it->uid, o) < 0)
            return -1;
        if (o->issue_number) {
            ob_info("tracker: incident %lld already has issue #%lld (found by its marker)",
                    (long long)it->incident, (long long)o->issue_number);
            return 0;
        }
    }
    char path[512];
    snprintf(path, sizeof path, "/repos/%s/issues", repo);
    struct ob_github_reply r;
    if (call(t, "POST", path, it->payload, &r, o, "opening an issue") < 0)
        return -1;
    json_t *root = json_loads(r.body, 0, NULL);
    o->issue_number = json_integer_value(json_object_get(root, "number"));
    const char *u = json_string_value(json_object_get(root, "html_url"));
    snprintf(o->issue_url, sizeof o->issue_url, "%s", u ? u : "");
    json_decref(root);
    ob_github_reply_free(&r);
    if (o->issue_number <= 0) {
        snprintf(o->error, sizeof o->error, "opening an issue: the reply has no issue number");
        return -1;
    }
    ob_info("tracker: incident %lld is issue #%lld %s", (long long)it->incident,
            (long long)o->issue_number, o->issue_url);
    return 0;
}

/* Posts the action's comment once: a retry first looks for its marker. */
static int comment_once(struct tracker *t, const struct ob_outbox_item *it, const char *repo,
                        struct outcome *o)
{
    json_t *p = json_loads(it->payload, 0, NULL);
    const char *text = json_string_value(json_object_get(p, "body"));
    char marker[64], path[512];
    snprintf(marker, sizeof marker, "<!-- opsbox action %lld -->", (long long)it->id);
    snprintf(path, sizeof path, "/repos/%s/issues/%lld/comments", repo, (long long)it->issue_number);
    struct ob_github_reply r;
    int rc = 0;
    if (it->attempts > 0) {
        char list[600], url[8];
        snprintf(list, sizeof list, "%s?per_page=100", path);
        rc = call(t, "GET", list, NULL, &r, o, "listing comments");
        int found = rc == 0 && find_in(r.body, marker, url, sizeof url);
        if (rc == 0)
            ob_github_reply_free(&r);
        if (rc < 0 || found) {
            json_decref(p);
            return rc;
        }
    }
    json_t *c = json_object();
    json_object_set_new(c, "body", json_sprintf("%s\n%s", text ? text : "", marker));
    char *body = json_dumps(c, JSON_COMPACT);
    rc = call(t, "POST", path, body, &r, o, "commenting");
    if (rc == 0)
        ob_github_reply_free(&r);
    free(body);
    json_decref(c);
    json_decref(p);
    return rc;
}

static int set_state(struct tracker *t, const struct ob_outbox_item *it, const char *repo,
                     const char *state, struct outcome *o)
{
    char path[512], body[96];
    snprintf(path, sizeof path, "/repos/%s/issues/%lld", repo, (long long)it->issue_number);
    snprintf(body, sizeof body, "{\"state\":\"%s\"%s}", state,
             strcmp(state, "closed") ? "" : ",\"state_reason\":\"completed\"");
    struct ob_github_reply r;
    if (call(t, "PATCH", path, body, &r, o, strcmp(state, "closed") ? "reopening" : "closing") < 0)
        return -1;
    ob_github_reply_free(&r);
    return 0;
}

static void perform(struct tracker *t, const struct ob_outbox_item *it, struct outcome *o)
{
    const char *repo = it->repo ? it->repo : t->default_repo;
    o->retry_after = -1;
    if (!repo) {
        snprintf(o->error, sizeof o->error,
                 "no repository: set github.repo, or a 'repo' label on the alerts");
        return;
    }
    int rc;
    if (!strcmp(it->action, "open"))
        rc = it->issue_number > 0 ? 0 : open_issue(t, it, repo, o);
    else if (it->issue_number <= 0) {
        snprintf(o->error, sizeof o->error, "%s: the incident has no issue yet", it->action);
        rc = -1;
    } else if (!strcmp(it->action, "close"))
        rc = comment_once(t, it, repo, o) < 0 ? -1 : set_state(t, it, repo, "closed", o);
    else if (!strcmp(it->action, "reopen"))
        rc = set_state(t, it, repo, "open", o) < 0 ? -1 : comment_once(t, it, repo, o);
    else
        rc = comment_once(t, it, repo, o);
    o->ok = rc == 0;
}

/* 1 s, 2 s, 4 s ... up to backoff_max, each times a random 0.5-1. */
static double backoff(const struct tracker *t, int attempts)
{
    double wait = pow(2.0, attempts > 30 ? 30 : attempts - 1);
    if (wait > t->backoff_max)
        wait = t->backoff_max;
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
        r = (uint32_t)(ob_now() * 1e6);
    return wait * (0.5 + 0.5 * (double)r / 4294967295.0);
}

/* One due action, if any: returns 1 when there may be more, 0 when none. */
static int work_once(struct tracker *t)
{
    struct ob_outbox_item it;
    double now = ob_now();
    int got = ob_store_next_outbox(t->store, now, &it);
    if (got <= 0) {
        if (got < 0)
            ob_error("tracker: reading the outbox: %s", ob_store_error(t->store));
        return 0;
    }
    int attempts = it.attempts + 1;
    /* Recorded before sending: after a crash, the retry knows to look first.
     * Not due again before the request has timed out, so that another
     * replica's worker does not take it while this one is still sending. */
    double lease = 3 * t->timeout + backoff(t, attempts); /* close: up to three requests */
    if (ob_store_outbox_attempt(t->store, it.id, attempts, now + lease, "sending") < 0) {
        ob_error("tracker: recording an attempt: %s", ob_store_error(t->store));
        free(it.payload);
        free(it.repo);
        return 0;
    }
    struct outcome o = {0};
    perform(t, &it, &o);
    if (o.ok) {
        if (ob_store_outbox_done(t->store, &it, ob_now(), o.issue_number, o.issue_url) < 0)
            ob_error("tracker: recording a sent action: %s", ob_store_error(t->store));
        pthread_mutex_lock(&t->mu);
        t->sent++;
        pthread_mutex_unlock(&t->mu);
        t->failing = 0;
    } else if (o.whole_tracker) {
        /* Down, overloaded or rate-limited: true for every incident, so
         * the whole worker waits rather than trying each one in turn. */
        t->failing++;
        double wait = o.retry_after >= 0 ? o.retry_after : backoff(t, t->failing);
        t->paused_until = ob_now() + wait;
        ob_warn("tracker: %s; pausing %.1f s (incident %lld %s waits)", o.error, wait,
                (long long)it.incident, it.action);
        ob_store_outbox_attempt(t->store, it.id, attempts, t->paused_until, o.error);
        pthread_mutex_lock(&t->mu);
        t->errors++;
        pthread_mutex_unlock(&t->mu);
    } else {
        double wait = o.retry_after >= 0 ? o.retry_after : backoff(t, attempts);
        ob_warn("tracker: incident %lld %s (attempt %d) failed: %s; again in %.1f s",
                (long long)it.incident, it.action, attempts, o.error, wait);
        ob_store_outbox_attempt(t->store, it.id, attempts, ob_now() + wait, o.error);
        pthread_mutex_lock(&t->mu);
        t->errors++;
        pthread_mutex_unlock(&t->mu);
    }
    free(it.payload);
    free(it.repo);
    return 1;
}

/* The stop flag, read under t->mu: ob__worker_stop sets it from the main
 * thread while this one drains the outbox. */
static int stopping(struct tracker *t)
{
    pthread_mutex_lock(&t->mu);
    int stop = t->stop;
    pthread_mutex_unlock(&t->mu);
    return stop;
}

static void *run(void *arg)
{
    struct tracker *t = arg;
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
        pthread_mutex_unlock(&t->mu);
        while (ob_now() >= t->paused_until && work_once(t) && !stopping(t))
            ;
        long n = 0;
        double oldest = 0;
        int count = ob_now() >= t->next_count; /* a scan of the pending rows: not too often */
        if (count) {
            ob_store_outbox_pending(t->store, &n, &oldest);
            t->next_count = ob_now() + 5;
        }
        pthread_mutex_lock(&t->mu);
        if (count) {
            t->pending = n;
            t->oldest = oldest;
        }
        if (!t->stop && !t->woken) { /* new actions wake us; retries are due within a second */
            struct timespec until = ob_deadline(0.5);
            pthread_cond_timedwait(&t->cv, &t->mu, &until);
        }
        t->woken = 0;
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

int ob__tracker_start(struct serve *s, char *err, size_t errlen)
{
    const struct ob_github_config *g = &s->cfg->github;
    if (!g->enabled)
        return 0;
    struct tracker *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->tracker = t;
    t->backoff_max = g->backoff_max_s;
    t->timeout = g->timeout_s;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    char *token = g->token_file ? ob_statefile_secret(g->token_file)
                  : getenv("GITHUB_TOKEN") ? strdup(getenv("GITHUB_TOKEN")) : NULL;
    if (g->token_file && !token) {
        snprintf(err, errlen, "github.token_file %s: cannot read", g->token_file);
        return -1;
    }
    if (!token)
        ob_warn("tracker: no github.token_file and no GITHUB_TOKEN: requests go unauthenticated");
    t->gh = ob_github_new(g->api_url, token, g->timeout_s);
    if (token)
        memset(token, 0, strlen(token));
    free(token);
    t->default_repo = g->repo ? strdup(g->repo) : NULL;
    if (!t->gh || !(t->store = ob_store_connect(s->cfg->store, s->cfg->store_password_file, err, errlen))) {
        if (!t->gh)
            snprintf(err, errlen, "cannot start the GitHub client (libcurl)");
        return -1;
    }
    if (pthread_create(&t->thread, NULL, run, t) != 0) {
        snprintf(err, errlen, "cannot start the tracker thread");
        ob_store_close(t->store);
        t->store = NULL;
        return -1;
    }
    ob_info("tracker: incidents become issues in %s via %s", g->repo ? g->repo : "(the alert's repo label)",
            g->api_url);
    return 0;
}

static void ob__tracker_wake(struct serve *s)
{
    struct tracker *t = s->tracker;
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->woken = 1;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

void ob__tracker_stop(struct serve *s)
{
    struct tracker *t = s->tracker;
    if (!t)
        return;
    if (t->store)
        ob__worker_stop(&t->mu, &t->cv, &t->stop, t->thread);
    ob_store_close(t->store);
    ob_github_free(t->gh);
    free(t->default_repo);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
    s->tracker = NULL;
}

void ob__tracker_metrics(struct serve *s, struct ob_expo *e)
{
    struct tracker *t = s->tracker;
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    double age = t->pending && t->oldest > 0 ? ob_now() - t->oldest : 0;
    ob_expo_single_u64(e, "opsbox_tracker_actions_sent_total", "counter", "Issue actions (open, comment, close) done.",
                       t->sent);
    ob_expo_single_u64(e, "opsbox_tracker_errors_total", "counter", "Failed attempts (retried).", t->errors);
    ob_expo_single_u64(e, "opsbox_tracker_requests_total", "counter", "Requests to the tracker's API.",
                       t->requests);
    ob_expo_single(e, "opsbox_outbox_pending", "gauge", "Issue actions waiting to be sent.", (double)t->pending);
    ob_expo_single(e, "opsbox_outbox_oldest_age_seconds", "gauge", "Age of the oldest waiting action.", age);
    pthread_mutex_unlock(&t->mu);
}

/* The part, as the core sees it (parts[] in core.c). */
const struct ob_serve_part ob__part_tracker = {
    .name = "tracker",
    .start = ob__tracker_start,
    .stop = ob__tracker_stop,
    .metrics = ob__tracker_metrics,
    .outbox = ob__tracker_wake,
};
