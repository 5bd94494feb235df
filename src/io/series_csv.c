/* series_csv.c - CSV series reader.
 *
 * Reads byte by byte into one buffer bounded by OB_SERIES_MAX_LINE, so a
 * 10 MB line or a binary file costs a clear error, not memory; NUL bytes are
 * kept (and then fail as text), never silently truncate a line. */
#include "io/series_csv.h"

#include "core/csv.h"
#include "core/timeparse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct ob_series_reader {
    FILE *f;
    char *name;
    char *buf; /* OB_SERIES_MAX_LINE + 1 bytes */
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
    r->name = strdup(name ? name : "-");
    r->buf = malloc(OB_SERIES_MAX_LINE + 1);
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

/* Reads one line without its terminator (LF or CRLF). Returns 1, 0 at end of
 * input, -1 when the line is too long or the read fails. */
static int read_line(struct ob_series_reader *r)
{
    int c;
    r->len = 0;
    r->line++;
    while ((c = getc(r->f)) != EOF && c != '\n') {
        if (r->len == OB_SERIES_MAX_LINE) {
            while ((c = getc(r->f)) != EOF && c != '\n')
                ;
            return fail(r, OB_SERIES_MAX_LINE + 1, "line longer than %u bytes",
                        OB_SERIES_MAX_LINE);
        }
        r->buf[r->len++] = (char)c;
    }
    if (ferror(r->f))
        return fail(r, 1, "read error: %s", strerror(errno));
    if (c == EOF && r->len == 0)
        return 0;
    if (r->len > 0 && r->buf[r->len - 1] == '\r')
        r->len--;
    r->buf[r->len] = '\0';
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
        if (!isspace((unsigned char)r->buf[i]))
            return false;
    return true;
}

/* Splits the current line; needs at least two fields. */
static int split(struct ob_series_reader *r, struct ob_csv_field f[2])
{
    size_t col = 1;
    int n = ob_csv_split(r->buf, r->len, f, 2, &col);
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
