/* rw_queue.c - the remote-write queue on disk and the sender that drains
 * it (libcurl easy, one handle per receiver, reused). The policy (when to
 * send, back off, what to count and log) is the caller's: src/serve/rw.c. */
#include "io/rw_queue.h"

#include "core/buf.h"
#include "io/statefile.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BATCH_MAX ((size_t)256 << 20) /* a larger file is not one of ours */

struct ob_rwq {
    char dir[4096];
    size_t max_files, resumed;
    pthread_mutex_t mu;        /* seq */
    unsigned long long seq;    /* the next file's number */
};

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_dir(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t cap = 0;
    struct dirent *e;
    *n = 0;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".rw"))
            continue;
        if (ob_grow((void **)&names, &cap, *n + 1, sizeof *names) < 0)
            break;
        if (!(names[*n] = strdup(e->d_name)))
            break;
        (*n)++;
    }
    if (d)
        closedir(d);
    if (*n)
        qsort(names, *n, sizeof *names, by_name);
    return names;
}

void ob_rwq_free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

struct ob_rwq *ob_rwq_open(const char *dir, size_t max_files, char *err, size_t errlen)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "queue %s: %s", dir, strerror(errno));
        return NULL;
    }
    struct ob_rwq *q = calloc(1, sizeof *q);
    if (!q) {
        snprintf(err, errlen, "queue %s: out of memory", dir);
        return NULL;
    }
    snprintf(q->dir, sizeof q->dir, "%s", dir);
    q->max_files = max_files;
    pthread_mutex_init(&q->mu, NULL);
    size_t n;
    char **names = list_dir(q->dir, &n); /* numbering goes on after a restart */
    if (n)
        q->seq = strtoull(names[n - 1], NULL, 10) + 1;
    q->resumed = n;
    ob_rwq_free_list(names, n);
    return q;
}

void ob_rwq_close(struct ob_rwq *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->mu);
    free(q);
}

const char *ob_rwq_dir(const struct ob_rwq *q)
{
    return q->dir;
}

size_t ob_rwq_resumed(const struct ob_rwq *q)
{
    return q->resumed;
}

char **ob_rwq_list(struct ob_rwq *q, size_t *n)
{
    return list_dir(q->dir, n);
}

long ob_rwq_push(struct ob_rwq *q, const void *data, size_t len, size_t *queued)
{
    char path[4200];
    pthread_mutex_lock(&q->mu);
    snprintf(path, sizeof path, "%s/%020llu.rw", q->dir, q->seq++);
    pthread_mutex_unlock(&q->mu);
    if (ob_statefile_write(path, data, len) != 0)
        return -1;
    size_t n;
    char **names = list_dir(q->dir, &n);
    size_t excess = n > q->max_files ? n - q->max_files : 0;
    for (size_t i = 0; i < excess; i++) { /* bounded: the oldest go */
        snprintf(path, sizeof path, "%s/%s", q->dir, names[i]);
        unlink(path);
    }
    ob_rwq_free_list(names, n);
    *queued = n - excess;
    return (long)excess;
}

int ob_rwq_read(struct ob_rwq *q, const char *name, void **data, size_t *len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", q->dir, name);
    *data = NULL;
    *len = 0;
    return ob_statefile_read(path, BATCH_MAX, data, len) == 0 ? 0 : -1;
}

void ob_rwq_remove(struct ob_rwq *q, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", q->dir, name);
    unlink(path);
}

/* ---- sending ---- */

struct ob_rw_sender {
    char *url;
    CURL *curl;
};

struct ob_rw_sender *ob_rw_sender_new(const char *url)
{
    struct ob_rw_sender *s = calloc(1, sizeof *s);
    if (s && (!(s->url = strdup(url)) || !(s->curl = curl_easy_init()))) {
        ob_rw_sender_free(s);
        s = NULL;
    }
    return s;
}

void ob_rw_sender_free(struct ob_rw_sender *s)
{
    if (!s)
        return;
    if (s->curl)
        curl_easy_cleanup(s->curl);
    free(s->url);
    free(s);
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

int ob_rw_send(struct ob_rw_sender *s, const void *data, size_t len, long *status, char *why, size_t whylen)
{
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/x-protobuf");
    h = curl_slist_append(h, "Content-Encoding: snappy");
    h = curl_slist_append(h, "X-Prometheus-Remote-Write-Version: 0.1.0");
    curl_easy_reset(s->curl);
    curl_easy_setopt(s->curl, CURLOPT_URL, s->url);
    curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, data);
    curl_easy_setopt(s->curl, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->curl, CURLOPT_USERAGENT, "opsbox/" OB_VERSION);
    curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(s->curl);
    *status = 0;
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(h);
    int done = rc == CURLE_OK && *status >= 200 && *status < 300;
    int refused = rc == CURLE_OK && *status >= 400 && *status < 500 && *status != 429;
    snprintf(why, whylen, "%s", rc != CURLE_OK ? curl_easy_strerror(rc) : done ? "" : "HTTP error");
    return done ? 1 : refused ? -1 : 0;
}
