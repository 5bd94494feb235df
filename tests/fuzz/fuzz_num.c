/* fuzz_num.c - libFuzzer target: the number fast paths against the C
 * library. Any bytes as text: when ob_num_parse_fast takes them, strtod
 * must read the same double from the whole text; the first 8 bytes as a
 * double, and the parsed value: ob_num_format_g10 must write what
 * printf("%.10g") writes. */
#include "core/num.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_format(double v)
{
    char want[64], got[OB_NUM_G10_MAX];
    int n = snprintf(want, sizeof want, "%.10g", v);
    size_t m = ob_num_format_g10(got, v);
    if ((size_t)n != m || memcmp(want, got, m) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= sizeof(double)) {
        double v;
        memcpy(&v, data, sizeof v);
        check_format(v);
    }
    if (size > 256)
        return 0;
    char s[257];
    memcpy(s, data, size);
    s[size] = '\0';
    double fast;
    if (!ob_num_parse_fast(s, size, &fast))
        return 0;
    char *end;
    double slow = strtod(s, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == s || end != s + size || memcmp(&fast, &slow, sizeof fast) != 0)
        abort();
    check_format(fast);
    return 0;
}
