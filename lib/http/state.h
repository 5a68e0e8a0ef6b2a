/*
 * state.h: what handlers read of the server: its shared state, the live
 * settings, and the loop a request runs on.
 *
 * The server state is created once at start-up and read-only afterwards, so
 * the loops and workers share it without locks; the one exception is the
 * settings a reload changes, which are published as a new immutable snapshot
 * (struct ts_live) behind one atomic pointer. The server's life cycle (init,
 * run, reload, release) is in http/server.h; handlers need only this file.
 */
#ifndef TS_HTTP_STATE_H
#define TS_HTTP_STATE_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "cache/cache.h"
#include "core/cidr.h"
#include "core/clock.h"
#include "core/config.h"
#include "http/workers.h"
#include "iiif/plan.h"
#include "image/render.h"
#include "present/walk.h"
#include "resolve/fs.h"
#include "store/catalogue.h"

struct ts_router;

struct ts_loop {
    h2o_context_t ctx;                 /* must stay first: handlers find their loop from req->conn->ctx */
    h2o_accept_ctx_t accept_ctx;
    h2o_multithread_receiver_t reply;  /* finished jobs come back here */
    h2o_socket_t *listener;
    pthread_t thread;
    struct ts_server *srv;
    int inflight;                      /* jobs submitted from this loop, not yet done */
    h2o_linklist_t sending;            /* connections with answers not yet sent (struct ts_conn) */
    int64_t ticked_ms;                 /* when ts_conn_tick last ran */
    bool drained;                      /* shut down with no job or connection left */
};

/*
 * The settings a reload (SIGHUP) can change, and what is derived from them.
 * A snapshot never changes once published, and none is freed before the
 * server is, so a request may keep the pointer it read for as long as it
 * runs.
 */
struct ts_live {
    struct ts_config cfg;              /* a copy; owns its strings */
    struct iiif_limits limits;
    struct ts_render_opts enc;
    uint64_t settings_gen;             /* hash of the settings that change response bytes (in every key and ETag) */
    struct ts_cidr_list trusted;       /* trusted_proxies, parsed */
    struct ts_live *older;             /* the snapshot this one replaced */
};

struct ts_server {
    const struct ts_config *cfg;       /* the start-up settings, borrowed: for what only a restart changes */
    _Atomic(struct ts_live *) live;    /* the current settings: read with ts_server_live */
    struct ts_resolver resolver;
    struct ts_formats formats;
    struct ts_workers *workers;
    struct ts_cache *responses;        /* encoded images and info.json; NULL when off */
    struct ts_cache *meta;             /* identifier -> file and probed source */
    struct ts_store *store;            /* where the catalogue lives (store/store.h) */
    struct ts_catalogue *catalogue;    /* the catalogue search over the Presentation tree */
    pthread_mutex_t annos_lock;        /* opening the annotation store, once */
    struct ts_store *annos;            /* annotations (http/anno_routes.c), opened on first use; NULL before */
    bool annos_lock_ready;
    struct ts_router *router;          /* the routes every request is dispatched by (http/router.h) */
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
    atomic_int reload;                 /* set by SIGHUP: ts_server_run calls reload_fn */
    atomic_int n_conns;                /* open connections, for max_connections */
    _Atomic uint64_t unsent;           /* bytes of answers handed to libh2o and not yet sent, all connections */
    atomic_int trim;                   /* connections were cut off: give freed memory back to the system */
    int64_t fd_cap;                    /* connections the open-file limit leaves room for */
    int (*reload_fn)(struct ts_server *s, void *arg); /* reads the settings again and calls ts_server_reload */
    void *reload_arg;
    pthread_mutex_t start_lock;        /* loops report here once set up */
    pthread_cond_t start_cond;
    int n_started, n_failed;
};

/** The current live settings (never NULL after init). */
static inline const struct ts_live *ts_server_live(struct ts_server *s)
{
    return atomic_load_explicit(&s->live, memory_order_acquire);
}

/** The event loop `req` runs on. */
static inline struct ts_loop *ts_loop_of(h2o_req_t *req)
{
    return (struct ts_loop *)req->conn->ctx;
}

/** The server `req` came to. */
static inline struct ts_server *ts_server_of(h2o_req_t *req)
{
    return ts_loop_of(req)->srv;
}

/** The live settings for `req`. */
static inline const struct ts_config *ts_req_cfg(h2o_req_t *req)
{
    return &ts_server_live(ts_server_of(req))->cfg;
}

/**
 * A walk of the tree for one answer: the live walk bounds, the server's
 * stop flag, and request_timeout from now. Release with ts_walk_release.
 */
static inline void ts_server_walk_init(struct ts_server *s, struct ts_walk *w)
{
    const struct ts_config *cfg = &ts_server_live(s)->cfg;
    ts_walk_init(w, (long)cfg->walk_max_entries, (int)cfg->walk_max_depth);
    w->stop = &s->stop;
    if (cfg->request_timeout > 0)
        w->deadline_ms = ts_now_ms() + cfg->request_timeout * 1000;
}

#endif
