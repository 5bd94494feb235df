/* timeparse.h - timestamps as operators write them, to unix seconds. */
#ifndef OB_TIMEPARSE_H
#define OB_TIMEPARSE_H

#include <stddef.h>

/* Parses s[0..len) as one of
 *   "YYYY-MM-DD HH:MM:SS"            (UTC; NAB and most CSV exports)
 *   RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)"
 *   unix seconds, integer or decimal ("1700000000", "1700000000.25")
 * into seconds since the epoch. Surrounding blanks are allowed.
 * Returns 0, or -1 when s is none of these (nothing is written then). */
int ob_time_parse(const char *s, size_t len, double *out_seconds);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
long long ob_days_from_civil(long long y, unsigned m, unsigned d);

#endif
