/*
 * server.h: the HTTP server: event loops, listener, TLS, workers, shared state.
 *
 * One event loop per thread does all network I/O (libh2o, evloop flavour),
 * answers cheap requests itself and hands pixel work to the worker pool. The
 * server state is created once at start-up and read-only afterwards, so the
 * loops and workers share it without locks.
 */
#ifndef TS_HTTP_SERVER_H
#define TS_HTTP_SERVER_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdatomic.h>
#include <stdio.h>

#include "cache/cache.h"
#include "core/config.h"
#include "core/error.h"
#include "http/viewer.h"
#include "iiif/plan.h"
#include "image/render.h"
#include "resolve/fs.h"
#include "http/workers.h"

struct ts_loop {
    h2o_context_t ctx;                 /* must stay first: handlers find their loop from req->conn->ctx */
    h2o_accept_ctx_t accept_ctx;
    h2o_multithread_receiver_t reply;  /* finished jobs come back here */
    h2o_socket_t *listener;
    pthread_t thread;
    struct ts_server *srv;
    int inflight;                      /* jobs submitted from this loop, not yet done */
    bool drained;                      /* shut down with no job or connection left */
};

struct ts_server {
    const struct ts_config *cfg;       /* borrowed; outlives the server */
    struct ts_resolver resolver;
    struct iiif_limits limits;
    struct ts_formats formats;
    struct ts_encode_opts enc;
    struct ts_workers *workers;
    struct ts_cache *responses;        /* encoded images and info.json; NULL when off */
    struct ts_cache *meta;             /* identifier -> file and probed source */
    struct ts_search *search;          /* the Presentation search index */
    struct ts_viewer viewer;           /* viewer assets */
    uint64_t settings_gen;             /* hash of the settings that change response bytes (part of every ETag) */
    FILE *access_log;                  /* NULL when off */
    bool own_access_log;
    h2o_globalconf_t h2o;
    SSL_CTX *ssl;
    int listen_fd;
    int port;                          /* the port actually bound */
    char fallback_host[300];           /* host:port for requests without Host */
    int n_loops;
    struct ts_loop *loops;
    atomic_int stop;
    pthread_mutex_t start_lock;        /* loops report here once set up */
    pthread_cond_t start_cond;
    int n_started, n_failed;
};

/**
 * Sets up everything from `cfg`: resolver, limits, formats, workers, TLS,
 * and binds the listening socket (so the port is known and errors show
 * before any thread starts). libvips must be started already.
 */
int ts_server_init(struct ts_server *s, const struct ts_config *cfg, struct ts_error *err);

/** Runs the loops until ts_server_stop, then drains in-flight work. */
int ts_server_run(struct ts_server *s);

/** Asks the server to stop. Async-signal-safe. */
void ts_server_stop(struct ts_server *s);

/** Frees what init allocated. */
void ts_server_release(struct ts_server *s);

#endif
