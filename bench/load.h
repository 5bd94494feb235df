/* load.h - what opsbox's load generators (and test push tools) share: a
 * clock that never jumps, and one POST with curl whose answer body is
 * dropped. Header-only, since each tool is a single file. */
#ifndef OB_BENCH_LOAD_H
#define OB_BENCH_LOAD_H

#include <curl/curl.h>
#include <stddef.h>
#include <time.h>

static inline double load_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline size_t load_discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

/* POSTs body to url with headers h; the HTTP status, or -1 when the
 * request itself failed. */
static inline long load_post(CURL *c, const char *url, struct curl_slist *h, const void *body, size_t len)
{
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, load_discard);
    long status = 0;
    if (curl_easy_perform(c) != CURLE_OK)
        return -1;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

#endif
