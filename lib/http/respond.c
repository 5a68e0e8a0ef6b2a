/*
 * respond.c: response helpers and the deferred-response life cycle.
 */
#include "http/respond.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

#include "core/log.h"
#include "http/conn.h"

void ts_http_header(h2o_req_t *req, const char *name, const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);
    h2o_iovec_t v = h2o_strdup(&req->pool, value, vl);
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, nl, 1, NULL, v.base, v.len);
}

static int is_head(h2o_req_t *req)
{
    return h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
}

struct body_holder {
    void *owner;
    void (*release)(void *);
};

static void holder_dispose(void *p)
{
    struct body_holder *h = p;
    h->release(h->owner);
}

static void noop_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    (void)self;
    (void)req;
}

static h2o_generator_t static_generator = {noop_proceed, NULL};

void ts_http_send_owned(h2o_req_t *req, int status, const char *content_type, const void *body, size_t len,
                        void *owner, void (*release)(void *))
{
    if (release != NULL) {
        struct body_holder *h = h2o_mem_alloc_shared(&req->pool, sizeof(*h), holder_dispose);
        h->owner = owner;
        h->release = release;
    }
    req->res.status = status;
    req->res.reason = ts_status_reason(status);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ACCESS_CONTROL_ALLOW_ORIGIN, NULL, H2O_STRLIT("*"));
    if (content_type != NULL)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type,
                       strlen(content_type));
    /* 304 and 204 have no body, not a zero-length one */
    if (status != 304 && status != 204)
        req->res.content_length = len;
    h2o_start_response(req, &static_generator);
    ts_conn_answer(req, is_head(req) ? 0 : len);
    if (is_head(req) || len == 0) {
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
    } else {
        h2o_iovec_t iov = h2o_iovec_init((void *)body, len);
        h2o_send(req, &iov, 1, H2O_SEND_STATE_FINAL);
    }
}

#define FILE_CHUNK (256 * 1024)

struct file_gen {
    h2o_generator_t super;
    int fd;
    size_t off, len;
    char *buf;
};

static void file_dispose(void *p)
{
    struct file_gen *g = p;
    if (g->fd >= 0)
        close(g->fd);
    g->fd = -1;
}

/* Called by libh2o when the previous chunk has been sent: read and send the next. */
static void file_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    struct file_gen *g = (struct file_gen *)self;
    size_t want = g->len - g->off < FILE_CHUNK ? g->len - g->off : FILE_CHUNK;
    ssize_t got = pread(g->fd, g->buf, want, (off_t)g->off);
    if (got <= 0) {
        ts_log_error("reading a spooled answer failed: %s", got < 0 ? strerror(errno) : "short file");
        h2o_send(req, NULL, 0, H2O_SEND_STATE_ERROR);
        return;
    }
    g->off += (size_t)got;
    h2o_iovec_t iov = h2o_iovec_init(g->buf, (size_t)got);
    h2o_send(req, &iov, 1, g->off == g->len ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void file_stop(h2o_generator_t *self, h2o_req_t *req)
{
    (void)self;
    (void)req; /* the pool's dispose closes the file */
}

void ts_http_send_file(h2o_req_t *req, int status, const char *content_type, int fd, size_t len)
{
    struct file_gen *g = h2o_mem_alloc_shared(&req->pool, sizeof(*g), file_dispose);
    g->super.proceed = file_proceed;
    g->super.stop = file_stop;
    g->fd = fd;
    g->off = 0;
    g->len = len;
    g->buf = h2o_mem_alloc_pool(&req->pool, FILE_CHUNK);
    req->res.status = status;
    req->res.reason = ts_status_reason(status);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ACCESS_CONTROL_ALLOW_ORIGIN, NULL, H2O_STRLIT("*"));
    if (content_type != NULL)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type,
                       strlen(content_type));
    req->res.content_length = len;
    h2o_start_response(req, &g->super);
    ts_conn_answer(req, is_head(req) ? 0 : FILE_CHUNK);
    if (is_head(req) || len == 0)
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
    else
        file_proceed(&g->super, req);
}

void ts_http_redirect_home(h2o_req_t *req)
{
    static const char body[] = "The home page lists the images, manifests and collections: /\n";
    ts_http_header(req, "location", "/");
    ts_http_send(req, 303, "text/plain; charset=utf-8", (void *)body, sizeof(body) - 1, NULL);
}

void ts_http_send_copy(h2o_req_t *req, int status, const char *content_type, const char *text, size_t len)
{
    h2o_iovec_t copy = h2o_strdup(&req->pool, text, len);
    ts_http_send(req, status, content_type, copy.base, copy.len, NULL);
}

void ts_http_error(h2o_req_t *req, const struct ts_error *err)
{
    int status = err->status >= 400 && err->status < 600 ? err->status : 500;
    char body[400];
    int n = snprintf(body, sizeof(body), "%d %s: %s", status, ts_status_reason(status),
                     err->msg[0] ? err->msg : ts_status_reason(status));
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof(body) - 1)
        n = sizeof(body) - 2;
    /* One line of printable ASCII, whatever a message quoted from the request. */
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)body[i];
        if (c < 0x20 || c >= 0x7F)
            body[i] = '?';
    }
    body[n++] = '\n';
    ts_http_header(req, "cache-control", "no-store");
    if (status == 503)
        ts_http_header(req, "retry-after", "1");
    ts_http_send_copy(req, status, "text/plain; charset=utf-8", body, (size_t)n);
}

void ts_http_errorf(h2o_req_t *req, int status, const char *fmt, ...)
{
    struct ts_error err;
    err.status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
    va_end(ap);
    ts_http_error(req, &err);
}

/* Lives in the request's pool; clears d->req when the pool goes away. */
struct ts_guard {
    struct ts_deferred *d;
};

static void guard_dispose(void *p)
{
    struct ts_guard *g = p;
    if (g->d != NULL) {
        g->d->req = NULL;
        g->d->guard = NULL;
        atomic_store(&g->d->gone, true);
    }
}

static void deferred_free(struct ts_deferred *d)
{
    if (d->guard != NULL)
        d->guard->d = NULL;
    if (d->cleanup != NULL)
        d->cleanup(d);
    if (d->free_body != NULL && d->body != NULL)
        d->free_body(d->body);
    free(d->in);
    free(d->in_type);
    for (int i = 0; i < d->n_headers; i++)
        free(d->header_values[i]);
    free(d);
}

/* Runs on the loop when the worker is finished. */
static void deferred_done(struct ts_job *job)
{
    struct ts_deferred *d = (struct ts_deferred *)job;
    d->loop->inflight--;
    h2o_req_t *req = d->req;
    if (req != NULL) {
        if (d->err.status != 0) {
            ts_http_error(req, &d->err);
        } else if (d->respond != NULL) {
            d->respond(d, req);
        } else {
            for (int i = 0; i < d->n_headers; i++)
                ts_http_header(req, d->header_names[i], d->header_values[i]);
            void *body = d->body;
            void (*free_body)(void *) = d->free_body;
            d->body = NULL; /* ownership moves to the request's pool */
            d->free_body = NULL;
            ts_http_send(req, d->status ? d->status : 200, d->content_type, body, d->len, free_body);
        }
    }
    deferred_free(d);
}

void ts_deferred_header(struct ts_deferred *d, const char *name, const char *value)
{
    if (d->n_headers >= (int)(sizeof(d->header_values) / sizeof(d->header_values[0])))
        return;
    char *v = strdup(value);
    if (v == NULL)
        h2o_fatal("out of memory");
    d->header_names[d->n_headers] = name;
    d->header_values[d->n_headers++] = v;
}

void ts_deferred_take_body(struct ts_deferred *d)
{
    h2o_req_t *req = d->req;
    size_t n = req->entity.base != NULL ? req->entity.len : 0;
    d->in = malloc(n + 1);
    if (d->in == NULL)
        h2o_fatal("out of memory");
    if (n > 0)
        memcpy(d->in, req->entity.base, n);
    d->in[n] = '\0';
    d->in_len = n;
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_CONTENT_TYPE, -1);
    if (i >= 0) {
        h2o_iovec_t v = req->headers.entries[i].value;
        d->in_type = strndup(v.base, v.len);
        if (d->in_type == NULL)
            h2o_fatal("out of memory");
    }
}

void *ts_deferred_new(h2o_req_t *req, size_t size, void (*run)(struct ts_job *))
{
    struct ts_deferred *d = calloc(1, size);
    if (d == NULL)
        h2o_fatal("out of memory");
    d->req = req;
    d->loop = ts_loop_of(req);
    d->srv = d->loop->srv;
    d->job.run = run;
    d->job.done = deferred_done;
    d->job.reply = &d->loop->reply;
    d->job.owner = req->conn; /* fairness between connections (workers.h) */
    atomic_init(&d->gone, false);
    d->job.cancelled = &d->gone;
    return d;
}

int ts_deferred_submit(struct ts_deferred *d)
{
    h2o_req_t *req = d->req;
    struct ts_guard *g = h2o_mem_alloc_shared(&req->pool, sizeof(*g), guard_dispose);
    g->d = d;
    d->guard = g;
    if (ts_workers_submit(d->srv->workers, &d->job) != 0) {
        deferred_free(d);
        ts_http_errorf(req, 503, "the server is busy; try again shortly");
        return 0;
    }
    d->loop->inflight++;
    return 0;
}
