/* fuzz_ci_log.c - libFuzzer target: any bytes as a pair of build logs (the
 * first half passing, the second failed) through explain; every finding
 * must name a line of the failed log, in its bounds, at most once. */
#include "ci/ci.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    size_t half = size / 2;
    struct ob_ci_model *m = ob_ci_model_new();
    if (!m)
        return 0;
    if (ob_ci_model_learn(m, s, half) == 0) {
        size_t lines = 0;
        for (size_t pos = half, next; pos < size; pos = next, lines++)
            ob_ci_line_end(s, size, pos, &next);
        struct ob_ci_finding *f;
        long n = ob_ci_explain(m, s + half, size - half, 20, &f);
        for (long i = 0; i < n; i++) {
            if (f[i].line < 1 || f[i].line > lines || f[i].off + f[i].len > size - half)
                abort();
            for (long j = 0; j < i; j++)
                if (f[j].line == f[i].line)
                    abort();
            char why[160];
            ob_ci_reasons_text(f[i].reasons, why, sizeof why);
        }
        if (n >= 0)
            free(f); /* allocated whenever explain succeeds, even empty */
    }
    /* the model's own bytes: save, load, and a load of the input itself */
    void *blob;
    size_t bn = ob_ci_model_save(m, &blob);
    if (bn) {
        struct ob_ci_model *b = ob_ci_model_load(blob, bn);
        if (!b)
            abort();
        ob_ci_model_free(b);
        free(blob);
    }
    ob_ci_model_free(ob_ci_model_load(data, size));
    ob_ci_model_free(m);
    return 0;
}
