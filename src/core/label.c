/* label.c - series keys and label-value escaping (see label.h). The key is
 * the exposition format's own "name{a=\"1\"}", so keys written by earlier
 * versions into existing stores read back unchanged. */
#include "core/label.h"

int ob_label_by_name(const void *a, const void *b)
{
    const struct ob_label *x = a, *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    return c ? c : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

void ob_label_escape(struct ob_buf *b, const char *v, size_t n)
{
    size_t start = 0; /* runs without anything to escape go in one copy */
    for (size_t i = 0; i < n; i++) {
        if (v[i] != '\\' && v[i] != '"' && v[i] != '\n')
            continue;
        ob_buf_put(b, v + start, i - start);
        ob_buf_put(b, v[i] == '\n' ? "\\n" : v[i] == '"' ? "\\\"" : "\\\\", 2);
        start = i + 1;
    }
    ob_buf_put(b, v + start, n - start);
}

void ob_labels_put(struct ob_buf *b, const struct ob_label *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            ob_buf_put(b, ",", 1);
        ob_buf_put(b, l[i].name, l[i].name_len);
        ob_buf_put(b, "=\"", 2);
        ob_label_escape(b, l[i].value, l[i].value_len);
        ob_buf_put(b, "\"", 1);
    }
}

void ob_key_build(struct ob_buf *b, const char *name, size_t name_len, const struct ob_label *l, size_t n)
{
    ob_buf_put(b, name, name_len);
    ob_buf_put(b, "{", 1);
    ob_labels_put(b, l, n);
    ob_buf_put(b, "}", 1);
}

/* The reader: p walks key[0..len), k fills buf[0..cap). */
struct split {
    const char *p, *end;
    char *buf;
    size_t k, cap;
    int full; /* buf ran out */
};

static void emit(struct split *s, char c)
{
    if (s->k + 1 < s->cap) /* one byte kept for the NUL that ends each string */
        s->buf[s->k++] = c;
    else
        s->full = 1;
}

/* Copies up to stop (not included), unescaping when unescape; ends the
 * copy with a NUL. Returns its length. */
static size_t copy_until(struct split *s, char stop, int unescape)
{
    size_t from = s->k;
    while (s->p < s->end && *s->p != stop) {
        if (unescape && *s->p == '\\' && s->p + 1 < s->end) {
            s->p++;
            emit(s, *s->p == 'n' ? '\n' : *s->p);
            s->p++;
        } else {
            emit(s, *s->p++);
        }
    }
    size_t n = s->k - from;
    if (s->k < s->cap)
        s->buf[s->k++] = '\0';
    else
        s->full = 1;
    return n;
}

static int next_is(struct split *s, char c)
{
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return 1;
    }
    return 0;
}

int ob_key_split(const char *key, size_t len, char *buf, size_t cap, const char **name, struct ob_label *l, int max)
{
    if (!cap)
        return -1;
    struct split s = {key, key + len, buf, 0, cap, 0};
    int n = 0;
    *name = buf;
    copy_until(&s, '{', 0);
    if (!next_is(&s, '{'))
        return -1;
    while (s.p < s.end && *s.p != '}' && n < max) {
        l[n].name = buf + s.k;
        l[n].name_len = copy_until(&s, '=', 0);
        if (!next_is(&s, '=') || !next_is(&s, '"'))
            return -1;
        l[n].value = buf + s.k;
        l[n].value_len = copy_until(&s, '"', 1);
        if (!next_is(&s, '"'))
            return -1;
        n++;
        next_is(&s, ',');
    }
    return s.full ? -1 : n; /* past max labels, or without its '}': the labels read */
}

static int name_ok(const char *s, size_t n, int colon)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
                 (i && c >= '0' && c <= '9');
        if (!ok)
            return 0;
    }
    return 1;
}

int ob_metric_name_ok(const char *s, size_t n)
{
    return name_ok(s, n, 1);
}

int ob_label_name_ok(const char *s, size_t n)
{
    return name_ok(s, n, 0);
}

int ob_utf8_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k; /* continuation bytes */
        unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
        if (c >= 0xC2 && c <= 0xDF)
            k = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlong forms */
            hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing past U+10FFFF */
        } else
            return 0;
        if (n - i <= k || p[i + 1] < lo || p[i + 1] > hi)
            return 0;
        for (size_t j = 2; j <= k; j++)
            if ((p[i + j] & 0xC0) != 0x80)
                return 0;
        i += k + 1;
    }
    return 1;
}

#define EXP1 "exported_"
#define EXP4 EXP1 EXP1 EXP1 EXP1
#define EXP16 EXP4 EXP4 EXP4 EXP4
#define EXP64 EXP16 EXP16 EXP16 EXP16
#define EXP256 EXP64 EXP64 EXP64 EXP64

const char *ob_label_exported_value_type(const struct ob_label *l, size_t n)
{
    /* k prefixes are the literal's last k * 9 bytes before value_type */
    static const char all[] = EXP256 "value_type";
    const size_t base = sizeof all - 1 - 10;
    for (size_t k = 1; k <= 256; k++) {
        const char *name = all + base - k * 9;
        size_t len = k * 9 + 10, i = 0;
        while (i < n && !(l[i].name_len == len && !memcmp(l[i].name, name, len)))
            i++;
        if (i == n)
            return name;
    }
    return NULL;
}
