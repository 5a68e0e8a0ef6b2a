/*
 * routes.h: the route table and the request entry point.
 */
#ifndef TS_HTTP_ROUTES_H
#define TS_HTTP_ROUTES_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

/* The request environment key holding when the request began (an int64_t of CLOCK_MONOTONIC microseconds). */
#define TS_BEGUN_ENV "tessera.begun_us"

/** libh2o's on_req for every path: checks the method, then dispatches by route. */
int ts_routes_on_req(h2o_handler_t *self, h2o_req_t *req);

#endif
