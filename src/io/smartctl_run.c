/* smartctl_run.c - runs `smartctl --json --all DEVICE` and keeps what it
 * prints, for the daemon's disks: section (the decoding is smartctl.c).
 * smartctl's exit status is a bit mask of findings, not a failure: the
 * JSON says more, so only "no output at all" is an error here. Names with
 * a single quote are refused rather than quoted: they would leave the
 * shell's quoting. */
#include "io/smart.h"

#include <stdio.h>
#include <string.h>

long ob_smartctl_run(const char *smartctl, const char *device, size_t max, struct ob_buf *out)
{
    char cmd[1024];
    if (strchr(device, '\'') || strchr(smartctl, '\''))
        return -1;
    snprintf(cmd, sizeof cmd, "'%s' --json --all '%s' 2>/dev/null", smartctl, device);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char chunk[65536];
    size_t got, start = out->len;
    while ((got = fread(chunk, 1, sizeof chunk, p)) > 0 && out->len - start < max)
        ob_buf_put(out, chunk, got);
    pclose(p);
    return out->len > start ? (long)(out->len - start) : -1;
}
