/* fuzz_remote_write.c - libFuzzer target for remote write bodies. The first
 * byte picks: the rest as the body itself (snappy framing and all), or the
 * rest snappy-compressed first, so that the fuzzer reaches the protobuf
 * decoding and the checks behind it. A body is refused with a message or
 * decoded whole, every sample with a name and labels /metrics can carry. */
#include "io/remote_write.h"

#include <snappy-c.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_sample(void *arg, const char *name, const struct ob_label *labels, size_t n, double ts,
                     double value)
{
    (void)ts;
    (void)value;
    if (!name || !ob_metric_name_ok(name, strlen(name)))
        abort();
    for (size_t i = 0; i < n; i++) /* what /metrics can write back: names of the grammar, UTF-8, once each */
        if (!ob_label_name_ok(labels[i].name, labels[i].name_len) ||
            !ob_utf8_ok(labels[i].value, labels[i].value_len) || (i && strcmp(labels[i - 1].name, labels[i].name) >= 0))
            abort();
    ++*(long *)arg;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    char *packed = NULL;
    if (data[0] & 1) {
        size_t cap = snappy_max_compressed_length(len);
        if (!(packed = malloc(cap)) || snappy_compress(body, len, packed, &cap) != SNAPPY_OK) {
            free(packed);
            return 0;
        }
        body = packed;
        len = cap;
    }
    char err[512] = "";
    long seen = 0, dropped, n = ob_remote_write_decode(body, len, on_sample, &seen, &dropped, err, sizeof err);
    if ((n < 0 && !err[0]) || (n >= 0 && n != seen))
        abort();
    free(packed);
    return 0;
}
