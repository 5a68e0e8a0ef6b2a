/*
 * server.c: the server's life cycle.
 *
 * Start-up binds the socket, starts the workers and one thread per event
 * loop. Every loop watches the same listening socket (each through its own
 * dup of the descriptor) and accepts what it can. Shutdown: stop accepting,
 * ask connections to close, let the loops run until the work submitted from
 * them has come back, then join everything.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>

#include "store/search.h"
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "http/routes.h"

#define SHUTDOWN_GRACE_MS 10000

struct ts_handler {
    h2o_handler_t super;
};

struct ts_logger {
    h2o_logger_t super;
    struct ts_server *srv;
};

/* One line per request, in the combined log format plus the duration. */
static void log_access(h2o_logger_t *self, h2o_req_t *req)
{
    struct ts_server *srv = ((struct ts_logger *)self)->srv;
    if (srv->access_log == NULL)
        return;
    char addr[INET6_ADDRSTRLEN] = "-";
    struct sockaddr_storage ss;
    socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    if (sl > 0) {
        if (ss.ss_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof(addr));
        else if (ss.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof(addr));
    }
    char when[64];
    struct tm tm;
    time_t now = req->processed_at.at.tv_sec;
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S +0000", &tm);
    double ms = 0;
    struct timeval *a = &req->timestamps.request_begin_at, *b = &req->timestamps.response_end_at;
    if (b->tv_sec != 0)
        ms = (double)(b->tv_sec - a->tv_sec) * 1000.0 + (double)(b->tv_usec - a->tv_usec) / 1000.0;
    ssize_t ui = h2o_find_header(&req->headers, H2O_TOKEN_USER_AGENT, -1);
    ssize_t ri = h2o_find_header(&req->headers, H2O_TOKEN_REFERER, -1);
    h2o_iovec_t ua = ui >= 0 ? req->headers.entries[ui].value : h2o_iovec_init(H2O_STRLIT("-"));
    h2o_iovec_t ref = ri >= 0 ? req->headers.entries[ri].value : h2o_iovec_init(H2O_STRLIT("-"));
    const char *proto = req->version >= 0x200 ? "HTTP/2" : req->version == 0x101 ? "HTTP/1.1" : "HTTP/1.0";
    char line[4096];
    int n = snprintf(line, sizeof(line), "%s - - [%s] \"%.*s %.*s %s\" %d %zu \"%.*s\" \"%.*s\" %.3fms\n", addr,
                     when, (int)(req->input.method.len > 16 ? 16 : req->input.method.len), req->input.method.base,
                     (int)(req->input.path.len > 2048 ? 2048 : req->input.path.len), req->input.path.base, proto,
                     req->res.status, req->bytes_sent, (int)(ref.len > 512 ? 512 : ref.len), ref.base,
                     (int)(ua.len > 512 ? 512 : ua.len), ua.base, ms);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line))
        n = sizeof(line) - 1;
    /* never let a client's bytes break the line format */
    for (int i = 0; i < n - 1; i++) {
        if ((unsigned char)line[i] < 0x20)
            line[i] = '?';
    }
    flockfile(srv->access_log);
    fwrite(line, 1, (size_t)n, srv->access_log);
    fflush(srv->access_log);
    funlockfile(srv->access_log);
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    if (err != NULL)
        return;
    struct ts_loop *loop = listener->data;
    for (int i = 0; i < 16; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            return;
        h2o_accept(&loop->accept_ctx, sock);
    }
}

static int open_listener(struct ts_server *s, struct ts_error *err)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", (int)s->cfg->port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(s->cfg->host[0] ? s->cfg->host : NULL, port, &hints, &res);
    if (gai != 0)
        return ts_error_set(err, 500, "cannot resolve listen address %s: %s", s->cfg->host, gai_strerror(gai));
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return ts_error_set(err, 500, "cannot listen on %s:%s: %s", s->cfg->host, port, strerror(saved));
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                             : ((struct sockaddr_in *)&ss)->sin_port);
    s->listen_fd = fd;
    const char *h = s->cfg->host;
    if (strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0 || h[0] == '\0')
        h = "localhost";
    if (strchr(h, ':') != NULL)
        snprintf(s->fallback_host, sizeof(s->fallback_host), "[%s]:%d", h, s->port);
    else
        snprintf(s->fallback_host, sizeof(s->fallback_host), "%s:%d", h, s->port);
    return 0;
}

static int setup_tls(struct ts_server *s, struct ts_error *err)
{
    const struct ts_config *c = s->cfg;
    if (c->tls_cert[0] == '\0' && c->tls_key[0] == '\0')
        return 0;
    if (c->tls_cert[0] == '\0' || c->tls_key[0] == '\0')
        return ts_error_set(err, 400, "TLS needs both --tls-cert and --tls-key");
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL)
        return ts_error_set(err, 500, "cannot create a TLS context");
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, c->tls_cert) != 1) {
        SSL_CTX_free(ctx);
        return ts_error_set(err, 400, "cannot load TLS certificate %s: %s", c->tls_cert,
                            ERR_reason_error_string(ERR_get_error()));
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, c->tls_key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        SSL_CTX_free(ctx);
        return ts_error_set(err, 400, "cannot load TLS key %s: %s", c->tls_key, ERR_reason_error_string(ERR_get_error()));
    }
    h2o_ssl_register_alpn_protocols(ctx, h2o_http2_alpn_protocols);
    s->ssl = ctx;
    return 0;
}

/*
 * A hash of everything that changes the bytes of a response: part of every
 * ETag, so clients and CDNs never keep an answer that the settings changed.
 */
static uint64_t settings_hash(const struct ts_config *cfg, const struct ts_formats *f)
{
    static const char *const keys[] = {"max_width",  "max_height",         "max_area",        "tile_size",
                                       "confined_size_strict", "upscale_max_to_limits", "extensions", "rights",
                                       "preferred_formats",    "jpeg_quality",          "webp_quality",          "webp_effort",
                                       "avif_quality",         "jp2_quality",           "png_compression",       "resample"};
    uint64_t h = ts_hash(TS_HASH_SEED, TS_VERSION, strlen(TS_VERSION));
    h = ts_hash(h, f->ok, sizeof(f->ok));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        for (const struct ts_config_key *k = ts_config_keys; k->name != NULL; k++) {
            if (strcmp(k->name, keys[i]) != 0)
                continue;
            const char *field = (const char *)cfg + k->offset;
            if (k->type == TS_CONF_STRING || k->type == TS_CONF_ENUM) {
                const char *v = *(char *const *)field;
                h = ts_hash(h, v, strlen(v) + 1);
            } else if (k->type == TS_CONF_INT) {
                h = ts_hash(h, field, sizeof(int64_t));
            } else {
                h = ts_hash(h, field, sizeof(bool));
            }
        }
    }
    return h;
}

static int cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int ts_server_init(struct ts_server *s, const struct ts_config *cfg, struct ts_error *err)
{
    memset(s, 0, sizeof(*s));
    s->cfg = cfg;
    s->listen_fd = -1;
    atomic_init(&s->stop, 0);
    if (ts_resolver_init(&s->resolver, cfg->root, cfg->extensions, err) != 0)
        return -1;
    s->limits.max_width = (uint32_t)cfg->max_width;
    s->limits.max_height = (uint32_t)(cfg->max_height > 0 ? cfg->max_height : cfg->max_width);
    s->limits.max_area = (uint64_t)cfg->max_area;
    s->limits.confined_strict = cfg->confined_size_strict;
    s->limits.upscale_max_to_limits = cfg->upscale_max_to_limits;
    ts_encode_opts_init(&s->enc, cfg);
    ts_formats_probe(&s->formats);
    s->settings_gen = settings_hash(cfg, &s->formats);
    size_t cache_bytes = (size_t)cfg->cache_mb << 20;
    s->responses = ts_cache_new(cache_bytes, cache_bytes / 16);
    s->meta = ts_cache_new((size_t)cfg->meta_cache_mb << 20, ((size_t)cfg->meta_cache_mb << 20) / 16);
    if ((cache_bytes > 0 && s->responses == NULL) || (cfg->meta_cache_mb > 0 && s->meta == NULL)) {
        ts_error_set(err, 500, "out of memory for the caches");
        goto fail;
    }
    s->search = ts_search_open(cfg->search_db, (int)cfg->search_rescan, err);
    if (s->search == NULL)
        goto fail;
    ts_viewer_init(&s->viewer, cfg->viewer_dir[0] != '\0' ? cfg->viewer_dir : TS_VIEWER_DIR);

    if (strcmp(cfg->access_log, "-") == 0) {
        s->access_log = stderr;
    } else if (strcmp(cfg->access_log, "off") != 0 && cfg->access_log[0] != '\0') {
        s->access_log = fopen(cfg->access_log, "a");
        if (s->access_log == NULL) {
            ts_error_set(err, 500, "cannot open access log %s: %s", cfg->access_log, strerror(errno));
            goto fail;
        }
        s->own_access_log = true;
    }
    if (setup_tls(s, err) != 0)
        goto fail;
    if (open_listener(s, err) != 0)
        goto fail;

    h2o_config_init(&s->h2o);
    s->h2o.server_name = h2o_iovec_init(H2O_STRLIT("tessera"));
    h2o_hostconf_t *host = h2o_config_register_host(&s->h2o, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    struct ts_handler *h = (struct ts_handler *)h2o_create_handler(path, sizeof(*h));
    h->super.on_req = ts_routes_on_req;
    struct ts_logger *lg = (struct ts_logger *)h2o_create_logger(path, sizeof(*lg));
    lg->super.log_access = log_access;
    lg->srv = s;

    int n_threads = cfg->threads > 0 ? (int)cfg->threads : cores();
    s->workers = ts_workers_new(n_threads, (int)cfg->queue_size);
    if (s->workers == NULL) {
        ts_error_set(err, 500, "cannot start worker threads");
        goto fail;
    }
    s->n_loops = cfg->loops > 0 ? (int)cfg->loops : cores();
    s->loops = calloc((size_t)s->n_loops, sizeof(*s->loops));
    if (s->loops == NULL) {
        ts_error_set(err, 500, "out of memory");
        goto fail;
    }
    return 0;
fail:
    ts_server_release(s);
    return -1;
}

/*
 * Sets up loop `l` on its own thread. It must be this thread: libh2o keeps
 * its buffer pools in thread-local storage, and a socket remembers the pool
 * of the thread that created it. Sockets made on the main thread (the
 * listener, the pipe that wakes the loop when a worker hands a job back)
 * would draw buffers from the main thread's pool from every loop at once,
 * without locking: that corrupted the heap under load.
 */
static int loop_open(struct ts_loop *l)
{
    struct ts_server *s = l->srv;
    h2o_context_init(&l->ctx, h2o_evloop_create(), &s->h2o);
    h2o_multithread_register_receiver(l->ctx.queue, &l->reply, ts_workers_on_reply);
    l->accept_ctx.ctx = &l->ctx;
    l->accept_ctx.hosts = s->h2o.hosts;
    l->accept_ctx.ssl_ctx = s->ssl;
    int fd = dup(s->listen_fd);
    if (fd < 0) {
        ts_log_error("dup: %s", strerror(errno));
        return -1;
    }
    l->listener = h2o_evloop_socket_create(l->ctx.loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    l->listener->data = l;
    h2o_socket_read_start(l->listener, on_accept);
    return 0;
}

/* Takes loop `l` apart on its own thread, for the same reason; only once nothing is in flight. */
static void loop_close(struct ts_loop *l)
{
    if (l->ctx.loop == NULL || !l->drained)
        return; /* open connections or jobs: left to the process exit */
    h2o_multithread_unregister_receiver(l->ctx.queue, &l->reply);
    h2o_evloop_t *loop = l->ctx.loop;
    h2o_context_dispose(&l->ctx);
    h2o_evloop_destroy(loop);
    l->ctx.loop = NULL;
}

static void *loop_main(void *arg)
{
    struct ts_loop *l = arg;
    struct ts_server *s = l->srv;
    int rc = loop_open(l);
    pthread_mutex_lock(&s->start_lock);
    if (rc == 0)
        s->n_started++;
    else
        s->n_failed++;
    pthread_cond_broadcast(&s->start_cond);
    pthread_mutex_unlock(&s->start_lock);
    if (rc != 0)
        return NULL;
    while (!atomic_load(&s->stop))
        h2o_evloop_run(l->ctx.loop, 100);

    /*
     * Stop accepting; ask connections to finish (HTTP/1 stops keep-alive,
     * HTTP/2 sends GOAWAY); close idle ones at once by zeroing their idle
     * timeouts; run until this loop's jobs are back and every connection
     * has closed, or the grace period is over.
     */
    if (l->listener != NULL) {
        h2o_socket_read_stop(l->listener);
        h2o_socket_close(l->listener);
        l->listener = NULL;
    }
    h2o_context_request_shutdown(&l->ctx);
    l->ctx.http1.req_timeout.timeout = 0;
    l->ctx.http2.idle_timeout.timeout = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        h2o_evloop_run(l->ctx.loop, 10);
        clock_gettime(CLOCK_MONOTONIC, &t);
        long ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        bool idle = l->inflight == 0 && h2o_linklist_is_empty(&l->ctx.http1._conns) &&
                    h2o_linklist_is_empty(&l->ctx.http2._conns);
        if (idle) {
            l->drained = true;
            break;
        }
        if (ms > SHUTDOWN_GRACE_MS) {
            ts_log_warn("shutting down with %d requests still in progress or connections open", l->inflight);
            break;
        }
    }
    if (h2o_timeout_is_linked(&l->ctx.http2._graceful_shutdown_timeout))
        h2o_timeout_unlink(&l->ctx.http2._graceful_shutdown_timeout);
    loop_close(l);
    return NULL;
}

int ts_server_run(struct ts_server *s)
{
    pthread_mutex_init(&s->start_lock, NULL);
    pthread_cond_init(&s->start_cond, NULL);
    int created = 0;
    for (int i = 0; i < s->n_loops; i++) {
        s->loops[i].srv = s;
        if (pthread_create(&s->loops[i].thread, NULL, loop_main, &s->loops[i]) != 0) {
            ts_log_error("cannot start an event loop thread");
            break;
        }
        created++;
    }
    /* wait until every loop is set up (or one failed), then let them run or stop them all */
    pthread_mutex_lock(&s->start_lock);
    while (s->n_started + s->n_failed < created)
        pthread_cond_wait(&s->start_cond, &s->start_lock);
    bool ok = created == s->n_loops && s->n_failed == 0;
    pthread_mutex_unlock(&s->start_lock);
    if (!ok)
        atomic_store(&s->stop, 1);
    for (int i = 0; i < created; i++)
        pthread_join(s->loops[i].thread, NULL);
    pthread_cond_destroy(&s->start_cond);
    pthread_mutex_destroy(&s->start_lock);
    return ok ? 0 : -1;
}

void ts_server_stop(struct ts_server *s)
{
    atomic_store(&s->stop, 1);
}

void ts_server_release(struct ts_server *s)
{
    if (s == NULL)
        return;
    ts_workers_free(s->workers);
    s->workers = NULL;
    ts_cache_free(s->responses);
    s->responses = NULL;
    ts_cache_free(s->meta);
    ts_search_close(s->search);
    s->search = NULL;
    ts_viewer_release(&s->viewer);
    s->meta = NULL;
    if (s->loops != NULL) {
        /* each loop took itself apart on its thread (loop_close) */
        free(s->loops);
        s->loops = NULL;
    }
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    s->listen_fd = -1;
    if (s->h2o.hosts != NULL)
        h2o_config_dispose(&s->h2o);
    if (s->ssl != NULL)
        SSL_CTX_free(s->ssl);
    s->ssl = NULL;
    if (s->own_access_log && s->access_log != NULL)
        fclose(s->access_log);
    s->access_log = NULL;
    ts_resolver_release(&s->resolver);
}
