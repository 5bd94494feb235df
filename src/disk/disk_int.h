/* disk_int.h - what the disk library's files share and nothing else
 * needs: the NVMe/SCSI rules read the history the fleet keeps. */
#ifndef OB_DISK_INT_H
#define OB_DISK_INT_H

#include "disk/disk.h"

/* The health counters in struct ob_disk_health's order. */
#define OB__DISK_NHEALTH 9

/* The drive's oldest held health counters from a day before day: 0 with
 * *h and *when set, or -1 (no earlier day). */
int ob__disk_health_before(const struct ob_disk_fleet *f, const char *serial, long day, struct ob_disk_health *h,
                           long *when);

#endif
