/*
 * router.c: the route table and the dispatcher (the order of the checks is
 * in router.h).
 */
#include "http/router.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "http/conn.h"
#include "http/framing.h"
#include "http/respond.h"
#include "http/state.h"

#define MAX_ROUTES 32
#define MAX_FREES 32

struct ts_router {
    struct ts_route routes[MAX_ROUTES];
    size_t lens[MAX_ROUTES]; /* strlen of each path */
    int n;
    ts_access_fn access;
    void *access_ctx;
    struct {
        void (*fn)(void *);
        void *state;
    } frees[MAX_FREES];
    int n_frees;
};

struct ts_router *ts_router_new(void)
{
    return calloc(1, sizeof(struct ts_router));
}

void ts_router_free(struct ts_router *r)
{
    if (r == NULL)
        return;
    while (r->n_frees > 0) {
        r->n_frees--;
        r->frees[r->n_frees].fn(r->frees[r->n_frees].state);
    }
    free(r);
}

int ts_router_add(struct ts_router *r, const struct ts_route *route)
{
    if (r->n == MAX_ROUTES)
        return -1;
    r->routes[r->n] = *route;
    r->lens[r->n] = strlen(route->path);
    r->n++;
    return 0;
}

int ts_router_on_free(struct ts_router *r, void (*fn)(void *), void *state)
{
    if (r->n_frees == MAX_FREES) {
        fn(state);
        return -1;
    }
    r->frees[r->n_frees].fn = fn;
    r->frees[r->n_frees].state = state;
    r->n_frees++;
    return 0;
}

void ts_router_set_access(struct ts_router *r, ts_access_fn fn, void *ctx)
{
    r->access = fn;
    r->access_ctx = ctx;
}

const struct ts_route *ts_router_find(const struct ts_router *r, const char *path, size_t n)
{
    for (int i = 0; i < r->n; i++) {
        size_t pn = r->lens[i];
        if ((r->routes[i].exact ? n == pn : n >= pn) && memcmp(path, r->routes[i].path, pn) == 0)
            return &r->routes[i];
    }
    return NULL;
}

static const struct {
    const char *name;
    unsigned bit;
} methods[] = {
    {"GET", TS_M_GET},   {"HEAD", TS_M_HEAD}, {"POST", TS_M_POST},
    {"PUT", TS_M_PUT},   {"DELETE", TS_M_DELETE}, {"OPTIONS", TS_M_OPTIONS},
};

#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

unsigned ts_method_of(const char *m, size_t n)
{
    for (size_t i = 0; i < N_METHODS; i++) {
        if (strlen(methods[i].name) == n && memcmp(methods[i].name, m, n) == 0)
            return methods[i].bit;
    }
    return 0;
}

void ts_methods_text(unsigned set, char *out, size_t cap)
{
    size_t at = 0;
    if (cap == 0)
        return;
    out[0] = '\0';
    set |= TS_M_OPTIONS;
    for (size_t i = 0; i < N_METHODS; i++) {
        if ((set & methods[i].bit) == 0)
            continue;
        int w = snprintf(out + at, cap - at, "%s%s", at > 0 ? ", " : "", methods[i].name);
        if (w < 0 || (size_t)w >= cap - at)
            return;
        at += (size_t)w;
    }
}

/* "GET or HEAD", "GET, HEAD or POST": the methods of `set` but OPTIONS, for a sentence. */
static void methods_phrase(unsigned set, char *out, size_t cap)
{
    const char *names[N_METHODS];
    size_t k = 0, at = 0;
    for (size_t i = 0; i < N_METHODS; i++) {
        if ((set & methods[i].bit) != 0 && methods[i].bit != TS_M_OPTIONS)
            names[k++] = methods[i].name;
    }
    out[0] = '\0';
    for (size_t i = 0; i < k; i++) {
        const char *sep = i == 0 ? "" : i + 1 == k ? " or " : ", ";
        int w = snprintf(out + at, cap - at, "%s%s", sep, names[i]);
        if (w < 0 || (size_t)w >= cap - at)
            return;
        at += (size_t)w;
    }
}

/*
 * The limits every request meets before routing: URL length and head size,
 * and what its connection holds unread. Returns 0 when the request may go
 * on, or 1 when it has been answered.
 */
static int check_request(h2o_req_t *req)
{
    const struct ts_config *cfg = ts_req_cfg(req);
    /* a client that does not read what it asked for gets no more work done for it */
    const struct ts_conn *c = ts_conn_of(req);
    if (c != NULL && c->bytes > (uint64_t)cfg->max_unsent_mb << 20) {
        ts_http_errorf(req, 503, "this connection holds %llu MB of answers its client has not read (max_unsent_mb)",
                       (unsigned long long)(c->bytes >> 20));
        return 1;
    }
    if (req->path.len > (size_t)cfg->max_url) {
        ts_http_errorf(req, 414, "the URL is %zu bytes long; this server takes at most %lld (max_url)", req->path.len,
                       (long long)cfg->max_url);
        return 1;
    }
    size_t head = req->path.len;
    for (size_t i = 0; i < req->headers.size; i++)
        head += req->headers.entries[i].name->len + req->headers.entries[i].value.len + 4;
    if (head > (size_t)cfg->max_header_bytes) {
        ts_http_errorf(req, 431, "the request head is %zu bytes; this server takes at most %lld (max_header_bytes)",
                       head, (long long)cfg->max_header_bytes);
        return 1;
    }
    return 0;
}

/* A CORS preflight (and a plain OPTIONS) for `route`: its methods, and the headers the client asked for. */
static void preflight(h2o_req_t *req, const struct ts_route *route)
{
    char allow[64];
    ts_methods_text(route->methods, allow, sizeof(allow));
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("access-control-request-headers"), -1);
    h2o_iovec_t v = h2o_strdup(&req->pool, allow, SIZE_MAX);
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("access-control-allow-methods"), 0, NULL, v.base,
                          v.len);
    if (i >= 0) {
        h2o_iovec_t hv = req->headers.entries[i].value;
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("access-control-allow-headers"), 1, NULL,
                              hv.base, hv.len);
    }
    ts_http_header(req, "access-control-max-age", "86400");
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, v.base, v.len);
    ts_http_send(req, 204, NULL, NULL, 0, NULL);
}

static void not_allowed(h2o_req_t *req, const struct ts_route *route)
{
    char allow[64], use[64];
    ts_methods_text(route->methods, allow, sizeof(allow));
    methods_phrase(route->methods, use, sizeof(use));
    h2o_iovec_t v = h2o_strdup(&req->pool, allow, SIZE_MAX);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, v.base, v.len);
    h2o_iovec_t m = req->method;
    ts_http_errorf(req, 405, "method %.*s is not allowed here; use %s", (int)(m.len > 20 ? 20 : m.len), m.base, use);
}

/*
 * For a request that came with a body: refuses (400, closing the
 * connection) one whose head frames the body twice (http/framing.h).
 * libh2o lets Transfer-Encoding win over Content-Length and keeps the first
 * of several Content-Lengths, so it reads such a request one way while a
 * proxy in front may have read it another; the raw head is still at the
 * start of the connection's input buffer (libh2o consumes a request's
 * bytes only after its answer), so it is read there. HTTP/2 frames bodies
 * itself. Returns 0, or -1 when the request has been answered.
 */
static int body_framing(h2o_req_t *req)
{
    if (req->version >= 0x200 || req->conn->callbacks->get_socket == NULL)
        return 0;
    h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
    if (sock == NULL || sock->input == NULL)
        return 0;
    const char *head = sock->input->bytes, *body = req->entity.base;
    struct ts_error err;
    size_t mn = req->input.method.len;
    if (body < head || body > head + sock->input->size || (size_t)(body - head) <= mn ||
        memcmp(head, req->input.method.base, mn) != 0) {
        /* not where it should be: answer, but keep nothing after this request */
        req->http1_is_persistent = 0;
        return 0;
    }
    if (ts_framing_check(head, (size_t)(body - head), &err) == 0)
        return 0;
    req->http1_is_persistent = 0;
    ts_http_error(req, &err);
    return -1;
}

static const char nothing_here[] = "nothing here; the Image API lives at /iiif/3/ and /iiif/2/, manifests and "
                                  "collections at /iiif/presentation/collection";

int ts_router_dispatch(struct ts_router *r, h2o_req_t *req)
{
    /*
     * When the request began, for the access log: libh2o's own timestamps
     * come from the loop's clock, read once per turn of the loop, so an
     * answer made within one turn would show 0 ms.
     */
    int64_t *begun = h2o_mem_alloc_pool(&req->pool, sizeof(*begun));
    *begun = ts_now_us();
    *h2o_req_getenv(req, H2O_STRLIT(TS_BEGUN_ENV), 1) = h2o_iovec_init(begun, sizeof(*begun));
    if (req->entity.base != NULL && body_framing(req) != 0)
        return 0;
    if (check_request(req) != 0)
        return 0;
    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    const char *path = req->path.base;
    const struct ts_route *route = ts_router_find(r, path, plen);
    unsigned m = ts_method_of(req->method.base, req->method.len);
    /*
     * A body sent anywhere but to a route that takes one is not read as anything, and
     * its connection is closed after the answer: nothing that came after
     * it on the connection is run.
     */
    if (req->entity.base != NULL && (route == NULL || (route->flags & TS_R_BODY) == 0))
        req->http1_is_persistent = 0;
    if (route == NULL) {
        if (m == TS_M_OPTIONS)
            ts_http_errorf(req, 404, "nothing here to ask about");
        else
            ts_http_errorf(req, 404, "%s", nothing_here);
        return 0;
    }
    if (m == TS_M_OPTIONS) {
        preflight(req, route);
        return 0;
    }
    if ((m & route->methods) == 0) {
        not_allowed(req, route);
        return 0;
    }
    if ((route->flags & TS_R_ACCESS) != 0 && r->access != NULL && r->access(r->access_ctx, req, route) != 0)
        return 0;
    size_t pn = r->lens[route - r->routes];
    if (route->handle(route->state, req, path + pn, plen - pn) == 0)
        return 0;
    ts_http_errorf(req, 404, "%s", nothing_here);
    return 0;
}
