/* fuzz_expfmt.c - libFuzzer target: any bytes as a scrape body. Every
 * sample handed out must lie inside the input or the parser's scratch, with
 * sane lengths; errors must name a line. */
#include "io/expfmt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(void *arg, const struct ob_sample *s)
{
    size_t size = *(size_t *)arg;
    if (s->name_len == 0 || s->name_len > size || s->nlabels < 0 ||
        s->nlabels > OB_EXPFMT_MAX_LABELS)
        abort();
    volatile char sink = 0;
    for (int i = 0; i < s->nlabels; i++) {
        if (s->labels[i].name_len == 0 || s->labels[i].value_len > size)
            abort();
        for (size_t k = 0; k < s->labels[i].value_len; k++) /* ASan checks each read */
            sink ^= s->labels[i].value[k];
    }
    (void)sink;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    long n = ob_expfmt_parse((const char *)data, size, check, &size, err, sizeof err);
    if (n < 0 && strncmp(err, "line ", 5) != 0)
        abort();
    return 0;
}
