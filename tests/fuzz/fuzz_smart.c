/* fuzz_smart.c - libFuzzer target for SMART input: the first byte picks
 * smartctl JSON (decoded from memory) or a Backblaze CSV (written to a
 * memory file and read through zlib, as from disk). Either is refused with
 * a message or read whole; readings then go through the features. */
#define _GNU_SOURCE
#include "io/smart.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_reading(void *arg, const struct ob_disk_reading *r, const char *device)
{
    float x[OB_DISK_NFEAT];
    if (!device || strlen(r->serial) >= sizeof r->serial)
        abort();
    if (ob_disk_fleet_add(arg, r, x) < 0)
        return -1;
    /* The NVMe/SCSI rules on whatever the health log held. */
    double p;
    char why[512];
    int state = ob_disk_judge(arg, r, &p, why, sizeof why);
    if (state < OB_DISK_UNKNOWN || state > OB_DISK_BAD || !(p >= 0 && p <= 1) || strlen(why) >= sizeof why)
        abort();
    return 0;
}

static void backblaze(const uint8_t *data, size_t size, struct ob_disk_fleet *f)
{
    int fd = memfd_create("csv", 0);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
        if (fd >= 0)
            close(fd);
        return;
    }
    char path[64], err[512];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct ob_backblaze *b = ob_backblaze_open(path, err, sizeof err);
    struct ob_disk_reading r;
    float x[OB_DISK_NFEAT];
    int rc = b ? 1 : -1;
    while (b && (rc = ob_backblaze_next(b, &r, err, sizeof err)) == 1)
        if (ob_disk_fleet_add(f, &r, x) < 0)
            abort();
    if (rc < 0 && strncmp(err, path, strlen(path)) != 0)
        abort(); /* every error names the file */
    ob_backblaze_close(b);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct ob_disk_fleet *f = ob_disk_fleet_new();
    if (!f)
        return 0;
    if (data[0] & 1) {
        backblaze(data + 1, size - 1, f);
    } else {
        char err[512] = "";
        long n = ob_smartctl_decode(data + 1, size - 1, "fuzz", on_reading, f, err, sizeof err);
        if (n < 0 && strncmp(err, "fuzz", 4) != 0)
            abort();
    }
    ob_disk_fleet_free(f);
    return 0;
}
