/* fuzz_prices.c - libFuzzer target for the price readers (AWS offer JSON
 * and CSV, spot history, Azure pages, plain CSV): the input is fed in two
 * pieces cut where its first byte says, since a reader must not care where
 * the pieces end. What is read then goes through changes, history and fit. */
#include "io/prices_read.h"
#include "prices/prices.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cut = data[0] * (size - 1) / 255;
    data++;
    size--;
    struct ob_prices *t = ob_prices_new();
    struct ob_prices_reader *r = t ? ob_prices_reader_new(t, 0, "fuzz") : NULL;
    if (!r) {
        ob_prices_free(t);
        return 0;
    }
    int rc = ob_prices_reader_feed(r, data, cut);
    if (rc == 0)
        rc = ob_prices_reader_feed(r, data + cut, size - cut);
    if (rc == 0)
        rc = ob_prices_reader_finish(r);
    if (rc < 0 && !ob_prices_reader_error(r)[0])
        abort(); /* a refusal always says why */
    ob_prices_reader_free(r);
    if (rc == 0) {
        struct ob_price_change *c;
        struct ob_price_finding *f;
        struct ob_fit_offer *o;
        size_t n;
        if (ob_prices_changes(t, 0, 0, &c, &n) == 0) {
            if (n)
                abort(); /* a snapshot against itself has no changes */
            free(c);
        }
        /* history grids every series to ~2000 steps: a few series are
         * enough to reach all of it, many only slow the fuzzer down */
        if (ob_prices_count(t) <= 40 && ob_prices_history(t, &f, &n, NULL) == 0)
            free(f);
        struct ob_fit_query q = {.vcpu = 1, .mem_gib = 1, .limit = 5};
        if (ob_prices_fit(t, &q, &o, &n) == 0)
            free(o);
    }
    ob_prices_free(t);
    return 0;
}
