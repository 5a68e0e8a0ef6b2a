/*
 * present_routes.c: Manifests, Collections and their parts, built on a
 * worker (folders are listed and images probed), answered as JSON-LD.
 */
#include "http/present_routes.h"
#include "http/anno_store.h"
#include "http/search_routes.h"

#include <stdlib.h>
#include <string.h>

#include "cache/meta.h"
#include "core/pct.h"
#include "core/log.h"
#include "http/conditional.h"
#include "http/keys.h"
#include "http/reqbase.h"
#include "http/respond.h"
#include "http/state.h"
#include "json/info.h"
#include "present/probe.h"
#include "present/route.h"
#include "present/v2.h"
#include "store/catalogue.h"
#include "http/conneg.h"

#define LD_TYPE "application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\""
#define LD2_TYPE "application/ld+json;profile=\"http://iiif.io/api/presentation/2/context.json\""

int ts_present_probe(void *ctx, const char *rel, uint32_t thumb_px, struct ts_pimage *out, struct ts_error *err)
{
    struct ts_server *srv = ctx;
    struct ts_centry *e = ts_meta_lookup(srv->meta, rel);
    struct ts_source own;
    bool private_src = false;
    const struct ts_source *src;
    if (e != NULL && ((const struct ts_meta *)e->body)->error.status != 0) {
        if (err != NULL)
            *err = ((const struct ts_meta *)e->body)->error; /* probed before, in this version: not an image */
        ts_centry_unref(e);
        return -1;
    }
    if (e != NULL) {
        src = &((const struct ts_meta *)e->body)->src;
    } else {
        struct ts_resolved file;
        if (ts_resolve(&srv->resolver, rel, &file, err) != 0)
            return -1;
        if (ts_source_open(file.path, &own, err) != 0) {
            ts_centry_unref(ts_meta_store_error(srv->meta, rel, &file, err));
            return -1;
        }
        e = ts_meta_store(srv->meta, rel, &file, &own);
        if (e != NULL) {
            src = &((const struct ts_meta *)e->body)->src;
        } else {
            src = &own;
            private_src = true;
        }
    }
    const struct ts_live *live = ts_server_live(srv);
    ts_pimage_of(src, (uint32_t)live->cfg.tile_size, &live->limits, thumb_px, out);
    if (private_src)
        ts_source_release(&own);
    ts_centry_unref(e);
    return 0;
}

struct present_job {
    struct ts_deferred d;
    struct ts_proute route;
    int version;                 /* 2 or 3: what the client's Accept asks for */
    const char *vary;            /* the Vary header (a constant string) */
    char *base;
    char *if_none_match;
    char etag[19];
};

static void job_cleanup(struct ts_deferred *d)
{
    struct present_job *j = (struct present_job *)d;
    free(j->base);
    free(j->if_none_match);
}

/* The object with id `id` among the items (and structures) of `doc`, depth first. */
static json_t *find_by_id(json_t *doc, const char *id)
{
    json_t *v = json_object_get(doc, "id");
    if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
        return doc;
    static const char *const lists[] = {"items", "structures"};
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(doc, lists[k]), i, it)
        {
            if (!json_is_object(it))
                continue;
            json_t *found = find_by_id(it, id);
            if (found != NULL)
                return found;
        }
    }
    return NULL;
}

/*
 * The problems found building the document for `rel`, whose folder has
 * stamp `stamp`: each once per version of the folder (ts_log_once), and at
 * most PROBLEMS_SHOWN of them for one document, so a folder of twenty
 * thousand broken files costs a few lines, once.
 */
#define PROBLEMS_SHOWN 20

static void log_problems(json_t *problems, const char *rel, int64_t stamp)
{
    size_t i, n = json_array_size(problems);
    json_t *v;
    json_array_foreach(problems, i, v)
    {
        if (i == PROBLEMS_SHOWN)
            break;
        const char *text = json_string_value(v);
        uint64_t key = ts_hash(TS_HASH_SEED ^ (uint64_t)stamp, text, strlen(text));
        ts_log_once(key, TS_LOG_WARN, "%s", text);
    }
    if (n > PROBLEMS_SHOWN) {
        uint64_t key = ts_hash(TS_HASH_SEED ^ (uint64_t)stamp ^ n, rel, strlen(rel));
        ts_log_once(key, TS_LOG_WARN, "%s: %zu more problems like these", rel[0] ? rel : "the root",
                    n - PROBLEMS_SHOWN);
    }
}

static void answer_present(struct present_job *j, struct ts_tree_item *f, struct ts_walk *walk);

static void run_present(struct ts_job *job)
{
    struct present_job *j = (struct present_job *)job;
    struct ts_server *srv = j->d.srv;
    const struct ts_proute *r = &j->route;
    struct ts_walk walk;
    ts_server_walk_init(srv, &walk);
    struct ts_tree_item f;
    int rc = ts_tree_open(&srv->resolver, &walk, r->path, &f, &j->d.err);
    if (rc == 0)
        answer_present(j, &f, &walk);
    if (ts_walk_gave_up(&walk))
        ts_log_warn("%s: the answer leaves out what the walk did not reach: %s", r->path[0] ? r->path : "the root",
                    walk.why);
    ts_walk_release(&walk);
}

/* Builds the answer for the route of `j` from folder `f` (released here). */
static void answer_present(struct present_job *j, struct ts_tree_item *f_in, struct ts_walk *walk)
{
    struct ts_server *srv = j->d.srv;
    const struct ts_proute *r = &j->route;
    struct ts_tree_item f = *f_in;
    if (r->kind == TS_PR_FOLDER) {
        /* a path alone: to the Collection or Manifest it is */
        struct ts_buf url;
        ts_buf_init(&url, 1 << 16);
        ts_present_prefix(j->base, r->path, &url);
        ts_buf_adds(&url, f.kind == TS_P_COLLECTION ? "/collection" : "/manifest");
        ts_tree_release(&f);
        if (url.data == NULL) {
            ts_error_set(&j->d.err, 414, "the path is too long");
            return;
        }
        ts_deferred_header(&j->d, "location", url.data);
        ts_buf_release(&url);
        static const char body[] = "See the document at the Location of this response.\n";
        j->d.status = 303;
        j->d.content_type = "text/plain; charset=utf-8";
        j->d.body = (void *)body;
        j->d.len = sizeof(body) - 1;
        j->d.free_body = NULL;
        return;
    }
    bool want_collection = r->kind == TS_PR_COLLECTION;
    bool is_collection = f.kind == TS_P_COLLECTION;
    if (want_collection != is_collection) {
        struct ts_buf url;
        ts_buf_init(&url, 1 << 16);
        ts_present_prefix(j->base, r->path, &url);
        ts_error_set(&j->d.err, 404, "'%s' is a %s: %s/%s", r->path[0] ? r->path : "the root",
                     is_collection ? "Collection" : "Manifest", url.data ? url.data : "",
                     is_collection ? "collection" : "manifest");
        ts_buf_release(&url);
        ts_tree_release(&f);
        return;
    }
    json_t *problems = json_array();
    struct ts_anno_pages notes = {srv, j->base, false, NULL};
    struct ts_present p = {j->base, &srv->resolver, ts_present_probe, srv, problems, walk, 0, ts_anno_page_iri, ts_search_services, &notes};
    json_t *doc = is_collection ? ts_collection_build(&p, &f, &j->d.err) : ts_manifest_build(&p, &f, &j->d.err);
    log_problems(problems, f.rel, f.stamp);
    json_decref(problems);
    if (doc == NULL) {
        ts_tree_release(&f);
        return;
    }
    json_t *answer = doc;
    bool v2 = false;
    if (j->version == 2 && r->kind != TS_PR_PAGE) {
        /* Presentation 2.1 (recipe 0057); 2.1 has no AnnotationPage, so a page stays 3.0 */
        json_t *d2 = ts_present_v2(doc);
        if (d2 != NULL) {
            json_decref(doc);
            doc = answer = d2;
            v2 = true;
        }
    }
    if (r->kind != TS_PR_COLLECTION && r->kind != TS_PR_MANIFEST) {
        struct ts_buf id;
        ts_buf_init(&id, 1 << 16);
        ts_present_prefix(j->base, r->path, &id);
        if (r->kind == TS_PR_RANGE) {
            ts_buf_addf(&id, "/range/%s", r->part);
        } else {
            ts_buf_adds(&id, "/canvas/");
            ts_present_path_encode(r->part, &id);
            if (r->kind == TS_PR_PAGE)
                ts_buf_adds(&id, "/page");
            else if (r->kind == TS_PR_ANNOTATION)
                ts_buf_adds(&id, "/annotation");
        }
        json_t *part = id.data == NULL ? NULL : v2 ? ts_present_v2_find(doc, id.data) : find_by_id(doc, id.data);
        ts_buf_release(&id);
        if (part == NULL) {
            ts_error_set(&j->d.err, 404, "the manifest '%s' has no %s '%s'", r->path,
                         r->kind == TS_PR_RANGE ? "range" : "canvas", r->part);
            json_decref(doc);
            ts_tree_release(&f);
            return;
        }
        answer = json_object();
        json_object_set(answer, "@context", json_object_get(doc, "@context"));
        json_t *copy = json_deep_copy(part);
        json_object_del(copy, "@context");
        json_object_update(answer, copy);
        json_decref(copy);
        json_decref(doc);
    }
    size_t len;
    char *body = ts_present_dump(answer, &len);
    json_decref(answer);
    ts_tree_release(&f);
    if (body == NULL) {
        ts_error_set(&j->d.err, 500, "out of memory");
        return;
    }
    ts_etag_format(ts_hash(TS_HASH_SEED, body, len), j->etag);
    if (j->if_none_match != NULL && ts_not_modified(j->if_none_match, strlen(j->if_none_match), NULL, 0, j->etag, 0)) {
        free(body);
        j->d.status = 304;
        j->d.content_type = NULL;
    } else {
        j->d.body = body;
        j->d.len = len;
        j->d.free_body = free;
        j->d.content_type = v2 ? LD2_TYPE : LD_TYPE;
    }
    ts_deferred_header(&j->d, "etag", j->etag);
    ts_deferred_header(&j->d, "vary", j->vary);
    const char *cc = ts_server_live(srv)->cfg.cache_control;
    if (cc[0] != '\0')
        ts_deferred_header(&j->d, "cache-control", cc);
}

/* Answers `rest` (`n` bytes after "/iiif/presentation"). */
static int on_presentation(void *state, h2o_req_t *req, const char *rest, size_t n)
{
    (void)state;
    struct ts_proute route;
    struct ts_error err;
    if (ts_proute_parse(rest, n, &route, &err) != 0) {
        ts_http_error(req, &err);
        return 0;
    }
    char *base = ts_request_base_or_error(req);
    if (base == NULL)
        return 0;
    struct present_job *j = ts_deferred_new(req, sizeof(*j), run_present);
    j->d.cleanup = job_cleanup;
    j->route = route;
    j->base = base;
    j->vary = ts_request_vary(req, "Accept");
    ssize_t a = h2o_find_header(&req->headers, H2O_TOKEN_ACCEPT, -1);
    j->version = a >= 0 ? ts_conneg_presentation(req->headers.entries[a].value.base, req->headers.entries[a].value.len)
                        : 3;
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_IF_NONE_MATCH, -1);
    if (i >= 0)
        j->if_none_match = strndup(req->headers.entries[i].value.base, req->headers.entries[i].value.len);
    return ts_deferred_submit(&j->d);
}

/* ---- /iiif/collections/search?q=...&page=N ---- */

#define SEARCH_PAGE 20
#define SEARCH_MAX_PAGE 1000

struct search_job {
    struct ts_deferred d;
    char q[512];
    int page;
    char *base;
    const char *vary;            /* a constant string, or NULL */
};

static void search_cleanup(struct ts_deferred *d)
{
    free(((struct search_job *)d)->base);
}

/* {base}/iiif/collections/search?q=...[&page=N] */
static char *search_url(const char *base, const char *q, int page)
{
    struct ts_buf b;
    ts_buf_init(&b, 1 << 14);
    ts_buf_addf(&b, "%s/iiif/collections/search?q=", base);
    ts_pct_encode(q, "", &b);
    if (page > 1)
        ts_buf_addf(&b, "&page=%d", page);
    return ts_buf_take(&b, NULL);
}

static void run_search(struct ts_job *job)
{
    struct search_job *j = (struct search_job *)job;
    struct ts_server *srv = j->d.srv;
    struct ts_walk walk;
    ts_server_walk_init(srv, &walk);
    struct ts_present p = {j->base, &srv->resolver, ts_present_probe, srv, NULL, &walk, 0, NULL, NULL, NULL};
    long refreshed = ts_catalogue_refresh(srv->catalogue, &p, false, &j->d.err);
    ts_walk_release(&walk);
    if (refreshed < 0)
        return;
    /* the items of the answer: a walk of their own */
    ts_server_walk_init(srv, &walk);
    struct ts_catalogue_hit *hits = NULL;
    long total = 0;
    int n = ts_catalogue_query(srv->catalogue, j->q, (j->page - 1) * SEARCH_PAGE, SEARCH_PAGE, &hits, &total, &j->d.err);
    if (n < 0)
        return;
    char *id = search_url(j->base, j->q, j->page);
    json_t *doc = json_pack("{s:s,s:s,s:s}", "@context", "http://iiif.io/api/presentation/3/context.json", "id", id,
                            "type", "Collection");
    char text[700];
    snprintf(text, sizeof(text), "Search results for \"%s\"", j->q);
    json_object_set_new(doc, "label", json_pack("{s:[s]}", "en", text));
    long first = (long)(j->page - 1) * SEARCH_PAGE + 1, last = first + n - 1;
    if (n > 0)
        snprintf(text, sizeof(text), "%ld-%ld of %ld results", first, last, total);
    else
        snprintf(text, sizeof(text), "%ld results", total);
    json_object_set_new(doc, "summary", json_pack("{s:[s]}", "en", text));
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = ts_present_item_ref(&p, hits[i].rel);
        if (o != NULL)
            json_array_append_new(items, o);
    }
    /* more: the next page, as a Collection at the end */
    if (last < total && j->page < SEARCH_MAX_PAGE) {
        char *next = search_url(j->base, j->q, j->page + 1);
        snprintf(text, sizeof(text), "More results (page %d)", j->page + 1);
        json_array_append_new(items, json_pack("{s:s,s:s,s:{s:[s]}}", "id", next, "type", "Collection", "label", "en",
                                               text));
        free(next);
    }
    json_object_set_new(doc, "items", items);
    ts_walk_release(&walk);
    ts_catalogue_hits_free(hits, n);
    free(id);
    size_t len;
    char *body = ts_present_dump(doc, &len);
    json_decref(doc);
    if (body == NULL) {
        ts_error_set(&j->d.err, 500, "out of memory");
        return;
    }
    j->d.body = body;
    j->d.len = len;
    j->d.free_body = free;
    j->d.content_type = LD_TYPE;
    ts_deferred_header(&j->d, "cache-control", "no-cache");
    if (j->vary != NULL)
        ts_deferred_header(&j->d, "vary", j->vary);
}

/* /iiif/collections/search?q=words[&page=N] (the route is exact). */
static int on_catalogue_search(void *state, h2o_req_t *req, const char *rest, size_t n)
{
    (void)state;
    (void)rest;
    (void)n;
    const char *qs = req->query_at != SIZE_MAX ? req->path.base + req->query_at + 1 : "";
    size_t qn = req->query_at != SIZE_MAX ? req->path.len - req->query_at - 1 : 0;
    struct search_job probe;
    int rc = ts_query_param(qs, qn, "q", probe.q, sizeof(probe.q));
    if (rc <= 0 || probe.q[0] == '\0') {
        ts_http_errorf(req, 400, rc < 0 ? "the q parameter is malformed or longer than %zu bytes"
                                        : "give words to look for: /iiif/collections/search?q=words",
                       sizeof(probe.q) - 1);
        return 0;
    }
    char page[16] = "1";
    int pr = ts_query_param(qs, qn, "page", page, sizeof(page));
    char *end = NULL;
    long pg = pr == 1 ? strtol(page, &end, 10) : 1;
    if (pr < 0 || (pr == 1 && (end == page || *end != '\0')) || pg < 1 || pg > SEARCH_MAX_PAGE) {
        ts_http_errorf(req, 400, "page must be a number from 1 to %d", SEARCH_MAX_PAGE);
        return 0;
    }
    char *base = ts_request_base_or_error(req);
    if (base == NULL)
        return 0;
    struct search_job *j = ts_deferred_new(req, sizeof(*j), run_search);
    j->d.cleanup = search_cleanup;
    memcpy(j->q, probe.q, sizeof(j->q));
    j->page = (int)pg;
    j->base = base;
    j->vary = ts_request_vary(req, NULL);
    return ts_deferred_submit(&j->d);
}

int ts_present_register(struct ts_router *r, struct ts_server *srv)
{
    struct ts_route doc = {"/iiif/presentation", false, TS_M_READ, TS_R_ACCESS | TS_R_WORKER, on_presentation, srv};
    struct ts_route search = {"/iiif/collections/search", true, TS_M_READ, TS_R_WORKER, on_catalogue_search, srv};
    return ts_router_add(r, &doc) != 0 || ts_router_add(r, &search) != 0 ? -1 : 0;
}
