/* webhook_load.c - load generator for opsbox's Alertmanager receiver.
 *
 *   webhook_load URL[,URL...] TOKEN THREADS SECONDS GROUPS ALERTS_PER_WEBHOOK [PHASE]
 *
 * Several URLs (replicas of one store): connection i posts to URL i mod n.
 * PHASE "open": one webhook of ALERTS_PER_WEBHOOK alerts per group (GROUPS
 * incidents open), then stop.
 * PHASE "load" (default): for SECONDS, THREADS connections each post
 * webhooks to random existing groups, every alert in them new (a new
 * fingerprint), so each one is a member, a timeline row and an outbox row
 * written before the answer: the receiver's heaviest path. Prints, one
 * figure per line:
 *   webhooks_per_sec, alerts_per_sec, latency_p50_ms, latency_p99_ms, errors */
#include "load.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct worker {
    pthread_t t;
    int id;
    double *lat;
    size_t n, cap;
    long errors;
    unsigned seed;
};

static const char *urls[16], *token;
static int nurls;
static int threads, seconds, groups, per_webhook, open_phase;
static double deadline;


static int body(char *buf, size_t cap, int group, int worker, long seq, int alerts)
{
    int k = snprintf(buf, cap,
                     "{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"Bench%d\\\"}\","
                     "\"status\":\"firing\",\"receiver\":\"opsbox\",\"groupLabels\":{\"alertname\":"
                     "\"Bench%d\"},\"commonLabels\":{\"alertname\":\"Bench%d\",\"job\":\"bench\"},"
                     "\"externalURL\":\"http://am:9093\",\"alerts\":[",
                     group, group, group);
    for (int i = 0; i < alerts && (size_t)k < cap; i++)
        k += snprintf(buf + k, cap - (size_t)k,
                      "%s{\"status\":\"firing\",\"labels\":{\"alertname\":\"Bench%d\",\"job\":\"bench\","
                      "\"instance\":\"host-%d-%ld-%d:9100\",\"severity\":\"warning\"},"
                      "\"annotations\":{\"summary\":\"load on host %d\"},"
                      "\"startsAt\":\"2026-11-27T06:00:00Z\",\"fingerprint\":\"%08x%04x%04x\"}",
                      i ? "," : "", group, worker, seq, i, i, (unsigned)seq, (unsigned)worker,
                      (unsigned)i);
    k += snprintf(buf + k, cap - (size_t)k, "]}");
    return k;
}


static void *run(void *arg)
{
    struct worker *w = arg;
    const char *url = urls[w->id % nurls];
    CURL *c = curl_easy_init();
    char auth[256], *b = malloc(1 << 20);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, auth);
    long seq = 0;
    for (int g = w->id; open_phase && g < groups; g += threads) {
        int len = body(b, 1 << 20, g, w->id, seq++, per_webhook);
        w->errors += load_post(c, url, h, b, (size_t)len) != 200;
    }
    while (!open_phase && load_now() < deadline) {
        int g = (int)(rand_r(&w->seed) % (unsigned)groups);
        int len = body(b, 1 << 20, g, w->id, seq++, per_webhook);
        double t0 = load_now();
        int rc = load_post(c, url, h, b, (size_t)len) == 200 ? 0 : -1;
        if (rc < 0) {
            w->errors++;
            continue;
        }
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 4096;
            w->lat = realloc(w->lat, w->cap * sizeof *w->lat);
        }
        w->lat[w->n++] = load_now() - t0;
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(b);
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: webhook_load URL[,URL...] TOKEN THREADS SECONDS GROUPS ALERTS_PER_WEBHOOK [open|load]\n");
        return 2;
    }
    for (char *u = strtok(argv[1], ","); u && nurls < 16; u = strtok(NULL, ","))
        urls[nurls++] = u;
    token = argv[2];
    threads = atoi(argv[3]);
    seconds = atoi(argv[4]);
    groups = atoi(argv[5]);
    per_webhook = atoi(argv[6]);
    open_phase = argc > 7 && !strcmp(argv[7], "open");
    if (!nurls || threads < 1 || groups < 1 || per_webhook < 1)
        return 2;
    curl_global_init(CURL_GLOBAL_ALL);
    struct worker *w = calloc((size_t)threads, sizeof *w);
    double t0 = load_now();
    deadline = t0 + seconds;
    for (int i = 0; i < threads; i++) {
        w[i].id = i;
        w[i].seed = (unsigned)(i * 7919 + 1);
        pthread_create(&w[i].t, NULL, run, &w[i]);
    }
    size_t total = 0;
    long errors = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(w[i].t, NULL);
        total += w[i].n;
        errors += w[i].errors;
    }
    double elapsed = load_now() - t0;
    if (open_phase) {
        printf("opened_groups %d\nerrors %ld\n", groups, errors);
        return errors ? 1 : 0;
    }
    double *all = malloc((total + 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < threads; i++) {
        memcpy(all + k, w[i].lat, w[i].n * sizeof *all);
        k += w[i].n;
        free(w[i].lat);
    }
    qsort(all, total, sizeof *all, by_value);
    printf("webhooks_per_sec %.0f\n", (double)total / elapsed);
    printf("alerts_per_sec %.0f\n", (double)total * per_webhook / elapsed);
    printf("latency_p50_ms %.3f\n", total ? all[total / 2] * 1e3 : 0);
    printf("latency_p99_ms %.3f\n", total ? all[(size_t)((double)total * 0.99)] * 1e3 : 0);
    printf("errors %ld\n", errors);
    free(all);
    free(w);
    return 0;
}
