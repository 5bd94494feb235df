/* fuzz_series_csv.c - libFuzzer target: any bytes through the CSV series
 * reader and into the detector must end in points or a clean error. */
#include "io/series_csv.h"
#include "metrics/metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0; /* fmemopen refuses a zero-size buffer */
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f)
        return 0;
    struct ob_series_reader *r = ob_series_reader_new(f, "fuzz");
    struct ob_detector *d = ob_detector_new(NULL);
    struct ob_series_point p;
    int rc;
    while ((rc = ob_series_reader_next(r, &p)) == 1) {
        if (!isfinite(p.value) || !isfinite(p.ts) || p.ts_len > size)
            abort();
        struct ob_detection x = ob_detector_step(d, p.ts, p.value);
        if (!(x.anomaly_score >= 0 && x.anomaly_score <= 1))
            abort();
    }
    if (rc < 0 && strncmp(ob_series_reader_error(r), "fuzz:", 5) != 0)
        abort();
    ob_detector_free(d);
    ob_series_reader_free(r);
    fclose(f);
    return 0;
}
