/* num.h - decimal numbers in and out without strtod or printf on the common
 * path, each bit for bit what the C library would give. `opsbox detect`
 * reads and writes a few numbers per point; done by the C library they cost
 * several times the detection itself. */
#ifndef OB_NUM_H
#define OB_NUM_H

#include <stdbool.h>
#include <stddef.h>

/* Longest text ob_num_format_g10 writes ("-1.234567891e-308"), no NUL. */
#define OB_NUM_G10_MAX 24

/* Parses s[0..len) when it is a plain decimal number -- [+-]digits[.digits]
 * [(e|E)[+-]digits], at least one mantissa digit, trailing blanks allowed --
 * with at most 19 significant digits whose value is below 2^53 and whose
 * scale is within 10^+-22, so that one correctly rounded IEEE multiply or
 * divide gives the exact answer. Returns true with *out exactly strtod's
 * result; false (nothing written) for anything else, valid or not: the
 * caller then asks strtod, which also owns every error message. */
bool ob_num_parse_fast(const char *s, size_t len, double *out);

/* Writes v as printf("%.10g") would, byte for byte, into out (at least
 * OB_NUM_G10_MAX bytes; not NUL-terminated) and returns the length. Exact
 * by construction where the digits are certain; the few values near a
 * rounding tie, and magnitudes outside 1e-13..1e31, go to snprintf. */
size_t ob_num_format_g10(char *out, double v);

#endif
