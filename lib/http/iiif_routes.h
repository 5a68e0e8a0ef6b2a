/*
 * iiif_routes.h: the Image API endpoints, /iiif/3/ and /iiif/2/.
 */
#ifndef TS_HTTP_IIIF_ROUTES_H
#define TS_HTTP_IIIF_ROUTES_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

#include "core/buf.h"
#include "iiif/request.h"

/**
 * Handles a request whose path (without query) after the version prefix
 * (`/iiif/3/`) is `rest` (`n` bytes). Always answers; returns 0.
 */
int ts_iiif_handle(h2o_req_t *req, enum iiif_version v, const char *rest, size_t n);

#endif
