/* smart.h - SMART readings from outside: `smartctl --json` output (ATA,
 * NVMe, SCSI; also Ceph's collection of them by date) and Backblaze's
 * drive-stats CSVs (plain or gzip, columns read by name, as they vary by
 * year). Both give struct ob_disk_reading (src/disk/disk.h). */
#ifndef OB_IO_SMART_H
#define OB_IO_SMART_H

#include "core/buf.h"
#include "disk/disk.h"

#include <stddef.h>

typedef int (*ob_smart_fn)(void *arg, const struct ob_disk_reading *r, const char *device);

/* Decodes one smartctl JSON document, or Ceph's {"YYYY-MM-DD": {...}, ...}
 * (days in order), calling fn for each reading. name is used in errors.
 * Returns the number of readings, or -1 with "NAME: what" in err. */
long ob_smartctl_decode(const void *json, size_t len, const char *name, ob_smart_fn fn, void *arg,
                        char *err, size_t errlen);

/* Days since 1970-01-01 of "YYYY-MM-DD", or LONG_MIN. */
long ob_day_of(const char *s, size_t len);

struct ob_backblaze;
/* Opens a Backblaze daily CSV (gzip or not) and reads its header. */
struct ob_backblaze *ob_backblaze_open(const char *path, char *err, size_t errlen);
/* The next row: 1, 0 at the end, -1 with "PATH:LINE: what" in err. */
int ob_backblaze_next(struct ob_backblaze *b, struct ob_disk_reading *r, char *err, size_t errlen);
void ob_backblaze_close(struct ob_backblaze *b);

/* Runs `smartctl --json --all device` (smartctl_run.c), appending what it
 * prints to out, up to about max bytes. Returns the bytes added, or -1
 * when there were none (not run, nothing printed, or a name with a
 * single quote, which is refused). */
long ob_smartctl_run(const char *smartctl, const char *device, size_t max, struct ob_buf *out);

/* The drive failure model in the file at path, or the one built in when
 * path is NULL (io/diskmodel.c); new, or NULL with "disk model PATH: why"
 * in err. */
struct ob_disk_model *ob_disk_model_read(const char *path, char *err, size_t errlen);

#endif
