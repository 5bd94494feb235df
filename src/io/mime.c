/* mime.c - MIME decoding by GMime, behind a small interface of plain C
 * strings, so nothing else in opsbox sees GLib.
 *
 * GMime does the parsing (encoded words, the MIME tree, transfer encodings,
 * charsets through iconv); this file picks the part to read, notices what
 * was wrong, and guarantees valid UTF-8 out: GMime passes bytes of a
 * charset iconv does not know through unconverted. */
#include "io/mime.h"

#include <gmime/gmime.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void ob_mime_init(void)
{
    g_mime_init();
}

void ob_mime_shutdown(void)
{
    g_mime_shutdown();
}

/* Length of the UTF-8 sequence at s (at most n bytes), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned min;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    unsigned v = c & (0x3f >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    return len;
}

char *ob_utf8_clean(const char *s, size_t n, size_t *len, int *bad)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t out = 0, nbad = 0;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(u + i, n - i);
        if (!k || u[i] == 0) {
            nbad++;
            out += 3;
            i++;
        } else {
            out += k;
            i += k;
        }
    }
    char *r = malloc(out + 1);
    if (!r)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(u + i, n - i);
        if (!k || u[i] == 0) {
            memcpy(r + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        } else {
            memcpy(r + o, s + i, k);
            o += k;
            i += k;
        }
    }
    r[o] = 0;
    if (len)
        *len = o;
    if (bad)
        *bad = nbad > 0;
    return r;
}

static bool charset_known(const char *cs)
{
    if (!g_ascii_strcasecmp(cs, "utf-8") || !g_ascii_strcasecmp(cs, "us-ascii"))
        return true;
    iconv_t cd = g_mime_iconv_open("UTF-8", cs);
    if (cd == (iconv_t)-1)
        return false;
    g_mime_iconv_close(cd);
    return true;
}

/* Checks the charset of each encoded word "=?cs?" in s. */
static bool words_charsets_known(const char *s)
{
    for (const char *p = strstr(s, "=?"); p; p = strstr(p + 2, "=?")) {
        const char *q = strchr(p + 2, '?');
        if (!q || q - p - 2 <= 0 || q - p - 2 > 64)
            continue;
        char cs[80];
        memcpy(cs, p + 2, (size_t)(q - p - 2));
        cs[q - p - 2] = 0;
        char *star = strchr(cs, '*'); /* RFC 2231 language: "utf-8*en" */
        if (star)
            *star = 0;
        if ((q[1] == 'B' || q[1] == 'b' || q[1] == 'Q' || q[1] == 'q') && q[2] == '?' &&
            !charset_known(cs))
            return false;
    }
    return true;
}

char *ob_mime_header_text(const char *s, size_t n, size_t *len, int *flags)
{
    *flags = 0;
    bool plain = true;
    for (size_t i = 0; i < n && plain; i++)
        plain = (unsigned char)s[i] < 0x80 && s[i] && !(s[i] == '=' && i + 1 < n && s[i + 1] == '?');
    if (plain)
        return ob_utf8_clean(s, n, len, NULL);
    char *z = g_strndup(s, n); /* GMime wants a C string; NUL bytes end it */
    if (!words_charsets_known(z))
        *flags |= OB_MIME_BAD_CHARSET;
    char *d = g_mime_utils_header_decode_text(NULL, z);
    g_free(z);
    if (!d)
        return ob_utf8_clean(s, n, len, NULL);
    int bad = 0;
    char *r = ob_utf8_clean(d, strlen(d), len, &bad);
    g_free(d);
    if (bad)
        *flags |= OB_MIME_BAD_BYTES;
    return r;
}

char *ob_mime_address_text(const char *s, size_t n, size_t *len, int *flags)
{
    *flags = 0;
    char *z = g_strndup(s, n);
    if (!words_charsets_known(z))
        *flags |= OB_MIME_BAD_CHARSET;
    InternetAddressList *l = internet_address_list_parse(NULL, z);
    char *d = l && internet_address_list_length(l) > 0
                  ? internet_address_list_to_string(l, NULL, FALSE)
                  : NULL;
    if (l)
        g_object_unref(l);
    g_free(z);
    if (!d) { /* not an address list: still text */
        int f = 0;
        char *r = ob_mime_header_text(s, n, len, &f);
        *flags |= f;
        return r;
    }
    int bad = 0;
    char *r = ob_utf8_clean(d, strlen(d), len, &bad);
    g_free(d);
    if (bad)
        *flags |= OB_MIME_BAD_BYTES;
    return r;
}

double ob_mime_date(const char *s, size_t n)
{
    if (!n || n > 200)
        return NAN;
    char z[208];
    memcpy(z, s, n);
    z[n] = 0;
    GDateTime *dt = g_mime_utils_header_decode_date(z);
    if (!dt)
        return NAN;
    double t = (double)g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    /* GMime answers the epoch for what it cannot read at all. */
    return t == 0 ? NAN : t;
}

static void on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer arg)
{
    (void)offset;
    (void)item;
    if (code == GMIME_WARN_MALFORMED_MULTIPART || code == GMIME_WARN_TRUNCATED_MESSAGE ||
        code == GMIME_WARN_MALFORMED_MESSAGE || code == GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY ||
        code == GMIME_CRIT_NESTING_OVERFLOW || code == GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT ||
        code == GMIME_WARN_INVALID_CONTENT_TYPE)
        *(int *)arg |= OB_MIME_BROKEN;
}

static bool is_attachment(GMimeObject *o)
{
    GMimeContentDisposition *d = g_mime_object_get_content_disposition(o);
    return d && g_mime_content_disposition_is_attachment(d);
}

/* The first text/plain part that is not an attachment, borrowed. */
static GMimeTextPart *first_text(GMimeMessage *msg)
{
    GMimeObject *top = g_mime_message_get_mime_part(msg);
    if (!top)
        return NULL;
    if (GMIME_IS_TEXT_PART(top)) {
        GMimeContentType *ct = g_mime_object_get_content_type(top);
        return !ct || g_mime_content_type_is_type(ct, "text", "plain") ? GMIME_TEXT_PART(top)
                                                                       : NULL;
    }
    GMimePartIter *it = g_mime_part_iter_new(top);
    GMimeTextPart *found = NULL;
    do {
        GMimeObject *o = g_mime_part_iter_get_current(it);
        if (o && GMIME_IS_TEXT_PART(o) && !is_attachment(o) &&
            g_mime_content_type_is_type(g_mime_object_get_content_type(o), "text", "plain"))
            found = GMIME_TEXT_PART(o);
    } while (!found && g_mime_part_iter_next(it));
    g_mime_part_iter_free(it);
    return found;
}

char *ob_mime_body_text(const char *msg, size_t n, size_t *len, int *flags)
{
    *flags = 0;
    GMimeParserOptions *opts = g_mime_parser_options_new();
    g_mime_parser_options_set_warning_callback(opts, on_warning, flags);
    GMimeStream *st = g_mime_stream_mem_new_with_buffer(msg, n);
    GMimeParser *p = g_mime_parser_new_with_stream(st);
    g_mime_parser_set_format(p, GMIME_FORMAT_MESSAGE);
    GMimeMessage *m = g_mime_parser_construct_message(p, opts);
    char *r = NULL;
    GMimeTextPart *tp = m ? first_text(m) : NULL;
    if (tp) {
        const char *cs = g_mime_text_part_get_charset(tp);
        if (cs && !charset_known(cs))
            *flags |= OB_MIME_BAD_CHARSET;
        char *t = g_mime_text_part_get_text(tp);
        if (t) {
            int bad = 0;
            r = ob_utf8_clean(t, strlen(t), len, &bad);
            if (bad && !(*flags & OB_MIME_BAD_CHARSET))
                *flags |= OB_MIME_BAD_BYTES;
            g_free(t);
        }
    } else {
        *flags |= m ? OB_MIME_NO_TEXT : OB_MIME_BROKEN;
    }
    if (m)
        g_object_unref(m);
    g_object_unref(p);
    g_object_unref(st);
    g_mime_parser_options_free(opts);
    if (!r)
        r = ob_utf8_clean("", 0, len, NULL);
    return r;
}
