/* loki_body.h - a Loki push body as promtail sends it by default: one
 * stream's lines in a snappy-compressed protobuf PushRequest. For the load
 * generator and the end-to-end push tool; header-only, as load.h. */
#ifndef OB_BENCH_LOKI_BODY_H
#define OB_BENCH_LOKI_BODY_H

#include "loki_push.pb-c.h"

#include <snappy-c.h>
#include <stdint.h>
#include <stdlib.h>

/* Lines [0, n) of stream `labels` ({job="app", ...}), line i at unix
 * nanoseconds ns0 + i; malloc'd body in *len bytes. */
static inline char *loki_proto_body(const char *labels, char *const *lines, int n, long long ns0, size_t *len)
{
    Opsbox__Loki__EntryAdapter *e = calloc((size_t)n + 1, sizeof *e), **ep = calloc((size_t)n + 1, sizeof *ep);
    Opsbox__Loki__Timestamp *t = calloc((size_t)n + 1, sizeof *t);
    for (int i = 0; i < n; i++) {
        opsbox__loki__timestamp__init(&t[i]);
        t[i].seconds = (ns0 + i) / 1000000000LL;
        t[i].nanos = (int32_t)((ns0 + i) % 1000000000LL);
        opsbox__loki__entry_adapter__init(&e[i]);
        e[i].timestamp = &t[i];
        e[i].line = lines[i];
        ep[i] = &e[i];
    }
    Opsbox__Loki__StreamAdapter st = OPSBOX__LOKI__STREAM_ADAPTER__INIT, *stp = &st;
    st.labels = (char *)labels;
    st.entries = ep;
    st.n_entries = (size_t)n;
    Opsbox__Loki__PushRequest req = OPSBOX__LOKI__PUSH_REQUEST__INIT;
    req.streams = &stp;
    req.n_streams = 1;
    size_t raw_len = opsbox__loki__push_request__get_packed_size(&req);
    char *raw = malloc(raw_len + 1);
    opsbox__loki__push_request__pack(&req, (uint8_t *)raw);
    *len = snappy_max_compressed_length(raw_len);
    char *body = malloc(*len);
    snappy_compress(raw, raw_len, body, len);
    free(raw);
    free(e);
    free(ep);
    free(t);
    return body;
}

#endif
