/* loki_pb_push.c - test helper: sends a Loki protobuf push (snappy) the way
 * promtail does, and prints the HTTP status.
 *   loki_pb_push URL '{job="app"}' LINE...      (or --junk URL: a bad body) */
#include "load.h"
#include "loki_push.pb-c.h"

#include <curl/curl.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    int junk = !strcmp(argv[1], "--junk");
    const char *url = argv[junk ? 2 : 1];
    char *body = NULL;
    size_t len = 0;
    if (junk) {
        body = strdup("\x05hello");
        len = 6;
    } else {
        int n = argc - 3;
        Opsbox__Loki__EntryAdapter *e = calloc((size_t)n + 1, sizeof *e), **ep = calloc((size_t)n + 1, sizeof *ep);
        Opsbox__Loki__Timestamp *t = calloc((size_t)n + 1, sizeof *t);
        for (int i = 0; i < n; i++) {
            opsbox__loki__timestamp__init(&t[i]);
            t[i].seconds = (int64_t)time(NULL);
            t[i].nanos = i;
            opsbox__loki__entry_adapter__init(&e[i]);
            e[i].timestamp = &t[i];
            e[i].line = argv[3 + i];
            ep[i] = &e[i];
        }
        Opsbox__Loki__StreamAdapter st = OPSBOX__LOKI__STREAM_ADAPTER__INIT, *stp = &st;
        st.labels = argv[2];
        st.entries = ep;
        st.n_entries = (size_t)n;
        Opsbox__Loki__PushRequest req = OPSBOX__LOKI__PUSH_REQUEST__INIT;
        req.streams = &stp;
        req.n_streams = 1;
        size_t raw_len = opsbox__loki__push_request__get_packed_size(&req);
        char *raw = malloc(raw_len + 1);
        opsbox__loki__push_request__pack(&req, (uint8_t *)raw);
        len = snappy_max_compressed_length(raw_len);
        body = malloc(len);
        snappy_compress(raw, raw_len, body, &len);
        free(raw);
        free(e);
        free(ep);
        free(t);
    }
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/x-protobuf");
    long status = load_post(c, url, h, body, len);
    printf("%ld\n", status < 0 ? 0 : status);
    fflush(stdout); /* before LeakSanitizer's exit, in the sanitizer build */
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(body);
    return 0;
}
