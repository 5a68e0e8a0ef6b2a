/*
 * home.c: the home page.
 *
 * Two parts, one walk: the nested list of Collections and Manifests is the
 * root Collection's items (each Collection's own items below it, three
 * levels deep), with thumbnails at an advertised size near the 64 pixels
 * they are shown at (twice that, for high-density screens); the list of
 * images walks the tree depth first, each real folder once, images before
 * subfolders and both in natural order, and keeps only this page's.
 */
#include "http/home.h"

#include <stdlib.h>
#include <string.h>

#include "core/path.h"
#include "core/buf.h"
#include "core/log.h"
#include "http/present_routes.h"
#include "http/reqbase.h"
#include "http/respond.h"
#include "http/state.h"
#include "http/viewer.h"
#include "iiif/ident.h"
#include "present/manifest.h"
#include "present/route.h"

#define LIST_DEPTH 3
#define THUMB_SHOWN 64

struct home_job {
    struct ts_deferred d;
    char *base;
    long page;
    const char *vary;          /* a constant string, or NULL */
};

/* One item of a Collection's items, as a line with thumbnail, label and links; Collections nest below. */
static void list_collection(struct ts_buf *html, const struct ts_present *p, const char *rel, int depth)
{
    struct ts_tree_item f;
    struct ts_error err;
    if (depth > LIST_DEPTH || !ts_walk_ok(p->walk) || ts_tree_open(p->resolver, p->walk, rel, &f, &err) != 0)
        return;
    /* each real folder opens in place once: an alias (a link to a folder listed already) is a line, not a list */
    const struct ts_walk_id *me = &f.chain[f.n_chain - 1];
    if (f.kind != TS_P_COLLECTION || ts_walk_enter(p->walk, me->dev, me->ino) != 1) {
        ts_tree_release(&f);
        return;
    }
    json_t *doc = ts_collection_build(p, &f, &err);
    ts_tree_release(&f);
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
            ts_buf_addf(html, "\"><img loading=\"lazy\" alt=\"\" height=\"%d\" src=\"", THUMB_SHOWN);
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

/* The images of the tree in Presentation order, this page's only. */
struct images {
    struct ts_buf *html;
    const char *base;
    long skip;       /* images before this page still to pass over */
    long shown;      /* images on this page so far */
    bool more;       /* there is at least one image after this page */
};

static void image_line(struct images *im, const char *rel)
{
    struct ts_buf id;
    ts_buf_init(&id, 16384);
    iiif_ident_encode(rel, &id);
    if (id.data != NULL) {
        const char *b = im->base, *i = id.data;
        ts_buf_adds(im->html, "<li><code>");
        ts_buf_add_html(im->html, rel);
        ts_buf_addf(im->html,
                    "</code> &mdash; <a href=\"/viewer/image/%s\">view</a>"
                    " &middot; <a href=\"%s/iiif/3/%s/info.json\">info.json (3.0)</a>"
                    " &middot; <a href=\"%s/iiif/2/%s/info.json\">info.json (2.1)</a>"
                    " &middot; <a href=\"%s/iiif/3/%s/full/max/0/default.jpg\">full size</a>"
                    " &middot; <a href=\"%s/iiif/3/%s/full/!400,400/0/default.jpg\">thumbnail</a></li>\n",
                    i, b, i, b, i, b, i, b, i);
        im->shown++;
    }
    ts_buf_release(&id);
}

static void walk_images(struct images *im, const struct ts_present *p, const char *rel, int depth)
{
    struct ts_tree_item f;
    struct ts_error err;
    if (im->more || !ts_walk_depth_ok(p->walk, depth) || !ts_walk_ok(p->walk) ||
        ts_tree_open(p->resolver, p->walk, rel, &f, &err) != 0)
        return;
    const struct ts_walk_id *me = &f.chain[f.n_chain - 1];
    if (f.kind == TS_P_IMAGE || ts_walk_enter(p->walk, me->dev, me->ino) != 1) {
        ts_tree_release(&f);
        return;
    }
    for (size_t i = 0; i < f.n_images && !im->more; i++) {
        if (im->skip > 0) {
            im->skip--;
            continue;
        }
        if (im->shown >= TS_HOME_PAGE_IMAGES) {
            im->more = true;
            break;
        }
        char *child = ts_path_join(rel, f.images[i]);
        if (child != NULL)
            image_line(im, child);
        free(child);
    }
    for (size_t i = 0; i < f.n_folders && !im->more; i++) {
        char *child = ts_path_join(rel, f.folders[i]);
        if (child != NULL)
            walk_images(im, p, child, depth + 1);
        free(child);
    }
    ts_tree_release(&f);
}

/* The site's title: the setting, else the root Collection's label, else "tessera". */
static char *site_title(struct ts_server *srv, const struct ts_present *p)
{
    const char *set = ts_server_live(srv)->cfg.site_title;
    if (set[0] != '\0')
        return strdup(set);
    char *title = NULL;
    struct ts_tree_item root;
    struct ts_error err;
    if (ts_tree_open(p->resolver, p->walk, "", &root, &err) == 0) {
        struct ts_sidecar s;
        ts_sidecar_init(&s);
        struct ts_present quiet = *p;
        quiet.problems = NULL;
        ts_present_sidecars(&quiet, &root, &s);
        const char *label = ts_present_first_text(json_object_get(s.props, "label"));
        if (label[0] != '\0')
            title = strdup(label);
        ts_sidecar_release(&s);
        ts_tree_release(&root);
    }
    return title != NULL ? title : strdup("tessera");
}

static void run_home(struct ts_job *job)
{
    struct home_job *j = (struct home_job *)job;
    struct ts_server *srv = j->d.srv;
    struct ts_walk walk;
    ts_server_walk_init(srv, &walk);
    struct ts_present p = {j->base, &srv->resolver, ts_present_probe, srv, NULL, &walk, THUMB_SHOWN * 2, NULL, NULL, NULL};
    char *title = site_title(srv, &p);
    struct ts_buf html;
    ts_buf_init(&html, 16u << 20);
    ts_buf_adds(&html, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    ts_buf_add_html(&html, title != NULL ? title : "tessera");
    ts_buf_adds(&html, "</title><style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
                       "padding:0 1rem;line-height:1.5}code{font-size:1.05em}li{margin:.2rem 0}ul.items{list-style:"
                       "none;padding-left:1rem}img{vertical-align:middle;border-radius:3px}nav a{margin-right:1em}"
                       "</style></head><body>\n<h1>");
    ts_buf_add_html(&html, title != NULL ? title : "tessera");
    ts_buf_adds(&html, "</h1>\n<p>IIIF Image API 3.0 at <code>/iiif/3/</code> and 2.1 at "
                       "<code>/iiif/2/</code>; Presentation API 3.0 at <a href=\"/iiif/presentation/collection\">"
                       "<code>/iiif/presentation/collection</code></a>; search at "
                       "<code>/iiif/collections/search?q=</code>.</p>\n"
                       "<form action=\"/iiif/collections/search\"><input name=\"q\" placeholder=\"Search labels, "
                       "names and metadata\"> <button>Search</button></form>\n");
    free(title);
    if (j->page == 1) {
        ts_buf_adds(&html, "<h2>Collections and manifests</h2>\n<p><a href=\"/viewer/collection\">View "
                           "everything</a> in Mirador.</p>\n");
        list_collection(&html, &p, "", 0);
    }
    ts_buf_adds(&html, "<h2 id=\"images\">Images</h2>\n");
    ts_buf_adds(&html, "<p>Identifiers are paths under the image root, with <code>/</code> written "
                       "<code>%2F</code>.</p>\n<ul>\n");
    /* the image list walks the tree again, with a set of folders of its own */
    struct ts_walk iwalk;
    ts_server_walk_init(srv, &iwalk);
    iwalk.entries = walk.entries; /* one budget for the page */
    p.walk = &iwalk;
    struct images im = {&html, j->base, (j->page - 1) * TS_HOME_PAGE_IMAGES, 0, false};
    walk_images(&im, &p, "", 0);
    if (im.shown == 0)
        ts_buf_adds(&html, j->page == 1 ? "<li>No images found under the root.</li>\n"
                                        : "<li>No images on this page.</li>\n");
    ts_buf_adds(&html, "</ul>\n<nav>");
    if (j->page > 1)
        ts_buf_addf(&html, "<a rel=\"prev\" href=\"/?page=%ld#images\">&larr; previous %d</a>", j->page - 1,
                    TS_HOME_PAGE_IMAGES);
    if (im.more)
        ts_buf_addf(&html, "<a rel=\"next\" href=\"/?page=%ld#images\">next %d &rarr;</a>", j->page + 1,
                    TS_HOME_PAGE_IMAGES);
    ts_buf_addf(&html, "</nav>\n<p>Page %ld.</p>\n", j->page);
    if (ts_walk_gave_up(&walk) || ts_walk_gave_up(&iwalk)) {
        const char *why = ts_walk_gave_up(&walk) ? walk.why : iwalk.why;
        ts_log_warn("home page: the list is not whole: %s", why);
        ts_buf_adds(&html, "<p>This page does not show everything: ");
        ts_buf_add_html(&html, why);
        ts_buf_adds(&html, ".</p>\n");
    }
    ts_walk_release(&walk);
    ts_walk_release(&iwalk);
    ts_buf_adds(&html, "</body></html>\n");
    if (html.data == NULL) {
        ts_error_set(&j->d.err, 500, "the home page is larger than this server builds");
        ts_buf_release(&html);
        return;
    }
    j->d.body = ts_buf_take(&html, &j->d.len);
    j->d.free_body = free;
    j->d.content_type = "text/html; charset=utf-8";
    ts_deferred_header(&j->d, "cache-control", "no-cache");
    if (j->vary != NULL)
        ts_deferred_header(&j->d, "vary", j->vary);
}

static void home_cleanup(struct ts_deferred *d)
{
    free(((struct home_job *)d)->base);
}

/* "/" and "/?page=N" (the route is exact). */
static int on_home(void *state, h2o_req_t *req, const char *rest, size_t n)
{
    (void)state;
    (void)rest;
    (void)n;
    long page = 1;
    if (req->query_at != SIZE_MAX) {
        const char *qs = req->path.base + req->query_at + 1;
        size_t qn = req->path.len - req->query_at - 1;
        char v[16];
        int pr = ts_query_param(qs, qn, "page", v, sizeof(v));
        char *end = NULL;
        if (pr == 1)
            page = strtol(v, &end, 10);
        if (pr < 0 || (pr == 1 && (end == v || *end != '\0' || page < 1 || page > 1000000))) {
            ts_http_errorf(req, 400, "page must be a number from 1 to 1000000");
            return 0;
        }
    }
    char *base = ts_request_base_or_error(req);
    if (base == NULL)
        return 0;
    struct home_job *j = ts_deferred_new(req, sizeof(*j), run_home);
    j->d.cleanup = home_cleanup;
    j->base = base;
    j->page = page;
    j->vary = ts_request_vary(req, NULL);
    return ts_deferred_submit(&j->d);
}

/* The tops of the APIs name no document: the home page lists what there is. */
static int on_api_top(void *state, h2o_req_t *req, const char *rest, size_t n)
{
    (void)state;
    (void)rest;
    (void)n;
    ts_http_redirect_home(req);
    return 0;
}

int ts_home_register(struct ts_router *r, struct ts_server *srv)
{
    struct ts_route home = {"/", true, TS_M_READ, TS_R_WORKER, on_home, srv};
    if (ts_router_add(r, &home) != 0)
        return -1;
    static const char *const tops[] = {"/iiif", "/iiif/", "/iiif/3", "/iiif/2"};
    for (size_t i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
        struct ts_route top = {tops[i], true, TS_M_READ, 0, on_api_top, NULL};
        if (ts_router_add(r, &top) != 0)
            return -1;
    }
    return 0;
}
