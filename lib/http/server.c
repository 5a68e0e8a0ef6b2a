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
#include <malloc.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "http/conn.h"
#include "store/backend.h"
#include "store/catalogue.h"

struct ts_handler {
    h2o_handler_t super;
    struct ts_router *router;
};

/* libh2o's on_req for every path: the router does the rest. */
static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    return ts_router_dispatch(((struct ts_handler *)self)->router, req);
}

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
    h2o_iovec_t *begun = h2o_req_getenv(req, H2O_STRLIT(TS_BEGUN_ENV), 0);
    if (begun != NULL && begun->len == sizeof(int64_t)) {
        int64_t t0;
        memcpy(&t0, begun->base, sizeof(t0));
        ms = (double)(ts_now_us() - t0) / 1000.0;
    } else {
        struct timeval *a = &req->timestamps.request_begin_at, *b = &req->timestamps.response_end_at;
        if (b->tv_sec != 0)
            ms = (double)(b->tv_sec - a->tv_sec) * 1000.0 + (double)(b->tv_usec - a->tv_usec) / 1000.0;
    }
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

/* Loops cut short by drain_timeout, kept (and reachable) until the process exits. */
static struct ts_loop *abandoned_loops;


/*
 * A connection past max_connections is accepted only to be told so: a plain
 * HTTP/1.1 503 (nothing on TLS, where plain text would be noise), then closed.
 * Leaving it in the backlog would let a flood of idle sockets starve everyone.
 */
static bool refuse_connection(struct ts_server *s, h2o_socket_t *listener)
{
    int fd = accept4(h2o_socket_get_fd(listener), NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0)
        return false; /* none waiting */
    static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
                               "Content-Type: text/plain; charset=utf-8\r\n"
                               "Retry-After: 1\r\nConnection: close\r\nContent-Length: 67\r\n\r\n"
                               "503 Service Unavailable: too many open connections; try again soon\n";
    if (s->ssl == NULL) {
        ssize_t w = send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        (void)w;
    }
    close(fd);
    return true;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    if (err != NULL)
        return;
    struct ts_loop *loop = listener->data;
    struct ts_server *s = loop->srv;
    int64_t max = ts_server_live(s)->cfg.max_connections;
    if (max > s->fd_cap)
        max = s->fd_cap;
    for (int i = 0; i < 16; i++) {
        if (atomic_load(&s->n_conns) >= max) {
            if (!refuse_connection(s, listener))
                return;
            continue;
        }
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            return;
        atomic_fetch_add(&s->n_conns, 1);
        if (ts_conn_open(loop, sock) == NULL) {
            atomic_fetch_sub(&s->n_conns, 1);
            h2o_socket_close(sock);
            continue;
        }
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
                                       "avif_quality",         "jp2_quality",           "png_compression",       "resample",
                                       "passthrough"};
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

/* A snapshot of the live settings in `cfg`, or NULL with `err` (out of memory, or a setting that does not parse). */
static struct ts_live *live_new(struct ts_server *s, const struct ts_config *cfg, struct ts_error *err)
{
    struct ts_cidr_list trusted;
    if (ts_cidr_parse(cfg->trusted_proxies, &trusted, err) != 0) {
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        ts_error_set(err, 400, "trusted_proxies: %s", msg);
        return NULL;
    }
    struct ts_live *l = calloc(1, sizeof(*l));
    if (l == NULL) {
        ts_error_set(err, 500, "out of memory");
        return NULL;
    }
    l->trusted = trusted;
    if (ts_config_copy(&l->cfg, cfg) != 0) {
        free(l);
        ts_error_set(err, 500, "out of memory");
        return NULL;
    }
    ts_render_limits(cfg, &l->limits);
    ts_render_opts_init(&l->enc, cfg);
    l->settings_gen = settings_hash(cfg, &s->formats);
    return l;
}

/* Applies the timeouts of `cfg` to a loop's context (its own thread, or before it runs). */
static void apply_timeouts(struct ts_loop *l, const struct ts_config *cfg)
{
    l->ctx.http1.req_timeout.timeout = (uint64_t)cfg->idle_timeout * 1000;
    l->ctx.http2.idle_timeout.timeout = (uint64_t)cfg->idle_timeout * 1000;
}

/*
 * Raises the soft limit on open files to the hard one, and returns how many
 * connections fit beside the files, spool files and database a worker opens
 * (FD_RESERVE). An accept that fails for lack of descriptors would leave the
 * listener readable and the loop spinning, so max_connections is held under
 * this; a setting above it is reported once.
 */
#define FD_RESERVE 128
static int64_t open_file_cap(int64_t wanted)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return wanted;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t old = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            rl.rlim_cur = old;
    }
    int64_t cap = rl.rlim_cur == RLIM_INFINITY ? INT64_MAX : (int64_t)rl.rlim_cur - FD_RESERVE;
    if (cap < 1)
        cap = 1;
    if (wanted > cap)
        ts_log_warn("max_connections %lld is more than the open-file limit (%llu) leaves room for: at most %lld "
                    "connections will be open (raise `ulimit -n`)",
                    (long long)wanted, (unsigned long long)rl.rlim_cur, (long long)cap);
    return cap;
}

/* The machine's memory, or the cgroup's limit when lower; 0 when unknown. */
static uint64_t machine_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    uint64_t mem = pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : 0;
    static const char *const limits[] = {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        FILE *f = fopen(limits[i], "r");
        unsigned long long v = 0;
        if (f == NULL)
            continue;
        if (fscanf(f, "%llu", &v) == 1 && v > 0 && (mem == 0 || v < mem))
            mem = v;
        fclose(f);
    }
    return mem;
}

/*
 * The work-memory budget (work_memory_mb): as set, or half the machine's
 * memory less what the caches may take, and never under 256 MiB.
 */
static uint64_t work_memory(const struct ts_config *cfg)
{
    if (cfg->work_memory_mb > 0)
        return (uint64_t)cfg->work_memory_mb << 20;
    uint64_t half = machine_memory() / 2, caches = (uint64_t)(cfg->cache_mb + cfg->meta_cache_mb) << 20;
    uint64_t b = half > caches ? half - caches : 0;
    return b > ((uint64_t)256 << 20) ? b : (uint64_t)256 << 20;
}

/* Settings read once at start-up: a reload that changes them only logs that a restart is needed. */
static const char *const restart_only[] = {"root",    "host",      "port",         "threads",  "loops",
                                           "tls_cert", "tls_key",  "extensions",   "vips_threads", "simd",
                                           "cache_mb", "meta_cache_mb", "search_db", "data_dir", "viewer_dir", "queue_size",
                                           "heavy_mp", "heavy_queue", "max_body_kb", "spool_dir",
                                           "max_sidecar_kb", "work_memory_mb", "h2c", "http2_max_streams"};

/* Sends the access log to the file `cfg` names from now on (after log rotation, the new file). */
static int reopen_access_log(struct ts_server *s, const struct ts_config *cfg, struct ts_error *err)
{
    const char *path = cfg->access_log;
    bool to_file = strcmp(path, "-") != 0 && strcmp(path, "off") != 0 && path[0] != '\0';
    if (!s->own_access_log || !to_file) {
        if (strcmp(path, s->cfg->access_log) != 0)
            ts_log_warn("access_log changed from '%s' to '%s': takes effect after a restart", s->cfg->access_log, path);
        return 0;
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return ts_error_set(err, 500, "cannot open access log %s: %s", path, strerror(errno));
    /* swap the descriptor under the FILE's lock: loops writing lines never see a half-changed log */
    flockfile(s->access_log);
    fflush(s->access_log);
    int rc = dup3(fd, fileno(s->access_log), O_CLOEXEC);
    funlockfile(s->access_log);
    close(fd);
    if (rc < 0)
        return ts_error_set(err, 500, "cannot reopen access log %s: %s", path, strerror(errno));
    return 0;
}

int ts_server_reload(struct ts_server *s, const struct ts_config *cfg, struct ts_error *err)
{
    /* the new settings, except those only a restart changes: they keep their start-up values */
    struct ts_config merged;
    if (ts_config_copy(&merged, cfg) != 0)
        return ts_error_set(err, 500, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < sizeof(restart_only) / sizeof(restart_only[0]); i++) {
        for (const struct ts_config_key *k = ts_config_keys; k->name != NULL; k++) {
            if (strcmp(k->name, restart_only[i]) != 0 || ts_config_key_equal(k, &merged, s->cfg))
                continue;
            ts_log_warn("reload: %s changed; it takes effect after a restart", k->name);
            rc |= ts_config_copy_key(&merged, s->cfg, k);
        }
    }
    struct ts_live *l = rc == 0 ? live_new(s, &merged, err) : NULL;
    ts_config_release(&merged);
    if (l == NULL)
        return rc == 0 ? -1 : ts_error_set(err, 500, "out of memory");
    if (s->access_log != NULL && reopen_access_log(s, cfg, err) != 0) {
        ts_config_release(&l->cfg);
        free(l);
        return -1;
    }
    l->older = atomic_load(&s->live);
    atomic_store_explicit(&s->live, l, memory_order_release);
    ts_log_info("reloaded the settings (ETag generation %016llx)", (unsigned long long)l->settings_gen);
    return 0;
}

void ts_server_request_reload(struct ts_server *s)
{
    atomic_store(&s->reload, 1);
}

static int cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/*
 * Event loops by default: half the cores, at least one. A loop spends tens
 * of microseconds on a request (one loop sends about 45,000 cached or stored
 * tiles a second on the development machine), the workers, one per core,
 * do the pixels; a loop per core as well would put twice as many busy
 * threads as cores, and a loop that waits for a core delays every
 * connection it holds (docs/performance.md: the bench's tails).
 */
static int default_loops(void)
{
    int n = cores() / 2;
    return n > 0 ? n : 1;
}

int ts_server_init(struct ts_server *s, const struct ts_config *cfg, struct ts_error *err)
{
    memset(s, 0, sizeof(*s));
    s->cfg = cfg;
    s->listen_fd = -1;
    atomic_init(&s->stop, 0);
    if (ts_resolver_init(&s->resolver, cfg->root, cfg->extensions, err) != 0)
        return -1;
    ts_resolver_apply_settings(&s->resolver, cfg);
    atomic_init(&s->reload, 0);
    atomic_init(&s->n_conns, 0);
    atomic_init(&s->unsent, 0);
    atomic_init(&s->trim, 0);
    s->fd_cap = open_file_cap(cfg->max_connections);
    ts_formats_probe(&s->formats);
    struct ts_live *live = live_new(s, cfg, err);
    if (live == NULL)
        goto fail;
    atomic_init(&s->live, live);
    size_t cache_bytes = (size_t)cfg->cache_mb << 20;
    s->responses = ts_cache_new(cache_bytes, cache_bytes / 16);
    s->meta = ts_cache_new((size_t)cfg->meta_cache_mb << 20, ((size_t)cfg->meta_cache_mb << 20) / 16);
    if ((cache_bytes > 0 && s->responses == NULL) || (cfg->meta_cache_mb > 0 && s->meta == NULL)) {
        ts_error_set(err, 500, "out of memory for the caches");
        goto fail;
    }
    s->store = ts_backend_open(cfg->search_db, err);
    if (s->store == NULL)
        goto fail;
    s->catalogue = ts_catalogue_new(s->store, (int)cfg->search_rescan, err);
    if (s->catalogue == NULL)
        goto fail;
    pthread_mutex_init(&s->annos_lock, NULL);
    s->annos_lock_ready = true;
    s->router = ts_router_new();
    if (s->router == NULL) {
        ts_error_set(err, 500, "out of memory");
        goto fail;
    }

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
    s->h2o.max_request_entity_size = (size_t)cfg->max_body_kb * 1024;
    s->h2o.http1.req_timeout = (uint64_t)cfg->idle_timeout * 1000;
    s->h2o.http2.idle_timeout = (uint64_t)cfg->idle_timeout * 1000;
    /* HTTP/2 in cleartext (prior knowledge, or Upgrade: h2c) only when asked for: TLS negotiates h2 by ALPN */
    s->h2o.http1.upgrade_to_http2 = cfg->h2c ? 1 : 0;
    s->h2o.http2.max_concurrent_requests_per_connection = (size_t)cfg->http2_max_streams;
    h2o_hostconf_t *host = h2o_config_register_host(&s->h2o, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    struct ts_handler *h = (struct ts_handler *)h2o_create_handler(path, sizeof(*h));
    h->super.on_req = on_req;
    h->router = s->router;
    struct ts_logger *lg = (struct ts_logger *)h2o_create_logger(path, sizeof(*lg));
    lg->super.log_access = log_access;
    lg->srv = s;

    int n_threads = cfg->threads > 0 ? (int)cfg->threads : cores();
    uint64_t budget = work_memory(cfg);
    s->workers = ts_workers_new(n_threads, (int)cfg->queue_size, (int)cfg->heavy_queue, budget);
    if (s->workers == NULL) {
        ts_error_set(err, 500, "cannot start worker threads");
        goto fail;
    }
    s->n_loops = cfg->loops > 0 ? (int)cfg->loops : default_loops();
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
    h2o_linklist_init_anchor(&l->sending);
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
    pthread_setname_np(pthread_self(), "ts-loop");
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
    const struct ts_live *seen = ts_server_live(s);
    while (!atomic_load(&s->stop)) {
        h2o_evloop_run(l->ctx.loop, 100);
        int64_t t = ts_now_ms();
        if (t - l->ticked_ms >= 1000) { /* cut off the connections that stopped reading */
            const struct ts_config *c = &ts_server_live(s)->cfg;
            ts_conn_tick(l, t, c->idle_timeout * 1000, ts_workers_mem_budget(s->workers) / 2);
            l->ticked_ms = t;
        }
        const struct ts_live *now = ts_server_live(s);
        if (now != seen) { /* a reload: new timeouts for this loop's connections */
            apply_timeouts(l, &now->cfg);
            seen = now;
        }
    }
    int64_t grace_ms = ts_server_live(s)->cfg.drain_timeout * 1000;

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
    int64_t t0 = ts_now_ms();
    for (;;) {
        h2o_evloop_run(l->ctx.loop, 10);
        int64_t ms = ts_now_ms() - t0;
        bool idle = l->inflight == 0 && h2o_linklist_is_empty(&l->ctx.http1._conns) &&
                    h2o_linklist_is_empty(&l->ctx.http2._conns);
        if (idle) {
            l->drained = true;
            break;
        }
        if (ms > grace_ms) {
            ts_log_warn("shutting down with %d requests still in progress or connections open", l->inflight);
            ts_render_abort_all(); /* the workers' renders stop between tiles, so the exit is not held up */
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
    /* this thread serves reload requests (SIGHUP) while the loops run */
    int64_t trim_at = 0;
    while (!atomic_load(&s->stop)) {
        struct timespec nap = {0, 50 * 1000 * 1000};
        nanosleep(&nap, NULL);
        if (atomic_exchange(&s->reload, 0) && s->reload_fn != NULL)
            s->reload_fn(s, s->reload_arg);
        /* connections were cut off: once libh2o has freed what they held, give the memory back */
        if (atomic_exchange(&s->trim, 0))
            trim_at = ts_now_ms() + 2000;
        if (trim_at != 0 && ts_now_ms() >= trim_at) {
            malloc_trim(0);
            trim_at = 0;
        }
    }
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

int ts_server_release(struct ts_server *s)
{
    if (s == NULL)
        return 0;
    /* jobs still running a second after the loops drained are stuck: leave them (and all they use) to the exit */
    if (ts_workers_free(s->workers, 1000) != 0)
        return -1;
    s->workers = NULL;
    ts_cache_free(s->responses);
    s->responses = NULL;
    ts_cache_free(s->meta);
    ts_catalogue_free(s->catalogue);
    s->catalogue = NULL;
    ts_store_close(s->store);
    s->store = NULL;
    ts_store_close(s->annos);
    s->annos = NULL;
    if (s->annos_lock_ready)
        pthread_mutex_destroy(&s->annos_lock);
    s->annos_lock_ready = false;
    ts_router_free(s->router);
    s->router = NULL;
    s->meta = NULL;
    if (s->loops != NULL) {
        /* each drained loop took itself apart on its thread (loop_close) */
        bool all_drained = true;
        for (int i = 0; i < s->n_loops; i++)
            all_drained &= s->loops[i].drained || s->loops[i].ctx.loop == NULL;
        if (all_drained)
            free(s->loops);
        else
            abandoned_loops = s->loops; /* still in use by connections left open: the process exit frees them */
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
    struct ts_live *l = atomic_load(&s->live);
    while (l != NULL) {
        struct ts_live *older = l->older;
        ts_config_release(&l->cfg);
        free(l);
        l = older;
    }
    atomic_store(&s->live, NULL);
    return 0;
}
