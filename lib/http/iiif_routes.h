/*
 * iiif_routes.h: the Image API endpoints, /iiif/3/ and /iiif/2/.
 */
#ifndef TS_HTTP_IIIF_ROUTES_H
#define TS_HTTP_IIIF_ROUTES_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

#include "http/router.h"
#include "http/state.h"

/**
 * Adds the routes /iiif/3/ and /iiif/2/ (GET and HEAD; answered from the
 * caches on the loop, else on a worker) to `r`. Returns 0, or -1 when out
 * of memory or the table is full.
 */
int ts_iiif_register(struct ts_router *r, struct ts_server *srv);

#endif
