/* logmask.h - the user's own masks (PCRE2 regular expressions, from the
 * config or --mask): what they match becomes "<*>" before the miner sees
 * the message, for variables the built-in masking cannot know (a user
 * name, a tenant, a host naming scheme). */
#ifndef OB_LOGMASK_H
#define OB_LOGMASK_H

#include <stddef.h>

struct ob_logmask;

/* NULL with "mask 'PATTERN': what" in err for a pattern that does not
 * compile or that matches the empty string. */
struct ob_logmask *ob_logmask_new(char *const *patterns, size_t n, char *err, size_t errlen);
void ob_logmask_free(struct ob_logmask *m);

/* msg with every match of every mask, in order, replaced by "<*>". The
 * result is msg itself when nothing matched, else the mask's own buffer
 * (valid until the next call; not thread-safe). */
const char *ob_logmask_apply(struct ob_logmask *m, const char *msg, size_t len, size_t *out_len);

#endif
