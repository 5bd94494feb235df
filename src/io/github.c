/* github.c - the GitHub REST wire: bearer token, the API version header,
 * JSON bodies, and the headers that say when to come back (Retry-After,
 * X-RateLimit-Remaining/Reset). Policy (what to retry, when) is the
 * caller's. */
#include "io/github.h"

#include "core/buf.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct ob_github {
    CURL *curl;
    char *base;
    char *auth; /* "Authorization: Bearer ..." */
    long timeout_ms;
};

struct ob_github *ob_github_new(const char *api_url, const char *token, double timeout_s)
{
    struct ob_github *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    size_t n = strlen(api_url);
    while (n && api_url[n - 1] == '/')
        n--;
    g->base = strndup(api_url, n);
    g->timeout_ms = (long)(timeout_s * 1000);
    if (token && *token) {
        size_t len = strlen(token) + 32;
        if ((g->auth = malloc(len)))
            snprintf(g->auth, len, "Authorization: Bearer %s", token);
    }
    g->curl = curl_easy_init();
    if (!g->base || !g->curl || (token && *token && !g->auth)) {
        ob_github_free(g);
        return NULL;
    }
    return g;
}

void ob_github_free(struct ob_github *g)
{
    if (!g)
        return;
    curl_easy_cleanup(g->curl);
    free(g->base);
    if (g->auth) /* the token does not linger in freed memory */
        memset(g->auth, 0, strlen(g->auth));
    free(g->auth);
    free(g);
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct ob_buf *b = arg;
    ob_buf_put(b, p, size * n);
    return b->failed ? 0 : size * n;
}

struct wait_headers {
    double retry_after, reset;
    int remaining; /* -1 unknown */
};

static int header_is(const char *line, size_t len, const char *name)
{
    size_t n = strlen(name);
    return len > n && !strncasecmp(line, name, n) && line[n] == ':';
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct wait_headers *w = arg;
    size_t len = size * n;
    char v[64];
    const char *colon = memchr(p, ':', len);
    if (colon) {
        size_t vl = len - (size_t)(colon + 1 - p);
        snprintf(v, sizeof v, "%.*s", (int)(vl < sizeof v ? vl : sizeof v - 1), colon + 1);
        if (header_is(p, len, "Retry-After"))
            w->retry_after = atof(v); /* GitHub sends seconds */
        else if (header_is(p, len, "X-RateLimit-Remaining"))
            w->remaining = atoi(v);
        else if (header_is(p, len, "X-RateLimit-Reset"))
            w->reset = atof(v);
    }
    return len;
}

int ob_github_call(struct ob_github *g, const char *method, const char *path, const char *json,
                   struct ob_github_reply *r)
{
    memset(r, 0, sizeof *r);
    r->retry_after = -1;
    char url[2048];
    snprintf(url, sizeof url, "%s%s", g->base, path);
    struct ob_buf body = {0};
    struct wait_headers w = {-1, 0, -1};
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Accept: application/vnd.github+json");
    h = curl_slist_append(h, "X-GitHub-Api-Version: 2022-11-28");
    h = curl_slist_append(h, "Content-Type: application/json");
    if (g->auth)
        h = curl_slist_append(h, g->auth);
    CURL *c = g->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "opsbox/" OB_VERSION);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, g->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &w);
    if (json)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(h);
    ob_buf_put(&body, "", 1);
    if (rc != CURLE_OK || body.failed) {
        snprintf(r->error, sizeof r->error, "%s %s: %s", method, path,
                 rc != CURLE_OK ? curl_easy_strerror(rc) : "out of memory");
        free(body.p);
        return -1;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    r->body = (char *)body.p;
    r->len = body.len - 1;
    if (w.retry_after >= 0)
        r->retry_after = w.retry_after;
    else if (w.remaining == 0 && w.reset > 0)
        r->retry_after = w.reset - (double)time(NULL);
    if (r->retry_after > 3600)
        r->retry_after = 3600;
    return 0;
}

void ob_github_reply_free(struct ob_github_reply *r)
{
    free(r->body);
    r->body = NULL;
}
