/* loki_pb_push.c - test helper: sends a Loki protobuf push (snappy) the way
 * promtail does, and prints the HTTP status.
 *   loki_pb_push URL '{job="app"}' LINE...      (or --junk URL: a bad body) */
#include "load.h"
#include "loki_body.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


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
        body = loki_proto_body(argv[2], argv + 3, argc - 3, (long long)time(NULL) * 1000000000LL, &len);
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
