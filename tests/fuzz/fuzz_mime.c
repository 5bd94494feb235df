/* fuzz_mime.c - libFuzzer target for the MIME decoding: the input is cut in
 * two where its first byte says; the first piece goes through the header
 * decoders (text, address, date), the whole rest through the body decoder.
 * Whatever comes in, what comes out must be valid UTF-8 of the length
 * reported, without a NUL inside. */
#include "io/mime.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The output promise: valid UTF-8, len bytes, NUL-terminated there. */
static void check(char *s, size_t len)
{
    if (!s)
        return; /* out of memory only */
    if (strlen(s) != len)
        abort();
    int bad = 0;
    size_t n2;
    char *again = ob_utf8_clean(s, len, &n2, &bad);
    if (bad || n2 != len || memcmp(again, s, len))
        abort();
    free(again);
    free(s);
}

static int inited;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!inited) {
        ob_mime_init();
        inited = 1;
    }
    if (size < 1)
        return 0;
    size_t cut = data[0] * (size - 1) / 255;
    const char *s = (const char *)data + 1;
    size--;
    size_t len;
    int flags;
    check(ob_mime_header_text(s, cut, &len, &flags), len);
    check(ob_mime_address_text(s, cut, &len, &flags), len);
    double t = ob_mime_date(s, cut);
    if (!isnan(t) && !isfinite(t))
        abort();
    check(ob_mime_body_text(s, size, &len, &flags), len);
    return 0;
}
