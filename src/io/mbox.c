/* mbox.c - mail archives as raw messages, streaming, and header blocks.
 *
 * An mbox is messages each opened by a "From " envelope line. A body line
 * that itself starts with "From " was quoted by the writer: mboxo writes
 * ">From ", mboxrd also adds a '>' to lines already starting with
 * ">...>From ". Reading both the same way, one '>' comes off every
 * ">...>From " line: exact for mboxrd, and for mboxo it turns ">From " back
 * into the "From " it almost always was.
 *
 * Not every "From " at a line start opens a message: writers that forget to
 * quote leave them in bodies. A line opens a message when it follows an
 * empty line (as every writer separates messages) or looks like an envelope
 * (an address, then a date with a time), and the line after it looks like a
 * header field.
 *
 * zlib reads both plain and gzip files (gzread is transparent), so
 * pipermail's .txt.gz months open as they are downloaded. */
#define _GNU_SOURCE /* memmem */
#include "io/mbox.h"

#include "core/buf.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define READ_CHUNK (1u << 20)

struct ob_mbox {
    char *path;
    gzFile gz;
    char *buf; /* [pos, len) not yet handed out */
    size_t len, cap, pos;
    bool eof, started;
    unsigned long line; /* line number of buf[pos] */
    char *out;          /* unquoted copy of a message */
    size_t outcap;
    /* Maildir: the message files, read one by one into buf. */
    char **files;
    size_t nfiles, next;
    char err[600];
};

static void set_err(struct ob_mbox *mb, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(struct ob_mbox *mb, unsigned long line, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (line)
        snprintf(mb->err, sizeof mb->err, "%s:%lu: %s", mb->path, line, what);
    else
        snprintf(mb->err, sizeof mb->err, "%s: %s", mb->path, what);
}

const char *ob_mbox_error(const struct ob_mbox *mb)
{
    return mb->err;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects dir/sub's message files (names not starting with '.'). */
static int list_maildir(struct ob_mbox *mb, const char *sub, size_t *cap)
{
    size_t plen = strlen(mb->path) + strlen(sub) + 2;
    char *dname = malloc(plen);
    if (!dname)
        return -1;
    snprintf(dname, plen, "%s/%s", mb->path, sub);
    DIR *d = opendir(dname);
    if (!d) {
        free(dname);
        return errno == ENOENT ? 0 : -1;
    }
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (ob_grow((void **)&mb->files, cap, mb->nfiles + 1, sizeof *mb->files) < 0) {
            rc = -1;
            break;
        }
        size_t n = plen + strlen(e->d_name) + 1;
        char *f = malloc(n);
        if (!f) {
            rc = -1;
            break;
        }
        snprintf(f, n, "%s/%s", dname, e->d_name);
        mb->files[mb->nfiles++] = f;
    }
    closedir(d);
    free(dname);
    return rc;
}

struct ob_mbox *ob_mbox_open(const char *path, char *err, size_t errcap)
{
    struct ob_mbox *mb = calloc(1, sizeof *mb);
    if (!mb || !(mb->path = strdup(path))) {
        free(mb);
        snprintf(err, errcap, "%s: out of memory", path);
        return NULL;
    }
    mb->line = 1;
    struct stat st;
    bool is_stdin = !strcmp(path, "-");
    if (!is_stdin && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        size_t cap = 0;
        if (list_maildir(mb, "cur", &cap) < 0 || list_maildir(mb, "new", &cap) < 0) {
            snprintf(err, errcap, "%s: reading the Maildir: %s", path, strerror(errno));
            ob_mbox_close(mb);
            return NULL;
        }
        struct stat sub;
        char probe[PATH_MAX];
        snprintf(probe, sizeof probe, "%s/cur", path);
        bool has_cur = stat(probe, &sub) == 0;
        snprintf(probe, sizeof probe, "%s/new", path);
        if (!has_cur && stat(probe, &sub) != 0) {
            snprintf(err, errcap, "%s: a folder without cur/ or new/ is not a Maildir", path);
            ob_mbox_close(mb);
            return NULL;
        }
        if (mb->nfiles)
            qsort(mb->files, mb->nfiles, sizeof *mb->files, cmp_names);
        return mb;
    }
    mb->gz = is_stdin ? gzdopen(dup(0), "rb") : gzopen(path, "rb");
    if (!mb->gz) {
        snprintf(err, errcap, "%s: %s", path, errno ? strerror(errno) : "out of memory");
        ob_mbox_close(mb);
        return NULL;
    }
    gzbuffer(mb->gz, 1u << 17);
    return mb;
}

void ob_mbox_close(struct ob_mbox *mb)
{
    if (!mb)
        return;
    if (mb->gz)
        gzclose(mb->gz);
    for (size_t i = 0; i < mb->nfiles; i++)
        free(mb->files[i]);
    free(mb->files);
    free(mb->buf);
    free(mb->out);
    free(mb->path);
    free(mb);
}

/* Reads more input after len, first moving [pos, len) to the front.
 * 1 when bytes came, 0 at the end, -1 on error (mb->err set). */
static int fill(struct ob_mbox *mb)
{
    if (mb->eof)
        return 0;
    if (mb->pos) {
        memmove(mb->buf, mb->buf + mb->pos, mb->len - mb->pos);
        mb->len -= mb->pos;
        mb->pos = 0;
    }
    if (mb->len + READ_CHUNK > mb->cap) {
        if (mb->len > OB_MBOX_MAX_MESSAGE) {
            set_err(mb, mb->line, "a message larger than %u MiB", OB_MBOX_MAX_MESSAGE >> 20);
            return -1;
        }
        if (ob_grow((void **)&mb->buf, &mb->cap, mb->len + READ_CHUNK, 1) < 0) {
            set_err(mb, mb->line, "out of memory");
            return -1;
        }
    }
    int got = gzread(mb->gz, mb->buf + mb->len, (unsigned)READ_CHUNK);
    int zerr;
    const char *zmsg = gzerror(mb->gz, &zerr);
    if (got < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) {
        /* zlib says "unexpected end of file" for a cut gzip stream. */
        set_err(mb, 0, "reading: %s (a truncated or corrupt gzip file?)",
                zerr == Z_ERRNO ? strerror(errno) : zmsg);
        return -1;
    }
    if (got == 0) {
        mb->eof = true;
        return 0;
    }
    mb->len += (size_t)got;
    return 1;
}

/* A header field's line: a name of printable characters, then ':'. */
static bool header_like(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] > 32 && p[i] < 127 && p[i] != ':')
        i++;
    return i > 0 && i < n && p[i] == ':';
}

/* "From addr Www Mmm dd hh:mm:ss yyyy" and its variants: an address token,
 * then somewhere a time hh:mm and a four-digit year. */
static bool envelope_like(const char *p, size_t n)
{
    size_t i = 5;
    while (i < n && p[i] != ' ')
        i++;
    bool time = false, year = false;
    for (; i + 4 < n; i++) {
        if (p[i] >= '0' && p[i] <= '9' && p[i + 1] >= '0' && p[i + 1] <= '9' &&
            p[i + 2] == ':' && p[i + 3] >= '0' && p[i + 3] <= '9')
            time = true;
        if (p[i] == ' ' && p[i + 1] >= '1' && p[i + 1] <= '2' && i + 5 <= n &&
            p[i + 2] >= '0' && p[i + 2] <= '9' && p[i + 3] >= '0' && p[i + 3] <= '9' &&
            p[i + 4] >= '0' && p[i + 4] <= '9' && (i + 5 == n || p[i + 5] == ' ' ||
                                                   p[i + 5] == '\r' || p[i + 5] == '\n'))
            year = true;
    }
    return time && year;
}

/* Ensures a whole line starts at buf[at] (or the input ends first); the
 * line's end offset, or SIZE_MAX on error. at is kept relative to pos. */
static size_t line_end(struct ob_mbox *mb, size_t *at)
{
    for (;;) {
        char *nl = memchr(mb->buf + *at, '\n', mb->len - *at);
        if (nl)
            return (size_t)(nl - mb->buf);
        size_t rel = *at - mb->pos;
        int f = fill(mb);
        *at = mb->pos + rel;
        if (f < 0)
            return SIZE_MAX;
        if (f == 0)
            return mb->len;
    }
}

static unsigned long count_lines(const char *p, size_t n)
{
    unsigned long c = 0;
    const char *end = p + n;
    while ((p = memchr(p, '\n', (size_t)(end - p)))) {
        c++;
        p++;
    }
    return c;
}

/* The message with one '>' taken off each ">...>From " line. */
static int unquote(struct ob_mbox *mb, const char *p, size_t n, struct ob_mbox_msg *m)
{
    if (n > mb->outcap) {
        free(mb->out);
        if (!(mb->out = malloc(n))) {
            mb->outcap = 0;
            return -1;
        }
        mb->outcap = n;
    }
    size_t o = 0;
    bool bol = true;
    for (size_t i = 0; i < n; i++) {
        if (bol && p[i] == '>') {
            size_t j = i;
            while (j < n && p[j] == '>')
                j++;
            if (n - j >= 5 && !memcmp(p + j, "From ", 5))
                i++; /* drop one '>' */
        }
        mb->out[o++] = p[i];
        bol = p[i] == '\n';
    }
    m->data = mb->out;
    m->len = o;
    return 0;
}

static bool has_quoted_from(const char *p, size_t n)
{
    const char *end = p + n;
    while (p < end && (p = memchr(p, '>', (size_t)(end - p)))) {
        const char *q = p;
        while (q < end && *q == '>')
            q++;
        if (end - q >= 5 && !memcmp(q, "From ", 5))
            return true;
        p = q;
    }
    return false;
}

/* Offset (absolute) of the '\n' before the next message's "From ", or
 * SIZE_MAX when none before the end; -1 via *failed. */
static size_t find_boundary(struct ob_mbox *mb, size_t start, bool *failed)
{
    size_t scan = start;
    for (;;) {
        const char *hit = NULL;
        if (mb->len > scan)
            hit = memmem(mb->buf + scan, mb->len - scan, "\nFrom ", 6);
        if (!hit) {
            if (mb->eof)
                return SIZE_MAX;
            size_t keep = mb->len > start + 6 ? mb->len - 6 : start;
            size_t rel_s = start - mb->pos, rel_k = keep - mb->pos;
            int f = fill(mb);
            if (f < 0) {
                *failed = true;
                return SIZE_MAX;
            }
            start = mb->pos + rel_s;
            scan = mb->pos + rel_k;
            continue;
        }
        size_t k = (size_t)(hit - mb->buf);
        size_t rel_s = start - mb->pos, rel_k = k - mb->pos;
        size_t from = k + 1;
        size_t e1 = line_end(mb, &from);
        if (e1 == SIZE_MAX) {
            *failed = true;
            return SIZE_MAX;
        }
        start = mb->pos + rel_s;
        k = mb->pos + rel_k;
        size_t next = e1 + 1;
        bool ok;
        if (next >= mb->len && mb->eof) {
            ok = true;
        } else {
            size_t e2 = line_end(mb, &next);
            if (e2 == SIZE_MAX) {
                *failed = true;
                return SIZE_MAX;
            }
            start = mb->pos + rel_s;
            k = mb->pos + rel_k;
            from = k + 1;
            e1 = next - 1;
            ok = header_like(mb->buf + next, e2 - next);
        }
        bool blank_before = k > start && (mb->buf[k - 1] == '\n' ||
                                          (mb->buf[k - 1] == '\r' && k - 1 > start &&
                                           mb->buf[k - 2] == '\n'));
        if (ok && (blank_before || envelope_like(mb->buf + from, e1 - from)))
            return k;
        scan = k + 1;
    }
}

static int next_mbox(struct ob_mbox *mb, struct ob_mbox_msg *m)
{
    if (!mb->started) {
        mb->started = true;
        for (;;) { /* leading blank lines are tolerated */
            if (mb->len - mb->pos < 5) {
                int f = fill(mb);
                if (f < 0)
                    return -1;
                if (f == 0 && mb->len - mb->pos < 5)
                    break;
                continue;
            }
            char c = mb->buf[mb->pos];
            if (c != '\n' && c != '\r')
                break;
            if (c == '\n')
                mb->line++;
            mb->pos++;
        }
        if (mb->len == mb->pos)
            return 0;
        if (mb->len - mb->pos < 5 || memcmp(mb->buf + mb->pos, "From ", 5)) {
            set_err(mb, mb->line, "not an mbox: its first line does not start with 'From '");
            return -1;
        }
    }
    if (mb->pos >= mb->len && (mb->eof || fill(mb) <= 0))
        return mb->err[0] ? -1 : 0;
    size_t at = mb->pos;
    size_t e = line_end(mb, &at);
    if (e == SIZE_MAX)
        return -1;
    size_t env = mb->pos + 5, env_end = e;
    if (env_end > env && mb->buf[env_end - 1] == '\r')
        env_end--;
    unsigned long first_line = mb->line + 1;
    size_t start = e + 1 < mb->len ? e + 1 : mb->len;
    bool failed = false;
    size_t rel_env = env - mb->pos, rel_env_end = env_end - mb->pos, rel_start = start - mb->pos;
    size_t k = find_boundary(mb, start, &failed);
    if (failed)
        return -1;
    env = mb->pos + rel_env;
    env_end = mb->pos + rel_env_end;
    start = mb->pos + rel_start;
    size_t end, next;
    if (k == SIZE_MAX) {
        end = next = mb->len;
        if (end - start >= 2 && mb->buf[end - 1] == '\n' && mb->buf[end - 2] == '\n')
            end--; /* the separator after the last message */
    } else {
        end = mb->buf[k - 1] == '\r' ? k - 1 : k;
        next = k + 1;
    }
    if (end < start)
        end = start;
    m->envelope = mb->buf + env;
    m->envelope_len = env_end - env;
    m->line = first_line;
    m->file = mb->path;
    m->data = mb->buf + start;
    m->len = end - start;
    mb->line += count_lines(mb->buf + mb->pos, next - mb->pos);
    mb->pos = next;
    if (has_quoted_from(m->data, m->len) && unquote(mb, m->data, m->len, m) < 0) {
        set_err(mb, first_line, "out of memory");
        return -1;
    }
    return 1;
}

static int next_maildir(struct ob_mbox *mb, struct ob_mbox_msg *m)
{
    for (; mb->next < mb->nfiles; mb->next++) {
        const char *f = mb->files[mb->next];
        FILE *in = fopen(f, "rb");
        if (!in)
            continue; /* moved by a mail client meanwhile */
        mb->len = mb->pos = 0;
        size_t got;
        int rc = 0;
        do {
            if (mb->len > OB_MBOX_MAX_MESSAGE) {
                snprintf(mb->err, sizeof mb->err, "%s: a message larger than %u MiB", f,
                         OB_MBOX_MAX_MESSAGE >> 20);
                rc = -1;
                break;
            }
            if (ob_grow((void **)&mb->buf, &mb->cap, mb->len + READ_CHUNK, 1) < 0) {
                snprintf(mb->err, sizeof mb->err, "%s: out of memory", f);
                rc = -1;
                break;
            }
            got = fread(mb->buf + mb->len, 1, READ_CHUNK, in);
            mb->len += got;
        } while (got == READ_CHUNK);
        if (!rc && ferror(in)) {
            snprintf(mb->err, sizeof mb->err, "%s: %s", f, strerror(errno));
            rc = -1;
        }
        fclose(in);
        if (rc)
            return rc;
        m->envelope = "";
        m->envelope_len = 0;
        m->line = 1;
        m->data = mb->buf;
        m->len = mb->len;
        /* Some tools keep an mbox envelope line in each file. */
        if (m->len > 5 && !memcmp(m->data, "From ", 5)) {
            const char *nl = memchr(m->data, '\n', m->len);
            size_t skip = nl ? (size_t)(nl - m->data) + 1 : m->len;
            m->envelope = m->data + 5;
            m->envelope_len = skip > 5 ? skip - 6 : 0;
            m->data += skip;
            m->len -= skip;
            m->line = 2;
        }
        m->file = f;
        mb->next++;
        return 1;
    }
    return 0;
}

int ob_mbox_next(struct ob_mbox *mb, struct ob_mbox_msg *m)
{
    if (mb->err[0])
        return -1;
    return mb->gz ? next_mbox(mb, m) : next_maildir(mb, m);
}

/* ---- header block ---- */

static bool name_is(const char *p, size_t n, const char *want)
{
    return strlen(want) == n && !strncasecmp(p, want, n);
}

static struct ob_mail_field *field_for(struct ob_mail_head *h, const char *name, size_t n)
{
    switch (n ? (name[0] | 0x20) : 0) {
    case 'm':
        return name_is(name, n, "message-id") ? &h->message_id : NULL;
    case 'i':
        return name_is(name, n, "in-reply-to") ? &h->in_reply_to : NULL;
    case 'r':
        return name_is(name, n, "references") ? &h->references : NULL;
    case 's':
        return name_is(name, n, "subject") ? &h->subject : NULL;
    case 'f':
        return name_is(name, n, "from") ? &h->from : NULL;
    case 'd':
        return name_is(name, n, "date") ? &h->date : NULL;
    case 'l':
        return name_is(name, n, "list-id") ? &h->list_id : NULL;
    default:
        return NULL;
    }
}

/* Unfolds the value [p, end) into the buffer at *o: line breaks go, the
 * blanks that follow them stay (RFC 5322 2.2.3); ends trimmed. */
static size_t unfold(char *dst, const char *p, const char *end)
{
    size_t o = 0;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    for (; p < end; p++) {
        if (*p == '\r' || *p == '\n')
            continue;
        dst[o++] = *p == '\t' ? ' ' : *p;
    }
    while (o && dst[o - 1] == ' ')
        o--;
    return o;
}

int ob_mail_head_parse(struct ob_mail_head *h, const char *msg, size_t len)
{
    struct ob_mail_field *all[] = {&h->message_id, &h->in_reply_to, &h->references, &h->subject,
                                   &h->from, &h->date, &h->list_id};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        *all[i] = (struct ob_mail_field){"", 0};
    /* Values are at most the header block, plus a NUL each. */
    size_t need = 0;
    const char *p = msg, *end = msg + len;
    size_t body = len;
    /* First pass: the block's end. */
    for (const char *q = p; q < end;) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        size_t n = nl ? (size_t)(nl - q) : (size_t)(end - q);
        if (n == 0 || (n == 1 && q[0] == '\r')) {
            body = (size_t)(q + n + (nl ? 1 : 0) - msg);
            break;
        }
        bool cont = q[0] == ' ' || q[0] == '\t';
        if (!cont && !header_like(q, n)) {
            body = (size_t)(q - msg); /* not a header: the body starts here */
            break;
        }
        q += n + (nl ? 1 : 0);
    }
    size_t block = body <= len ? body : len;
    need = block + sizeof all / sizeof *all;
    if (need > h->cap) {
        char *nb = realloc(h->buf, need);
        if (!nb)
            return -1;
        h->buf = nb;
        h->cap = need;
    }
    size_t o = 0;
    const char *bend = msg + block;
    while (p < bend) {
        const char *nl = memchr(p, '\n', (size_t)(bend - p));
        const char *le = nl ? nl : bend;
        if (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' || p[0] == '\n') {
            p = le + (nl ? 1 : 0);
            continue;
        }
        const char *colon = memchr(p, ':', (size_t)(le - p));
        /* The field runs on while the next lines start with a blank. */
        const char *fe = le;
        while (fe < bend && fe + 1 < bend && (fe[1] == ' ' || fe[1] == '\t')) {
            const char *n2 = memchr(fe + 1, '\n', (size_t)(bend - fe - 1));
            fe = n2 ? n2 : bend;
        }
        struct ob_mail_field *f = colon ? field_for(h, p, (size_t)(colon - p)) : NULL;
        if (f && !f->n) {
            size_t n = unfold(h->buf + o, colon + 1, fe);
            h->buf[o + n] = 0;
            f->p = h->buf + o; /* fixed below if buf moved: it cannot, sized once */
            f->n = n;
            o += n + 1;
        }
        p = fe + (fe < bend ? 1 : 0);
    }
    h->body = body;
    return 0;
}

void ob_mail_head_free(struct ob_mail_head *h)
{
    free(h->buf);
    h->buf = NULL;
    h->cap = 0;
}
