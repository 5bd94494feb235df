/* fuzz_loki.c - libFuzzer target: any bytes as a Loki push body (JSON). It
 * is refused with a located error, or decoded whole with every entry's line
 * and time in place; decoded lines then go through the log miner as the
 * daemon would feed them. */
#include "io/loki.h"
#include "logs/logs.h"

#include <snappy-c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A first byte of 0xff: the rest is a protobuf PushRequest, compressed
 * here with snappy so that the fuzzer reaches the protobuf decoding. */
static int decode(const uint8_t *data, size_t size, struct ob_loki_push *p, char *err, size_t errlen)
{
    if (size == 0 || data[0] != 0xff)
        return ob_loki_decode(data, size, p, err, errlen);
    size_t cap = snappy_max_compressed_length(size - 1);
    char *packed = malloc(cap);
    if (!packed || snappy_compress((const char *)data + 1, size - 1, packed, &cap) != SNAPPY_OK) {
        free(packed);
        memset(p, 0, sizeof *p);
        snprintf(err, errlen, "harness");
        return -1;
    }
    int rc = ob_loki_decode_proto(packed, cap, p, err, errlen);
    free(packed);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ob_loki_push p;
    char err[512] = "";
    if (decode(data, size, &p, err, sizeof err) < 0) {
        if (!err[0] || p.streams || p.copies || p.proto)
            abort();
        return 0;
    }
    struct ob_miner_params mp = ob_miner_params_default();
    struct ob_miner *m = ob_miner_new(&mp);
    size_t n = 0;
    for (size_t i = 0; i < p.nstreams; i++) {
        const struct ob_loki_stream *s = &p.streams[i];
        for (size_t j = 1; j < s->nlabels; j++)
            if (strcmp(s->labels[j - 1].name, s->labels[j].name) > 0)
                abort(); /* sorted */
        for (size_t j = 0; j < s->nentries; j++, n++) {
            if (!s->entries[j].line || !(s->entries[j].ts >= 0))
                abort();
            if (m && !ob_miner_add(m, s->entries[j].line, s->entries[j].len))
                abort();
        }
    }
    if (n != p.nentries)
        abort();
    ob_miner_free(m);
    ob_loki_free(&p);
    return 0;
}
