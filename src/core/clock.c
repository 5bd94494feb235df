/* clock.c - wall-clock time. */
#include "core/clock.h"

#include <time.h>

double ob_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}
