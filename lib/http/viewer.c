/*
 * viewer.c: viewer pages and their assets.
 */
#include "http/viewer.h"
#include "resolve/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/datadir.h"
#include "http/reqbase.h"
#include "http/respond.h"
#include "http/state.h"
#include "iiif/ident.h"
#include "present/manifest.h"
#include "present/pages.h"
#include "present/route.h"

#define ASSET_CACHE "public, max-age=31536000, immutable"

struct ts_viewer {
    char *dir;                 /* node_modules with the packages, or NULL when not installed */
    char osd_version[32];      /* "" when missing */
    char mirador_version[32];
};

/* Finds the packages under `dir` (a node_modules folder). Missing packages are not an error. */
static void viewer_init(struct ts_viewer *v, const char *dir)
{
    memset(v, 0, sizeof(*v));
    char real[PATH_MAX];
    if (dir == NULL || realpath(dir, real) == NULL)
        return;
    v->dir = strdup(real);
    ts_package_version(real, "openseadragon", v->osd_version);
    ts_package_version(real, "mirador", v->mirador_version);
    if (v->osd_version[0] == '\0' || v->mirador_version[0] == '\0')
        ts_log_warn("viewer assets missing in %s (run scripts/viewer-deps.sh): the /viewer/ pages will answer 503", real);
}

static void viewer_free(void *state)
{
    struct ts_viewer *v = state;
    free(v->dir);
    free(v);
}

void ts_viewer_link(struct ts_buf *out, const char *rel, bool collection)
{
    ts_buf_adds(out, collection ? "/viewer/collection" : "/viewer/manifest");
    if (rel[0] != '\0') {
        ts_buf_adds(out, "/");
        ts_present_path_encode(rel, out);
    }
}

static const char *type_of(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".js", "text/javascript; charset=utf-8"}, {".mjs", "text/javascript; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},        {".png", "image/png"},
                 {".svg", "image/svg+xml"},                  {".map", "application/json"},
                 {".json", "application/json"}};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        size_t k = strlen(types[i].ext);
        if (n > k && strcmp(name + n - k, types[i].ext) == 0)
            return types[i].type;
    }
    return NULL;
}

/* /assets/{pkg}-{version}/{file}: only the built files of the two packages. */
static int asset(h2o_req_t *req, const struct ts_viewer *v, const char *rest, size_t n)
{
    char want[PATH_MAX];
    if (n >= sizeof(want) || v->dir == NULL) {
        ts_http_errorf(req, 404, "no such viewer asset");
        return 0;
    }
    memcpy(want, rest, n);
    want[n] = '\0';
    char osd[64], mir[64];
    snprintf(osd, sizeof(osd), "openseadragon-%s/", v->osd_version);
    snprintf(mir, sizeof(mir), "mirador-%s/", v->mirador_version);
    const char *file, *sub;
    if (v->osd_version[0] && strncmp(want, osd, strlen(osd)) == 0) {
        file = want + strlen(osd);
        sub = "openseadragon/build/openseadragon";
    } else if (v->mirador_version[0] && strncmp(want, mir, strlen(mir)) == 0) {
        file = want + strlen(mir);
        sub = "mirador/dist";
    } else {
        ts_http_errorf(req, 404, "no such viewer asset (the URL names the package version)");
        return 0;
    }
    const char *type = type_of(file);
    if (type == NULL || strstr(file, "..") != NULL || file[0] == '/' || file[0] == '.' || strchr(file, '\\') != NULL) {
        ts_http_errorf(req, 404, "no such viewer asset");
        return 0;
    }
    char path[PATH_MAX];
    struct stat st;
    int why = 0, fd = -1;
    /* the assets are confined to the viewer packages' folder as images are to the root */
    if (snprintf(path, sizeof(path), "%s/%s/%s", v->dir, sub, file) < (int)sizeof(path))
        fd = ts_open_confined(v->dir, path, &st, &why);
    if (fd < 0) {
        ts_http_errorf(req, 404, "no such viewer asset");
        return 0;
    }
    ts_http_header(req, "cache-control", ASSET_CACHE);
    ts_http_send_file(req, 200, type, fd, (size_t)st.st_size);
    return 0;
}

static void send_page(h2o_req_t *req, struct ts_buf *b)
{
    if (b->data == NULL) {
        ts_http_errorf(req, 500, "out of memory");
        return;
    }
    size_t len;
    char *html = ts_buf_take(b, &len);
    ts_http_header(req, "cache-control", "no-cache");
    const char *vary = ts_request_vary(req, NULL);
    if (vary != NULL)
        ts_http_header(req, "vary", vary);
    ts_http_send(req, 200, "text/html; charset=utf-8", html, len, free);
}

/* Answers `rest` (`n` bytes after "/viewer"). */
static int on_viewer(void *state, h2o_req_t *req, const char *rest, size_t n)
{
    const struct ts_viewer *v = state;
    if (n > 8 && memcmp(rest, "/assets/", 8) == 0)
        return asset(req, v, rest + 8, n - 8);
    if (v->osd_version[0] == '\0' || v->mirador_version[0] == '\0') {
        ts_http_header(req, "retry-after", "3600");
        ts_http_errorf(req, 503, "the viewer assets are not installed: run scripts/viewer-deps.sh (npm ci in viewer/)");
        return 0;
    }
    char *base = ts_request_base_or_error(req);
    if (base == NULL)
        return 0;
    struct ts_buf b;
    ts_buf_init(&b, 1 << 16);
    if (n > 7 && memcmp(rest, "/image/", 7) == 0) {
        /* /viewer/image/{identifier, %2F-encoded as in the Image API} */
        char id[IIIF_IDENT_MAX + 1];
        struct ts_error err;
        if (iiif_ident_decode(rest + 7, n - 7, id, sizeof(id), &err) != 0) {
            free(base);
            ts_buf_release(&b);
            ts_http_error(req, &err);
            return 0;
        }
        struct ts_buf info;
        ts_buf_init(&info, 1 << 14);
        ts_buf_addf(&info, "%s/iiif/3/", base);
        iiif_ident_encode(id, &info);
        ts_buf_adds(&info, "/info.json");
        struct ts_buf assets;
        ts_buf_init(&assets, 8192);
        ts_buf_addf(&assets, "%s/viewer/assets", base);
        ts_page_osd(&b, id, assets.data ? assets.data : "", v->osd_version, info.data ? info.data : "", "/");
        ts_buf_release(&assets);
        ts_buf_release(&info);
    } else if ((n > 10 && memcmp(rest, "/manifest/", 10) == 0) || (n >= 11 && memcmp(rest, "/collection", 11) == 0)) {
        bool collection = rest[1] == 'c';
        const char *p = rest + (collection ? 11 : 10);
        size_t pn = n - (size_t)(p - rest);
        /* reuse the Presentation URL parser: {path}/manifest or [{path}/]collection */
        struct ts_buf url;
        ts_buf_init(&url, 1 << 14);
        if (collection && pn > 0 && p[0] == '/') {
            ts_buf_add(&url, p, pn);
        } else if (!collection) {
            ts_buf_adds(&url, "/");
            ts_buf_add(&url, p, pn);
        }
        ts_buf_adds(&url, collection ? "/collection" : "/manifest");
        struct ts_proute r;
        struct ts_error err;
        if ((collection && pn > 0 && p[0] != '/') || url.data == NULL ||
            ts_proute_parse(url.data, url.len, &r, &err) != 0) {
            ts_buf_release(&url);
            free(base);
            ts_buf_release(&b);
            ts_http_errorf(req, 404, "not a viewer page: /viewer/manifest/{path} or /viewer/collection[/{path}]");
            return 0;
        }
        struct ts_buf doc;
        ts_buf_init(&doc, 1 << 14);
        ts_present_prefix(base, r.path, &doc);
        ts_buf_adds(&doc, collection ? "/collection" : "/manifest");
        struct ts_buf assets;
        ts_buf_init(&assets, 8192);
        ts_buf_addf(&assets, "%s/viewer/assets", base);
        ts_page_mirador(&b, r.path[0] ? r.path : "Collection", assets.data ? assets.data : "", v->mirador_version,
                        doc.data ? doc.data : "", "/");
        ts_buf_release(&assets);
        ts_buf_release(&doc);
        ts_buf_release(&url);
    } else {
        free(base);
        ts_buf_release(&b);
        ts_http_errorf(req, 404,
                       "not a viewer page: /viewer/image/{identifier}, /viewer/manifest/{path}, /viewer/collection");
        return 0;
    }
    free(base);
    send_page(req, &b);
    return 0;
}

int ts_viewer_register(struct ts_router *r, const char *dir)
{
    char found[PATH_MAX], looked[1024];
    if (dir[0] == '\0') {
        if (ts_data_dir(TS_DATA_VIEWER, found, sizeof(found), looked, sizeof(looked)) == 0) {
            dir = found;
        } else {
            ts_log_warn("no viewer assets (looked in %s): the /viewer/ pages will answer 503", looked);
            dir = NULL;
        }
    }
    struct ts_viewer *v = malloc(sizeof(*v));
    if (v == NULL)
        return -1;
    viewer_init(v, dir);
    if (ts_router_on_free(r, viewer_free, v) != 0)
        return -1;
    struct ts_route route = {"/viewer", false, TS_M_READ, 0, on_viewer, v};
    return ts_router_add(r, &route);
}
