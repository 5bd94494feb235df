/* text.c - the small text rules of mail: a subject without its reply
 * prefixes, a sender's address, and a body's new text apart from what it
 * quotes and its signature.
 *
 * New text: a reply usually quotes with '>' (any depth, with blanks before),
 * introduced by an attribution line ("On Mon, X wrote:", which clients
 * wrap over two lines, "X schrieb:", "X a écrit :"); Outlook-style replies
 * instead put the whole original after a "-----Original Message-----" or a
 * rule of underscores, and forwarding clients after "---------- Forwarded
 * message". A signature follows a line "-- " (RFC 3676 4.3), and mailing
 * list footers follow a rule of underscores. What remains is what the
 * sender wrote. */
#include "mail/mail.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Length of a reply/forward prefix at s ("re:", "fwd:", "re[3]:", "aw:"),
 * 0 when none; *reply for the reply kinds. */
static size_t prefix_len(const char *s, size_t n, int *reply)
{
    static const struct {
        const char *word;
        int reply;
    } words[] = {{"re", 1}, {"aw", 1}, {"sv", 1}, {"antw", 1}, {"odp", 1}, {"vs", 1},
                 {"ref", 1}, {"fwd", 0}, {"fw", 0}, {"wg", 0},   {"tr", 0}};
    for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
        size_t k = strlen(words[w].word);
        if (n <= k || strncasecmp(s, words[w].word, k))
            continue;
        size_t i = k;
        if (i < n && (s[i] == '[' || s[i] == '(')) { /* Re[2]: Re(2): */
            char close = s[i] == '[' ? ']' : ')';
            i++;
            while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
            if (i >= n || s[i] != close)
                continue;
            i++;
        } else if (i < n && s[i] == '^') { /* Re^2: */
            i++;
            while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
        }
        while (i < n && is_blank(s[i]))
            i++;
        if (i < n && s[i] == ':') {
            if (words[w].reply)
                *reply = 1;
            return i + 1;
        }
    }
    return 0;
}

const char *ob_mail_subject_base(const char *s, size_t n, size_t *len, int *reply)
{
    *reply = 0;
    for (;;) {
        while (n && is_blank(*s))
            s++, n--;
        size_t k = prefix_len(s, n, reply);
        if (!k && n && *s == '[') { /* a list tag, only if a prefix follows */
            const char *close = memchr(s, ']', n);
            if (close) {
                size_t t = (size_t)(close - s) + 1;
                size_t j = t;
                while (j < n && is_blank(s[j]))
                    j++;
                int r = 0;
                size_t k2 = prefix_len(s + j, n - j, &r);
                if (k2) {
                    if (r)
                        *reply = 1;
                    k = j + k2;
                }
            }
        }
        if (!k)
            break;
        s += k;
        n -= k;
    }
    while (n && (is_blank(s[n - 1]) || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    *len = n;
    return s;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static size_t copy_lower(const char *p, size_t n, char *out, size_t cap)
{
    while (n && (is_blank(*p) || *p == '"' || *p == '<'))
        p++, n--;
    while (n && (is_blank(p[n - 1]) || p[n - 1] == '"' || p[n - 1] == '>'))
        n--;
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        out[o++] = lower(p[i]);
    if (cap)
        out[o < cap ? o : cap - 1] = 0;
    return o;
}

size_t ob_mail_address(const char *from, size_t n, char *out, size_t cap)
{
    /* "Name <addr>": the last bracket pair. */
    for (size_t i = n; i-- > 0;) {
        if (from[i] != '>')
            continue;
        for (size_t j = i; j-- > 0;)
            if (from[j] == '<')
                return copy_lower(from + j + 1, i - j - 1, out, cap);
        break;
    }
    /* "addr (Name)" and pipermail's "user at host (Name)". */
    size_t end = n;
    const char *paren = memchr(from, '(', n);
    if (paren)
        end = (size_t)(paren - from);
    const char *at = NULL;
    for (size_t i = 0; i + 4 <= end; i++)
        if (!memcmp(from + i, " at ", 4)) {
            at = from + i;
            break;
        }
    if (at && !memchr(from, '@', end)) {
        size_t a = (size_t)(at - from);
        size_t o = copy_lower(from, a, out, cap);
        if (o + 1 < cap) {
            out[o++] = '@';
            o += copy_lower(at + 4, end - a - 4, out + o, cap - o);
        }
        return o;
    }
    return copy_lower(from, end, out, cap);
}

/* ---- new text ---- */

static bool ends_with_ci(const char *p, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    while (n && (is_blank(p[n - 1]) || p[n - 1] == '\r'))
        n--;
    return n >= k && !strncasecmp(p + n - k, suffix, k);
}

static bool is_quoted(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && is_blank(p[i]))
        i++;
    return i < n && (p[i] == '>' || p[i] == '|');
}

static bool is_attribution(const char *p, size_t n)
{
    return ends_with_ci(p, n, "wrote:") || ends_with_ci(p, n, "writes:") ||
           ends_with_ci(p, n, "schrieb:") || ends_with_ci(p, n, "a \xc3\xa9" "crit :") ||
           ends_with_ci(p, n, "a \xc3\xa9" "crit:") || ends_with_ci(p, n, "escribi\xc3\xb3:");
}

static bool starts_with_ci(const char *p, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    while (n && is_blank(*p))
        p++, n--;
    return n >= k && !strncasecmp(p, prefix, k);
}

/* What ends the new text for good: a signature, an Outlook or forwarded
 * original, a list footer. */
static bool is_cut(const char *p, size_t n)
{
    size_t m = n && p[n - 1] == '\r' ? n - 1 : n;
    if ((m == 3 && !memcmp(p, "-- ", 3)) || (m == 2 && !memcmp(p, "--", 2)))
        return true;
    if (starts_with_ci(p, n, "-----original message") ||
        starts_with_ci(p, n, "---------- forwarded message") ||
        starts_with_ci(p, n, "-------- original message") ||
        starts_with_ci(p, n, "begin forwarded message:"))
        return true;
    size_t u = 0;
    while (u < m && p[u] == '_')
        u++;
    return u >= 10 && u == m;
}

size_t ob_mail_new_text(const char *text, size_t n, char *out, struct ob_mail_text_lines *lines)
{
    memset(lines, 0, sizeof *lines);
    size_t o = 0;
    const char *p = text, *end = text + n;
    bool cut = false;
    /* Held back: a line that may be the first half of a wrapped attribution. */
    const char *held = NULL;
    size_t held_n = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        size_t full = len + (nl ? 1 : 0);
        if (cut) {
            lines->signature++;
        } else if (is_cut(p, len)) {
            cut = true;
            lines->signature++;
        } else if (is_quoted(p, len)) {
            lines->quoted++;
        } else if (is_attribution(p, len)) {
            lines->attribution++;
            if (held && starts_with_ci(held, held_n, "on ")) { /* "On ... <wrapped>" */
                lines->attribution++;
                held = NULL;
            }
        } else {
            if (held) {
                memcpy(out + o, held, held_n);
                o += held_n;
                lines->fresh++;
            }
            held = p;
            held_n = full;
            p += full;
            continue;
        }
        if (held) {
            memcpy(out + o, held, held_n);
            o += held_n;
            lines->fresh++;
            held = NULL;
        }
        p += full;
    }
    if (held) {
        memcpy(out + o, held, held_n);
        o += held_n;
        lines->fresh++;
    }
    return o;
}
