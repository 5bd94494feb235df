/* clock.h - wall-clock time as the daemon stamps points and schedules work. */
#ifndef OB_CLOCK_H
#define OB_CLOCK_H

#include <time.h>

/* Seconds since the epoch, with sub-second precision (CLOCK_REALTIME:
 * points are stamped with it, as Prometheus stamps scrapes). */
double ob_now(void);

/* The moment `seconds` from now, as pthread_cond_timedwait wants it (on
 * CLOCK_REALTIME, its default clock). */
struct timespec ob_deadline(double seconds);

#endif
