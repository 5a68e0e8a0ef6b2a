/*
 * routes.c: one table maps path prefixes to handlers; this file also holds
 * the small handlers (health, CORS preflight).
 */
#include "http/routes.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "core/buf.h"
#include "http/conn.h"
#include "http/home.h"
#include "http/iiif_routes.h"
#include "http/present_routes.h"
#include "http/viewer.h"
#include "http/server.h"
#include "present/manifest.h"
#include "http/respond.h"
#include "iiif/ident.h"

typedef int (*route_fn)(h2o_req_t *req, const char *rest, size_t n);

static int on_iiif3(h2o_req_t *req, const char *rest, size_t n)
{
    return ts_iiif_handle(req, IIIF_V3, rest, n);
}

static int on_iiif2(h2o_req_t *req, const char *rest, size_t n)
{
    return ts_iiif_handle(req, IIIF_V2, rest, n);
}

/*
 * Liveness, honestly: the loops answer (this answer is made on one), and
 * the workers make progress. A pool with jobs waiting that has taken or
 * finished none for longer than request_timeout (a minute when there is no
 * limit) is stuck, and the answer is 503.
 */
static int on_health(h2o_req_t *req, const char *rest, size_t n)
{
    (void)rest;
    if (n != 0)
        return -1;
    struct ts_server *srv = ((struct ts_loop *)req->conn->ctx)->srv;
    int64_t limit = ts_server_live(srv)->cfg.request_timeout;
    int64_t stall_ms = (limit > 0 ? limit : 60) * 1000;
    struct ts_workers_state st;
    ts_http_header(req, "cache-control", "no-store");
    if (ts_workers_state(srv->workers, ts_now_ms(), stall_ms, &st) != 0) {
        ts_http_errorf(req, 503,
                       "the workers are stuck: %d jobs wait, %d of %d workers are busy, and none was taken or "
                       "finished for %lld s",
                       st.queued, st.running, st.threads, (long long)(st.idle_ms / 1000));
        return 0;
    }
    static const char ok[] = "ok\n";
    ts_http_send(req, 200, "text/plain; charset=utf-8", (void *)ok, sizeof(ok) - 1, NULL);
    return 0;
}

static const struct route {
    const char *prefix;
    bool exact;  /* the path is the prefix itself, not below it */
    route_fn fn; /* returns -1 when the rest of the path does not match: 404 */
} routes[] = {
    {"/iiif/3/", false, on_iiif3},
    {"/iiif/2/", false, on_iiif2},
    {"/iiif/presentation", false, ts_present_handle},
    {"/iiif/collections/search", true, ts_present_search_handle},
    {"/viewer", false, ts_viewer_handle},
    {"/health", true, on_health},
    {"/", true, ts_home_handle},
};

/* The route for path `path` (`plen` bytes, no query), or NULL. */
static const struct route *find_route(const char *path, size_t plen)
{
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        size_t pn = strlen(routes[i].prefix);
        if (routes[i].exact ? plen == pn && memcmp(path, routes[i].prefix, pn) == 0
                            : plen >= pn && memcmp(path, routes[i].prefix, pn) == 0)
            return &routes[i];
    }
    return NULL;
}

static int preflight(h2o_req_t *req)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("access-control-request-headers"), -1);
    ts_http_header(req, "access-control-allow-methods", "GET, HEAD, OPTIONS");
    if (i >= 0) {
        h2o_iovec_t v = req->headers.entries[i].value;
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("access-control-allow-headers"), 1, NULL,
                              v.base, v.len);
    }
    ts_http_header(req, "access-control-max-age", "86400");
    ts_http_header(req, "allow", "GET, HEAD, OPTIONS");
    ts_http_send(req, 204, NULL, NULL, 0, NULL);
    return 0;
}

/*
 * The limits every request meets before routing: URL length and head size.
 * Returns 0 when the request may go on, or 1 when it has been answered.
 *
 * No endpoint takes a request body, so a request that came with one (in any
 * framing) is answered and its connection closed: libh2o lets
 * Transfer-Encoding win over Content-Length and would read on after a
 * chunked body, and RFC 9112 (6.1) asks for the connection to be closed
 * after such a request, so that a request hidden in a body is never run
 * (request smuggling through a proxy that framed it the other way).
 */
static int check_request(h2o_req_t *req)
{
    const struct ts_config *cfg = &ts_server_live(((struct ts_loop *)req->conn->ctx)->srv)->cfg;
    if (req->entity.base != NULL)
        req->http1_is_persistent = 0;
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

int ts_routes_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    /*
     * When the request began, for the access log: libh2o's own timestamps
     * come from the loop's clock, read once per turn of the loop, so an
     * answer made within one turn would show 0 ms.
     */
    int64_t *begun = h2o_mem_alloc_pool(&req->pool, sizeof(*begun));
    *begun = ts_now_us();
    *h2o_req_getenv(req, H2O_STRLIT(TS_BEGUN_ENV), 1) = h2o_iovec_init(begun, sizeof(*begun));
    if (check_request(req) != 0)
        return 0;
    h2o_iovec_t m = req->method;
    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    const char *path = req->path.base;
    const struct route *route = find_route(path, plen);
    if (h2o_memis(m.base, m.len, H2O_STRLIT("OPTIONS"))) {
        if (route == NULL) {
            ts_http_errorf(req, 404, "nothing here to ask about");
            return 0;
        }
        return preflight(req);
    }
    if (!h2o_memis(m.base, m.len, H2O_STRLIT("GET")) && !h2o_memis(m.base, m.len, H2O_STRLIT("HEAD"))) {
        ts_http_header(req, "allow", "GET, HEAD, OPTIONS");
        ts_http_errorf(req, 405, "method %.*s is not allowed here; use GET or HEAD", (int)(m.len > 20 ? 20 : m.len),
                       m.base);
        return 0;
    }
    if (route != NULL) {
        size_t pn = strlen(route->prefix);
        if (route->fn(req, path + pn, plen - pn) == 0)
            return 0;
    }
    /* the tops of the APIs name no document: the home page lists what there is */
    static const char *const tops[] = {"/iiif", "/iiif/", "/iiif/3", "/iiif/2"};
    for (size_t i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
        if (plen == strlen(tops[i]) && memcmp(path, tops[i], plen) == 0) {
            ts_http_redirect_home(req);
            return 0;
        }
    }
    ts_http_errorf(req, 404, "nothing here; the Image API lives at /iiif/3/ and /iiif/2/, manifests and collections "
                             "at /iiif/presentation/collection");
    return 0;
}
