/*
 * iiif_routes.c: Image API requests, from URL to deferred response.
 *
 * Everything that needs no disk is decided on the event loop: the URL shape,
 * the identifier's syntax, the image parameters (400s) and the public id.
 * Resolving the file, reading its header and rendering happen on a worker.
 */
#include "http/iiif_routes.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "http/conneg.h"
#include "http/pubbase.h"
#include "http/respond.h"
#include "iiif/ident.h"
#include "iiif/plan.h"
#include "iiif/url.h"
#include "json/info.h"

#define CT_INFO3 "application/ld+json;profile=\"http://iiif.io/api/image/3/context.json\""
#define CT_INFO2_LD "application/ld+json;profile=\"http://iiif.io/api/image/2/context.json\""
#define CONTEXT2_LINK "<http://iiif.io/api/image/2/context.json>;rel=\"http://www.w3.org/ns/json-ld#context\";type=\"application/ld+json\""

static struct ts_strv header(h2o_req_t *req, const char *name, size_t n)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, n, -1);
    if (i < 0)
        return (struct ts_strv){NULL, 0};
    return (struct ts_strv){req->headers.entries[i].value.base, req->headers.entries[i].value.len};
}

int ts_request_base(h2o_req_t *req, struct ts_buf *out)
{
    struct ts_loop *loop = (struct ts_loop *)req->conn->ctx;
    struct ts_pubbase_in in = {
        .configured = loop->srv->cfg->base_url,
        .forwarded = header(req, H2O_STRLIT("forwarded")),
        .xf_proto = header(req, H2O_STRLIT("x-forwarded-proto")),
        .xf_host = header(req, H2O_STRLIT("x-forwarded-host")),
        .xf_port = header(req, H2O_STRLIT("x-forwarded-port")),
        .xf_prefix = header(req, H2O_STRLIT("x-forwarded-prefix")),
        .host = {req->authority.base, req->authority.len},
        .tls = req->scheme == &H2O_URL_SCHEME_HTTPS,
        .fallback_host = loop->srv->fallback_host,
    };
    return ts_pubbase(&in, out);
}

/* Work shared by info and image requests. */
struct iiif_job {
    struct ts_deferred d;          /* must stay first */
    enum iiif_version version;
    char id[IIIF_IDENT_MAX + 1];   /* decoded identifier */
    char *id_url;                  /* public id: base + prefix + encoded identifier */
    struct iiif_req ireq;          /* image requests */
};

static void job_cleanup(struct ts_deferred *d)
{
    free(((struct iiif_job *)d)->id_url);
}

/* Resolves and opens the source, or records the error in the job. */
static int open_source(struct iiif_job *j, struct ts_source *src)
{
    struct ts_resolved file;
    if (ts_resolve(&j->d.srv->resolver, j->id, &file, &j->d.err) != 0)
        return -1;
    return ts_source_open(file.path, src, &j->d.err);
}

static void run_info(struct ts_job *job)
{
    struct iiif_job *j = (struct iiif_job *)job;
    struct ts_server *srv = j->d.srv;
    struct ts_source src;
    if (open_source(j, &src) != 0)
        return;
    struct ts_info_opts o = {
        .limits = &srv->limits,
        .tile_size = (uint32_t)srv->cfg->tile_size,
        .formats = &srv->formats,
        .rights = srv->cfg->rights,
        .preferred_formats = srv->cfg->preferred_formats,
    };
    j->d.body = ts_info_json(j->version, j->id_url, &src, &o, &j->d.len);
    j->d.free_body = free;
    if (j->d.body == NULL)
        ts_error_set(&j->d.err, 500, "out of memory building info.json");
    ts_source_release(&src);
}

static void run_image(struct ts_job *job)
{
    struct iiif_job *j = (struct iiif_job *)job;
    struct ts_server *srv = j->d.srv;
    struct ts_source src;
    if (open_source(j, &src) != 0)
        return;
    struct iiif_plan plan;
    if (iiif_plan_make(&j->ireq, src.width, src.height, &srv->limits, &plan, &j->d.err) != 0)
        goto out;
    struct ts_output img;
    if (ts_render(&src, &plan, &srv->enc, &img, &j->d.err) != 0)
        goto out;
    j->d.body = img.data;
    j->d.len = img.len;
    j->d.free_body = g_free;
    j->d.content_type = iiif_format_mime(plan.format);

    struct ts_buf link;
    ts_buf_init(&link, 8192);
    ts_buf_adds(&link, "<");
    ts_buf_adds(&link, j->id_url);
    ts_buf_adds(&link, "/");
    iiif_plan_canonical(&plan, src.width, src.height, &srv->limits, &link);
    ts_buf_addf(&link, ">;rel=\"canonical\", <http://iiif.io/api/image/%d/level2.json>;rel=\"profile\"",
                j->version == IIIF_V3 ? 3 : 2);
    if (link.data != NULL)
        ts_deferred_header(&j->d, "link", link.data);
    ts_buf_release(&link);
    if (srv->cfg->cache_control[0] != '\0')
        ts_deferred_header(&j->d, "cache-control", srv->cfg->cache_control);
out:
    ts_source_release(&src);
}

int ts_iiif_handle(h2o_req_t *req, enum iiif_version v, const char *rest, size_t n)
{
    struct ts_server *srv = ((struct ts_loop *)req->conn->ctx)->srv;
    struct iiif_url u;
    iiif_url_split(rest, n, &u);
    if (u.kind == IIIF_URL_OTHER) {
        ts_http_errorf(req, 404,
                       "not an Image API URL: expected {identifier}/info.json or "
                       "{identifier}/{region}/{size}/{rotation}/{quality}.{format}, with '/' in identifiers "
                       "written %%2F");
        return 0;
    }
    struct ts_error err;
    char id[IIIF_IDENT_MAX + 1];
    if (iiif_ident_decode(u.id, u.id_len, id, sizeof(id), &err) != 0) {
        ts_http_error(req, &err);
        return 0;
    }
    struct iiif_req ireq;
    if (u.kind == IIIF_URL_IMAGE) {
        if (iiif_req_parse(v, u.params, u.params_len, &ireq, &err) != 0) {
            ts_http_error(req, &err);
            return 0;
        }
        if (!srv->formats.ok[ireq.format]) {
            ts_http_errorf(req, 400, "format %s is not supported by this server", iiif_format_ext(ireq.format));
            return 0;
        }
    }

    struct ts_buf url;
    ts_buf_init(&url, 8192);
    int rc = ts_request_base(req, &url);
    rc |= ts_buf_addf(&url, "/iiif/%d/", v == IIIF_V3 ? 3 : 2);
    rc |= iiif_ident_encode(id, &url);
    if (rc != 0 || url.data == NULL) {
        ts_buf_release(&url);
        ts_http_errorf(req, 414, "the URL is too long");
        return 0;
    }

    if (u.kind == IIIF_URL_BASE) {
        ts_buf_adds(&url, "/info.json");
        ts_http_header(req, "location", url.data);
        static const char body[] = "See the image information at the Location of this response.\n";
        ts_http_send(req, 303, "text/plain; charset=utf-8", (void *)body, sizeof(body) - 1, NULL);
        ts_buf_release(&url);
        return 0;
    }

    struct iiif_job *j = ts_deferred_new(req, sizeof(*j), u.kind == IIIF_URL_INFO ? run_info : run_image);
    j->d.cleanup = job_cleanup;
    j->version = v;
    memcpy(j->id, id, strlen(id) + 1);
    j->id_url = ts_buf_take(&url, NULL);
    if (u.kind == IIIF_URL_INFO) {
        ssize_t ai = h2o_find_header(&req->headers, H2O_TOKEN_ACCEPT, -1);
        const char *accept = ai >= 0 ? req->headers.entries[ai].value.base : NULL;
        size_t alen = ai >= 0 ? req->headers.entries[ai].value.len : 0;
        bool ld = ts_conneg_ld(accept, alen, v == IIIF_V3);
        if (v == IIIF_V3) {
            j->d.content_type = ld ? CT_INFO3 : "application/json";
        } else {
            j->d.content_type = ld ? CT_INFO2_LD : "application/json";
            if (!ld)
                ts_deferred_header(&j->d, "link", CONTEXT2_LINK);
        }
        ts_deferred_header(&j->d, "vary", "Accept");
        if (srv->cfg->cache_control[0] != '\0')
            ts_deferred_header(&j->d, "cache-control", srv->cfg->cache_control);
    } else {
        j->ireq = ireq;
    }
    return ts_deferred_submit(&j->d);
}
