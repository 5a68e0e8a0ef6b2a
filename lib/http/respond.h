/*
 * respond.h: building responses, and deferred responses computed by workers.
 *
 * Every response goes through here, so every response carries
 * `Access-Control-Allow-Origin: *` and HEAD never gets a body. Errors are
 * one line of text saying what was wrong.
 *
 * A deferred response (struct ts_deferred) is computed on a worker thread
 * and sent from the loop. The client may go away meanwhile: a guard object
 * in the request's memory pool notices the request being freed and clears
 * `req`, so a late result is simply dropped.
 */
#ifndef TS_HTTP_RESPOND_H
#define TS_HTTP_RESPOND_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdatomic.h>

#include "core/error.h"
#include "http/state.h"
#include "http/workers.h"

/** Adds a header by name (copied into the request's pool). */
void ts_http_header(h2o_req_t *req, const char *name, const char *value);

/**
 * Sends a complete response. `body` (`len` bytes) is not copied: it must
 * stay valid until the request is done, when `release(owner)` is called
 * (whether or not it was sent). `release` may be NULL for static data.
 */
void ts_http_send_owned(h2o_req_t *req, int status, const char *content_type, const void *body, size_t len,
                        void *owner, void (*release)(void *));

/** ts_http_send_owned where the body owns itself: `free_body(body)` once done. */
static inline void ts_http_send(h2o_req_t *req, int status, const char *content_type, void *body, size_t len,
                                void (*free_body)(void *))
{
    ts_http_send_owned(req, status, content_type, body, len, body, free_body);
}

/**
 * Sends `len` bytes of the open file `fd`, from offset 0, a chunk at a time
 * as the client takes them, so a large answer costs one chunk of memory.
 * Takes ownership of `fd` (closed when the request is done).
 */
void ts_http_send_file(h2o_req_t *req, int status, const char *content_type, int fd, size_t len);

/**
 * Answers 303 to the home page, for a URL at the top of an API that names
 * no document (/iiif/3/, /iiif/presentation/ is its root Collection).
 */
void ts_http_redirect_home(h2o_req_t *req);

/** Sends a copy of `text` (`len` bytes). */
void ts_http_send_copy(h2o_req_t *req, int status, const char *content_type, const char *text, size_t len);

/** Sends `err` as a text/plain error with its status and message. */
void ts_http_error(h2o_req_t *req, const struct ts_error *err);

/** Sends an error with `status` and a printf-style message. */
void ts_http_errorf(h2o_req_t *req, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct ts_guard;

struct ts_deferred {
    struct ts_job job;               /* must stay first */
    h2o_req_t *req;                  /* NULL once the client has gone */
    atomic_bool gone;                /* the same, readable from the worker: skip the work */
    struct ts_guard *guard;
    struct ts_server *srv;
    struct ts_loop *loop;
    /* results, filled by `run` on the worker */
    struct ts_error err;             /* err.status != 0 means an error response */
    int status;
    const char *content_type;        /* static string */
    void *body;
    size_t len;
    void (*free_body)(void *);
    /* the request's body, for routes that take one (ts_deferred_take_body): malloc'd, read on the worker */
    char *in;
    size_t in_len;
    char *in_type;                   /* its Content-Type, or NULL */
    int n_headers;
    const char *header_names[10];    /* static strings */
    char *header_values[10];         /* malloc'd */
    /*
     * Sends the response itself on the loop (may be NULL: then the fields
     * above make the response). Not called when err.status is set or the
     * client has gone.
     */
    void (*respond)(struct ts_deferred *d, h2o_req_t *req);
    void (*cleanup)(struct ts_deferred *d); /* frees the handler's own fields; may be NULL */
};

/**
 * Allocates a zeroed deferred response of `size` bytes (a struct that begins
 * with struct ts_deferred) for `req`. Aborts when out of memory.
 */
void *ts_deferred_new(h2o_req_t *req, size_t size, void (*run)(struct ts_job *));

/**
 * Copies the body of `d`'s request and its Content-Type into d->in and
 * d->in_type, for the worker to read (a request's own buffers belong to its
 * loop). Aborts when out of memory; the body is within max_body_kb.
 */
void ts_deferred_take_body(struct ts_deferred *d);

/** Adds a response header to `d` (the value is copied); extra headers past ten are dropped. */
void ts_deferred_header(struct ts_deferred *d, const char *name, const char *value);

/**
 * Queues `d` for a worker. When the queue is full the client gets 503 with
 * Retry-After at once and `d` is freed. Returns 0 (the handler's answer to
 * libh2o either way).
 */
int ts_deferred_submit(struct ts_deferred *d);

#endif
