/* csv.h - splitting one CSV record (RFC 4180 quoting) into fields. */
#ifndef OB_CSV_H
#define OB_CSV_H

#include <stddef.h>

struct ob_csv_field {
    char *ptr;  /* borrowed: points into the line given to ob_csv_split */
    size_t len;
    size_t col; /* 1-based byte column where the field starts */
};

/* Splits line[0..len) (no line terminator) into at most max_fields fields,
 * unquoting quoted fields in place ("a""b" becomes a"b). Fields beyond
 * max_fields are counted but not stored.
 * Returns the number of fields, or -1 on an unterminated or misplaced quote,
 * with *err_col set to the 1-based column of the offending quote. */
int ob_csv_split(char *line, size_t len, struct ob_csv_field *fields,
                 int max_fields, size_t *err_col);

#endif
