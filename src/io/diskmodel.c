/* diskmodel.c - the drive failure model from outside: a model file
 * (`opsbox disk train` wrote it) or, without one, the model built into the
 * binary (models/disk.json, embedded by cmake/embed.cmake as
 * model_assets.c). For `opsbox disk` and the daemon's disks: section. */
#include "io/smart.h"

#include "core/asset.h"
#include "io/statefile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODEL_MAX ((size_t)1 << 30)

extern const struct ob_asset ob_model_assets[];
extern const unsigned ob_model_nassets;

struct ob_disk_model *ob_disk_model_read(const char *path, char *err, size_t errlen)
{
    void *buf = NULL;
    size_t len = 0;
    char why[400] = "not built in (models/disk.json was missing at build time)";
    struct ob_disk_model *m = NULL;
    if (path) {
        if (ob_statefile_read(path, MODEL_MAX, &buf, &len) != 0)
            snprintf(why, sizeof why, "cannot read");
        else
            m = ob_disk_model_load(buf, len, why, sizeof why);
        free(buf);
    } else {
        for (unsigned i = 0; i < ob_model_nassets; i++)
            if (ob_model_assets[i].path && strstr(ob_model_assets[i].path, "disk.json"))
                m = ob_disk_model_load(ob_model_assets[i].data, ob_model_assets[i].len, why, sizeof why);
    }
    if (!m)
        snprintf(err, errlen, "disk model %s: %s", path ? path : "(built in)", why);
    return m;
}
