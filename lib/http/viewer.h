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
#include "http/router.h"

/**
 * Adds the route /viewer (GET and HEAD, answered on the loop) to `r`, with
 * the packages under `dir` (a node_modules folder; "" for the installed
 * viewer assets: core/datadir.h). Missing packages are not an error: the
 * pages answer 503 saying how to install them. Returns 0, or -1 when out of
 * memory or the table is full.
 */
int ts_viewer_register(struct ts_router *r, const char *dir);

/** Appends the URL path of the viewer for a Presentation item ("/viewer/manifest/{path}"). */
void ts_viewer_link(struct ts_buf *out, const char *rel, bool collection);

#endif
