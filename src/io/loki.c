/* loki.c - decodes Loki's JSON push body with jansson. Lines stay inside
 * the parsed document (no copy); labels are copied and sorted. */
#include "io/loki.h"

#include "loki_push.pb-c.h"

#include <jansson.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "where: what" into err; where is printf-formatted. Returns -1. */
static int bad(char *err, size_t errlen, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int bad(char *err, size_t errlen, const char *what, const char *fmt, ...)
{
    char where[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(where, sizeof where, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s: %s", where, what);
    return -1;
}

static int labels_of(json_t *o, size_t i, struct ob_loki_stream *s, char *err, size_t errlen)
{
    if (!json_is_object(o))
        return bad(err, errlen, "expected an object of labels", "streams[%zu].stream", i);
    s->labels = calloc(json_object_size(o) + 1, sizeof *s->labels);
    if (!s->labels)
        return bad(err, errlen, "out of memory", "streams[%zu]", i);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        if (!json_is_string(v))
            return bad(err, errlen, "label values must be strings", "streams[%zu].stream", i);
        struct ob_kv *e = &s->labels[s->nlabels++];
        if (!(e->name = strdup(k)) || !(e->value = strdup(json_string_value(v))))
            return bad(err, errlen, "out of memory", "streams[%zu]", i);
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct ob_kv *)a)->name, ((const struct ob_kv *)b)->name);
}

/* ["<nanoseconds>", "<line>"] (a third element, structured metadata, is
 * allowed and ignored). */
static int entry_of(json_t *pair, size_t i, size_t j, struct ob_loki_entry *e, char *err, size_t errlen)
{
    if (!json_is_array(pair) || json_array_size(pair) < 2)
        return bad(err, errlen, "expected [\"<ns>\", \"<line>\"]", "streams[%zu].values[%zu]", i, j);
    const char *ns = json_string_value(json_array_get(pair, 0));
    char *end;
    double t = ns ? strtod(ns, &end) : 0;
    if (!ns || !*ns || *end || !(t >= 0) || strspn(ns, "0123456789") != strlen(ns))
        return bad(err, errlen, "expected a string of unix nanoseconds", "streams[%zu].values[%zu][0]", i, j);
    json_t *line = json_array_get(pair, 1);
    if (!json_is_string(line))
        return bad(err, errlen, "expected the line as a string", "streams[%zu].values[%zu][1]", i, j);
    e->ts = t / 1e9;
    e->line = json_string_value(line);
    e->len = json_string_length(line);
    return 0;
}

static int decode(json_t *root, struct ob_loki_push *p, char *err, size_t errlen)
{
    json_t *streams = json_object_get(root, "streams");
    if (!json_is_object(root) || !json_is_array(streams))
        return bad(err, errlen, "missing (expected {\"streams\": [...]})", "streams");
    p->streams = calloc(json_array_size(streams) + 1, sizeof *p->streams);
    if (!p->streams)
        return bad(err, errlen, "out of memory", "streams");
    for (size_t i = 0; i < json_array_size(streams); i++) {
        json_t *st = json_array_get(streams, i), *values = json_object_get(st, "values");
        struct ob_loki_stream *s = &p->streams[p->nstreams++];
        if (labels_of(json_object_get(st, "stream"), i, s, err, errlen) < 0)
            return -1;
        qsort(s->labels, s->nlabels, sizeof *s->labels, by_name);
        if (!json_is_array(values))
            return bad(err, errlen, "missing (expected a list)", "streams[%zu].values", i);
        if (!(s->entries = calloc(json_array_size(values) + 1, sizeof *s->entries)))
            return bad(err, errlen, "out of memory", "streams[%zu]", i);
        for (size_t j = 0; j < json_array_size(values); j++, s->nentries++, p->nentries++)
            if (entry_of(json_array_get(values, j), i, j, &s->entries[j], err, errlen) < 0)
                return -1;
    }
    return 0;
}

int ob_loki_decode(const void *body, size_t len, struct ob_loki_push *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    if (!root) {
        snprintf(err, errlen, "body:%d:%d: not valid JSON: %s", jerr.line, jerr.column, jerr.text);
        return -1;
    }
    p->doc = root;
    if (decode(root, p, err, errlen) < 0) {
        ob_loki_free(p);
        return -1;
    }
    return 0;
}

/* {job="app", instance="a:1"}: Prometheus's notation, as Loki sends it. */
static int parse_labels(const char *s, struct ob_loki_stream *st, char *err, size_t errlen, size_t i)
{
    const char *p = s;
    size_t cap = 8;
    if (!(st->labels = calloc(cap, sizeof *st->labels)))
        return bad(err, errlen, "out of memory", "streams[%zu]", i);
    while (*p == ' ')
        p++;
    if (*p++ != '{')
        return bad(err, errlen, "expected {name=\"value\", ...}", "streams[%zu].labels", i);
    for (;;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '}')
            break;
        const char *name = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' || (p > name && *p >= '0' && *p <= '9'))
            p++;
        size_t nlen = (size_t)(p - name);
        while (*p == ' ')
            p++;
        if (!nlen || *p++ != '=' || *p++ != '"')
            return bad(err, errlen, "expected name=\"value\"", "streams[%zu].labels", i);
        char *value = malloc(strlen(p) + 1);
        size_t k = 0;
        while (value && *p && *p != '"') {
            if (*p == '\\' && p[1]) {
                p++;
                value[k++] = *p == 'n' ? '\n' : *p;
                p++;
            } else {
                value[k++] = *p++;
            }
        }
        if (!value || *p++ != '"') {
            free(value);
            return bad(err, errlen, "an unterminated value", "streams[%zu].labels", i);
        }
        value[k] = '\0';
        if (st->nlabels + 1 >= cap) {
            struct ob_kv *kv = realloc(st->labels, (cap *= 2) * sizeof *kv);
            if (!kv) {
                free(value);
                return bad(err, errlen, "out of memory", "streams[%zu]", i);
            }
            st->labels = kv;
        }
        st->labels[st->nlabels].value = value;
        if (!(st->labels[st->nlabels++].name = strndup(name, nlen)))
            return bad(err, errlen, "out of memory", "streams[%zu]", i);
    }
    qsort(st->labels, st->nlabels, sizeof *st->labels, by_name);
    return 0;
}

int ob_loki_decode_proto(const void *body, size_t len, struct ob_loki_push *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    size_t raw_len = 0;
    if (snappy_uncompressed_length(body, len, &raw_len) != SNAPPY_OK ||
        snappy_validate_compressed_buffer(body, len) != SNAPPY_OK)
        return bad(err, errlen, "not snappy-compressed", "body");
    if (raw_len > ((size_t)64 << 20))
        return bad(err, errlen, "more than 64 MiB uncompressed", "body");
    char *raw = malloc(raw_len ? raw_len : 1);
    if (!raw || snappy_uncompress(body, len, raw, &raw_len) != SNAPPY_OK) {
        free(raw);
        return bad(err, errlen, raw ? "snappy data is corrupt" : "out of memory", "body");
    }
    Opsbox__Loki__PushRequest *req = opsbox__loki__push_request__unpack(NULL, raw_len, (const uint8_t *)raw);
    free(raw);
    if (!req)
        return bad(err, errlen, "not a protobuf PushRequest", "body");
    p->proto = req;
    if (!(p->streams = calloc(req->n_streams + 1, sizeof *p->streams))) {
        ob_loki_free(p);
        return bad(err, errlen, "out of memory", "body");
    }
    for (size_t i = 0; i < req->n_streams; i++) {
        const Opsbox__Loki__StreamAdapter *sa = req->streams[i];
        struct ob_loki_stream *st = &p->streams[p->nstreams++];
        if (parse_labels(sa->labels, st, err, errlen, i) < 0 ||
            !(st->entries = calloc(sa->n_entries + 1, sizeof *st->entries))) {
            if (st->labels && !st->entries && !err[0])
                bad(err, errlen, "out of memory", "streams[%zu]", i);
            ob_loki_free(p);
            return -1;
        }
        for (size_t j = 0; j < sa->n_entries; j++, st->nentries++, p->nentries++) {
            const Opsbox__Loki__EntryAdapter *e = sa->entries[j];
            double ts = e->timestamp ? (double)e->timestamp->seconds + e->timestamp->nanos / 1e9 : 0;
            if (!(ts >= 0)) {
                ob_loki_free(p);
                return bad(err, errlen, "a negative time", "streams[%zu].entries[%zu].timestamp", i, j);
            }
            st->entries[j] = (struct ob_loki_entry){ts, e->line, strlen(e->line)};
        }
    }
    return 0;
}

void ob_loki_free(struct ob_loki_push *p)
{
    for (size_t i = 0; i < p->nstreams; i++) {
        ob_kv_free(p->streams[i].labels, p->streams[i].nlabels);
        free(p->streams[i].entries);
    }
    free(p->streams);
    json_decref(p->doc);
    if (p->proto)
        opsbox__loki__push_request__free_unpacked(p->proto, NULL);
    memset(p, 0, sizeof *p);
}
