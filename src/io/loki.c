/* loki.c - decodes Loki's push bodies: JSON (with yajl's event parser) and
 * snappy-compressed protobuf. Lines stay where they are when they can (in
 * the JSON body, or the decoded protobuf); labels are copied and sorted. */
#include "io/loki.h"

#include "loki_push.pb-c.h"

#include "core/buf.h"
#include "io/expfmt.h"

#include <yajl/yajl_parse.h>
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

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct ob_kv *)a)->name, ((const struct ob_kv *)b)->name);
}

/* ---- JSON: yajl's event parser, no document tree ----
 *
 * Why events: a tree costs an allocation per line and per pair, which was
 * two thirds of a push's time with jansson. Each JSON value is given a role
 * from where it sits (a stream, a label value, a line, ...); a value in a
 * place the format does not define is skipped, as Loki does. */

enum role { R_ROOT, R_STREAMS, R_STREAM, R_LABELS, R_LABEL, R_VALUES, R_PAIR, R_TS, R_LINE, R_SKIP };

#define MAX_DEPTH 8 /* root, streams, stream, values, pair: deeper is skipped */

struct frame {
    enum role role;
    size_t count;          /* arrays: values so far; pairs: elements */
    enum role next;        /* objects: the role of the value after the key */
    int has_labels, has_values;
};

struct sax {
    struct ob_loki_push *p;
    const char *body;      /* lines without escapes point into it */
    size_t body_len, stream_cap, entry_cap;
    struct frame f[MAX_DEPTH];
    int depth;             /* frames in f */
    long skipping;         /* depth inside a skipped container */
    int has_streams;
    char *label;           /* R_LABEL: its name, until its value */
    char **copies;         /* lines that had escapes, unescaped */
    size_t ncopies, copies_cap;
    char *err;
    size_t errlen;
};

static struct ob_loki_stream *cur_stream(struct sax *x)
{
    return &x->p->streams[x->p->nstreams - 1];
}

static size_t cur_index(const struct sax *x, enum role r)
{
    for (int d = x->depth - 1; d >= 0; d--)
        if (x->f[d].role == r)
            return x->f[d].count;
    return 0;
}

/* Where the next value goes: its role, from the frame it is in. */
static enum role role_here(struct sax *x)
{
    if (x->depth == 0)
        return R_ROOT;
    struct frame *f = &x->f[x->depth - 1];
    switch (f->role) {
    case R_ROOT:
    case R_STREAM:
    case R_LABELS: return f->next;
    case R_STREAMS: return R_STREAM;
    case R_VALUES: return R_PAIR;
    case R_PAIR: return f->count == 0 ? R_TS : f->count == 1 ? R_LINE : R_SKIP;
    default: return R_SKIP;
    }
}

/* "streams[i].values[j]...: what" into err for the value of role r;
 * returns 0, which stops the parser. */
static int stop(struct sax *x, enum role r, const char *what)
{
    size_t i = cur_index(x, R_STREAMS), j = cur_index(x, R_VALUES);
    switch (r) {
    case R_ROOT:
    case R_STREAMS: return 1 + bad(x->err, x->errlen, "missing (expected {\"streams\": [...]})", "streams");
    case R_STREAM:
    case R_LABELS: return 1 + bad(x->err, x->errlen, "expected an object of labels", "streams[%zu].stream", i);
    case R_LABEL: return 1 + bad(x->err, x->errlen, "label values must be strings", "streams[%zu].stream", i);
    case R_VALUES: return 1 + bad(x->err, x->errlen, "missing (expected a list)", "streams[%zu].values", i);
    case R_PAIR:
        return 1 + bad(x->err, x->errlen, "expected [\"<ns>\", \"<line>\"]", "streams[%zu].values[%zu]", i, j);
    case R_TS:
        return 1 + bad(x->err, x->errlen, "expected a string of unix nanoseconds", "streams[%zu].values[%zu][0]", i, j);
    case R_LINE:
        return 1 + bad(x->err, x->errlen, "expected the line as a string", "streams[%zu].values[%zu][1]", i, j);
    default: return 1 + bad(x->err, x->errlen, what, "streams[%zu]", i);
    }
}

/* A value of role r has been read: its frame counts it. */
static void counted(struct sax *x)
{
    if (x->depth > 0)
        x->f[x->depth - 1].count++;
}

/* A scalar (not a string) where the format wants r: fine only if skipped. */
static int on_scalar(struct sax *x)
{
    if (x->skipping)
        return 1;
    enum role r = role_here(x);
    if (r != R_SKIP)
        return stop(x, r, NULL);
    counted(x);
    return 1;
}

static int on_null(void *ctx) { return on_scalar(ctx); }
static int on_bool(void *ctx, int b) { (void)b; return on_scalar(ctx); }
static int on_number(void *ctx, const char *s, size_t n) { (void)s, (void)n; return on_scalar(ctx); }

static int add_label(struct sax *x, const char *v, size_t n)
{
    struct ob_loki_stream *st = cur_stream(x);
    void *labels = st->labels;
    size_t cap = st->nlabels ? st->nlabels + 1 : 0; /* grown one by one: streams have few */
    if (ob_grow(&labels, &cap, st->nlabels + 2, sizeof *st->labels) < 0)
        return stop(x, R_SKIP, "out of memory");
    st->labels = labels;
    struct ob_kv *e = &st->labels[st->nlabels];
    e->name = x->label;
    x->label = NULL;
    if ((e->value = strndup(v, n))) {
        st->nlabels++;
        return 1;
    }
    free(e->name);
    return stop(x, R_SKIP, "out of memory");
}

/* Unix nanoseconds as a string of digits. */
static int read_ts(const char *s, size_t n, double *ts)
{
    double t = 0;
    if (!n || n > 30)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        t = t * 10 + (s[i] - '0');
    }
    *ts = t / 1e9;
    return 0;
}

/* The line: inside the body when it had no escapes, else a copy. */
static const char *keep_line(struct sax *x, const char *s, size_t n)
{
    if (s >= x->body && s + n <= x->body + x->body_len)
        return s;
    void *copies = x->copies;
    if (ob_grow(&copies, &x->copies_cap, x->ncopies + 1, sizeof *x->copies) < 0)
        return NULL;
    x->copies = copies;
    char *c = malloc(n + 1);
    if (!c)
        return NULL;
    memcpy(c, s, n);
    c[n] = '\0';
    return x->copies[x->ncopies++] = c;
}

static int add_entry(struct sax *x, const char *s, size_t n)
{
    struct ob_loki_stream *st = cur_stream(x);
    struct ob_loki_entry *e = &st->entries[st->nentries - 1];
    if (!(e->line = keep_line(x, s, n)))
        return stop(x, R_SKIP, "out of memory");
    e->len = n;
    return 1;
}

static int on_string(void *ctx, const unsigned char *u, size_t n)
{
    struct sax *x = ctx;
    const char *s = (const char *)u;
    if (x->skipping)
        return 1;
    enum role r = role_here(x);
    int ok = 1;
    if (r == R_LABEL)
        ok = add_label(x, s, n);
    else if (r == R_TS) {
        struct ob_loki_stream *st = cur_stream(x);
        ok = read_ts(s, n, &st->entries[st->nentries - 1].ts) < 0 ? stop(x, r, NULL) : 1;
    } else if (r == R_LINE)
        ok = add_entry(x, s, n);
    else if (r != R_SKIP)
        ok = stop(x, r, NULL);
    counted(x);
    return ok;
}

static int on_key(void *ctx, const unsigned char *u, size_t n)
{
    struct sax *x = ctx;
    if (x->skipping)
        return 1;
    struct frame *f = &x->f[x->depth - 1];
    const char *k = (const char *)u;
    f->next = R_SKIP;
    if (f->role == R_ROOT && n == 7 && !memcmp(k, "streams", 7))
        f->next = R_STREAMS;
    else if (f->role == R_STREAM && n == 6 && !memcmp(k, "stream", 6))
        f->next = f->has_labels++ ? R_SKIP : R_LABELS; /* the first one counts */
    else if (f->role == R_STREAM && n == 6 && !memcmp(k, "values", 6))
        f->next = f->has_values++ ? R_SKIP : R_VALUES;
    else if (f->role == R_LABELS) {
        f->next = R_LABEL;
        free(x->label); /* a previous key whose value was not a string */
        if (!(x->label = strndup(k, n))) /* yajl reuses its buffer for the value */
            return stop(x, R_SKIP, "out of memory");
    }
    return 1;
}

static int new_stream(struct sax *x)
{
    struct ob_loki_push *p = x->p;
    void *streams = p->streams;
    if (ob_grow(&streams, &x->stream_cap, p->nstreams + 1, sizeof *p->streams) < 0)
        return -1;
    p->streams = streams;
    memset(&p->streams[p->nstreams++], 0, sizeof *p->streams);
    x->entry_cap = 0;
    return 0;
}

static int new_entry(struct sax *x)
{
    struct ob_loki_stream *st = cur_stream(x);
    void *entries = st->entries;
    if (ob_grow(&entries, &x->entry_cap, st->nentries + 1, sizeof *st->entries) < 0)
        return -1;
    st->entries = entries;
    memset(&st->entries[st->nentries++], 0, sizeof *st->entries);
    x->p->nentries++;
    return 0;
}

/* A container opens: object (is_map) or array. */
static int on_open(struct sax *x, int is_map)
{
    if (x->skipping) {
        x->skipping++;
        return 1;
    }
    enum role r = role_here(x);
    int want_map = r == R_ROOT || r == R_STREAM || r == R_LABELS;
    int want_array = r == R_STREAMS || r == R_VALUES || r == R_PAIR;
    if (r == R_SKIP || x->depth == MAX_DEPTH) {
        counted(x);
        x->skipping = 1;
        return 1;
    }
    if ((is_map && !want_map) || (!is_map && !want_array))
        return stop(x, r, NULL);
    if ((r == R_STREAM && new_stream(x) < 0) || (r == R_PAIR && new_entry(x) < 0))
        return stop(x, R_SKIP, "out of memory");
    x->has_streams |= r == R_STREAMS;
    x->f[x->depth++] = (struct frame){.role = r, .next = R_SKIP};
    return 1;
}

static int on_close(struct sax *x)
{
    if (x->skipping) {
        x->skipping--;
        return 1;
    }
    struct frame f = x->f[--x->depth];
    if (f.role == R_STREAM && !f.has_labels)
        return stop(x, R_LABELS, NULL);
    if (f.role == R_STREAM && !f.has_values)
        return stop(x, R_VALUES, NULL);
    if (f.role == R_STREAM && cur_stream(x)->nlabels > 1)
        qsort(cur_stream(x)->labels, cur_stream(x)->nlabels, sizeof *cur_stream(x)->labels, by_name);
    if (f.role == R_PAIR && f.count < 2)
        return stop(x, R_PAIR, NULL);
    counted(x);
    return 1;
}

static int on_start_map(void *ctx) { return on_open(ctx, 1); }
static int on_start_array(void *ctx) { return on_open(ctx, 0); }
static int on_end(void *ctx) { return on_close(ctx); }

static const yajl_callbacks sax_callbacks = {
    on_null, on_bool, NULL, NULL, on_number, on_string, on_start_map, on_key, on_end, on_start_array, on_end,
};

/* line:column of byte offset n, for a syntax error. */
static void line_col(const char *body, size_t n, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < n; i++, (*col)++)
        if (body[i] == '\n')
            (*line)++, *col = 0;
}

static void syntax_error(yajl_handle h, const char *body, size_t len, char *err, size_t errlen)
{
    unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)body, len);
    char *what = msg ? (char *)msg : "syntax error";
    what[strcspn(what, "\n")] = '\0';
    int line, col;
    line_col(body, yajl_get_bytes_consumed(h), &line, &col);
    snprintf(err, errlen, "body:%d:%d: not valid JSON: %s", line, col, what);
    if (msg)
        yajl_free_error(h, msg);
}

int ob_loki_decode(const void *body, size_t len, struct ob_loki_push *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    err[0] = '\0';
    struct sax x = {.p = p, .body = body, .body_len = len, .err = err, .errlen = errlen};
    yajl_handle h = yajl_alloc(&sax_callbacks, NULL, &x);
    if (!h)
        return bad(err, errlen, "out of memory", "body");
    yajl_status st = yajl_parse(h, body, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (st == yajl_status_error)
        syntax_error(h, body, len, err, errlen);
    yajl_free(h);
    free(x.label);
    p->copies = x.copies;
    p->ncopies = x.ncopies;
    if (st == yajl_status_ok && !x.has_streams) {
        stop(&x, R_STREAMS, NULL);
        st = yajl_status_error;
    }
    if (st != yajl_status_ok) {
        if (!err[0])
            bad(err, errlen, "not valid JSON", "body");
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
        while (p == name ? ob_expfmt_name_start(*p, false) : ob_expfmt_name_char(*p, false))
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
    for (size_t i = 0; i < p->ncopies; i++)
        free(p->copies[i]);
    free(p->copies);
    if (p->proto)
        opsbox__loki__push_request__free_unpacked(p->proto, NULL);
    memset(p, 0, sizeof *p);
}
