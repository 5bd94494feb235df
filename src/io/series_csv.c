/* series_csv.c - CSV series reader.
 *
 * Reads in blocks into one buffer bounded by OB_SERIES_MAX_LINE plus a
 * block, and hands out lines in place, so a 10 MB line or a binary file
 * costs a clear error, not memory; NUL bytes are kept (and then fail as
 * text), never silently truncate a line. A file or pipe is read with
 * read(2), which returns what is there: a line is scored when it arrives,
 * not when a block has filled. Values take the exact fast path of
 * core/num.h and strtod only when that passes. */
#include "io/series_csv.h"

#include "core/csv.h"
#include "core/num.h"
#include "core/timeparse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK (64u * 1024)
#define CAP (OB_SERIES_MAX_LINE + BLOCK + 1) /* + 1: a NUL past any line */

struct ob_series_reader {
    FILE *f;
    int fd;      /* f's descriptor, or -1 (fmemopen) to read through stdio */
    char *name;
    char *buf;   /* CAP bytes; unread input is buf[pos..end) */
    size_t pos, end;
    bool eof;
    char *cur;   /* the current line, NUL-terminated in place */
    size_t len;
    unsigned long line;
    bool header_done;
    char err[512];
};

struct ob_series_reader *ob_series_reader_new(FILE *f, const char *name)
{
    struct ob_series_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->f = f;
    r->fd = fileno(f);
    r->name = strdup(name ? name : "-");
    r->buf = malloc(CAP);
    if (!r->name || !r->buf) {
        ob_series_reader_free(r);
        return NULL;
    }
    return r;
}

void ob_series_reader_free(struct ob_series_reader *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->buf);
    free(r);
}

const char *ob_series_reader_error(const struct ob_series_reader *r)
{
    return r->err;
}

static int fail(struct ob_series_reader *r, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct ob_series_reader *r, size_t col, const char *fmt, ...)
{
    int n = snprintf(r->err, sizeof r->err, "%s:%lu:%zu: ", r->name, r->line, col);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof r->err)
        vsnprintf(r->err + n, sizeof r->err - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* Appends what input there is to buf[end..CAP-1); 0 at its end. */
static ssize_t fill(struct ob_series_reader *r)
{
    size_t room = CAP - 1 - r->end;
    if (r->fd < 0) {
        size_t n = fread(r->buf + r->end, 1, room, r->f);
        return n == 0 && ferror(r->f) ? -1 : (ssize_t)n;
    }
    ssize_t n;
    while ((n = read(r->fd, r->buf + r->end, room)) < 0 && errno == EINTR)
        ;
    return n;
}

/* Makes room and reads more. Returns 1, 0 at the end of input, -1 on error. */
static int refill(struct ob_series_reader *r)
{
    if (r->eof)
        return 0;
    memmove(r->buf, r->buf + r->pos, r->end - r->pos);
    r->end -= r->pos;
    r->pos = 0;
    ssize_t n = fill(r);
    if (n < 0)
        return fail(r, 1, "read error: %s", strerror(errno));
    if (n == 0)
        r->eof = true;
    r->end += (size_t)n;
    return n > 0;
}

/* Skips the rest of an overlong line, through its newline. */
static int skip_long_line(struct ob_series_reader *r)
{
    for (;;) {
        char *nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
        if (nl) {
            r->pos = (size_t)(nl + 1 - r->buf);
            break;
        }
        r->pos = r->end;
        int rc = refill(r);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
    }
    return fail(r, OB_SERIES_MAX_LINE + 1, "line longer than %u bytes", OB_SERIES_MAX_LINE);
}

/* Finds the next line, without its terminator (LF or CRLF). Returns 1, 0 at
 * end of input, -1 when the line is too long or the read fails. */
static int read_line(struct ob_series_reader *r)
{
    r->line++;
    char *nl;
    while (!(nl = memchr(r->buf + r->pos, '\n', r->end - r->pos))) {
        if (r->end - r->pos > OB_SERIES_MAX_LINE)
            return skip_long_line(r);
        int rc = refill(r);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
    }
    r->cur = r->buf + r->pos;
    if (nl) {
        r->len = (size_t)(nl - r->cur);
        r->pos += r->len + 1;
    } else { /* the last line has no newline, or there is none */
        r->len = r->end - r->pos;
        r->pos = r->end;
        if (r->len == 0)
            return 0;
    }
    if (r->len > OB_SERIES_MAX_LINE)
        return fail(r, OB_SERIES_MAX_LINE + 1, "line longer than %u bytes",
                    OB_SERIES_MAX_LINE);
    if (r->len > 0 && r->cur[r->len - 1] == '\r')
        r->len--;
    r->cur[r->len] = '\0';
    return 1;
}

/* A printable, shortened copy of a field for error messages. */
static const char *shown(const struct ob_csv_field *f, char out[48])
{
    size_t n = 0;
    for (size_t i = 0; i < f->len && n < 40; i++)
        out[n++] = isprint((unsigned char)f->ptr[i]) ? f->ptr[i] : '?';
    if (f->len > 40)
        out[n++] = '.', out[n++] = '.', out[n++] = '.';
    out[n] = '\0';
    return out;
}

static int parse_value(struct ob_series_reader *r, struct ob_csv_field *f, double *out)
{
    if (ob_num_parse_fast(f->ptr, f->len, out))
        return 0;
    char tmp[48];
    char saved = f->ptr[f->len];
    f->ptr[f->len] = '\0'; /* the buffer has one spare byte past any field */
    char *end;
    errno = 0;
    double v = strtod(f->ptr, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    bool blank = end == f->ptr || strspn(f->ptr, " \t") == f->len;
    bool rest = *end != '\0';
    f->ptr[f->len] = saved;
    if (blank || rest || memchr(f->ptr, '\0', f->len))
        return fail(r, f->col, "column 2 (value): '%s' is not a number", shown(f, tmp));
    if (!isfinite(v))
        return fail(r, f->col, "column 2 (value): '%s' is not finite", shown(f, tmp));
    if (errno == ERANGE && fabs(v) > 1.0)
        return fail(r, f->col, "column 2 (value): '%s' is out of range", shown(f, tmp));
    *out = v;
    return 0;
}

static bool is_blank_line(const struct ob_series_reader *r)
{
    for (size_t i = 0; i < r->len; i++)
        if (!isspace((unsigned char)r->cur[i]))
            return false;
    return true;
}

/* Splits the current line; needs at least two fields. */
static int split(struct ob_series_reader *r, struct ob_csv_field f[2])
{
    size_t col = 1;
    int n = ob_csv_split(r->cur, r->len, f, 2, &col);
    if (n < 0)
        return fail(r, col, "unbalanced quote");
    if (n < 2)
        return fail(r, r->len + 1, "expected 2 columns (timestamp,value), found %d", n);
    return 0;
}

static int check_header(struct ob_series_reader *r)
{
    struct ob_csv_field f[2];
    double t;
    if (split(r, f) < 0)
        return -1;
    if (ob_time_parse(f[0].ptr, f[0].len, &t) == 0)
        return fail(r, 1, "missing header: the first line holds data; "
                          "expected a header such as 'timestamp,value'");
    r->header_done = true;
    return 0;
}

int ob_series_reader_next(struct ob_series_reader *r, struct ob_series_point *p)
{
    for (;;) {
        int rc = read_line(r);
        if (rc <= 0) {
            if (rc == 0 && !r->header_done)
                return fail(r, 1, "empty input: expected a header such as 'timestamp,value'");
            return rc;
        }
        if (is_blank_line(r))
            continue;
        if (!r->header_done) {
            if (check_header(r) < 0)
                return -1;
            continue;
        }
        struct ob_csv_field f[2];
        char tmp[48];
        if (split(r, f) < 0)
            return -1;
        if (ob_time_parse(f[0].ptr, f[0].len, &p->ts) < 0)
            return fail(r, f[0].col, "column 1 (timestamp): cannot read '%s' as "
                        "'YYYY-MM-DD HH:MM:SS', RFC 3339 or unix seconds", shown(&f[0], tmp));
        if (parse_value(r, &f[1], &p->value) < 0)
            return -1;
        p->ts_text = f[0].ptr;
        p->ts_len = f[0].len;
        p->line = r->line;
        return 1;
    }
}
