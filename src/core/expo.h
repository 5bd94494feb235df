/* expo.h - the one writer of the Prometheus text exposition format 0.0.4
 * (what /metrics answers): a family (# HELP, # TYPE), then its samples.
 * Escapes label values (\\, \", \n) and help text (\\, \n), writes values
 * as Prometheus reads them back exactly (NaN, +Inf, -Inf, integers without
 * an exponent, others in 10 significant digits when those read back as
 * the same double, else in 17, which always do), and keeps a
 * family's samples together: a family named again while it is the current
 * one continues it. Pure: writes into a growing buffer, no I/O. */
#ifndef OB_CORE_EXPO_H
#define OB_CORE_EXPO_H

#include "core/buf.h"
#include "core/label.h"

#include <stddef.h>
#include <stdint.h>

struct ob_expo {
    struct ob_buf *out;  /* borrowed: where the text goes */
    struct ob_buf name;  /* the current family's name (owned; ob_expo_done) */
};

/* A writer appending to out (borrowed for the writer's life). */
static inline struct ob_expo ob_expo_on(struct ob_buf *out)
{
    return (struct ob_expo){out, {0}};
}
void ob_expo_done(struct ob_expo *e);

/* Starts family name ("counter", "gauge", ...; NULL: untyped, no # TYPE;
 * help NULL: no # HELP), unless it is the current family already. */
void ob_expo_family(struct ob_expo *e, const char *name, const char *type, const char *help);
/* The same with a name of len bytes. */
void ob_expo_family_n(struct ob_expo *e, const char *name, size_t len, const char *type, const char *help);

/* A sample of the current family: name{l[0],...} value. */
void ob_expo_sample(struct ob_expo *e, const struct ob_label *l, size_t n, double v);
/* The same with an integer value (counters past 2^53 stay exact). */
void ob_expo_sample_u64(struct ob_expo *e, const struct ob_label *l, size_t n, uint64_t v);
/* The same with a timestamp (milliseconds since the epoch). */
void ob_expo_sample_at(struct ob_expo *e, const struct ob_label *l, size_t n, double v, int64_t ts_ms);
/* A sample whose labels are, first, escaped[0..len) as written already
 * (the inside of a series key's braces: ob_key_build's escaping), then
 * l[0..n). */
void ob_expo_sample_escaped(struct ob_expo *e, const char *escaped, size_t len, const struct ob_label *l,
                            size_t n, double v);

/* A family of one sample without labels: family, then sample. */
void ob_expo_single(struct ob_expo *e, const char *name, const char *type, const char *help, double v);
void ob_expo_single_u64(struct ob_expo *e, const char *name, const char *type, const char *help, uint64_t v);

/* v as a sample value into num (32 bytes are enough); returns its length. */
#define OB_EXPO_NUM_MAX 32
size_t ob_expo_format(char *num, double v);

#endif
