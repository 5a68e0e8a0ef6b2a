/*
 * routes.c: one table maps path prefixes to handlers; this file also holds
 * the small handlers (home page, health, CORS preflight).
 */
#include "http/routes.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
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

static int on_health(h2o_req_t *req, const char *rest, size_t n)
{
    (void)rest;
    if (n != 0)
        return -1;
    static const char ok[] = "ok\n";
    ts_http_header(req, "cache-control", "no-store");
    ts_http_send(req, 200, "text/plain; charset=utf-8", (void *)ok, sizeof(ok) - 1, NULL);
    return 0;
}

/* The home page: every image under the root, with links. */
struct index_job {
    struct ts_deferred d;
    char *base;
};

#define INDEX_MAX_ITEMS 2000
#define INDEX_MAX_DEPTH 12

struct walk {
    const struct ts_resolver *res;
    struct ts_buf *html;
    const char *base;
    int count;
};

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_dir(struct walk *w, const char *rel, int depth)
{
    if (depth > INDEX_MAX_DEPTH || w->count >= INDEX_MAX_ITEMS)
        return;
    char dir[4096];
    int dn = snprintf(dir, sizeof(dir), "%s%s%s", w->res->root, rel[0] ? "/" : "", rel);
    if (dn < 0 || (size_t)dn >= sizeof(dir))
        return;
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof(*names));
            if (nn == NULL)
                break;
            names = nn;
        }
        char *name = strdup(e->d_name);
        if (name == NULL)
            break;
        names[n++] = name;
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n; i++) {
        char relp[4096], full[4096];
        int rn = snprintf(relp, sizeof(relp), "%s%s%s", rel, rel[0] ? "/" : "", names[i]);
        int fn = snprintf(full, sizeof(full), "%s/%s", w->res->root, relp);
        struct stat st;
        char real[4096];
        if (rn < 0 || (size_t)rn >= sizeof(relp) || fn < 0 || (size_t)fn >= sizeof(full) || stat(full, &st) != 0)
            continue;
        /* a symlink that leads outside the root is not part of the collection */
        if (!ts_resolver_inside(w->res, full, real))
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk_dir(w, relp, depth + 1);
        } else if (S_ISREG(st.st_mode) && ts_resolver_is_image_name(w->res, relp) && w->count < INDEX_MAX_ITEMS) {
            struct ts_buf id;
            ts_buf_init(&id, 16384);
            iiif_ident_encode(relp, &id);
            if (id.data != NULL) {
                ts_buf_adds(w->html, "<li><code>");
                ts_buf_add_html(w->html, relp);
                ts_buf_addf(w->html,
                            "</code> &mdash; <a href=\"/viewer/image/%s\">view</a>"
                            " &middot; <a href=\"%s/iiif/3/%s/info.json\">info.json (3.0)</a>"
                            " &middot; <a href=\"%s/iiif/2/%s/info.json\">info.json (2.1)</a>"
                            " &middot; <a href=\"%s/iiif/3/%s/full/max/0/default.jpg\">full size</a>"
                            " &middot; <a href=\"%s/iiif/3/%s/full/!400,400/0/default.jpg\">thumbnail</a></li>\n",
                            id.data, w->base, id.data, w->base, id.data, w->base, id.data, w->base, id.data);
                w->count++;
            }
            ts_buf_release(&id);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/*
 * The Presentation tree, browsable: the items of the Collection at `rel`
 * with thumbnails, links to their viewer and to their IIIF JSON; Collections
 * open in place (a list nested below them), up to a few levels.
 */
static void list_collection(struct ts_buf *html, const struct ts_present *p, const char *rel, int depth)
{
    struct ts_pfolder f;
    struct ts_error err;
    if (depth > 3 || ts_pfolder_open(p->resolver, rel, &f, &err) != 0)
        return;
    if (f.kind != TS_P_COLLECTION) {
        ts_pfolder_release(&f);
        return;
    }
    json_t *doc = ts_collection_build(p, &f, &err);
    ts_pfolder_release(&f);
    size_t i;
    json_t *it;
    ts_buf_adds(html, "<ul class=\"items\">\n");
    json_array_foreach(json_object_get(doc, "items"), i, it)
    {
        const char *id = json_string_value(json_object_get(it, "id"));
        const char *type = json_string_value(json_object_get(it, "type"));
        const char *at = id != NULL ? strstr(id, "/iiif/presentation/") : NULL;
        if (at == NULL || type == NULL)
            continue;
        bool collection = strcmp(type, "Collection") == 0;
        /* the item's path: between /iiif/presentation/ and /manifest or /collection, decoded */
        const char *start = at + 19;
        const char *end = strrchr(start, '/');
        char child[4096];
        size_t len = 0;
        if (end == NULL || iiif_percent_decode(start, (size_t)(end - start), child, sizeof(child), &len, &err) != 0)
            continue;
        ts_buf_adds(html, "<li>");
        const char *thumb = json_string_value(json_object_get(json_array_get(json_object_get(it, "thumbnail"), 0), "id"));
        struct ts_buf link;
        ts_buf_init(&link, 8192);
        ts_viewer_link(&link, child, collection);
        if (thumb != NULL) {
            ts_buf_adds(html, "<a href=\"");
            ts_buf_add_html(html, link.data ? link.data : "");
            ts_buf_adds(html, "\"><img loading=\"lazy\" alt=\"\" height=\"64\" src=\"");
            ts_buf_add_html(html, thumb);
            ts_buf_adds(html, "\"></a> ");
        }
        ts_buf_adds(html, collection ? "<b>" : "");
        ts_buf_add_html(html, ts_present_first_text(json_object_get(it, "label")));
        ts_buf_adds(html, collection ? "</b>" : "");
        ts_buf_adds(html, " &mdash; <a href=\"");
        ts_buf_add_html(html, link.data ? link.data : "");
        ts_buf_adds(html, "\">view</a> &middot; <a href=\"");
        ts_buf_add_html(html, id);
        ts_buf_adds(html, collection ? "\">collection JSON</a>" : "\">manifest JSON</a>");
        ts_buf_release(&link);
        if (collection)
            list_collection(html, p, child, depth + 1);
        ts_buf_adds(html, "</li>\n");
    }
    ts_buf_adds(html, "</ul>\n");
    json_decref(doc);
}

static void run_index(struct ts_job *job)
{
    struct index_job *j = (struct index_job *)job;
    struct ts_buf html;
    ts_buf_init(&html, 16u << 20);
    ts_buf_adds(&html, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                       "<title>tessera</title>"
                       "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
                       "line-height:1.5}code{font-size:1.05em}li{margin:.2rem 0}ul.items{list-style:none;"
                       "padding-left:1rem}img{vertical-align:middle;border-radius:3px}</style></head><body>\n"
                       "<h1>tessera</h1>\n<p>IIIF Image API 3.0 at <code>/iiif/3/</code> and 2.1 at "
                       "<code>/iiif/2/</code>; Presentation API 3.0 at <a href=\"/iiif/presentation/collection\">"
                       "<code>/iiif/presentation/collection</code></a>; search at "
                       "<code>/iiif/collections/search?q=</code>.</p>\n"
                       "<form action=\"/iiif/collections/search\"><input name=\"q\" placeholder=\"Search labels and "
                       "metadata\"> <button>Search</button></form>\n"
                       "<h2>Collections and manifests</h2>\n<p><a href=\"/viewer/collection\">View everything</a> "
                       "in Mirador.</p>\n");
    struct ts_present p = {j->base, &j->d.srv->resolver, ts_present_probe, j->d.srv, NULL};
    list_collection(&html, &p, "", 0);
    ts_buf_adds(&html, "<h2>Images</h2>\n<p>Identifiers are paths under the image root, with <code>/</code> written "
                       "<code>%2F</code>.</p>\n<ul>\n");
    struct walk w = {&j->d.srv->resolver, &html, j->base, 0};
    walk_dir(&w, "", 0);
    if (w.count == 0)
        ts_buf_adds(&html, "<li>No images found under the root.</li>\n");
    ts_buf_adds(&html, "</ul>\n");
    if (w.count >= INDEX_MAX_ITEMS)
        ts_buf_addf(&html, "<p>Only the first %d images are listed.</p>\n", INDEX_MAX_ITEMS);
    ts_buf_adds(&html, "</body></html>\n");
    j->d.body = ts_buf_take(&html, &j->d.len);
    j->d.free_body = free;
    j->d.content_type = "text/html; charset=utf-8";
}

static void index_cleanup(struct ts_deferred *d)
{
    free(((struct index_job *)d)->base);
}

static int on_index(h2o_req_t *req, const char *rest, size_t n)
{
    (void)rest;
    if (n != 0)
        return -1;
    char *base = ts_request_base_or_400(req);
    if (base == NULL)
        return 0;
    struct index_job *j = ts_deferred_new(req, sizeof(*j), run_index);
    j->d.cleanup = index_cleanup;
    j->base = base;
    return ts_deferred_submit(&j->d);
}

static const struct route {
    const char *prefix;
    route_fn fn; /* returns -1 when the rest of the path does not match: 404 */
} routes[] = {
    {"/iiif/3/", on_iiif3},
    {"/iiif/2/", on_iiif2},
    {"/iiif/presentation", ts_present_handle},
    {"/iiif/collections/search", ts_present_search_handle},
    {"/viewer", ts_viewer_handle},
    {"/health", on_health},
    {"/", on_index},
};

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
    if (check_request(req) != 0)
        return 0;
    h2o_iovec_t m = req->method;
    if (h2o_memis(m.base, m.len, H2O_STRLIT("OPTIONS")))
        return preflight(req);
    if (!h2o_memis(m.base, m.len, H2O_STRLIT("GET")) && !h2o_memis(m.base, m.len, H2O_STRLIT("HEAD"))) {
        ts_http_header(req, "allow", "GET, HEAD, OPTIONS");
        ts_http_errorf(req, 405, "method %.*s is not allowed here; use GET or HEAD", (int)(m.len > 20 ? 20 : m.len),
                       m.base);
        return 0;
    }
    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    const char *path = req->path.base;
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        size_t pn = strlen(routes[i].prefix);
        if (plen >= pn && memcmp(path, routes[i].prefix, pn) == 0) {
            if (routes[i].fn(req, path + pn, plen - pn) == 0)
                return 0;
            break;
        }
    }
    if (plen == 7 && memcmp(path, "/iiif/3", 7) == 0) {
        ts_http_errorf(req, 404, "add an identifier: /iiif/3/{identifier}/info.json");
        return 0;
    }
    ts_http_errorf(req, 404, "nothing here; the Image API lives at /iiif/3/ and /iiif/2/, manifests and collections "
                             "at /iiif/presentation/collection");
    return 0;
}
