/*
 * present_routes.h: the Presentation API endpoints, /iiif/presentation/,
 * and search answered with Collections, /iiif/collections/search.
 */
#ifndef TS_HTTP_PRESENT_ROUTES_H
#define TS_HTTP_PRESENT_ROUTES_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

#include "core/error.h"
#include "http/router.h"
#include "http/state.h"
#include "present/manifest.h"

/**
 * Adds the routes (GET and HEAD, answered on a worker) to `r`:
 *   /iiif/presentation/...       Manifests, Collections and their parts
 *   /iiif/collections/search?q=words[&page=N]   the matching Manifests and
 *       Collections as a Collection, best first, 20 a page (a last item
 *       links the next page)
 * Returns 0, or -1 when the table is full.
 */
int ts_present_register(struct ts_router *r, struct ts_server *srv);

/**
 * Probes an image for a Canvas through the server's metadata cache (the
 * entries the Image API uses too). `ctx` is the struct ts_server.
 */
int ts_present_probe(void *ctx, const char *rel, uint32_t thumb_px, struct ts_pimage *out, struct ts_error *err);

#endif
