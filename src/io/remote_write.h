/* remote_write.h - Prometheus remote write 1.0 bodies (POST /api/v1/write):
 * a snappy-compressed protobuf WriteRequest. Decoded and checked whole
 * before any sample is handed over, so a bad body applies nothing. */
#ifndef OB_REMOTE_WRITE_H
#define OB_REMOTE_WRITE_H

#include "core/label.h"

#include <stddef.h>

#define OB_RW_MAX_UNCOMPRESSED ((size_t)64 << 20)

/* One series' sample: its name, its other labels (sorted by name; their
 * strings end in a NUL, borrowed for the call), time
 * in seconds, value. Return non-zero to stop. */
typedef int (*ob_rw_fn)(void *arg, const char *name, const struct ob_label *labels, size_t nlabels,
                        double ts, double value);

/* Returns the number of samples handed over, or -1 with what is wrong in
 * err (not snappy, too large, not a WriteRequest, a series without
 * __name__, ...): then nothing is. A series the text format cannot carry
 * (a metric or label name outside its grammar, a label value not UTF-8, a
 * label name twice) is left out, its samples counted in *dropped, as
 * Prometheus' receiver does. */
long ob_remote_write_decode(const void *body, size_t len, ob_rw_fn fn, void *arg, long *dropped, char *err,
                           size_t errlen);

/* Encoding, for opsbox's own remote write out: one sample per series. */
struct ob_rw_series {
    const char *name;
    const struct ob_label *labels; /* sorted by name, without __name__; NUL-terminated */
    size_t nlabels;
    double ts, value;
};

/* A snappy-compressed WriteRequest of n series into *out (malloc'd).
 * 0, or -1 on allocation failure. */
int ob_remote_write_encode(const struct ob_rw_series *series, size_t n, void **out, size_t *len);

#endif
