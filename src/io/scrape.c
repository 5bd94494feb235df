/* scrape.c - the scrape loop's I/O: one curl easy handle per target, all
 * driven by one multi handle. A target is due every scrape_interval from
 * its first scrape; a scrape still running when the next is due is not
 * doubled (Prometheus does the same). Bodies are capped so a runaway target
 * cannot exhaust memory. */
#include "io/scrape.h"
#include "core/clock.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY_LIMIT (64u << 20)

struct target_state {
    const struct ob_scrape_config *job;
    const struct ob_target *target;
    CURL *easy;
    struct curl_slist *headers;
    char *url;
    char *body;
    size_t len, cap;
    int overflow, running;
    double next_due, started;
    char error[CURL_ERROR_SIZE];
};

struct ob_scraper {
    CURLM *multi;
    struct target_state *t;
    size_t n;
};


static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
    struct target_state *t = arg;
    size_t n = size * nmemb;
    if (t->len + n > BODY_LIMIT) {
        t->overflow = 1;
        return 0; /* aborts the transfer */
    }
    if (t->len + n + 1 > t->cap) {
        size_t c = t->cap ? t->cap : 65536;
        while (c < t->len + n + 1)
            c *= 2;
        char *b = realloc(t->body, c);
        if (!b)
            return 0;
        t->body = b;
        t->cap = c;
    }
    memcpy(t->body + t->len, p, n);
    t->len += n;
    t->body[t->len] = '\0';
    return n;
}

static int setup(struct target_state *t, size_t index, size_t total)
{
    size_t n = strlen(t->job->scheme) + strlen(t->target->address) + strlen(t->job->metrics_path) + 8;
    if (!(t->url = malloc(n)) || !(t->easy = curl_easy_init()))
        return -1;
    snprintf(t->url, n, "%s://%s%s", t->job->scheme, t->target->address, t->job->metrics_path);
    curl_easy_setopt(t->easy, CURLOPT_URL, t->url);
    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
    curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, (long)(t->job->timeout_s * 1000));
    curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t->easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(t->easy, CURLOPT_USERAGENT, "opsbox/" OB_VERSION);
    static const char accept[] = "Accept: text/plain;version=0.0.4;q=1,*/*;q=0.1";
    if (!(t->headers = curl_slist_append(NULL, accept)))
        return -1;
    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
    /* Spread first scrapes over the interval, as Prometheus does. */
    t->next_due = ob_now() + t->job->interval_s * (double)index / (double)(total ? total : 1) * 0.1;
    return 0;
}

struct ob_scraper *ob_scraper_new(const struct ob_config *cfg)
{
    static int global_init;
    if (!global_init++ && curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return NULL;
    struct ob_scraper *s = calloc(1, sizeof *s);
    if (!s || !(s->multi = curl_multi_init())) {
        free(s);
        return NULL;
    }
    size_t total = 0;
    for (size_t i = 0; i < cfg->nscrapes; i++)
        total += cfg->scrapes[i].ntargets;
    s->t = calloc(total ? total : 1, sizeof *s->t);
    for (size_t i = 0; s->t && i < cfg->nscrapes; i++)
        for (size_t j = 0; j < cfg->scrapes[i].ntargets; j++) {
            struct target_state *t = &s->t[s->n++];
            t->job = &cfg->scrapes[i];
            t->target = &cfg->scrapes[i].targets[j];
            if (setup(t, s->n - 1, total) < 0) {
                ob_scraper_free(s);
                return NULL;
            }
        }
    if (!s->t) {
        ob_scraper_free(s);
        return NULL;
    }
    return s;
}

void ob_scraper_free(struct ob_scraper *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        struct target_state *t = &s->t[i];
        if (t->easy) {
            if (t->running)
                curl_multi_remove_handle(s->multi, t->easy);
            curl_easy_cleanup(t->easy);
        }
        curl_slist_free_all(t->headers);
        free(t->url);
        free(t->body);
    }
    free(s->t);
    curl_multi_cleanup(s->multi);
    free(s);
}

static void start_due(struct ob_scraper *s, double now)
{
    for (size_t i = 0; i < s->n; i++) {
        struct target_state *t = &s->t[i];
        if (t->running || now < t->next_due)
            continue;
        t->len = 0;
        t->overflow = 0;
        t->error[0] = '\0';
        t->started = now;
        t->next_due += t->job->interval_s;
        if (t->next_due < now) /* fell behind (suspend, slow loop): skip, don't burst */
            t->next_due = now + t->job->interval_s;
        if (curl_multi_add_handle(s->multi, t->easy) == CURLM_OK)
            t->running = 1;
    }
}

static void finish(struct ob_scraper *s, CURLMsg *msg, ob_scrape_fn fn, void *arg)
{
    struct target_state *t = NULL;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
    long status = 0;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(s->multi, msg->easy_handle);
    t->running = 0;
    char why[CURL_ERROR_SIZE + 64];
    struct ob_scrape_result r = {t->job, t->target, t->body ? t->body : "", t->len, 0,
                                 t->started, ob_now() - t->started, why};
    if (msg->data.result != CURLE_OK)
        snprintf(why, sizeof why, "%s", t->overflow ? "body larger than 64 MiB"
                                        : t->error[0] ? t->error : curl_easy_strerror(msg->data.result));
    else if (status != 200)
        snprintf(why, sizeof why, "HTTP status %ld", status);
    else
        r.ok = 1;
    fn(arg, &r);
}

/* Milliseconds until the next target is due, at most cap. */
static int until_due(const struct ob_scraper *s, double now, int cap)
{
    double wait = cap / 1000.0;
    for (size_t i = 0; i < s->n; i++)
        if (!s->t[i].running && s->t[i].next_due - now < wait)
            wait = s->t[i].next_due - now;
    return wait <= 0 ? 0 : (int)(wait * 1000) + 1;
}

int ob_scraper_poll(struct ob_scraper *s, int wait_ms, ob_scrape_fn fn, void *arg)
{
    int running, left;
    double now = ob_now();
    start_due(s, now);
    wait_ms = until_due(s, now, wait_ms);
    if (curl_multi_perform(s->multi, &running) != CURLM_OK ||
        curl_multi_poll(s->multi, NULL, 0, wait_ms, NULL) != CURLM_OK ||
        curl_multi_perform(s->multi, &running) != CURLM_OK)
        return -1;
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(s->multi, &left)))
        if (msg->msg == CURLMSG_DONE)
            finish(s, msg, fn, arg);
    return 0;
}
