/*
 * router.h: routes as data, and the one dispatcher every request goes
 * through.
 *
 * A route is a row: a path (a prefix, or an exact path), the methods it
 * answers, flags, and a handler with its own state. Handlers register their
 * rows at start-up (`ts_*_register` in each handler module; http/app.c
 * registers them all), so the server knows this interface and no handler.
 *
 * Before any handler or fast path runs, the dispatcher applies what every
 * route shares, in this order:
 *   1. the request's size: URL (max_url, 414) and head (max_header_bytes,
 *      431), and what its connection holds unread (max_unsent_mb, 503);
 *   2. the route: none matches, 404; the method is not one the route
 *      answers, 405 with `Allow`; OPTIONS is answered here as a CORS
 *      preflight naming the route's methods;
 *   3. the body: the connection of a request that came with a body is
 *      closed after the answer unless the route takes bodies, so a request
 *      hidden after a body framed two ways is never run (413 past
 *      max_body_kb is libh2o's, from the head);
 *   4. the access decision, for routes that need one (the hook the access
 *      rules of a later release fill; until then every request may go on).
 * Then the handler runs. It answers (0), or declines (-1): then the
 * request is a 404.
 */
#ifndef TS_HTTP_ROUTER_H
#define TS_HTTP_ROUTER_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdbool.h>

/* Methods, as a set. */
enum ts_method {
    TS_M_GET = 1 << 0,
    TS_M_HEAD = 1 << 1,
    TS_M_OPTIONS = 1 << 2,
    TS_M_POST = 1 << 3,
    TS_M_PUT = 1 << 4,
    TS_M_DELETE = 1 << 5,
};

#define TS_M_READ (TS_M_GET | TS_M_HEAD)

/* What a route declares. */
enum ts_route_flag {
    TS_R_BODY = 1 << 0,    /* takes a request body (within max_body_kb) */
    TS_R_ACCESS = 1 << 1,  /* the access decision applies before the handler (and its fast paths) */
    TS_R_WORKER = 1 << 2,  /* answers from a worker (documentation: the loop never blocks on it) */
};

/*
 * Answers `req`, whose path after the route's prefix is `rest` (`n` bytes,
 * no query). Returns 0 when it answered (or will, from a worker), -1 to
 * decline: then the dispatcher answers 404.
 */
typedef int (*ts_route_fn)(void *state, h2o_req_t *req, const char *rest, size_t n);

struct ts_route {
    const char *path;      /* "/iiif/3/": a prefix; with `exact`, the whole path */
    bool exact;
    unsigned methods;      /* enum ts_method; OPTIONS is implied */
    unsigned flags;        /* enum ts_route_flag */
    ts_route_fn handle;
    void *state;           /* the handler's own, given back to it */
};

/* Decides whether `req` may go on to `route`: 0, or -1 after answering it (401, 403, 429, ...). */
typedef int (*ts_access_fn)(void *ctx, h2o_req_t *req, const struct ts_route *route);

struct ts_router;

/** A router with no routes. NULL when out of memory. */
struct ts_router *ts_router_new(void);

void ts_router_free(struct ts_router *r);

/**
 * Adds a route (copied). Routes are matched in the order they were added;
 * the first whose path matches wins. Returns 0, or -1 when the table is full.
 */
int ts_router_add(struct ts_router *r, const struct ts_route *route);

/** Sets the access decision for routes flagged TS_R_ACCESS (NULL: every request may go on). */
void ts_router_set_access(struct ts_router *r, ts_access_fn fn, void *ctx);

/** The route for path `path` (`n` bytes, no query), or NULL. */
const struct ts_route *ts_router_find(const struct ts_router *r, const char *path, size_t n);

/** The method `m` (`n` bytes) as a set bit, or 0 for a method tessera does not know. */
unsigned ts_method_of(const char *m, size_t n);

/** Writes the methods of `set` (and OPTIONS) as an Allow value ("GET, HEAD, OPTIONS") into `out`. */
void ts_methods_text(unsigned set, char *out, size_t cap);

/**
 * Calls `fn(state)` when the router is freed (handlers' own state), in the
 * reverse order of registration. Returns 0, or -1 when the table is full
 * (then `fn(state)` has been called).
 */
int ts_router_on_free(struct ts_router *r, void (*fn)(void *), void *state);

/* The request environment key holding when the request began (an int64_t of CLOCK_MONOTONIC microseconds). */
#define TS_BEGUN_ENV "tessera.begun_us"

/** Dispatches `req` (libh2o's on_req for every path). Returns 0. */
int ts_router_dispatch(struct ts_router *r, h2o_req_t *req);

#endif
