/* query_api.c - query_range against a Prometheus-compatible API with
 * libcurl's easy interface: one handle, reused so its connection is too.
 * The caller (src/serve/query.c) feeds the answer to the models. */
#include "io/query_api.h"

#include "core/buf.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>

struct ob_query_client {
    CURL *curl;
};

struct ob_query_client *ob_query_client_new(void)
{
    struct ob_query_client *c = calloc(1, sizeof *c);
    if (c && !(c->curl = curl_easy_init())) {
        free(c);
        c = NULL;
    }
    return c;
}

void ob_query_client_free(struct ob_query_client *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    free(c);
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    ob_buf_put(arg, p, size * n);
    return ((struct ob_buf *)arg)->failed ? 0 : size * n;
}

json_t *ob_query_range(struct ob_query_client *c, const char *base, const char *selector, double start,
                       double end, double step_s, char *err, size_t errlen)
{
    char *enc = curl_easy_escape(c->curl, selector, 0);
    char url[8192];
    snprintf(url, sizeof url, "%s/api/v1/query_range?query=%s&start=%.3f&end=%.3f&step=%gs", base,
             enc ? enc : "", start, end, step_s);
    curl_free(enc);
    struct ob_buf body = {0};
    curl_easy_reset(c->curl);
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "opsbox/" OB_VERSION);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &body);
    CURLcode rc = curl_easy_perform(c->curl);
    long status = 0;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    json_t *doc = rc == CURLE_OK && status == 200 ? json_loadb((char *)body.p, body.len, 0, NULL) : NULL;
    json_t *result = json_object_get(json_object_get(doc, "data"), "result");
    free(body.p);
    if (!json_is_array(result)) {
        snprintf(err, errlen, "%s",
                 rc != CURLE_OK ? curl_easy_strerror(rc) : status != 200 ? "HTTP error" : "not a query_range answer");
        json_decref(doc);
        return NULL;
    }
    json_incref(result);
    json_decref(doc);
    return result;
}
