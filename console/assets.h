/*
 * console assets — the web console's static files (index.html, app.js,
 * app.css, favicon.svg), compiled into the binary by console/embed.c at
 * build time, so the console needs no files, CDN or network at run time.
 *
 * The table is generated; server/console.c serves it.  Each entry's ETag
 * is a hash of its bytes computed at build time, so a browser revalidates
 * with If-None-Match and gets 304 until the next build changes the file.
 */
#ifndef CAIRN_CONSOLE_ASSETS_H
#define CAIRN_CONSOLE_ASSETS_H

#include <stddef.h>

typedef struct console_asset {
    const char *path;           /* "/app.js" */
    const char *content_type;   /* "text/javascript; charset=utf-8" */
    const unsigned char *data;
    size_t len;
    const char *etag;           /* "\"<16 hex>\"", quotes included */
} console_asset;

extern const console_asset console_assets[];
extern const size_t console_n_assets;

#endif
