/* asset.h - a file embedded in the binary at build time (cmake/embed.cmake
 * writes a table of them): the web page (the daemon's, web_assets.c: the
 * html, js and css of web/ and uPlot from web/node_modules, pinned by
 * web/package-lock.json) and the default models (model_assets.c, read by
 * io/diskmodel.c). Each owner declares its own table. */
#ifndef OB_CORE_ASSET_H
#define OB_CORE_ASSET_H

#include <stddef.h>

struct ob_asset {
    const char *path;          /* "/", "/static/NAME" or "/models/NAME" */
    const char *content_type;
    const unsigned char *data;
    size_t len;
};

#endif
