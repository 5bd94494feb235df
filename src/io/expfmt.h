/* expfmt.h - the Prometheus text exposition format (0.0.4) and the
 * OpenMetrics text format as far as scraping samples goes: one callback per
 * sample, with its name, labels and value. */
#ifndef OB_EXPFMT_H
#define OB_EXPFMT_H

#include "core/label.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OB_EXPFMT_MAX_LABELS 64

struct ob_sample {
    const char *name;
    size_t name_len;
    const struct ob_label *labels; /* in the order written; borrowed for the callback */
    int nlabels;
    double value;                  /* may be NaN or +-Inf, as exposed */
    int64_t timestamp_ms;          /* valid when has_timestamp */
    int has_timestamp;
};

/* Called per sample; return non-zero to stop parsing. */
typedef int (*ob_expfmt_fn)(void *arg, const struct ob_sample *s);

/* Prometheus's rule for names: [a-zA-Z_][a-zA-Z0-9_]*, with ':' too for
 * metric names (colon), not for label names. For whoever reads or writes
 * names: the parser, Loki's label strings, labels opsbox makes up. */
bool ob_expfmt_name_start(char c, bool colon);
bool ob_expfmt_name_char(char c, bool colon);

/* Parses text[0..len). Returns the number of samples, or -1 on the first
 * malformed line with "line L, column C: what" in err (samples before it
 * were delivered). Label values are unescaped into scratch space that the
 * parser owns for the call. */
long ob_expfmt_parse(const char *text, size_t len, ob_expfmt_fn fn, void *arg, char *err,
                     size_t errlen);

#endif
