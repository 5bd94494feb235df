/* fuzz_config.c - libFuzzer target: any bytes as opsbox.yml. A config is
 * either refused with a located error or complete and consistent. */
#include "io/config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    struct ob_config *c = ob_config_parse((const char *)data, size, "f", err, sizeof err);
    if (!c) {
        if (strncmp(err, "f:", 2) != 0)
            abort();
        return 0;
    }
    if (!c->listen || !c->store || !c->output_suffix)
        abort();
    for (size_t i = 0; i < c->nscrapes; i++) {
        const struct ob_scrape_config *s = &c->scrapes[i];
        if (!s->job_name || (!s->ntargets && !s->nsd_files) || !(s->interval_s > 0) || s->timeout_s > s->interval_s)
            abort();
    }
    ob_config_free(c);
    return 0;
}
