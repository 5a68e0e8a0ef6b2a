/*
 * server.h: the HTTP server: event loops, listener, TLS, workers, shared state.
 *
 * One event loop per thread does all network I/O (libh2o, evloop flavour),
 * answers cheap requests itself and hands pixel work to the worker pool. The
 * server state is created once at start-up and read-only afterwards, so the
 * loops and workers share it without locks; the one exception is the
 * settings a reload changes, which are published as a new immutable snapshot
 * (struct ts_live) behind one atomic pointer.
 */
#ifndef TS_HTTP_SERVER_H
#define TS_HTTP_SERVER_H

#include "core/error.h"
#include "http/router.h"
#include "http/state.h"

/**
 * Sets up everything from `cfg`: resolver, limits, formats, workers, TLS,
 * and binds the listening socket (so the port is known and errors show
 * before any thread starts). libvips must be started already. The router
 * (s->router) starts empty: register the routes (http/app.h) before
 * ts_server_run.
 */
int ts_server_init(struct ts_server *s, const struct ts_config *cfg, struct ts_error *err);

/**
 * Publishes settings `cfg` (copied) for new requests: limits, encoder and
 * time settings, caching headers, the access log (reopened, for log
 * rotation) and the rest of struct ts_live. Settings only a restart changes
 * (address, port, TLS, root, threads, caches, search index) keep their
 * start-up values; each one that differs is logged. Returns 0, or -1 with
 * `err` and the old settings still in force.
 */
int ts_server_reload(struct ts_server *s, const struct ts_config *cfg, struct ts_error *err);

/**
 * Asks for a reload, from a signal handler: ts_server_run calls `reload_fn`
 * (set before ts_server_run) on its own thread. Async-signal-safe.
 */
void ts_server_request_reload(struct ts_server *s);

/** Runs the loops until ts_server_stop, then drains in-flight work. */
int ts_server_run(struct ts_server *s);

/** Asks the server to stop. Async-signal-safe. */
void ts_server_stop(struct ts_server *s);

/**
 * Frees what init allocated. Returns 0; -1 when worker jobs were still
 * running a second after the pool was told to stop (stuck): then nothing is
 * freed, and the caller should end the process.
 */
int ts_server_release(struct ts_server *s);

#endif
