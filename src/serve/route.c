/* route.c - how the parts of the daemon reach one another: through the
 * core, never directly, as Fluent Bit's engine routes between its inputs
 * and outputs. A part posts what it has (series flags, an event made
 * inside opsbox, "the outbox has work", log lines to mine); the core hands
 * it to the parts in ob__parts that take it (the callbacks of struct
 * ob_serve_part). So no file here names another part, and a part can be
 * left out of parts[] without the others changing. The same goes for what
 * the core asks of the parts: their endpoints, their saves in the
 * snapshot, the series they model themselves. */
#include "serve/serve_int.h"

#include <stdlib.h>
#include <string.h>

#define EACH_PART(p)                                                                                   \
    for (size_t i_ = 0; i_ < ob__nparts; i_++)                                                         \
        for (const struct ob_serve_part *p = ob__parts[i_]; p; p = NULL)

void ob__flagged_free(struct flagged *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].key);
        free(f[i].summary);
        ob_kv_free(f[i].labels, f[i].nlabels);
    }
    free(f);
}

/* Takes the list under s->lock: the scrape thread, the remote-write HTTP
 * thread and the query thread all fill it and all come here after
 * unlocking. */
void ob__serve_signals(struct serve *s)
{
    pthread_mutex_lock(&s->lock);
    struct flagged *f = s->flagged;
    size_t n = s->nflagged;
    s->flagged = NULL;
    s->nflagged = 0;
    pthread_mutex_unlock(&s->lock);
    ob__serve_post_signals(s, f, n);
}

/* Signals are taken, so they go to one part: the first that takes them. */
void ob__serve_post_signals(struct serve *s, struct flagged *f, size_t n)
{
    if (n)
        EACH_PART(p)
            if (p->signals) {
                p->signals(s, f, n);
                return;
            }
    ob__flagged_free(f, n);
}

void ob__serve_post_event(struct serve *s, const struct ob_webhook *w)
{
    EACH_PART(p)
        if (p->event)
            p->event(s, w);
}

void ob__serve_outbox_ready(struct serve *s)
{
    EACH_PART(p)
        if (p->outbox)
            p->outbox(s);
}

/* Lines, like signals, are mined once: by the first part that mines. */
int ob__serve_post_lines(struct serve *s, const struct ob_loki_push *lines)
{
    EACH_PART(p)
        if (p->lines)
            return p->lines(s, lines);
    return 0;
}

const struct ob_serve_route *ob__serve_route(const char *path)
{
    EACH_PART(p)
        if (p->route && !strcmp(p->route->path, path))
            return p->route;
    return NULL;
}

json_t *ob__serve_part_api(struct serve *s, const struct ob_http_request *req, int *found)
{
    *found = 0;
    EACH_PART(p)
        if (p->api_path && !strcmp(p->api_path, req->path)) {
            *found = 1;
            return p->api(s, req);
        }
    return NULL;
}

void ob__serve_part_status(struct serve *s, json_t *o)
{
    EACH_PART(p)
        if (p->status)
            p->status(s, o);
}

int ob__serve_part_save(struct serve *s, double now)
{
    int rc = 0;
    EACH_PART(p)
        if (p->freeze)
            p->freeze(s, 1);
    EACH_PART(p)
        if (p->save && rc == 0)
            rc = p->save(s, now);
    EACH_PART(p)
        if (p->freeze)
            p->freeze(s, 0);
    return rc;
}

void ob__serve_part_pause(struct serve *s)
{
    EACH_PART(p)
        if (p->pause)
            p->pause(s);
}

int ob__serve_own_series(const char *name, size_t n)
{
    EACH_PART(p)
        if (p->own_series && p->own_series(name, n))
            return 1;
    return 0;
}

long ob__api_limit(const struct ob_http_request *req, long fallback)
{
    const char *v = ob_http_query(req, "limit");
    char *end;
    long n = v ? strtol(v, &end, 10) : fallback;
    return v && (*end || n < 1) ? fallback : n > OB_API_LIMIT_MAX ? OB_API_LIMIT_MAX : n;
}
