/* csv.c - RFC 4180 field splitting, in place, with no allocation: callers
 * keep one line buffer and the fields borrow from it. */
#include "core/csv.h"

#include <stdbool.h>

/* Unquotes the quoted field starting at line[*i] == '"'; writes the value at
 * dst and returns its length, or -1 with *err_col set. Leaves *i on the
 * comma or at len. */
static long unquote(char *line, size_t len, size_t *i, char *dst, size_t *err_col)
{
    size_t start = *i, w = 0;
    for (size_t r = start + 1; r < len; r++) {
        if (line[r] != '"') {
            dst[w++] = line[r];
            continue;
        }
        if (r + 1 < len && line[r + 1] == '"') {
            dst[w++] = '"';
            r++;
            continue;
        }
        if (r + 1 < len && line[r + 1] != ',') {
            *err_col = r + 2; /* text after the closing quote */
            return -1;
        }
        *i = r + 1;
        return (long)w;
    }
    *err_col = start + 1;
    return -1;
}

int ob_csv_split(char *line, size_t len, struct ob_csv_field *fields,
                 int max_fields, size_t *err_col)
{
    int n = 0;
    size_t i = 0;
    for (;;) {
        size_t start = i;
        char *ptr = line + i;
        size_t flen;
        if (i < len && line[i] == '"') {
            long w = unquote(line, len, &i, ptr, err_col);
            if (w < 0)
                return -1;
            flen = (size_t)w;
        } else {
            while (i < len && line[i] != ',')
                i++;
            flen = i - start;
        }
        if (n < max_fields)
            fields[n] = (struct ob_csv_field){ptr, flen, start + 1};
        n++;
        if (i >= len)
            return n;
        i++; /* skip the comma */
    }
}
