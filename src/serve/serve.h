/* serve.h - the daemon (`opsbox serve`) as a library: the core in core.c
 * (start, loop, reload, shutdown, /metrics) and its parts, one file each
 * (alerts.c, tracker.c, logs.c, journal.c, query.c, rw.c, disk.c, prices.c,
 * ci.c, api.c), which reach one another only through the core's routes
 * (route.c). The executable and the unit tests both link it
 * (opsbox_serve in CMakeLists.txt). See docs/architecture.md. */
#ifndef OB_SERVE_SERVE_H
#define OB_SERVE_SERVE_H

#include <stddef.h>
#include <stdint.h>

/* The exit codes ob_serve_run returns (the CLI's own: 0, 1, 2). */
enum { OB_SERVE_OK = 0, OB_SERVE_FAILURE = 1, OB_SERVE_USAGE = 2 };

/* What the command line says; every string is borrowed for the run. */
struct ob_serve_options {
    const char *config;    /* NULL: the embedded default */
    const char *listen;    /* NULL: the config's */
    const char *store;     /* NULL: the config's */
    const char *webconfig; /* --web.config.file, or NULL */
    uint64_t shard, shards; /* shards 0 or 1: every series */
};

/* Runs the daemon until SIGTERM or SIGINT (SIGHUP reads the config
 * again); returns an exit code: 1 when it cannot start or the loop fails,
 * 2 when the config or the web config is wrong, both with a line on
 * stderr saying why. */
int ob_serve_run(const struct ob_serve_options *o);

#endif
