/*
 * anno_routes.c: annotation containers and annotations over the store.
 */
#include "http/anno_routes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "anno/model.h"
#include "cache/cache.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/pct.h"
#include "http/anno_store.h"
#include "http/body.h"
#include "http/conditional.h"
#include "http/present_routes.h"
#include "http/reqbase.h"
#include "http/respond.h"
#include "present/manifest.h"
#include "present/route.h"
#include "present/tree.h"

#define ANNO_TYPE "application/ld+json; profile=\"http://www.w3.org/ns/anno.jsonld\""
#define ANNO_CONTEXT "http://www.w3.org/ns/anno.jsonld"
#define LDP_CONTEXT "http://www.w3.org/ns/ldp.jsonld"
#define PAGE_SIZE 100
#define MAX_PATH 2048

enum prefer { PREFER_DESCRIPTIONS, PREFER_IRIS, PREFER_MINIMAL };

struct anno_job {
    struct ts_deferred d;
    char *base;
    char *path;        /* decoded: the container's path, then "/" and the annotation's name when one is named */
    bool container;    /* the URL ends with '/' */
    long page;         /* ?page=N of the container, 0 for the container itself */
    char *canvas;      /* ?canvas=NAME: the page of that canvas's annotations (what manifests link) */
    unsigned method;
    char *if_match, *slug, *auth, *prefer;
    const char *vary;
    char etag[24];
};

static void job_cleanup(struct ts_deferred *d)
{
    struct anno_job *j = (struct anno_job *)d;
    free(j->base);
    free(j->path);
    free(j->if_match);
    free(j->slug);
    free(j->auth);
    free(j->prefer);
    free(j->canvas);
}

/* A copy of request header `name`, or NULL. */
static char *header_copy(h2o_req_t *req, const char *name)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, strlen(name), -1);
    if (i < 0)
        return NULL;
    h2o_iovec_t v = req->headers.entries[i].value;
    char *s = malloc(v.len + 1);
    if (s != NULL) {
        memcpy(s, v.base, v.len);
        s[v.len] = '\0';
    }
    return s;
}

static int on_annotations(void *state, h2o_req_t *req, const char *rest, size_t n);

int ts_anno_register(struct ts_router *r, struct ts_server *srv)
{
    struct ts_route row = {"/annotations/", false, TS_M_READ | TS_M_POST | TS_M_PUT | TS_M_DELETE,
                           TS_R_BODY | TS_R_ACCESS | TS_R_WORKER, on_annotations, srv};
    return ts_router_add(r, &row);
}

/* Whether the request may write: open_writes, or Bearer with one of write_keys (compared in constant time). */
static bool may_write(const struct ts_config *cfg, const char *auth)
{
    if (cfg->open_writes)
        return true;
    if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
        return false;
    const char *key = auth + 7;
    while (*key == ' ')
        key++;
    size_t kl = strlen(key);
    while (kl > 0 && key[kl - 1] == ' ')
        kl--;
    bool ok = false;
    for (const char *p = cfg->write_keys; *p != '\0';) {
        while (*p == ',' || *p == ' ')
            p++;
        size_t len = strcspn(p, ",");
        size_t tl = len;
        while (tl > 0 && p[tl - 1] == ' ')
            tl--;
        if (tl > 0 && tl == kl) {
            unsigned char diff = 0;
            for (size_t i = 0; i < kl; i++)
                diff |= (unsigned char)(p[i] ^ key[i]);
            ok |= diff == 0;
        }
        p += len;
    }
    return ok;
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The container's IRI: {base}/annotations/{encoded path}/ */
static void container_iri(const struct anno_job *j, const char *container, struct ts_buf *out)
{
    ts_buf_adds(out, j->base);
    ts_buf_adds(out, "/annotations/");
    ts_present_path_encode(container, out);
    ts_buf_adds(out, "/");
}

static void common_headers(struct anno_job *j, bool container)
{
    ts_deferred_header(&j->d, "link",
                       container ? "<http://www.w3.org/ns/ldp#BasicContainer>; rel=\"type\", "
                                   "<http://www.w3.org/TR/annotation-protocol/>; "
                                   "rel=\"http://www.w3.org/ns/ldp#constrainedBy\""
                                 : "<http://www.w3.org/ns/ldp#Resource>; rel=\"type\"");
    ts_deferred_header(&j->d, "allow", container ? "GET, HEAD, OPTIONS, POST" : "GET, HEAD, OPTIONS, PUT, DELETE");
    if (container)
        ts_deferred_header(&j->d, "accept-post", ANNO_TYPE);
    ts_deferred_header(&j->d, "vary", j->vary != NULL ? j->vary : "Accept");
    ts_deferred_header(&j->d, "access-control-expose-headers", "ETag, Location, Link, Allow, Accept-Post, Preference-Applied");
}

/* `a` with @context, id, type and motivation first, as people read an annotation (takes `a`). */
static json_t *ordered(json_t *a)
{
    static const char *const first[] = {"@context", "id", "type", "motivation", "created", "modified"};
    json_t *o = json_object();
    for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++) {
        json_t *v = json_object_get(a, first[i]);
        if (v != NULL)
            json_object_set(o, first[i], v);
    }
    const char *k;
    json_t *v;
    json_object_foreach(a, k, v)
    {
        if (json_object_get(o, k) == NULL)
            json_object_set(o, k, v);
    }
    json_decref(a);
    return o;
}

/* Sends `doc` (taken) with `status`, its ETag (`etag`, or one made from the body) and the common headers. */
static void reply(struct anno_job *j, int status, json_t *doc, const char *etag, bool container)
{
    size_t len = 0;
    char *body = ts_present_dump(doc, &len);
    json_decref(doc);
    if (body == NULL) {
        ts_error_set(&j->d.err, 500, "out of memory");
        return;
    }
    if (etag != NULL)
        snprintf(j->etag, sizeof(j->etag), "%s", etag);
    else
        ts_etag_format(ts_hash(TS_HASH_SEED, body, len), j->etag);
    j->d.status = status;
    j->d.content_type = ANNO_TYPE;
    j->d.body = body;
    j->d.len = len;
    j->d.free_body = free;
    ts_deferred_header(&j->d, "etag", j->etag);
    common_headers(j, container);
}

static void reply_text(struct anno_job *j, int status, const char *text)
{
    j->d.status = status;
    j->d.content_type = "text/plain; charset=utf-8";
    j->d.body = (void *)text;
    j->d.len = strlen(text);
    j->d.free_body = NULL;
}

static enum prefer prefer_of(const char *p)
{
    if (p == NULL)
        return PREFER_DESCRIPTIONS;
    if (strstr(p, "PreferMinimalContainer") != NULL)
        return PREFER_MINIMAL;
    if (strstr(p, "PreferContainedIRIs") != NULL)
        return PREFER_IRIS;
    return PREFER_DESCRIPTIONS;
}

/* The items of page `page` (from 1) of the container: descriptions or IRIs. NULL with err on a store error. */
static json_t *page_items(struct ts_store *st, const char *container, long page, bool iris, long *total,
                          struct ts_error *err)
{
    json_t *items = json_array();
    *total = 0;
    if (st == NULL)
        return items;
    struct ts_anno_rec *r = NULL;
    int n = st->ops->anno_list(st, container, NULL, (int)((page - 1) * PAGE_SIZE), PAGE_SIZE, &r, total, err);
    if (n < 0) {
        json_decref(items);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        json_t *a = json_loads(r[i].json, 0, NULL);
        if (a == NULL)
            continue;
        if (iris) {
            json_array_append(items, json_object_get(a, "id"));
            json_decref(a);
        } else {
            json_object_del(a, "@context"); /* the page's context covers what it embeds */
            json_array_append_new(items, a);
        }
    }
    ts_anno_recs_free(r, n);
    return items;
}

static void get_container(struct anno_job *j, const char *container)
{
    struct ts_store *st = ts_anno_store(j->d.srv, false, &j->d.err);
    if (st == NULL && j->d.err.status != 0)
        return;
    struct ts_buf iri;
    ts_buf_init(&iri, MAX_PATH * 3 + 4096);
    container_iri(j, container, &iri);
    enum prefer pref = prefer_of(j->prefer);
    long total = 0;
    long page = j->page > 0 ? j->page : 1;
    json_t *items = page_items(st, container, page, pref == PREFER_IRIS, &total, &j->d.err);
    if (items == NULL) {
        ts_buf_release(&iri);
        return;
    }
    long pages = total > 0 ? (total + PAGE_SIZE - 1) / PAGE_SIZE : 1;
    char pid[64];
    if (j->page > 0) {
        if (j->page > pages) {
            json_decref(items);
            ts_error_set(&j->d.err, 404, "the container has %ld page%s", pages, pages == 1 ? "" : "s");
            ts_buf_release(&iri);
            return;
        }
        json_t *doc = json_object();
        json_object_set_new(doc, "@context", json_string(ANNO_CONTEXT));
        snprintf(pid, sizeof(pid), "?page=%ld", page);
        json_object_set_new(doc, "id", json_pack("s++", iri.data, pid, ""));
        json_object_set_new(doc, "type", json_string("AnnotationPage"));
        json_object_set_new(doc, "partOf",
                            json_pack("{s:s, s:s, s:I}", "id", iri.data, "type", "AnnotationCollection", "total",
                                      (json_int_t)total));
        json_object_set_new(doc, "startIndex", json_integer((page - 1) * PAGE_SIZE));
        if (page < pages) {
            snprintf(pid, sizeof(pid), "?page=%ld", page + 1);
            json_object_set_new(doc, "next", json_pack("s++", iri.data, pid, ""));
        }
        if (page > 1) {
            snprintf(pid, sizeof(pid), "?page=%ld", page - 1);
            json_object_set_new(doc, "prev", json_pack("s++", iri.data, pid, ""));
        }
        json_object_set_new(doc, "items", items);
        ts_buf_release(&iri);
        reply(j, 200, doc, NULL, false);
        ts_deferred_header(&j->d, "link", "<http://www.w3.org/ns/oa#AnnotationPage>; rel=\"type\"");
        return;
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "@context", json_pack("[s, s]", ANNO_CONTEXT, LDP_CONTEXT));
    json_object_set_new(doc, "id", json_string(iri.data));
    json_object_set_new(doc, "type", json_pack("[s, s]", "BasicContainer", "AnnotationCollection"));
    json_object_set_new(doc, "label", json_sprintf("Annotations of %s", container));
    json_object_set_new(doc, "total", json_integer(total));
    snprintf(pid, sizeof(pid), "?page=1");
    json_t *first = json_pack("{s:s++, s:s}", "id", iri.data, pid, "", "type", "AnnotationPage");
    if (pref != PREFER_MINIMAL) {
        json_object_set_new(first, "startIndex", json_integer(0));
        if (pages > 1)
            json_object_set_new(first, "next", json_pack("s++", iri.data, "?page=2", ""));
        json_object_set_new(first, "items", items);
    } else {
        json_decref(items);
    }
    json_object_set_new(doc, "first", first);
    snprintf(pid, sizeof(pid), "?page=%ld", pages);
    json_object_set_new(doc, "last", json_pack("s++", iri.data, pid, ""));
    ts_buf_release(&iri);
    reply(j, 200, doc, NULL, true);
    static const char *const applied[] = {"return=representation; include=\"http://www.w3.org/ns/oa#PreferContainedDescriptions\"",
                                          "return=representation; include=\"http://www.w3.org/ns/ldp#PreferContainedIRIs\"",
                                          "return=representation; include=\"http://www.w3.org/ns/ldp#PreferMinimalContainer\""};
    if (j->prefer != NULL)
        ts_deferred_header(&j->d, "preference-applied", applied[pref]);
}

/* The annotations on one canvas: an AnnotationPage (the one a manifest's canvas lists in `annotations`). */
static void get_canvas_page(struct anno_job *j, const char *container)
{
    struct ts_store *st = ts_anno_store(j->d.srv, false, &j->d.err);
    if (st == NULL && j->d.err.status != 0)
        return;
    struct ts_buf iri;
    ts_buf_init(&iri, MAX_PATH * 3 + 4096);
    container_iri(j, container, &iri);
    ts_buf_adds(&iri, "?canvas=");
    ts_pct_encode(j->canvas, "", &iri);
    json_t *items = json_array();
    if (st != NULL) {
        /* a canvas page holds every annotation of its canvas (up to the protocol's page size, ten times over) */
        struct ts_anno_rec *r = NULL;
        long total = 0;
        int n = st->ops->anno_list(st, container, j->canvas, 0, PAGE_SIZE * 10, &r, &total, &j->d.err);
        if (n < 0) {
            json_decref(items);
            ts_buf_release(&iri);
            return;
        }
        for (int i = 0; i < n; i++) {
            json_t *a = json_loads(r[i].json, 0, NULL);
            if (a != NULL) {
                json_object_del(a, "@context");
                json_array_append_new(items, a);
            }
        }
        ts_anno_recs_free(r, n);
    }
    json_t *doc = json_pack("{s:s, s:s, s:s, s:o}", "@context", "http://iiif.io/api/presentation/3/context.json", "id",
                            iri.data, "type", "AnnotationPage", "items", items);
    ts_buf_release(&iri);
    reply(j, 200, doc, NULL, false);
}

/* The canvases of the manifest `f`, for the checks: a manifest document kept in *doc (the strings point into it). */
static struct ts_anno_canvas *canvases_of(struct anno_job *j, const struct ts_tree_item *f, json_t **doc, size_t *n)
{
    struct ts_server *srv = j->d.srv;
    struct ts_walk walk;
    ts_server_walk_init(srv, &walk);
    struct ts_present p = {j->base, &srv->resolver, ts_present_probe, srv, NULL, &walk, 0, NULL, NULL, NULL};
    *doc = ts_manifest_build(&p, f, &j->d.err);
    ts_walk_release(&walk);
    *n = 0;
    if (*doc == NULL)
        return NULL;
    json_t *items = json_object_get(*doc, "items");
    struct ts_anno_canvas *c = calloc(json_array_size(items) + 1, sizeof(*c));
    if (c == NULL) {
        ts_error_set(&j->d.err, 500, "out of memory");
        return NULL;
    }
    size_t i;
    json_t *x;
    json_array_foreach(items, i, x)
    {
        const char *id = json_string_value(json_object_get(x, "id"));
        if (id == NULL)
            continue;
        c[*n].id = id;
        c[*n].width = (uint32_t)json_integer_value(json_object_get(x, "width"));
        c[*n].height = (uint32_t)json_integer_value(json_object_get(x, "height"));
        c[*n].duration = json_number_value(json_object_get(x, "duration"));
        (*n)++;
    }
    return c;
}

/* A Slug that can be a name as it is: 1 to 64 of [A-Za-z0-9._-], not starting with '.'. */
static bool safe_slug(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    if (n == 0 || n > 64 || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

static void random_name(char out[17])
{
    uint8_t b[8];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
        uint64_t t = (uint64_t)now_ms() ^ (uint64_t)(uintptr_t)out;
        memcpy(b, &t, sizeof(b));
    }
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* The canvas's name, from its IRI ({prefix}/canvas/{encoded name}), decoded; malloc'd ("" when not of that form). */
static char *canvas_name(const char *iri)
{
    const char *at = strstr(iri, "/canvas/");
    char out[1024];
    struct ts_error err;
    if (at == NULL || ts_anno_path_decode(at + 8, strlen(at + 8), out, sizeof(out), &err) != 0)
        return strdup("");
    return strdup(out);
}

/* Parses and checks the body against the manifest `f`; fills the canvases it targets. NULL with err. */
/* Where the first target of a checked annotation points, for its searchable text. */
struct first_target {
    int position;                 /* the canvas's place in the manifest */
    struct ts_anno_target t;
};

static json_t *checked_body(struct anno_job *j, const struct ts_tree_item *f, const char ***targets, size_t *n_targets,
                            json_t **manifest, struct first_target *first)
{
    json_t *a = NULL;
    *manifest = NULL;
    *targets = NULL;
    if (ts_body_json(j->d.in_type, j->d.in_type ? strlen(j->d.in_type) : 0, j->d.in, j->d.in_len, &a, &j->d.err) != 0)
        return NULL;
    size_t nc = 0;
    struct ts_anno_canvas *canv = canvases_of(j, f, manifest, &nc);
    if (canv == NULL) {
        json_decref(a);
        return NULL;
    }
    struct ts_anno_target t[TS_ANNO_MAX_TARGETS];
    size_t nt = 0;
    if (ts_anno_check(a, canv, nc, t, &nt, &j->d.err) != 0) {
        free(canv);
        json_decref(a);
        return NULL;
    }
    /*
     * The store keeps the canvases by name, not by IRI: an IRI carries the
     * public base, which may change (another host name, a proxy), a name
     * does not.
     */
    *targets = calloc(nt + 1, sizeof(**targets));
    for (size_t i = 0; *targets != NULL && i < nt; i++)
        (*targets)[i] = canvas_name(canv[t[i].canvas].id);
    *n_targets = nt;
    first->position = (int)t[0].canvas;
    first->t = t[0];
    free(canv);
    return a;
}

static void free_targets(const char **targets, size_t n)
{
    for (size_t i = 0; targets != NULL && i < n; i++)
        free((char *)targets[i]);
    free(targets);
}

/* The words of the annotation's textual bodies, space-separated ("" when it has none). */
static void body_text(const json_t *b, struct ts_buf *out)
{
    if (json_is_array(b)) {
        size_t i;
        json_t *x;
        json_array_foreach(b, i, x)
        {
            body_text(x, out);
        }
        return;
    }
    if (!json_is_object(b))
        return;
    const char *type = json_string_value(json_object_get(b, "type"));
    if (type != NULL && strcmp(type, "Choice") == 0) {
        body_text(json_object_get(b, "items"), out);
        return;
    }
    const char *v = json_string_value(json_object_get(b, "value"));
    if (v != NULL) {
        if (out->len > 0)
            ts_buf_adds(out, " ");
        ts_buf_adds(out, v);
    }
}

/*
 * The searchable text of annotation `a` (Content Search) on its first
 * target's canvas, with that target's box for the hits: `text` and `boxes`
 * hold the strings `out` points to. Written with the annotation, in its
 * transaction; empty text drops it from the search.
 */
static void text_row(const char *id, const char *container, const json_t *a, const char *canvas,
                     const struct first_target *first, int64_t created_ms, struct ts_buf *text, struct ts_buf *boxes,
                     struct ts_text_row *out)
{
    body_text(json_object_get(a, "body"), text);
    if (first->t.has_box)
        ts_buf_addf(boxes, "[%u,%u,%u,%u]", first->t.x, first->t.y, first->t.w, first->t.h);
    const json_t *m = json_object_get(a, "motivation");
    const char *mot = json_is_string(m) ? json_string_value(m) : json_string_value(json_array_get(m, 0));
    *out = (struct ts_text_row){id, container, canvas, first->position, mot != NULL ? mot : "", created_ms,
                                text->data != NULL ? text->data : "", boxes->data != NULL ? boxes->data : ""};
}

static void write_outcome(struct anno_job *j, int rc)
{
    switch (rc) {
    case TS_STORE_CHANGED:
        ts_error_set(&j->d.err, 412, "the annotation changed since that ETag (If-Match): get it again and retry");
        break;
    case TS_STORE_ABSENT: ts_error_set(&j->d.err, 404, "no such annotation"); break;
    case TS_STORE_GONE: ts_error_set(&j->d.err, 410, "this annotation was deleted"); break;
    default: break;
    }
}

/* An ISO 8601 UTC time ("2026-12-08T01:40:03Z") of `ms`, as a new JSON string. */
static json_t *iso_time(int64_t ms)
{
    char out[32];
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(out);
}

/*
 * Stamps annotation `*a` (its IRI `iri`, a context when it has none, the
 * `stamp` field set to `now`) and writes it as `id` with its searchable
 * text: a new annotation (`create`), else a replacement of the version
 * `if_match`. Returns the store's outcome; `etag` gets the new ETag.
 * `*a` is replaced by its ordered form.
 */
static int write_anno(struct anno_job *j, struct ts_store *st, bool create, const char *id, const char *container,
                      const char *iri, json_t **a, const char *stamp, const char **targets, size_t nt,
                      const struct first_target *first, int64_t created_ms, int64_t now, char etag[24])
{
    json_object_set_new(*a, "id", json_string(iri));
    if (json_object_get(*a, "@context") == NULL)
        json_object_set_new(*a, "@context", json_string(ANNO_CONTEXT));
    json_object_set_new(*a, stamp, iso_time(now));
    *a = ordered(*a);
    size_t len;
    char *text = ts_present_dump(*a, &len);
    if (text == NULL)
        return ts_error_set(&j->d.err, 500, "out of memory");
    ts_etag_format(ts_hash(ts_hash(TS_HASH_SEED, text, len), &now, sizeof(now)), etag);
    struct ts_buf words, boxes;
    ts_buf_init(&words, 1 << 20);
    ts_buf_init(&boxes, 256);
    struct ts_text_row trow;
    text_row(id, container, *a, targets[0], first, created_ms, &words, &boxes, &trow);
    struct ts_anno_row row = {id, container, text, etag, now, now, targets, nt, &trow};
    int rc = create ? st->ops->anno_create(st, &row, &j->d.err) : st->ops->anno_replace(st, &row, j->if_match, &j->d.err);
    free(text);
    ts_buf_release(&words);
    ts_buf_release(&boxes);
    return rc;
}

/* The annotation store for a request that needs one to exist: NULL with a 404 (or the store's error). */
static struct ts_store *existing_store(struct anno_job *j)
{
    struct ts_store *st = ts_anno_store(j->d.srv, false, &j->d.err);
    if (st == NULL && j->d.err.status == 0)
        ts_error_set(&j->d.err, 404, "no such annotation");
    return st;
}

static void post(struct anno_job *j, const char *container, const struct ts_tree_item *f)
{
    const char **targets;
    size_t nt = 0;
    json_t *manifest;
    struct first_target first;
    json_t *a = checked_body(j, f, &targets, &nt, &manifest, &first);
    if (a == NULL) {
        json_decref(manifest);
        return;
    }
    struct ts_store *st = ts_anno_store(j->d.srv, true, &j->d.err);
    if (st == NULL) {
        json_decref(a);
        json_decref(manifest);
        free_targets(targets, nt);
        return;
    }
    struct ts_buf iri;
    ts_buf_init(&iri, MAX_PATH * 3 + 4096);
    container_iri(j, container, &iri);
    size_t prefix = iri.len;
    char name[80];
    bool slug = safe_slug(j->slug);
    int64_t now = now_ms();
    for (int attempt = 0; attempt < 8; attempt++) {
        if (slug && attempt == 0)
            snprintf(name, sizeof(name), "%s", j->slug);
        else
            random_name(name);
        iri.len = prefix;
        iri.data[prefix] = '\0';
        ts_buf_adds(&iri, name);
        char id[MAX_PATH + 100];
        snprintf(id, sizeof(id), "%s/%s", container, name);
        char etag[24];
        int rc = write_anno(j, st, true, id, container, iri.data, &a, "created", targets, nt, &first, now, now, etag);
        if (rc == TS_STORE_EXISTS)
            continue; /* that name is taken: another */
        if (rc == 0) {
            ts_deferred_header(&j->d, "location", iri.data);
            reply(j, 201, a, etag, false);
            a = NULL;
        }
        break;
    }
    if (a != NULL && j->d.err.status == 0)
        ts_error_set(&j->d.err, 500, "no free name for the annotation");
    json_decref(a);
    json_decref(manifest);
    free_targets(targets, nt);
    ts_buf_release(&iri);
}

static void get_one(struct anno_job *j)
{
    struct ts_store *st = existing_store(j);
    if (st == NULL)
        return;
    struct ts_anno_rec r;
    int rc = st->ops->anno_get(st, j->path, &r, &j->d.err);
    if (rc < 0)
        return;
    if (rc == 0) {
        ts_error_set(&j->d.err, 404, "no such annotation");
        return;
    }
    if (r.deleted) {
        ts_anno_rec_release(&r);
        ts_error_set(&j->d.err, 410, "this annotation was deleted");
        return;
    }
    json_t *a = json_loads(r.json, 0, NULL);
    char etag[24];
    snprintf(etag, sizeof(etag), "%s", r.etag);
    ts_anno_rec_release(&r);
    if (a == NULL) {
        ts_error_set(&j->d.err, 500, "a stored annotation is not JSON");
        return;
    }
    reply(j, 200, a, etag, false);
}

static void put(struct anno_job *j, const char *container, const struct ts_tree_item *f)
{
    if (j->if_match == NULL) {
        ts_error_set(&j->d.err, 428, "a replacement needs the annotation's current ETag in If-Match");
        return;
    }
    const char **targets;
    size_t nt = 0;
    json_t *manifest;
    struct first_target first;
    json_t *a = checked_body(j, f, &targets, &nt, &manifest, &first);
    if (a == NULL) {
        json_decref(manifest);
        return;
    }
    struct ts_buf iri;
    ts_buf_init(&iri, MAX_PATH * 3 + 4096);
    container_iri(j, container, &iri);
    ts_present_path_encode(j->path + strlen(container) + 1, &iri);
    const char *given = json_string_value(json_object_get(a, "id"));
    struct ts_store *st = NULL;
    if (given != NULL && strcmp(given, iri.data) != 0) {
        ts_error_set(&j->d.err, 400, "the annotation's id is not the IRI it is sent to");
    } else if ((st = existing_store(j)) != NULL) {
        struct ts_anno_rec old;
        int g = st->ops->anno_get(st, j->path, &old, &j->d.err);
        char created[32] = "";
        if (g == 1 && old.json != NULL) {
            json_t *o = json_loads(old.json, 0, NULL);
            const char *c = json_string_value(json_object_get(o, "created"));
            snprintf(created, sizeof(created), "%s", c != NULL ? c : "");
            json_decref(o);
        }
        int64_t created_ms = g == 1 ? old.created_ms : 0;
        if (g == 1)
            ts_anno_rec_release(&old);
        if (created[0] != '\0')
            json_object_set_new(a, "created", json_string(created));
        char etag[24];
        int rc = write_anno(j, st, false, j->path, container, iri.data, &a, "modified", targets, nt, &first, created_ms,
                            now_ms(), etag);
        if (rc == 0) {
            reply(j, 200, a, etag, false);
            a = NULL;
        } else {
            write_outcome(j, rc);
        }
    }
    json_decref(a);
    json_decref(manifest);
    free_targets(targets, nt);
    ts_buf_release(&iri);
}

static void delete_one(struct anno_job *j)
{
    struct ts_store *st = existing_store(j);
    if (st == NULL)
        return;
    int rc = st->ops->anno_delete(st, j->path, j->if_match, now_ms(), &j->d.err);
    if (rc == 0) {
        j->d.status = 204;
        j->d.content_type = NULL;
        common_headers(j, false);
    } else {
        write_outcome(j, rc);
    }
}

static void run_anno(struct ts_job *job)
{
    struct anno_job *j = (struct anno_job *)job;
    struct ts_server *srv = j->d.srv;
    const struct ts_config *cfg = &ts_server_live(srv)->cfg;
    char container[MAX_PATH];
    snprintf(container, sizeof(container), "%s", j->path);
    if (!j->container) {
        char *slash = strrchr(container, '/');
        if (slash == NULL) {
            ts_error_set(&j->d.err, 404, "an annotation lives in a container: /annotations/{manifest-path}/{name}");
            return;
        }
        *slash = '\0';
    }
    bool writes = j->method == TS_M_POST || j->method == TS_M_PUT || j->method == TS_M_DELETE;
    if (j->container ? (j->method == TS_M_PUT || j->method == TS_M_DELETE) : j->method == TS_M_POST) {
        ts_error_set(&j->d.err, 405, j->container ? "a container takes GET, HEAD, OPTIONS and POST"
                                                  : "an annotation takes GET, HEAD, OPTIONS, PUT and DELETE");
        return;
    }
    if (writes && !may_write(cfg, j->auth)) {
        reply_text(j, 401, "writing annotations needs a key: Authorization: Bearer KEY (a key of write_keys)\n");
        ts_deferred_header(&j->d, "www-authenticate", "Bearer realm=\"tessera annotations\"");
        return;
    }
    struct ts_walk walk;
    ts_server_walk_init(srv, &walk);
    struct ts_tree_item f;
    int rc = ts_tree_open(&srv->resolver, &walk, container, &f, &j->d.err);
    ts_walk_release(&walk);
    if (rc != 0)
        return;
    if (f.kind == TS_P_COLLECTION) {
        ts_tree_release(&f);
        ts_error_set(&j->d.err, 404, "'%s' is a Collection: annotations belong to manifests", container);
        return;
    }
    if (j->container && j->method == TS_M_POST)
        post(j, container, &f);
    else if (j->container && j->canvas != NULL)
        get_canvas_page(j, container);
    else if (j->container)
        get_container(j, container);
    else if (j->method == TS_M_PUT)
        put(j, container, &f);
    else if (j->method == TS_M_DELETE)
        delete_one(j);
    else
        get_one(j);
    ts_tree_release(&f);
}

static int on_annotations(void *state, h2o_req_t *req, const char *rest, size_t n)
{
    (void)state;
    struct ts_error err = {0};
    char path[MAX_PATH];
    bool container = n > 0 && rest[n - 1] == '/';
    size_t pn = container ? n - 1 : n;
    if (pn == 0) {
        ts_http_errorf(req, 404, "a container is /annotations/{manifest-path}/");
        return 0;
    }
    if (ts_anno_path_decode(rest, pn, path, sizeof(path), &err) != 0) {
        ts_http_error(req, &err);
        return 0;
    }
    long page = 0;
    char *canvas = NULL;
    if (req->query_at != SIZE_MAX) {
        const char *qs = req->path.base + req->query_at + 1;
        size_t qn = req->path.len - req->query_at - 1;
        char v[16];
        int pr = ts_query_param(qs, qn, "page", v, sizeof(v));
        char *end = NULL;
        if (pr == 1) {
            page = strtol(v, &end, 10);
            if (end == v || *end != '\0' || page < 1 || page > 1000000) {
                ts_http_errorf(req, 400, "page is a number from 1");
                return 0;
            }
        } else if (pr < 0) {
            ts_http_errorf(req, 400, "page is a number from 1");
            return 0;
        }
        char cv[1024];
        int cr = ts_query_param(qs, qn, "canvas", cv, sizeof(cv));
        if (cr < 0 || (cr == 1 && (cv[0] == '\0' || strchr(cv, '/') != NULL))) {
            ts_http_errorf(req, 400, "canvas is the name of a canvas of the manifest");
            return 0;
        }
        if (cr == 1)
            canvas = strdup(cv);
    }
    char *base = ts_request_base_or_error(req);
    if (base == NULL)
        return 0;
    struct anno_job *j = ts_deferred_new(req, sizeof(*j), run_anno);
    j->d.cleanup = job_cleanup;
    j->base = base;
    j->path = strdup(path);
    j->container = container;
    j->page = page;
    j->canvas = canvas;
    j->method = ts_method_of(req->method.base, req->method.len);
    j->if_match = header_copy(req, "if-match");
    j->slug = header_copy(req, "slug");
    j->auth = header_copy(req, "authorization");
    j->prefer = header_copy(req, "prefer");
    j->vary = ts_request_vary(req, "Accept");
    if (req->entity.base != NULL)
        ts_deferred_take_body(&j->d);
    return ts_deferred_submit(&j->d);
}
