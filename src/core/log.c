/* log.c - one-line diagnostics on stderr, prefixed "opsbox: <level>:". */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

static enum ob_log_level current_level = OB_LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void ob_log_set_level(enum ob_log_level level) { current_level = level; }

void ob_log(enum ob_log_level level, const char *fmt, ...)
{
    if (level > current_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "opsbox: %s: ", level_names[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
