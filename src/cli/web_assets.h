/* web_assets.h - (private to src/cli) the web page's files, embedded in the
 * binary at build time (cmake/embed.cmake): the html, js and css of web/ and uPlot
 * from web/node_modules, pinned by web/package-lock.json. */
#ifndef OB_CLI_WEB_ASSETS_H
#define OB_CLI_WEB_ASSETS_H

#include <stddef.h>

struct ob_web_asset {
    const char *path;          /* "/" or "/static/NAME" */
    const char *content_type;
    const unsigned char *data;
    size_t len;
};

extern const struct ob_web_asset ob_web_assets[];
extern const unsigned ob_web_nassets;
/* The default models: "/models/disk.json". */
extern const struct ob_web_asset ob_model_assets[];
extern const unsigned ob_model_nassets;

#endif
