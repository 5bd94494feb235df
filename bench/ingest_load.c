/* ingest_load.c - how fast `opsbox serve` takes data pushed at it.
 *
 *   ingest_load rw URL SERIES SAMPLES SECONDS
 *       remote write 1.0 bodies of SERIES series x SAMPLES samples each,
 *       timestamps moving on, posted back to back for SECONDS:
 *       prints rw_samples_per_sec (decoded, modelled, answered 204)
 *   ingest_load loki URL LOGFILE LINES SECONDS [json|protobuf]
 *       Loki pushes of LINES lines each, cycling through LOGFILE, as JSON
 *       or as promtail's default snappy-compressed protobuf:
 *       prints loki_json_lines_per_sec or loki_protobuf_lines_per_sec
 *       (decoded, mined, answered 204) */
#include "load.h"
#include "io/remote_write.h"
#include "loki_body.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Bodies for rounds of one sample per series each (SAMPLES rounds per body). */
static void *rw_body(int series, int samples, int round, size_t *len)
{
    size_t n = (size_t)series * (size_t)samples;
    struct ob_rw_series *s = calloc(n, sizeof *s);
    struct ob_label *l = calloc((size_t)series * 2, sizeof *l);
    char (*ids)[16] = calloc((size_t)series, sizeof *ids);
    for (int i = 0; i < series; i++) {
        snprintf(ids[i], sizeof ids[i], "%d", i);
        l[2 * i] = ob_label_of("id", ids[i]);
        l[2 * i + 1] = ob_label_of("job", "bench");
    }
    size_t k = 0;
    for (int r = 0; r < samples; r++)
        for (int i = 0; i < series; i++)
            s[k++] = (struct ob_rw_series){"bench_gauge", &l[2 * i], 2,
                                           1.7e9 + (double)(round * samples + r) * 15.0,
                                           100.0 + (double)((i * 7 + r * 13 + round) % 17)};
    void *out = NULL;
    ob_remote_write_encode(s, n, &out, len);
    free(s);
    free(l);
    free(ids);
    return out;
}

/* n lines of path, cycling through it; NULL if unreadable. */
static char **read_lines(const char *path, int n)
{
    FILE *f = fopen(path, "r");
    char **out = calloc((size_t)n, sizeof *out);
    char buf[65536];
    for (int i = 0; f && out && i < n;) {
        if (!fgets(buf, sizeof buf, f)) {
            rewind(f);
            continue;
        }
        buf[strcspn(buf, "\r\n")] = '\0';
        out[i++] = strdup(buf);
    }
    if (f)
        fclose(f);
    return f ? out : NULL;
}

#define NS_BASE 1700000000000000000LL

/* One stream {job="bench", instance="a"} of the lines, as promtail's JSON. */
static char *loki_json_body(char **text, int n, size_t *len)
{
    json_t *values = json_array();
    char ns[32];
    for (int i = 0; i < n; i++) {
        snprintf(ns, sizeof ns, "%lld", NS_BASE + i);
        json_array_append_new(values, json_pack("[s, s]", ns, text[i]));
    }
    json_t *doc = json_pack("{s:[{s:{s:s, s:s}, s:o}]}", "streams", "stream", "job", "bench", "instance", "a",
                            "values", values);
    char *body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    *len = strlen(body);
    return body;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: ingest_load rw URL SERIES SAMPLES SECONDS | loki URL LOGFILE LINES SECONDS [json|protobuf]\n");
        return 2;
    }
    CURL *c = curl_easy_init();
    double seconds = atof(argv[5]), t0 = load_now();
    long units = 0, errors = 0;
    if (!strcmp(argv[1], "rw")) {
        int series = atoi(argv[3]), samples = atoi(argv[4]);
        enum { BODIES = 8 };
        void *body[BODIES];
        size_t len[BODIES];
        for (int b = 0; b < BODIES; b++) /* made before the clock runs */
            body[b] = rw_body(series, samples, b, &len[b]);
        struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/x-protobuf");
        h = curl_slist_append(h, "Content-Encoding: snappy");
        t0 = load_now();
        for (int round = 0; load_now() - t0 < seconds; round++) {
            if (load_post(c, argv[2], h, body[round % BODIES], len[round % BODIES]) != 204)
                errors++;
            else
                units += (long)series * samples;
        }
        printf("rw_samples_per_sec %.0f\nrw_errors %ld\n", (double)units / (load_now() - t0), errors);
        return 0;
    }
    int lines = atoi(argv[4]);
    int proto = argc > 6 && !strcmp(argv[6], "protobuf");
    char **text = read_lines(argv[3], lines);
    if (!text)
        return 1;
    size_t len;
    char *body = proto ? loki_proto_body("{instance=\"a\", job=\"bench\"}", text, lines, NS_BASE, &len)
                       : loki_json_body(text, lines, &len);
    struct curl_slist *h = curl_slist_append(NULL, proto ? "Content-Type: application/x-protobuf"
                                                         : "Content-Type: application/json");
    t0 = load_now();
    while (load_now() - t0 < seconds) {
        if (load_post(c, argv[2], h, body, len) != 204)
            errors++;
        else
            units += lines;
    }
    const char *kind = proto ? "protobuf" : "json";
    printf("loki_%s_lines_per_sec %.0f\nloki_%s_errors %ld\n", kind, (double)units / (load_now() - t0), kind, errors);
    return 0;
}
