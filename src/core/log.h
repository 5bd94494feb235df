/* log.h - one-line diagnostics on stderr.
 *
 * Libraries never log: they return an error and a message, and the caller
 * (the CLI or the daemon) logs once. */
#ifndef OB_LOG_H
#define OB_LOG_H

enum ob_log_level { OB_LOG_ERROR = 0, OB_LOG_WARN, OB_LOG_INFO, OB_LOG_DEBUG };

void ob_log_set_level(enum ob_log_level level);
void ob_log(enum ob_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define ob_error(...) ob_log(OB_LOG_ERROR, __VA_ARGS__)
#define ob_warn(...) ob_log(OB_LOG_WARN, __VA_ARGS__)
#define ob_info(...) ob_log(OB_LOG_INFO, __VA_ARGS__)
#define ob_debug(...) ob_log(OB_LOG_DEBUG, __VA_ARGS__)

#endif
