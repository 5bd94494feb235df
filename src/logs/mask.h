/* mask.h - (private to src/logs) which tokens are variables before any
 * template is learned. */
#ifndef OB_LOGS_MASK_H
#define OB_LOGS_MASK_H

#include <stdbool.h>
#include <stddef.h>

/* How much of token t[0..n) is a constant prefix that stays in the
 * template: n when the token is a constant, 0 when it is wholly a variable,
 * or the length of a "key=" prefix whose value is a variable. */
size_t ob_mask_constant_prefix(const char *t, size_t n);

/* Whether token t[0..n) is a unit of measure ("MB", "sec", "KB)"): after a
 * variable it is part of that variable. */
bool ob_mask_is_unit(const char *t, size_t n);

#endif
