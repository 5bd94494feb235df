/* logformat.c - Loghub log_format to a PCRE2 pattern.
 *
 * The expansion follows Loghub's documented meaning: literal text between
 * fields is a regular expression fragment (formats contain "\[" and
 * "(\[<PID>\])?"), a run of spaces matches any run of blanks, each <Name>
 * is a lazy named group, and the whole pattern is anchored. The line is
 * trimmed first, as Loghub's loader does. JIT-compiled when available. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "io/logformat.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ob_logformat {
    pcre2_code *re;
    pcre2_match_data *md;
    uint32_t content_group;
};

struct growbuf {
    char *p;
    size_t len, cap;
};

static int put(struct growbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 128;
        while (c < b->len + n + 1)
            c *= 2;
        char *q = realloc(b->p, c);
        if (!q)
            return -1;
        b->p = q;
        b->cap = c;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

/* Expands fmt into an anchored pattern; returns 0, or -1 with err set. */
static int expand(const char *fmt, struct growbuf *out, char *err, size_t errlen)
{
    int have_content = 0, rc = put(out, "^", 1);
    for (const char *p = fmt; *p && rc == 0;) {
        const char *close = *p == '<' ? strchr(p, '>') : NULL;
        size_t name_len = close ? (size_t)(close - p - 1) : 0;
        int is_field = close && name_len > 0 && strcspn(p + 1, "<> ") >= name_len;
        if (is_field) {
            for (size_t i = 0; i < name_len; i++)
                if (!isalnum((unsigned char)p[1 + i]) && p[1 + i] != '_') {
                    snprintf(err, errlen, "format: field name '%.*s' must be letters, "
                             "digits or '_'", (int)name_len, p + 1);
                    return -1;
                }
            have_content |= name_len == 7 && memcmp(p + 1, "Content", 7) == 0;
            rc = put(out, "(?<", 3) || put(out, p + 1, name_len) || put(out, ">.*?)", 5);
            p = close + 1;
        } else if (*p == ' ') {
            while (*p == ' ')
                p++;
            rc = put(out, "\\s+", 3);
        } else {
            rc = put(out, p++, 1);
        }
    }
    if (rc == 0)
        rc = put(out, "$", 1);
    if (rc < 0)
        snprintf(err, errlen, "format: out of memory");
    else if (!have_content)
        snprintf(err, errlen, "format: no <Content> field: which part is the message?");
    return rc < 0 || !have_content ? -1 : 0;
}

struct ob_logformat *ob_logformat_new(const char *fmt, char *err, size_t errlen)
{
    struct growbuf pat = {0};
    if (expand(fmt, &pat, err, errlen) < 0) {
        free(pat.p);
        return NULL;
    }
    int code;
    PCRE2_SIZE off;
    struct ob_logformat *f = calloc(1, sizeof *f);
    if (f)
        f->re = pcre2_compile((PCRE2_SPTR)pat.p, pat.len, PCRE2_DOTALL | PCRE2_DUPNAMES,
                              &code, &off, NULL);
    if (f && !f->re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        snprintf(err, errlen, "format: not a valid regular expression: %s", (char *)msg);
    }
    free(pat.p);
    if (!f || !f->re) {
        ob_logformat_free(f);
        return NULL;
    }
    pcre2_jit_compile(f->re, PCRE2_JIT_COMPLETE); /* a failure only costs speed */
    int group = pcre2_substring_number_from_name(f->re, (PCRE2_SPTR) "Content");
    f->md = pcre2_match_data_create_from_pattern(f->re, NULL);
    if (group <= 0 || !f->md) {
        snprintf(err, errlen, "format: out of memory");
        ob_logformat_free(f);
        return NULL;
    }
    f->content_group = (uint32_t)group;
    return f;
}

void ob_logformat_free(struct ob_logformat *f)
{
    if (!f)
        return;
    pcre2_match_data_free(f->md);
    pcre2_code_free(f->re);
    free(f);
}

int ob_logformat_message(struct ob_logformat *f, const char *line, size_t len,
                         const char **msg, size_t *msg_len)
{
    while (len > 0 && isspace((unsigned char)*line))
        line++, len--;
    while (len > 0 && isspace((unsigned char)line[len - 1]))
        len--;
    *msg = line;
    *msg_len = len;
    if (!f)
        return 0;
    if (pcre2_match(f->re, (PCRE2_SPTR)line, len, 0, 0, f->md, NULL) <= 0)
        return 0;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(f->md);
    PCRE2_SIZE a = ov[2 * f->content_group], b = ov[2 * f->content_group + 1];
    if (a == PCRE2_UNSET || b < a)
        return 0;
    *msg = line + a;
    *msg_len = b - a;
    return 1;
}
