/*
 * present_routes.h: the Presentation API endpoints, /iiif/presentation/,
 * and search answered with Collections, /iiif/collections/search.
 */
#ifndef TS_HTTP_PRESENT_ROUTES_H
#define TS_HTTP_PRESENT_ROUTES_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

#include "core/error.h"
#include "present/manifest.h"

struct ts_server;

/** Handles `rest` (`n` bytes after "/iiif/presentation"). Always answers; returns 0. */
int ts_present_handle(h2o_req_t *req, const char *rest, size_t n);

/**
 * /iiif/collections/search?q=words[&page=N]: the matching Manifests and
 * Collections as a Collection, best first, 20 a page (a last item links the
 * next page). Returns -1 when `rest` is not empty (not this route).
 */
int ts_present_search_handle(h2o_req_t *req, const char *rest, size_t n);

/**
 * Probes an image for a Canvas through the server's metadata cache (the
 * entries the Image API uses too). `ctx` is the struct ts_server.
 */
int ts_present_probe(void *ctx, const char *rel, uint32_t thumb_px, struct ts_pimage *out, struct ts_error *err);

#endif
