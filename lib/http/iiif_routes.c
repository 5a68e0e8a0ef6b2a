/*
 * iiif_routes.c: Image API requests, from URL to response.
 *
 * Everything that needs no pixels is decided on the event loop: the URL
 * shape, the identifier's syntax, the image parameters (400s) and the public
 * id. When the metadata cache knows the image (and a stat() says the file has
 * not changed), the loop also plans the request, answers 304s, answers
 * info.json, and sends cached images without copying them. The rest (finding
 * and probing the file, decoding, encoding) goes to a worker, which stores
 * what it learns in the caches and hands the response back to the loop.
 */
#include "http/iiif_routes.h"

#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cache/meta.h"
#include "core/buf.h"
#include "http/conditional.h"
#include "http/conneg.h"
#include "http/keys.h"
#include "http/pubbase.h"
#include "http/reqbase.h"
#include "http/respond.h"
#include "iiif/ident.h"
#include "iiif/plan.h"
#include "iiif/url.h"
#include "image/answer.h"
#include "image/cost.h"
#include "image/passthrough.h"
#include "json/info.h"

#define CT_INFO3 "application/ld+json;profile=\"http://iiif.io/api/image/3/context.json\""
#define CT_INFO2_LD "application/ld+json;profile=\"http://iiif.io/api/image/2/context.json\""
#define CONTEXT2_LINK                                                                                                  \
    "<http://iiif.io/api/image/2/context.json>;rel=\"http://www.w3.org/ns/json-ld#context\";type=\"application/ld+json\""

static struct ts_strv token_header(h2o_req_t *req, const h2o_token_t *token)
{
    ssize_t i = h2o_find_header(&req->headers, token, -1);
    if (i < 0)
        return (struct ts_strv){NULL, 0};
    return (struct ts_strv){req->headers.entries[i].value.base, req->headers.entries[i].value.len};
}

/* Validators of one representation. */
struct validators {
    char etag[19];
    time_t mtime;
};

static void validators_of(struct ts_server *srv, const struct ts_buf *key, const struct ts_meta *m,
                          struct validators *v)
{
    ts_etag_format(ts_key_etag(key->data, key->len, ts_server_live(srv)->settings_gen), v->etag);
    v->mtime = (time_t)(m->mtime_ns / 1000000000);
}

static bool not_modified(h2o_req_t *req, const struct validators *v)
{
    struct ts_strv inm = token_header(req, H2O_TOKEN_IF_NONE_MATCH);
    struct ts_strv ims = token_header(req, H2O_TOKEN_IF_MODIFIED_SINCE);
    return ts_not_modified(inm.p, inm.n, ims.p, ims.n, v->etag, v->mtime);
}

static void add_validators(h2o_req_t *req, struct ts_server *srv, const struct validators *v)
{
    char date[30];
    ts_http_date_format(v->mtime, date);
    ts_http_header(req, "etag", v->etag);
    ts_http_header(req, "last-modified", date);
    const char *cc = ts_server_live(srv)->cfg.cache_control;
    if (cc[0] != '\0')
        ts_http_header(req, "cache-control", cc);
}

static void release_entry(void *e)
{
    ts_centry_unref(e);
}

/* ---- info.json ---- */

static void add_info_headers(h2o_req_t *req, struct ts_server *srv, enum iiif_version v, bool ld,
                             const struct validators *val)
{
    if (v == IIIF_V2 && !ld)
        ts_http_header(req, "link", CONTEXT2_LINK);
    ts_http_header(req, "vary", ts_request_vary(req, "Accept"));
    add_validators(req, srv, val);
}

static const char *info_type(enum iiif_version v, bool ld)
{
    if (v == IIIF_V3)
        return ld ? CT_INFO3 : "application/json";
    return ld ? CT_INFO2_LD : "application/json";
}

/* Answers info.json from known metadata. Runs on the loop: building the JSON costs microseconds. */
static void answer_info(h2o_req_t *req, struct ts_server *srv, enum iiif_version v, bool ld, const char *base,
                        const char *id, const char *id_url, const struct ts_meta *m)
{
    struct ts_buf key;
    ts_buf_init(&key, 16384);
    const struct ts_live *live = ts_server_live(srv);
    if (ts_key_info(&key, live->settings_gen, v, ld, base, id, m->mtime_ns, m->size) != 0) {
        ts_buf_release(&key);
        ts_http_errorf(req, 414, "the URL is too long");
        return;
    }
    struct validators val;
    validators_of(srv, &key, m, &val);
    add_info_headers(req, srv, v, ld, &val);
    if (not_modified(req, &val)) {
        ts_buf_release(&key);
        ts_http_send(req, 304, NULL, NULL, 0, NULL);
        return;
    }
    struct ts_centry *e = ts_cache_get(srv->responses, key.data, key.len);
    if (e == NULL) {
        struct ts_info_opts o = {
            .limits = &live->limits,
            .tile_size = (uint32_t)live->cfg.tile_size,
            .formats = &srv->formats,
            .rights = live->cfg.rights,
            .preferred_formats = live->cfg.preferred_formats,
        };
        size_t len;
        char *json = ts_info_json(v, id_url, &m->src, &o, &len);
        if (json == NULL) {
            ts_buf_release(&key);
            ts_http_errorf(req, 500, "out of memory building info.json");
            return;
        }
        if (ts_cache_put(srv->responses, key.data, key.len, json, len, free, info_type(v, ld), NULL) == 0)
            e = ts_cache_get(srv->responses, key.data, key.len);
        if (e == NULL) {
            /* not cached (cache off, or evicted at once): send it as is */
            ts_buf_release(&key);
            ts_http_send(req, 200, info_type(v, ld), json, len, free);
            return;
        }
    }
    ts_buf_release(&key);
    ts_http_send_owned(req, 200, e->content_type, e->body, e->len, e, release_entry);
}

/* ---- images ---- */

/* What the plan of an image answer works out before touching pixels. */
struct image_plan {
    struct iiif_plan plan;
    struct ts_buf canonical;   /* {region}/{size}/{rotation}/{quality}.{format} */
    struct ts_buf key;
    struct validators val;
    bool heavy;                /* decodes heavy_mp or more: the workers' heavy lane */
    uint64_t mem;              /* work memory it holds while it is made (image/cost.h) */
};

static void image_plan_release(struct image_plan *ip)
{
    ts_buf_release(&ip->canonical);
    ts_buf_release(&ip->key);
}

/*
 * Plans request `r` on the image `m` describes: the pixels, whether the
 * answer may be made at all (limits and encoders, once rotated:
 * image/answer.h; decode and memory budgets: image/cost.h), its cache key
 * and validators. Release `ip` whatever the result.
 */
static int image_plan_make(struct ts_server *srv, enum iiif_version v, const char *id, const struct iiif_req *r,
                           const struct ts_meta *m, struct image_plan *ip, struct ts_error *err)
{
    const struct ts_live *live = ts_server_live(srv);
    ts_buf_init(&ip->canonical, 1024);
    ts_buf_init(&ip->key, 16384);
    if (iiif_plan_make(r, m->src.width, m->src.height, &live->limits, &ip->plan, err) != 0 ||
        ts_answer_check(&ip->plan, &live->limits, err) != 0)
        return -1;
    if (iiif_plan_canonical(&ip->plan, m->src.width, m->src.height, &live->limits, &ip->canonical) != 0 ||
        ts_key_image(&ip->key, live->settings_gen, v, id, m->mtime_ns, m->size, ip->canonical.data) != 0)
        return ts_error_set(err, 414, "the URL is too long");
    /* the work the answer costs: refused past max_decode_mp or the memory budget, weighed for the heavy lane */
    uint64_t px = ts_cost_decode_pixels(&m->src, &ip->plan);
    if (px > (uint64_t)live->cfg.max_decode_mp * 1000000)
        return ts_error_set(err, 501,
                            "this answer would decode %.0f megapixels of the image, over this server's limit of %lld "
                            "(max_decode_mp): ask for a smaller region or size, or serve the image as a pyramid "
                            "(tessera convert)",
                            (double)px / 1e6, (long long)live->cfg.max_decode_mp);
    ip->mem = ts_cost_memory(&m->src, &ip->plan);
    uint64_t budget = ts_workers_mem_budget(srv->workers);
    if (budget > 0 && ip->mem > budget)
        return ts_error_set(err, 501,
                            "this answer would need about %llu MB of memory to make, more than this server's work "
                            "memory of %llu MB (work_memory_mb)%s",
                            (unsigned long long)(ip->mem >> 20), (unsigned long long)(budget >> 20),
                            m->src.whole_bytes > budget / 2
                                ? ": the image is a progressive JPEG or an interlaced PNG, which are decoded whole; "
                                  "serve it as a pyramid (tessera convert)"
                                : ": ask for a smaller size or another format");
    ip->heavy = px >= (uint64_t)live->cfg.heavy_mp * 1000000 || (budget > 0 && ip->mem >= budget / 8);
    validators_of(srv, &ip->key, m, &ip->val);
    return 0;
}

/* How an image answer is made. */
enum image_way {
    WAY_NOT_MODIFIED, /* 304: the client's copy is current */
    WAY_CACHED,       /* the response cache holds the bytes */
    WAY_STORED,       /* a stored JPEG tile, sent as it is or cut to the level's edge (image/passthrough.h) */
    WAY_RENDER,       /* decoded and encoded in memory (image/render.h) */
    WAY_SPOOL,        /* decoded and encoded into an anonymous file: a large answer */
};

/* The one decision about an image request (image_decide). */
struct image_decision {
    struct image_plan ip;
    enum image_way way;
    struct ts_centry *entry;  /* WAY_CACHED: a reference */
    struct ts_tile_ref tile;  /* WAY_STORED */
};

/* The request's conditional headers (not NUL-terminated; NULL when absent). */
struct conditions {
    struct ts_strv if_none_match, if_modified_since;
};

/*
 * Decides, from the image's metadata alone, everything about the answer to
 * `r`: its plan, validators and cache key, whether the client's copy is
 * current, whether the cache holds it, whether a stored tile is it, or
 * what rendering it costs (the heavy lane, work memory). No pixel is read.
 * It runs once per request: on the event loop when the metadata cache
 * knows the image, else on the worker that found it. Returns 0, or -1
 * with `err` (the plan was refused). Release `d` with image_decision_release.
 */
static int image_decide(struct ts_server *srv, enum iiif_version v, const char *id, const struct iiif_req *r,
                        const struct ts_meta *m, const struct conditions *c, struct image_decision *d,
                        struct ts_error *err)
{
    d->entry = NULL;
    if (image_plan_make(srv, v, id, r, m, &d->ip, err) != 0)
        return -1;
    if (ts_not_modified(c->if_none_match.p, c->if_none_match.n, c->if_modified_since.p, c->if_modified_since.n,
                        d->ip.val.etag, d->ip.val.mtime)) {
        d->way = WAY_NOT_MODIFIED;
        return 0;
    }
    if ((d->entry = ts_cache_get(srv->responses, d->ip.key.data, d->ip.key.len)) != NULL) {
        d->way = WAY_CACHED;
        return 0;
    }
    const struct ts_live *live = ts_server_live(srv);
    if (live->cfg.passthrough && ts_passthrough_match(&m->src, &d->ip.plan, &d->tile)) {
        d->way = WAY_STORED;
        return 0;
    }
    bool large = (uint64_t)d->ip.plan.width * d->ip.plan.height >= (uint64_t)live->cfg.spool_mp * 1000000;
    d->way = large ? WAY_SPOOL : WAY_RENDER;
    return 0;
}

static void image_decision_release(struct image_decision *d)
{
    image_plan_release(&d->ip);
    ts_centry_unref(d->entry);
    d->entry = NULL;
}

/*
 * `timing` is the Server-Timing value saying how the bytes were made
 * ("cache", "passthrough", "render;dur=12.3"), visible in browsers' devtools;
 * NULL for none.
 */
static void add_image_headers(h2o_req_t *req, struct ts_server *srv, enum iiif_version v, const char *id_url,
                              const char *canonical, const struct validators *val, const char *timing)
{
    struct ts_buf link;
    ts_buf_init(&link, 16384);
    ts_buf_addf(&link, "<%s/%s>;rel=\"canonical\", <http://iiif.io/api/image/%d/level2.json>;rel=\"profile\"", id_url,
                canonical, v == IIIF_V3 ? 3 : 2);
    if (link.data != NULL)
        ts_http_header(req, "link", link.data);
    ts_buf_release(&link);
    add_validators(req, srv, val);
    if (timing != NULL)
        ts_http_header(req, "server-timing", timing);
}

/* A request that needs a worker. */
struct iiif_job {
    struct ts_deferred d;          /* must stay first */
    enum iiif_version version;
    enum iiif_url_kind kind;
    char id[IIIF_IDENT_MAX + 1];   /* decoded identifier */
    char *id_url;                  /* public id: base + /iiif/N/ + encoded identifier */
    char *base;
    bool ld;                       /* info.json: answer JSON-LD */
    struct iiif_req ireq;          /* image requests */
    char *if_none_match;           /* copies of the conditional headers, for a decision on the worker */
    char *if_modified_since;
    struct ts_centry *meta;        /* metadata: known on the loop, or found by the worker */
    bool decided;                  /* `dec` holds the decision (made on the loop, or here) */
    struct image_decision dec;
    struct ts_output out;          /* the answer made here, when not cached */
    int spool_fd;                  /* or a large one, in an anonymous file; -1 when none */
    size_t spool_len;
    void (*out_free)(void *);      /* how to free out.data: g_free (libvips) or free (passthrough) */
    char timing[48];               /* Server-Timing: how the bytes were made */
};

static void job_cleanup(struct ts_deferred *d)
{
    struct iiif_job *j = (struct iiif_job *)d;
    free(j->id_url);
    free(j->base);
    free(j->if_none_match);
    free(j->if_modified_since);
    ts_centry_unref(j->meta);
    if (j->out_free != NULL && j->out.data != NULL)
        j->out_free(j->out.data);
    if (j->spool_fd >= 0)
        close(j->spool_fd);
    if (j->decided)
        image_decision_release(&j->dec);
}

static char *copy_header(h2o_req_t *req, const h2o_token_t *token)
{
    struct ts_strv v = token_header(req, token);
    return v.p != NULL ? strndup(v.p, v.n) : NULL;
}

/* Finds and probes the file, and remembers it. On failure the job carries the error. */
static int find_meta(struct iiif_job *j)
{
    struct ts_server *srv = j->d.srv;
    struct ts_resolved file;
    struct ts_source src;
    if (ts_resolve(&srv->resolver, j->id, &file, &j->d.err) != 0)
        return -1;
    if (ts_source_open(file.path, &src, &j->d.err) != 0) {
        ts_centry_unref(ts_meta_store_error(srv->meta, j->id, &file, &j->d.err));
        return -1;
    }
    /* a decompression bomb is refused from its header, before any pixel is decoded */
    int64_t max_mp = ts_server_live(srv)->cfg.max_source_mp;
    if ((uint64_t)src.width * src.height > (uint64_t)max_mp * 1000000) {
        ts_error_set(&j->d.err, 501, "the image is %ux%u pixels (%.0f megapixels), more than this server opens (max_source_mp %lld)",
                     src.width, src.height, (double)src.width * src.height / 1e6, (long long)max_mp);
        ts_source_release(&src);
        return -1;
    }
    j->meta = ts_meta_store(srv->meta, j->id, &file, &src);
    if (j->meta == NULL) {
        /* metadata cache off or full: keep a private entry for this request */
        struct ts_meta *m = calloc(1, sizeof(*m));
        struct ts_centry *e = calloc(1, sizeof(*e));
        if (m == NULL || e == NULL || ts_meta_init(m, &file, &src) != 0) {
            free(m);
            free(e);
            ts_source_release(&src);
            return ts_error_set(&j->d.err, 500, "out of memory");
        }
        e->body = m;
        e->free_body = ts_meta_free;
        atomic_init(&e->refs, 1);
        j->meta = e;
    }
    return 0;
}

static void run_info(struct ts_job *job)
{
    find_meta((struct iiif_job *)job);
}

static void respond_info(struct ts_deferred *d, h2o_req_t *req)
{
    struct iiif_job *j = (struct iiif_job *)d;
    answer_info(req, d->srv, j->version, j->ld, j->base, j->id, j->id_url, j->meta->body);
}

/* An anonymous file for a large answer: it vanishes when closed. */
static int spool_open(struct ts_server *srv, struct ts_error *err)
{
    const char *dir = srv->cfg->spool_dir[0] != '\0' ? srv->cfg->spool_dir : "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        /* file systems without O_TMPFILE: a named file, unlinked at once */
        char path[4096];
        snprintf(path, sizeof(path), "%s/tessera-XXXXXX", dir);
        fd = mkostemp(path, O_CLOEXEC);
        if (fd >= 0)
            unlink(path);
    }
    if (fd < 0)
        return ts_error_set(err, 500, "cannot create a spool file for a large answer");
    return fd;
}

/* Makes the answer the decision chose (a stored tile, a render, a spooled render). Errors go to the job. */
/* A stored tile of `src` as it is sent (image/passthrough.h), read from its bytes opened here. */
static int read_stored_tile(const struct ts_source *src, const struct ts_tile_ref *t, bool quick, void **data,
                            size_t *len, struct ts_error *err)
{
    struct ts_bytes *b;
    if (ts_source_bytes(src, &b, err) != 0)
        return -1;
    int rc = ts_passthrough_read(src, b, t, quick, data, len, err);
    ts_bytes_close(b);
    return rc;
}

static void make_answer(struct iiif_job *j)
{
    struct ts_server *srv = j->d.srv;
    const struct ts_meta *m = j->meta->body;
    const struct image_plan *ip = &j->dec.ip;
    const struct ts_render_opts *enc = &ts_server_live(srv)->enc;
    int64_t t0 = ts_now_us();
    switch (j->dec.way) {
    case WAY_STORED: {
        void *raw;
        size_t raw_len;
        if (read_stored_tile(&m->src, &j->dec.tile, false, &raw, &raw_len, &j->d.err) != 0)
            return;
        j->out.data = raw;
        j->out.len = raw_len;
        j->out_free = free;
        snprintf(j->timing, sizeof(j->timing), "passthrough");
        break;
    }
    case WAY_SPOOL: {
        /* Large answers go to an anonymous file and are sent from there: memory stays flat. */
        j->spool_fd = spool_open(srv, &j->d.err);
        if (j->spool_fd < 0)
            return;
        if (ts_render_to_fd(&m->src, &ip->plan, enc, j->spool_fd, &j->out, &j->d.err) != 0)
            return;
        off_t end = lseek(j->spool_fd, 0, SEEK_END);
        if (end <= 0) {
            ts_error_set(&j->d.err, 500, "the spooled answer is empty");
            return;
        }
        j->spool_len = (size_t)end;
        snprintf(j->timing, sizeof(j->timing), "render;dur=%.1f", (double)(ts_now_us() - t0) / 1000.0);
        return; /* not cached: it is large */
    }
    case WAY_RENDER:
        if (ts_render(&m->src, &ip->plan, enc, &j->out, &j->d.err) != 0)
            return;
        j->out_free = g_free;
        snprintf(j->timing, sizeof(j->timing), "%s;dur=%.1f", j->out.direct ? "direct" : "render",
                 (double)(ts_now_us() - t0) / 1000.0);
        break;
    case WAY_NOT_MODIFIED:
    case WAY_CACHED:
        return; /* nothing to make */
    }
    j->dec.entry = ts_cache_put_get(srv->responses, ip->key.data, ip->key.len, j->out.data, j->out.len, j->out_free,
                                    iiif_format_mime(ip->plan.format), NULL);
    if (j->dec.entry != NULL)
        j->out.data = NULL; /* the cache owns the bytes now */
}

static struct ts_strv strv_of(const char *s)
{
    return (struct ts_strv){s, s != NULL ? strlen(s) : 0};
}

static void run_image(struct ts_job *job)
{
    struct iiif_job *j = (struct iiif_job *)job;
    struct ts_server *srv = j->d.srv;
    if (!j->decided) {
        /* the loop did not know the image: find it, and decide here */
        if (j->meta == NULL && find_meta(j) != 0)
            return;
        struct conditions c = {strv_of(j->if_none_match), strv_of(j->if_modified_since)};
        j->decided = true;
        if (image_decide(srv, j->version, j->id, &j->ireq, j->meta->body, &c, &j->dec, &j->d.err) != 0)
            return;
        if (j->dec.way == WAY_NOT_MODIFIED || j->dec.way == WAY_CACHED)
            return;
        /* queued before its image was known: heavy work and work memory take their places now, or wait for them */
        int dr = ts_workers_defer(srv->workers, &j->d.job, j->dec.ip.heavy, j->dec.ip.mem);
        if (dr < 0) {
            ts_error_set(&j->d.err, 503, "the server is busy with large images; try again shortly");
            return;
        }
        if (dr > 0)
            return; /* run again when its turn comes: then it is decided, and made below */
    }
    make_answer(j);
}

static const char *timing_of(const struct iiif_job *j)
{
    switch (j->dec.way) {
    case WAY_NOT_MODIFIED:
        return NULL;
    case WAY_CACHED:
        return "cache";
    default:
        return j->timing;
    }
}

static void respond_image(struct ts_deferred *d, h2o_req_t *req)
{
    struct iiif_job *j = (struct iiif_job *)d;
    const struct image_plan *ip = &j->dec.ip;
    add_image_headers(req, d->srv, j->version, j->id_url, ip->canonical.data, &ip->val, timing_of(j));
    if (j->dec.way == WAY_NOT_MODIFIED) {
        ts_http_send(req, 304, NULL, NULL, 0, NULL);
    } else if (j->spool_fd >= 0) {
        int fd = j->spool_fd;
        j->spool_fd = -1; /* the request closes it */
        ts_http_send_file(req, 200, iiif_format_mime(ip->plan.format), fd, j->spool_len);
    } else if (j->dec.entry != NULL) {
        struct ts_centry *e = j->dec.entry;
        j->dec.entry = NULL; /* the request's pool drops the reference */
        ts_http_send_owned(req, 200, e->content_type, e->body, e->len, e, release_entry);
    } else {
        void *bytes = j->out.data;
        j->out.data = NULL;
        ts_http_send(req, 200, iiif_format_mime(ip->plan.format), bytes, j->out.len, j->out_free);
    }
}

static struct iiif_job *new_job(h2o_req_t *req, enum iiif_version v, enum iiif_url_kind kind, const char *id,
                                struct ts_buf *base, struct ts_buf *id_url)
{
    struct iiif_job *j = ts_deferred_new(req, sizeof(*j), kind == IIIF_URL_INFO ? run_info : run_image);
    j->d.cleanup = job_cleanup;
    j->d.respond = kind == IIIF_URL_INFO ? respond_info : respond_image;
    j->version = v;
    j->kind = kind;
    j->spool_fd = -1;
    memcpy(j->id, id, strlen(id) + 1);
    j->base = ts_buf_take(base, NULL);
    j->id_url = ts_buf_take(id_url, NULL);
    return j;
}

/*
 * Answers an image request on the loop from what the metadata cache knows:
 * decides, then answers 304s, cached bytes and stored tiles that need no
 * slow cut right here; everything else goes to a worker with the decision
 * made. Takes `me` (a reference) and the two buffers.
 */
static int image_on_loop(h2o_req_t *req, struct ts_server *srv, enum iiif_version v, const char *id,
                         const struct iiif_req *ireq, struct ts_centry *me, struct ts_buf *base, struct ts_buf *url)
{
    const struct ts_meta *m = me->body;
    struct conditions c = {token_header(req, H2O_TOKEN_IF_NONE_MATCH), token_header(req, H2O_TOKEN_IF_MODIFIED_SINCE)};
    struct image_decision d;
    struct ts_error err;
    void *raw = NULL;
    size_t raw_len = 0;
    if (image_decide(srv, v, id, ireq, m, &c, &d, &err) != 0)
        goto fail;
    if (d.way == WAY_STORED) {
        /* a stored JPEG tile is read right here: a pread, no decoding (a slow cut is left to a worker) */
        int rc = read_stored_tile(&m->src, &d.tile, true, &raw, &raw_len, &err);
        if (rc < 0)
            goto fail;
        if (rc == 0 && (d.entry = ts_cache_put_get(srv->responses, d.ip.key.data, d.ip.key.len, raw, raw_len, free,
                                                   "image/jpeg", NULL)) != NULL)
            raw = NULL;
        if (rc == TS_DECLINED)
            goto to_worker;
    }
    if (d.way == WAY_NOT_MODIFIED || d.way == WAY_CACHED || d.way == WAY_STORED) {
        const char *timing = d.way == WAY_NOT_MODIFIED ? NULL : d.way == WAY_CACHED ? "cache" : "passthrough";
        add_image_headers(req, srv, v, url->data, d.ip.canonical.data, &d.ip.val, timing);
        if (d.way == WAY_NOT_MODIFIED) {
            ts_http_send(req, 304, NULL, NULL, 0, NULL);
        } else if (d.entry != NULL) {
            struct ts_centry *e = d.entry;
            d.entry = NULL; /* the request's pool drops the reference */
            ts_http_send_owned(req, 200, e->content_type, e->body, e->len, e, release_entry);
        } else {
            ts_http_send(req, 200, "image/jpeg", raw, raw_len, free);
        }
        image_decision_release(&d);
        ts_centry_unref(me);
        ts_buf_release(base);
        ts_buf_release(url);
        return 0;
    }
to_worker:;
    struct iiif_job *j = new_job(req, v, IIIF_URL_IMAGE, id, base, url);
    j->ireq = *ireq;
    j->meta = me;
    j->decided = true;
    j->dec = d;
    j->d.job.heavy = d.ip.heavy;
    j->d.job.mem = d.ip.mem;
    return ts_deferred_submit(&j->d);
fail:
    image_decision_release(&d);
    ts_centry_unref(me);
    ts_buf_release(base);
    ts_buf_release(url);
    ts_http_error(req, &err);
    return 0;
}

/*
 * Reads an Image API URL after its version prefix: the identifier, and for
 * an image request its parameters (in a format this server writes).
 * Returns 0, or -1 with `err` (404 for a path that is no Image API URL,
 * 400 for bad parameters).
 */
static int read_url(struct ts_server *srv, enum iiif_version v, const char *rest, size_t n, struct iiif_url *u,
                    char id[IIIF_IDENT_MAX + 1], struct iiif_req *ireq, struct ts_error *err)
{
    iiif_url_split(rest, n, u);
    if (u->kind == IIIF_URL_OTHER)
        return ts_error_set(err, 404,
                            "not an Image API URL: expected {identifier}/info.json or "
                            "{identifier}/{region}/{size}/{rotation}/{quality}.{format}, with '/' in identifiers "
                            "written %%2F");
    if (iiif_ident_decode(u->id, u->id_len, id, IIIF_IDENT_MAX + 1, err) != 0)
        return -1;
    if (u->kind != IIIF_URL_IMAGE)
        return 0;
    if (iiif_req_parse(v, u->params, u->params_len, ireq, err) != 0)
        return -1;
    if (!srv->formats.ok[ireq->format])
        return ts_error_set(err, 400, "format %s is not supported by this server", iiif_format_ext(ireq->format));
    return 0;
}

/*
 * The public base of the request and the image's id under it
 * (base/iiif/N/{identifier}), into `base` and `url`. Returns 0, or -1 after
 * answering the request (a bad Host, a URL too long).
 */
static int public_urls(h2o_req_t *req, enum iiif_version v, const char *id, struct ts_buf *base, struct ts_buf *url)
{
    int brc = ts_request_base(req, base);
    if (brc != 0) {
        ts_request_base_error(req, brc, base);
        return -1;
    }
    int rc = ts_buf_add(url, base->data ? base->data : "", base->len);
    rc |= ts_buf_addf(url, "/iiif/%d/", v == IIIF_V3 ? 3 : 2);
    rc |= iiif_ident_encode(id, url);
    if (rc != 0 || url->data == NULL || base->data == NULL) {
        ts_http_errorf(req, 414, "the URL is too long");
        return -1;
    }
    return 0;
}

/* What an Image API route holds: the server, and the version its prefix names. */
struct iiif_route {
    struct ts_server *srv;
    enum iiif_version v;
};

/*
 * Answers a request whose path (without query) after the version prefix
 * (`/iiif/3/`) is `rest` (`n` bytes): the URL is read on the loop (400s and
 * 404s at once); the base URL redirects to info.json; what the metadata
 * cache knows is answered here (image_on_loop, answer_info), the rest on a
 * worker.
 */
static int on_image_api(void *state, h2o_req_t *req, const char *rest, size_t n)
{
    struct ts_server *srv = ((struct iiif_route *)state)->srv;
    enum iiif_version v = ((struct iiif_route *)state)->v;
    if (n == 0) { /* /iiif/3/ itself */
        ts_http_redirect_home(req);
        return 0;
    }
    struct iiif_url u;
    struct iiif_req ireq;
    struct ts_error err;
    char id[IIIF_IDENT_MAX + 1];
    if (read_url(srv, v, rest, n, &u, id, &ireq, &err) != 0) {
        ts_http_error(req, &err);
        return 0;
    }
    struct ts_buf base, url;
    ts_buf_init(&base, 4096);
    ts_buf_init(&url, 8192);
    if (public_urls(req, v, id, &base, &url) != 0)
        goto done;
    if (u.kind == IIIF_URL_BASE) {
        ts_buf_adds(&url, "/info.json");
        ts_http_header(req, "location", url.data);
        static const char body[] = "See the image information at the Location of this response.\n";
        ts_http_send(req, 303, "text/plain; charset=utf-8", (void *)body, sizeof(body) - 1, NULL);
        goto done;
    }
    /* What the metadata cache knows answers most requests right here. */
    struct ts_centry *me = ts_meta_lookup(srv->meta, id);
    const struct ts_meta *m = me != NULL ? me->body : NULL;
    if (m != NULL && m->error.status != 0) {
        /* this version of the file was probed and is not a readable image: say so again, on the loop */
        ts_http_error(req, &m->error);
        ts_centry_unref(me);
        goto done;
    }
    if (u.kind == IIIF_URL_INFO) {
        struct ts_strv accept = token_header(req, H2O_TOKEN_ACCEPT);
        bool ld = ts_conneg_ld(accept.p, accept.n, v == IIIF_V3);
        if (m != NULL) {
            answer_info(req, srv, v, ld, base.data, id, url.data, m);
            ts_centry_unref(me);
            goto done;
        }
        struct iiif_job *j = new_job(req, v, u.kind, id, &base, &url);
        j->ld = ld;
        return ts_deferred_submit(&j->d);
    }
    if (m != NULL)
        return image_on_loop(req, srv, v, id, &ireq, me, &base, &url);
    struct iiif_job *j = new_job(req, v, u.kind, id, &base, &url);
    j->ireq = ireq;
    j->if_none_match = copy_header(req, H2O_TOKEN_IF_NONE_MATCH);
    j->if_modified_since = copy_header(req, H2O_TOKEN_IF_MODIFIED_SINCE);
    return ts_deferred_submit(&j->d);
done:
    ts_buf_release(&base);
    ts_buf_release(&url);
    return 0;
}

int ts_iiif_register(struct ts_router *r, struct ts_server *srv)
{
    static const struct {
        const char *path;
        enum iiif_version v;
    } prefixes[] = {{"/iiif/3/", IIIF_V3}, {"/iiif/2/", IIIF_V2}};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        struct iiif_route *st = malloc(sizeof(*st));
        if (st == NULL || ts_router_on_free(r, free, st) != 0)
            return -1;
        st->srv = srv;
        st->v = prefixes[i].v;
        struct ts_route route = {prefixes[i].path, false, TS_M_READ, TS_R_ACCESS | TS_R_WORKER, on_image_api, st};
        if (ts_router_add(r, &route) != 0)
            return -1;
    }
    return 0;
}
