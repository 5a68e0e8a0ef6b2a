/*
 * present_routes.c: Manifests, Collections and their parts, built on a
 * worker (folders are listed and images probed), answered as JSON-LD.
 */
#include "http/present_routes.h"

#include <stdlib.h>
#include <string.h>

#include "cache/meta.h"
#include "core/log.h"
#include "http/conditional.h"
#include "http/iiif_routes.h"
#include "http/keys.h"
#include "http/respond.h"
#include "http/server.h"
#include "json/info.h"
#include "present/route.h"
#include "present/v2.h"
#include "http/conneg.h"

#define LD_TYPE "application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\""
#define LD2_TYPE "application/ld+json;profile=\"http://iiif.io/api/presentation/2/context.json\""

int ts_present_probe(void *ctx, const char *rel, struct ts_pimage *out, struct ts_error *err)
{
    struct ts_server *srv = ctx;
    struct ts_centry *e = ts_meta_lookup(srv->meta, rel);
    struct ts_source own;
    bool private_src = false;
    const struct ts_source *src;
    if (e != NULL) {
        src = &((const struct ts_meta *)e->body)->src;
    } else {
        struct ts_resolved file;
        if (ts_resolve(&srv->resolver, rel, &file, err) != 0 || ts_source_open(file.path, &own, err) != 0)
            return -1;
        e = ts_meta_store(srv->meta, rel, &file, &own);
        if (e != NULL) {
            src = &((const struct ts_meta *)e->body)->src;
        } else {
            src = &own;
            private_src = true;
        }
    }
    out->width = src->width;
    out->height = src->height;
    ts_info_thumb_size(src, (uint32_t)srv->cfg->tile_size, &srv->limits, 200, &out->thumb_w, &out->thumb_h);
    if (private_src)
        ts_source_release(&own);
    ts_centry_unref(e);
    return 0;
}

struct present_job {
    struct ts_deferred d;
    struct ts_proute route;
    int version;                 /* 2 or 3: what the client's Accept asks for */
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

static void log_problems(json_t *problems)
{
    size_t i;
    json_t *v;
    json_array_foreach(problems, i, v)
    {
        ts_log_warn("%s", json_string_value(v));
    }
}

static void run_present(struct ts_job *job)
{
    struct present_job *j = (struct present_job *)job;
    struct ts_server *srv = j->d.srv;
    const struct ts_proute *r = &j->route;
    struct ts_pfolder f;
    if (ts_pfolder_open(&srv->resolver, r->path, &f, &j->d.err) != 0)
        return;
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
        ts_pfolder_release(&f);
        return;
    }
    json_t *problems = json_array();
    struct ts_present p = {j->base, &srv->resolver, ts_present_probe, srv, problems};
    json_t *doc = is_collection ? ts_collection_build(&p, &f, &j->d.err) : ts_manifest_build(&p, &f, &j->d.err);
    log_problems(problems);
    json_decref(problems);
    if (doc == NULL) {
        ts_pfolder_release(&f);
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
            ts_pfolder_release(&f);
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
    ts_pfolder_release(&f);
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
    ts_deferred_header(&j->d, "vary", "Accept");
    if (srv->cfg->cache_control[0] != '\0')
        ts_deferred_header(&j->d, "cache-control", srv->cfg->cache_control);
}

int ts_present_handle(h2o_req_t *req, const char *rest, size_t n)
{
    struct ts_proute route;
    struct ts_error err;
    if (ts_proute_parse(rest, n, &route, &err) != 0) {
        ts_http_error(req, &err);
        return 0;
    }
    struct ts_buf base;
    ts_buf_init(&base, 4096);
    if (ts_request_base(req, &base) != 0 || base.data == NULL) {
        ts_buf_release(&base);
        ts_http_errorf(req, 400, "the request's Host or forwarding headers do not make a usable URL");
        return 0;
    }
    struct present_job *j = ts_deferred_new(req, sizeof(*j), run_present);
    j->d.cleanup = job_cleanup;
    j->route = route;
    j->base = ts_buf_take(&base, NULL);
    ssize_t a = h2o_find_header(&req->headers, H2O_TOKEN_ACCEPT, -1);
    j->version = a >= 0 ? ts_conneg_presentation(req->headers.entries[a].value.base, req->headers.entries[a].value.len)
                        : 3;
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_IF_NONE_MATCH, -1);
    if (i >= 0)
        j->if_none_match = strndup(req->headers.entries[i].value.base, req->headers.entries[i].value.len);
    return ts_deferred_submit(&j->d);
}
