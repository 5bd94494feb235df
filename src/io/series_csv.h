/* series_csv.h - reads a metric series from CSV: a header, then rows whose
 * first column is a timestamp and second a number. The edge between files
 * and the metric detector. */
#ifndef OB_SERIES_CSV_H
#define OB_SERIES_CSV_H

#include <stddef.h>
#include <stdio.h>

/* Longest line accepted; a longer one is an error, never a giant buffer. */
#define OB_SERIES_MAX_LINE (1u << 20)

struct ob_series_reader;

struct ob_series_point {
    const char *ts_text; /* borrowed until the next call: timestamp as written */
    size_t ts_len;
    double ts;           /* unix seconds */
    double value;
    unsigned long line;  /* 1-based line number in the input */
};

/* new: reads f (borrowed; not closed) named name (copied, used in errors). */
struct ob_series_reader *ob_series_reader_new(FILE *f, const char *name);
void ob_series_reader_free(struct ob_series_reader *r);

/* Returns 1 with *p filled, 0 at the end of input, -1 on bad input; then
 * ob_series_reader_error() holds "NAME:LINE:COL: what is wrong". */
int ob_series_reader_next(struct ob_series_reader *r, struct ob_series_point *p);
const char *ob_series_reader_error(const struct ob_series_reader *r);

#endif
