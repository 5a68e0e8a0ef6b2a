/*
 * viewer.h: viewer pages, and the viewer assets (OpenSeadragon, Mirador)
 * installed from npm into viewer/node_modules by scripts/viewer-deps.sh.
 *
 *   /viewer/image/{identifier}     OpenSeadragon on the image's info.json (3.0)
 *   /viewer/manifest/{path}        Mirador on /iiif/presentation/{path}/manifest
 *   /viewer/collection[/{path}]    Mirador on a Collection
 *   /viewer/assets/{package}-{version}/{file}   the packages' files, cached for a year
 *
 * The asset URLs carry each package's version (read from its package.json
 * at start-up), so they can be cached forever.
 */
#ifndef TS_HTTP_VIEWER_H
#define TS_HTTP_VIEWER_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

#include <stdbool.h>

#include "core/buf.h"

struct ts_viewer {
    char *dir;                 /* node_modules with the packages, or NULL when not installed */
    char osd_version[32];      /* "" when missing */
    char mirador_version[32];
};

/** Finds the packages under `dir` (a node_modules folder). Missing packages are not an error. */
void ts_viewer_init(struct ts_viewer *v, const char *dir);

void ts_viewer_release(struct ts_viewer *v);

/** Handles `rest` (`n` bytes after "/viewer"). Always answers; returns 0. */
int ts_viewer_handle(h2o_req_t *req, const char *rest, size_t n);

/** Appends the URL path of the viewer for a Presentation item ("/viewer/manifest/{path}"). */
void ts_viewer_link(struct ts_buf *out, const char *rel, bool collection);

#endif
