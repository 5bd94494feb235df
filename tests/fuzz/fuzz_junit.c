/* fuzz_junit.c - libFuzzer target: any bytes as a JUnit XML file, and as a
 * TestGrid grid, into a history; the analysis must hold its invariants. */
#include "ci/ci.h"
#include "io/ciresults.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void analyse(struct ob_ci_history *h)
{
    struct ob_ci_params p = ob_ci_params_default();
    struct ob_ci_test_report *t;
    struct ob_ci_run_report *r;
    size_t nt, nr;
    if (ob_ci_history_analyse(h, &p, &t, &nt, &r, &nr) < 0)
        return;
    for (size_t i = 0; i < nt; i++)
        if (t[i].failures > t[i].runs || (t[i].failing_since >= 0 && (size_t)t[i].failing_since >= nr))
            abort();
    for (size_t i = 0; i < nr; i++)
        if (r[i].failures > r[i].tests)
            abort();
    free(t);
    free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    struct ob_ci_history *h = ob_ci_history_new();
    if (!h)
        return 0;
    /* the same file twice: two runs, so that retries and streaks happen */
    for (int i = 0; i < 2; i++) {
        long run = ob_ci_history_run(h, "run");
        if (run >= 0)
            ob_junit_read(h, run, (const char *)data, size, err, sizeof err);
    }
    ob_testgrid_read(h, (const char *)data, size, err, sizeof err);
    analyse(h);
    ob_ci_history_free(h);
    return 0;
}
