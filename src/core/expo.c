/* expo.c - the exposition writer (see expo.h). One family at a time: the
 * text format wants all of a family's lines as one group, with at most one
 * # HELP and one # TYPE before them. */
#include "core/expo.h"
#include "core/num.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ob_expo_done(struct ob_expo *e)
{
    free(e->name.p);
    e->name = (struct ob_buf){0};
}

static void put(struct ob_buf *b, const char *s)
{
    ob_buf_put(b, s, strlen(s));
}

/* Help text: backslash and newline escaped, as the format wants. */
static void put_help(struct ob_buf *b, const char *h)
{
    for (const char *c = h; *c; c++) {
        if (*c == '\\')
            ob_buf_put(b, "\\\\", 2);
        else if (*c == '\n')
            ob_buf_put(b, "\\n", 2);
        else
            ob_buf_put(b, c, 1);
    }
}

/* A line "# HELP name text" or "# TYPE name type". */
static void put_meta(struct ob_buf *b, const char *what, const char *name, size_t len, const char *text, int escape)
{
    put(b, what);
    ob_buf_put(b, name, len);
    ob_buf_put(b, " ", 1);
    if (escape)
        put_help(b, text);
    else
        put(b, text);
    ob_buf_put(b, "\n", 1);
}

void ob_expo_family_n(struct ob_expo *e, const char *name, size_t len, const char *type, const char *help)
{
    if (e->name.len == len && !e->name.failed && (!len || !memcmp(e->name.p, name, len)))
        return; /* the current one: its samples go on */
    e->name.len = 0;
    ob_buf_put(&e->name, name, len);
    if (e->name.failed)
        e->out->failed = 1; /* no name for the samples: the text is incomplete */
    if (help)
        put_meta(e->out, "# HELP ", name, len, help, 1);
    if (type)
        put_meta(e->out, "# TYPE ", name, len, type, 0);
}

void ob_expo_family(struct ob_expo *e, const char *name, const char *type, const char *help)
{
    ob_expo_family_n(e, name, strlen(name), type, help);
}

/* 2^63: below it, an integral double prints as an integer, exactly. */
#define EXACT_INT 9223372036854775808.0

size_t ob_expo_format(char *num, double v)
{
    if (isnan(v))
        return (size_t)snprintf(num, OB_EXPO_NUM_MAX, "NaN");
    if (isinf(v))
        return (size_t)snprintf(num, OB_EXPO_NUM_MAX, v > 0 ? "+Inf" : "-Inf");
    if (v == floor(v) && fabs(v) < EXACT_INT)
        return (size_t)snprintf(num, OB_EXPO_NUM_MAX, "%" PRId64, (int64_t)v);
    /* Ten digits when they read back as v (prices, scores, most of what
     * people read), through num.c's fast paths; else 17, which always do. */
    size_t n = ob_num_format_g10(num, v);
    double back;
    num[n] = '\0';
    if (!ob_num_parse_fast(num, n, &back))
        back = strtod(num, NULL);
    if (back == v)
        return n;
    return (size_t)snprintf(num, OB_EXPO_NUM_MAX, "%.17g", v);
}

/* name{labels} (no braces without labels), the value to follow. */
static void put_head(struct ob_expo *e, const char *escaped, size_t elen, const struct ob_label *l, size_t n)
{
    struct ob_buf *b = e->out;
    ob_buf_put(b, e->name.p, e->name.len);
    if (!elen && !n)
        return;
    ob_buf_put(b, "{", 1);
    ob_buf_put(b, escaped, elen);
    ob_buf_put(b, ",", elen && n);
    ob_labels_put(b, l, n);
    ob_buf_put(b, "}", 1);
}

static void put_value(struct ob_buf *b, double v)
{
    char num[OB_EXPO_NUM_MAX];
    ob_buf_put(b, " ", 1);
    ob_buf_put(b, num, ob_expo_format(num, v));
}

void ob_expo_sample(struct ob_expo *e, const struct ob_label *l, size_t n, double v)
{
    put_head(e, NULL, 0, l, n);
    put_value(e->out, v);
    ob_buf_put(e->out, "\n", 1);
}

void ob_expo_sample_u64(struct ob_expo *e, const struct ob_label *l, size_t n, uint64_t v)
{
    char num[OB_EXPO_NUM_MAX];
    put_head(e, NULL, 0, l, n);
    ob_buf_put(e->out, num, (size_t)snprintf(num, sizeof num, " %" PRIu64 "\n", v));
}

void ob_expo_sample_at(struct ob_expo *e, const struct ob_label *l, size_t n, double v, int64_t ts_ms)
{
    char num[OB_EXPO_NUM_MAX];
    put_head(e, NULL, 0, l, n);
    put_value(e->out, v);
    ob_buf_put(e->out, num, (size_t)snprintf(num, sizeof num, " %" PRId64 "\n", ts_ms));
}

void ob_expo_sample_escaped(struct ob_expo *e, const char *escaped, size_t len, const struct ob_label *l,
                            size_t n, double v)
{
    put_head(e, escaped, len, l, n);
    put_value(e->out, v);
    ob_buf_put(e->out, "\n", 1);
}

void ob_expo_single(struct ob_expo *e, const char *name, const char *type, const char *help, double v)
{
    ob_expo_family(e, name, type, help);
    ob_expo_sample(e, NULL, 0, v);
}

void ob_expo_single_u64(struct ob_expo *e, const char *name, const char *type, const char *help, uint64_t v)
{
    ob_expo_family(e, name, type, help);
    ob_expo_sample_u64(e, NULL, 0, v);
}
