/* logformat.h - Loghub's log_format syntax: a regular expression in which
 * <Name> marks a header field and <Content> the message, e.g.
 *   "<Date> <Time> <Pid> <Level> <Component>: <Content>".
 * Finds the message of each line; lines that do not match keep the whole
 * line as their message. */
#ifndef OB_LOGFORMAT_H
#define OB_LOGFORMAT_H

#include <stddef.h>

struct ob_logformat;

/* new: NULL with a message in err when fmt has no <Content> field, a bad
 * field name or is not a valid regular expression once expanded. */
struct ob_logformat *ob_logformat_new(const char *fmt, char *err, size_t errlen);
void ob_logformat_free(struct ob_logformat *f);

/* Sets *msg and *msg_len to the message of line[0..len) (borrowed from line).
 * Returns 1 when the line matched the format, 0 when the whole (trimmed)
 * line is taken as the message. */
int ob_logformat_message(struct ob_logformat *f, const char *line, size_t len,
                         const char **msg, size_t *msg_len);

#endif
