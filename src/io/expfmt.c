/* expfmt.c - Prometheus text exposition parser.
 *
 * Line by line: "# HELP", "# TYPE", "# EOF" and other comments are skipped;
 * a sample is  name [ "{" label="value" {"," label="value"} [","] "}" ]
 * value [timestamp]. Names follow [a-zA-Z_:][a-zA-Z0-9_:]*, label names
 * [a-zA-Z_][a-zA-Z0-9_]*; values are Go-style floats including NaN and
 * +Inf/-Inf. Label values may hold \\, \" and \n escapes, unescaped into a
 * per-call scratch buffer. Nothing is allocated per sample. */
#include "io/expfmt.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    const char *line, *p, *end;
    unsigned long lineno;
    char *err;
    size_t errlen;
    char *scratch; /* unescaped label values of the current line */
    size_t scratch_cap, scratch_len;
};

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *ps, const char *fmt, ...)
{
    int n = snprintf(ps->err, ps->errlen, "line %lu, column %ld: ", ps->lineno,
                     (long)(ps->p - ps->line) + 1);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < ps->errlen)
        vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

bool ob_expfmt_name_start(char c, bool colon)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
}

bool ob_expfmt_name_char(char c, bool colon)
{
    return ob_expfmt_name_start(c, colon) || (c >= '0' && c <= '9');
}

static void skip_blanks(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
        ps->p++;
}

static size_t read_name(struct parser *ps, bool colon)
{
    const char *start = ps->p;
    if (ps->p < ps->end && ob_expfmt_name_start(*ps->p, colon))
        for (ps->p++; ps->p < ps->end && ob_expfmt_name_char(*ps->p, colon); ps->p++)
            ;
    return (size_t)(ps->p - start);
}

/* Unescapes a quoted label value at ps->p (after the opening quote) into
 * the scratch buffer; leaves ps->p after the closing quote. */
static int read_label_value(struct parser *ps, size_t *offset, size_t *len)
{
    size_t need = ps->scratch_len + (size_t)(ps->end - ps->p);
    if (need > ps->scratch_cap) {
        char *b = realloc(ps->scratch, need);
        if (!b)
            return fail(ps, "out of memory");
        ps->scratch = b;
        ps->scratch_cap = need;
    }
    size_t start = ps->scratch_len;
    while (ps->p < ps->end && *ps->p != '"') {
        char c = *ps->p++;
        if (c == '\\') {
            if (ps->p == ps->end)
                break;
            c = *ps->p++;
            if (c == 'n')
                c = '\n';
            else if (c != '\\' && c != '"')
                return fail(ps, "unknown escape '\\%c' in a label value", c);
        }
        ps->scratch[ps->scratch_len++] = c;
    }
    if (ps->p == ps->end)
        return fail(ps, "label value without a closing quote");
    ps->p++;
    *offset = start;
    *len = ps->scratch_len - start;
    return 0;
}

/* Reads {...}; label values are left as offsets into the scratch buffer in
 * offs[], because the buffer may move while the line is read. */
static int read_labels(struct parser *ps, struct ob_label *labels, size_t *offs, int *n)
{
    ps->p++; /* '{' */
    for (;;) {
        skip_blanks(ps);
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return 0;
        }
        if (*n == OB_EXPFMT_MAX_LABELS)
            return fail(ps, "more than %d labels", OB_EXPFMT_MAX_LABELS);
        struct ob_label *l = &labels[*n];
        l->name = ps->p;
        if ((l->name_len = read_name(ps, false)) == 0)
            return fail(ps, "expected a label name");
        skip_blanks(ps);
        if (ps->p >= ps->end || *ps->p != '=')
            return fail(ps, "expected '=' after label name");
        ps->p++;
        skip_blanks(ps);
        if (ps->p >= ps->end || *ps->p != '"')
            return fail(ps, "expected '\"' to start a label value");
        ps->p++;
        if (read_label_value(ps, &offs[*n], &l->value_len) < 0)
            return -1;
        (*n)++;
        skip_blanks(ps);
        if (ps->p < ps->end && *ps->p == ',')
            ps->p++;
        else if (ps->p >= ps->end || *ps->p != '}')
            return fail(ps, "expected ',' or '}' after a label");
    }
}

/* A float as Prometheus writes one: Go syntax, NaN, +Inf, -Inf. */
static int read_value(struct parser *ps, double *out)
{
    char buf[64];
    const char *start = ps->p;
    while (ps->p < ps->end && *ps->p != ' ' && *ps->p != '\t')
        ps->p++;
    size_t n = (size_t)(ps->p - start);
    if (n == 0 || n >= sizeof buf) {
        ps->p = start;
        return fail(ps, n ? "value too long" : "expected a value");
    }
    memcpy(buf, start, n);
    buf[n] = '\0';
    if (!strcmp(buf, "+Inf") || !strcmp(buf, "Inf")) {
        *out = INFINITY;
        return 0;
    }
    if (!strcmp(buf, "-Inf")) {
        *out = -INFINITY;
        return 0;
    }
    if (!strcmp(buf, "NaN")) {
        *out = NAN;
        return 0;
    }
    char *e;
    errno = 0;
    *out = strtod(buf, &e);
    bool word = (buf[0] == 'n' || buf[0] == 'N' || buf[0] == 'i' || buf[0] == 'I' ||
                 ((buf[0] == '+' || buf[0] == '-') && (buf[1] == 'n' || buf[1] == 'N' ||
                                                       buf[1] == 'i' || buf[1] == 'I')));
    if (*e || word || strchr(buf, 'x') || strchr(buf, 'X')) {
        ps->p = start;
        return fail(ps, "'%s' is not a number", buf);
    }
    return 0;
}

static int read_timestamp(struct parser *ps, struct ob_sample *s)
{
    skip_blanks(ps);
    if (ps->p == ps->end)
        return 0;
    const char *start = ps->p;
    bool neg = *ps->p == '-';
    if (neg)
        ps->p++;
    int64_t v = 0;
    const char *digits = ps->p;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
        if (v > (INT64_MAX - 9) / 10) {
            ps->p = start;
            return fail(ps, "timestamp out of range");
        }
        v = v * 10 + (*ps->p++ - '0');
    }
    if (ps->p == digits) {
        ps->p = start;
        return fail(ps, "expected a timestamp in milliseconds");
    }
    skip_blanks(ps);
    if (ps->p != ps->end)
        return fail(ps, "unexpected text after the timestamp");
    s->timestamp_ms = neg ? -v : v;
    s->has_timestamp = 1;
    return 0;
}

static int parse_sample(struct parser *ps, ob_expfmt_fn fn, void *arg, int *stop)
{
    struct ob_label labels[OB_EXPFMT_MAX_LABELS];
    size_t offs[OB_EXPFMT_MAX_LABELS];
    struct ob_sample s = {0};
    s.name = ps->p;
    if ((s.name_len = read_name(ps, true)) == 0)
        return fail(ps, "expected a metric name");
    ps->scratch_len = 0;
    if (ps->p < ps->end && *ps->p == '{' && read_labels(ps, labels, offs, &s.nlabels) < 0)
        return -1;
    for (int i = 0; i < s.nlabels; i++) /* offsets to pointers, now the buffer is still */
        labels[i].value = ps->scratch + offs[i];
    if (ps->p >= ps->end || (*ps->p != ' ' && *ps->p != '\t'))
        return fail(ps, "expected a blank before the value");
    skip_blanks(ps);
    if (read_value(ps, &s.value) < 0 || read_timestamp(ps, &s) < 0)
        return -1;
    s.labels = labels;
    *stop = fn(arg, &s);
    return 0;
}

long ob_expfmt_parse(const char *text, size_t len, ob_expfmt_fn fn, void *arg, char *err,
                     size_t errlen)
{
    struct parser ps = {.err = err, .errlen = errlen};
    const char *end = text + len;
    long samples = 0;
    int stop = 0;
    for (const char *line = text; line < end && !stop;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        ps.line = ps.p = line;
        ps.end = le > line && le[-1] == '\r' ? le - 1 : le;
        ps.lineno++;
        skip_blanks(&ps);
        if (ps.p < ps.end && *ps.p != '#') {
            if (parse_sample(&ps, fn, arg, &stop) < 0) {
                free(ps.scratch);
                return -1;
            }
            samples++;
        }
        line = nl ? nl + 1 : end;
    }
    free(ps.scratch);
    return samples;
}
