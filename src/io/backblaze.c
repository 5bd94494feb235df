/* backblaze.c - Backblaze's drive-stats daily CSVs, as published: plain or
 * gzip (zlib reads both), with whatever columns that year has. Columns are
 * found by name (date, serial_number, model, failure, smart_N_raw); those
 * opsbox does not use are skipped, and an empty cell is a missing value. */
#include "io/smart.h"

#include "core/csv.h"
#include "core/timeparse.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAX_COLUMNS 512

struct ob_backblaze {
    gzFile gz;
    char *path;
    char *line;
    size_t cap;
    long lineno;
    int ncols;
    int col_date, col_serial, col_model, col_failure;
    int field_of_col[MAX_COLUMNS]; /* reading field, or -1 */
    struct ob_csv_field f[MAX_COLUMNS];
};

/* One line, any length; 1, 0 at the end, -1 on a read error. */
static int read_line(struct ob_backblaze *b, size_t *len)
{
    size_t n = 0;
    for (;;) {
        if (b->cap - n < 2) {
            size_t cap = b->cap ? b->cap * 2 : 4096;
            char *p = realloc(b->line, cap);
            if (!p)
                return -1;
            b->line = p;
            b->cap = cap;
        }
        if (!gzgets(b->gz, b->line + n, (int)(b->cap - n))) {
            int e;
            gzerror(b->gz, &e);
            if (e != Z_OK && e != Z_BUF_ERROR)
                return -1;
            if (n == 0)
                return 0;
            break;
        }
        n += strlen(b->line + n);
        if (n && b->line[n - 1] == '\n')
            break;
    }
    while (n && (b->line[n - 1] == '\n' || b->line[n - 1] == '\r'))
        b->line[--n] = '\0';
    *len = n;
    b->lineno++;
    return 1;
}

static int header(struct ob_backblaze *b, char *err, size_t errlen)
{
    size_t len, col;
    int rc = read_line(b, &len);
    if (rc <= 0) {
        snprintf(err, errlen, "%s: %s", b->path, rc == 0 ? "empty file" : "cannot read (not CSV or gzip?)");
        return -1;
    }
    int n = ob_csv_split(b->line, len, b->f, MAX_COLUMNS, &col);
    if (n < 0 || n > MAX_COLUMNS) {
        snprintf(err, errlen, "%s:1: not a CSV header", b->path);
        return -1;
    }
    b->ncols = n;
    b->col_date = b->col_serial = b->col_model = b->col_failure = -1;
    for (int i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)b->f[i].len, b->f[i].ptr);
        int id;
        char tail[8];
        b->field_of_col[i] = -1;
        if (!strcmp(name, "date"))
            b->col_date = i;
        else if (!strcmp(name, "serial_number"))
            b->col_serial = i;
        else if (!strcmp(name, "model"))
            b->col_model = i;
        else if (!strcmp(name, "failure"))
            b->col_failure = i;
        else if (sscanf(name, "smart_%d_%7s", &id, tail) == 2 && !strcmp(tail, "raw"))
            b->field_of_col[i] = ob_disk_field_of(id);
    }
    if (b->col_date < 0 || b->col_serial < 0) {
        snprintf(err, errlen, "%s:1: no 'date' and 'serial_number' columns: not a Backblaze drive-stats file",
                 b->path);
        return -1;
    }
    return 0;
}

long ob_day_of(const char *s, size_t len)
{
    char buf[16];
    int y, m, d, end = 0;
    if (len != 10)
        return LONG_MIN;
    memcpy(buf, s, 10);
    buf[10] = '\0';
    if (sscanf(buf, "%4d-%2d-%2d%n", &y, &m, &d, &end) != 3 || end != 10 || m < 1 || m > 12 || d < 1 || d > 31)
        return LONG_MIN;
    return (long)ob_days_from_civil(y, (unsigned)m, (unsigned)d);
}

struct ob_backblaze *ob_backblaze_open(const char *path, char *err, size_t errlen)
{
    struct ob_backblaze *b = calloc(1, sizeof *b);
    if (!b || !(b->path = strdup(path))) {
        free(b);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    if (!(b->gz = gzopen(path, "rb"))) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOENT));
        ob_backblaze_close(b);
        return NULL;
    }
    gzbuffer(b->gz, 1 << 17);
    if (header(b, err, errlen) < 0) {
        ob_backblaze_close(b);
        return NULL;
    }
    return b;
}

static int bad(struct ob_backblaze *b, int col, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s:%ld:%zu: %s", b->path, b->lineno, col >= 0 ? b->f[col].col : 1, what);
    return -1;
}

int ob_backblaze_next(struct ob_backblaze *b, struct ob_disk_reading *r, char *err, size_t errlen)
{
    size_t len, col;
    int rc = read_line(b, &len);
    if (rc <= 0)
        return rc == 0 ? 0 : bad(b, -1, "cannot read (truncated gzip?)", err, errlen);
    int n = ob_csv_split(b->line, len, b->f, MAX_COLUMNS, &col);
    if (n != b->ncols)
        return bad(b, -1, n < 0 ? "unbalanced quote" : "not as many fields as the header", err, errlen);
    ob_disk_reading_init(r);
    const struct ob_csv_field *d = &b->f[b->col_date];
    if ((r->day = ob_day_of(d->ptr, d->len)) == LONG_MIN)
        return bad(b, b->col_date, "date: expected YYYY-MM-DD", err, errlen);
    snprintf(r->serial, sizeof r->serial, "%.*s", (int)b->f[b->col_serial].len, b->f[b->col_serial].ptr);
    if (!r->serial[0])
        return bad(b, b->col_serial, "serial_number: empty", err, errlen);
    if (b->col_model >= 0)
        snprintf(r->model, sizeof r->model, "%.*s", (int)b->f[b->col_model].len, b->f[b->col_model].ptr);
    if (b->col_failure >= 0)
        r->failure = b->f[b->col_failure].len == 1 && b->f[b->col_failure].ptr[0] == '1';
    for (int i = 0; i < n; i++) {
        if (b->field_of_col[i] < 0 || b->f[i].len == 0)
            continue;
        char num[64], *end;
        snprintf(num, sizeof num, "%.*s", (int)b->f[i].len, b->f[i].ptr);
        double v = strtod(num, &end);
        if (*end || !isfinite(v))
            return bad(b, i, "expected a number", err, errlen);
        r->v[b->field_of_col[i]] = v;
    }
    return 1;
}

void ob_backblaze_close(struct ob_backblaze *b)
{
    if (!b)
        return;
    if (b->gz)
        gzclose(b->gz);
    free(b->path);
    free(b->line);
    free(b);
}
