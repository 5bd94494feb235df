/* rw_push.c - test helper: sends one remote write 1.0 request (snappy
 * protobuf, as Prometheus does) of the series given, one sample each at
 * now, and prints the HTTP status. Names and values go as given, bytes and
 * all, so a test can send what a careless sender would.
 *   rw_push URL NAME [LABEL=VALUE ...] [-- NAME [LABEL=VALUE ...]]... */
#include "io/remote_write.h"
#include "load.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    struct ob_rw_series *series = calloc((size_t)argc, sizeof *series);
    struct ob_label *labels = calloc((size_t)argc, sizeof *labels);
    if (!series || !labels)
        return 1;
    size_t n = 0, k = 0;
    double now = (double)time(NULL);
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            continue;
        series[n] = (struct ob_rw_series){argv[i], &labels[k], 0, now, 1};
        while (i + 1 < argc && strcmp(argv[i + 1], "--")) {
            char *eq = strchr(argv[++i], '=');
            if (!eq)
                return 2;
            *eq = '\0';
            labels[k++] = ob_label_of(argv[i], eq + 1);
            series[n].nlabels++;
        }
        n++;
    }
    void *body;
    size_t len;
    if (ob_remote_write_encode(series, n, &body, &len) < 0)
        return 1;
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/x-protobuf");
    h = curl_slist_append(h, "Content-Encoding: snappy");
    long status = load_post(c, argv[1], h, body, len);
    printf("%ld\n", status < 0 ? 0 : status);
    fflush(stdout); /* before LeakSanitizer's exit, in the sanitizer build */
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(body);
    free(series);
    free(labels);
    return 0;
}
