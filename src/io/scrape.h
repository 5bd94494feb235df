/* scrape.h - scraping the configured targets with libcurl's multi
 * interface: every target on its own schedule and timeout, so one slow or
 * dead target never holds up the others. */
#ifndef OB_SCRAPE_H
#define OB_SCRAPE_H

#include "io/config.h"

#include <stddef.h>

struct ob_scraper;

struct ob_scrape_result {
    const struct ob_scrape_config *job;
    const struct ob_target *target;
    const char *body; /* borrowed for the callback */
    size_t len;
    int ok;           /* HTTP 200 and a complete body */
    double started;   /* unix seconds */
    double duration;  /* seconds */
    const char *error; /* when !ok */
};

typedef void (*ob_scrape_fn)(void *arg, const struct ob_scrape_result *r);

/* new: borrows cfg, which must outlive the scraper. NULL on failure. */
struct ob_scraper *ob_scraper_new(const struct ob_config *cfg);
void ob_scraper_free(struct ob_scraper *s);

/* Starts the scrapes that are due, waits up to wait_ms for transfers, and
 * calls fn for each one that finished. Returns 0, or -1 if curl failed. */
int ob_scraper_poll(struct ob_scraper *s, int wait_ms, ob_scrape_fn fn, void *arg);

#endif
