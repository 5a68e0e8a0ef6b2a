/*
 * export.c: a static IIIF site.
 */
#include "present/export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/path.h"
#include "core/datadir.h"
#include "iiif/ident.h"
#include "image/render.h"
#include "image/source.h"
#include "json/info.h"
#include "present/manifest.h"
#include "present/natsort.h"
#include "present/pages.h"
#include "present/probe.h"
#include "present/route.h"

struct ex {
    const struct ts_config *cfg;
    const char *out;
    const char *base;
    const struct ts_export_opts *o;
    struct ts_walk walk;         /* each real folder once, within the walk bounds */
    struct timespec t0;          /* when this export began, by the clock of OUT's file system */
    json_t *index_lines;         /* [rel, html] of each viewer page, for index.html */
    struct ts_resolver r;
    struct iiif_limits lim;
    struct ts_render_opts enc;
    struct ts_formats formats;
    struct ts_export_stats *st;
    struct ts_error *err;
    char osd[32], mirador[32];  /* viewer package versions, "" when not installed */
};

static int mkdirs(const char *path)
{
    char tmp[PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof(tmp))
        return -1;
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* Whether a file in OUT was written by this export (not left from an earlier one). */
static bool written_now(const struct ex *x, const struct stat *st)
{
    return st->st_mtim.tv_sec > x->t0.tv_sec || (st->st_mtim.tv_sec == x->t0.tv_sec && st->st_mtim.tv_nsec >= x->t0.tv_nsec);
}

/* Writes `len` bytes to OUT/`rel`, creating its folders. */
static int put(struct ex *x, const char *rel, const void *data, size_t len)
{
    char path[PATH_MAX * 3];
    if (snprintf(path, sizeof(path), "%s/%s", x->out, rel) >= (int)sizeof(path))
        return ts_error_set(x->err, 500, "the path %s is too long", rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    if (mkdirs(path) != 0)
        return ts_error_set(x->err, 500, "cannot create %s: %s", path, strerror(errno));
    *slash = '/';
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return ts_error_set(x->err, 500, "cannot write %s: %s", path, strerror(errno));
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w <= 0) {
            close(fd);
            return ts_error_set(x->err, 500, "cannot write %s: %s", path, strerror(errno));
        }
        p += w;
        len -= (size_t)w;
    }
    return close(fd) == 0 ? 0 : ts_error_set(x->err, 500, "cannot write %s", path);
}

static int put_json(struct ex *x, const char *rel, const json_t *doc)
{
    char *s = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    if (s == NULL)
        return ts_error_set(x->err, 500, "out of memory");
    int rc = put(x, rel, s, strlen(s));
    free(s);
    x->st->documents += rc == 0;
    return rc;
}

/* The identifier of an image on a static host: its path with "/" written "~". */
static void export_id(const char *rel, char *out, size_t cap)
{
    snprintf(out, cap, "%s", rel);
    for (char *p = out; *p != '\0'; p++)
        if (*p == '/')
            *p = '~';
}

/* Renders region (x, y, w, h) at (sw, sh) as JPEG to iiif/3/{id}/{region}/{size}/0/default.jpg. */
static int put_image(struct ex *x, const struct ts_source *src, const char *id, uint32_t rx, uint32_t ry, uint32_t rw,
                     uint32_t rh, uint32_t sw, uint32_t sh, const char *region, const char *size)
{
    char rel[PATH_MAX * 2];
    snprintf(rel, sizeof(rel), "iiif/3/%s/%s/%s/0/default.jpg", id, region, size);
    char path[PATH_MAX * 3];
    struct stat st;
    if (snprintf(path, sizeof(path), "%s/%s", x->out, rel) < (int)sizeof(path) && stat(path, &st) == 0 &&
        st.st_size > 0 && written_now(x, &st)) {
        x->st->tiles++; /* written under this name already in this export (the same tile by both roundings) */
        return 0;
    }
    struct iiif_plan p = {IIIF_V3, rx, ry, rw, rh, sw, sh, false, 0, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG};
    struct ts_output o;
    if (ts_render(src, &p, &x->enc, &o, x->err) != 0)
        return -1;
    int rc = put(x, rel, o.data, o.len);
    ts_output_release(&o);
    x->st->tiles += rc == 0;
    return rc;
}

static int export_image(struct ex *x, const char *rel)
{
    struct ts_resolved file;
    struct ts_source src;
    struct ts_error e;
    if (ts_resolve(&x->r, rel, &file, &e) != 0 || ts_source_open(file.path, &src, &e) != 0) {
        fprintf(stderr, "tessera: %s: left out: %s\n", rel, e.msg);
        x->st->problems++;
        return 0;
    }
    char id[PATH_MAX];
    export_id(rel, id, sizeof(id));
    struct ts_info_opts io = {&x->lim, (uint32_t)x->cfg->tile_size, &x->formats, "", ""};
    char url[PATH_MAX * 2];
    snprintf(url, sizeof(url), "%s/iiif/3/%s", x->base, id);
    json_t *info = ts_info_level0(url, &src, &io);
    char rp[PATH_MAX * 2];
    snprintf(rp, sizeof(rp), "iiif/3/%s/info.json", id);
    int rc = put_json(x, rp, info);
    uint32_t W = src.width, H = src.height;
    json_t *tiles = json_array_get(json_object_get(info, "tiles"), 0);
    uint32_t tw = (uint32_t)json_integer_value(json_object_get(tiles, "width"));
    json_t *thj = json_object_get(tiles, "height");
    uint32_t th = thj != NULL ? (uint32_t)json_integer_value(thj) : tw;
    size_t k;
    json_t *sfj;
    /* every tile at every scale factor */
    json_array_foreach(json_object_get(tiles, "scaleFactors"), k, sfj)
    {
        uint32_t sf = (uint32_t)json_integer_value(sfj);
        uint64_t span_w = (uint64_t)tw * sf, span_h = (uint64_t)th * sf;
        /* the level's size as OpenSeadragon rounds it (to nearest) */
        uint64_t lw_round = ((uint64_t)2 * W + sf) / (2 * (uint64_t)sf), lh_round = ((uint64_t)2 * H + sf) / (2 * (uint64_t)sf);
        for (uint64_t y = 0; rc == 0 && y < H; y += span_h) {
            for (uint64_t xx = 0; rc == 0 && xx < W; xx += span_w) {
                uint32_t rw = (uint32_t)(xx + span_w <= W ? span_w : W - xx);
                uint32_t rh = (uint32_t)(y + span_h <= H ? span_h : H - y);
                uint32_t sw = (rw + sf - 1) / sf, sh = (rh + sf - 1) / sf; /* the Image API's ceiling */
                char region[96], size[48];
                if (xx == 0 && y == 0 && rw == W && rh == H)
                    snprintf(region, sizeof(region), "full");
                else
                    snprintf(region, sizeof(region), "%llu,%llu,%u,%u", (unsigned long long)xx, (unsigned long long)y,
                             rw, rh);
                snprintf(size, sizeof(size), "%u,%u", sw, sh);
                rc = put_image(x, &src, id, (uint32_t)xx, (uint32_t)y, rw, rh, sw, sh, region, size);
                /* OpenSeadragon's sizes at the edges: the level size rounded, less the tiles before */
                uint64_t col = xx / span_w, row = y / span_h;
                uint32_t ow = (uint32_t)(lw_round - col * tw < tw ? lw_round - col * tw : tw);
                uint32_t oh = (uint32_t)(lh_round - row * th < th ? lh_round - row * th : th);
                if (rc == 0 && ow > 0 && oh > 0 && (ow != sw || oh != sh)) {
                    snprintf(size, sizeof(size), "%u,%u", ow, oh);
                    rc = put_image(x, &src, id, (uint32_t)xx, (uint32_t)y, rw, rh, ow, oh, region, size);
                }
            }
        }
    }
    /* every advertised size, and full/max */
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(info, "sizes"), i, s)
    {
        if (rc != 0)
            break;
        uint32_t sw = (uint32_t)json_integer_value(json_object_get(s, "width"));
        uint32_t sh = (uint32_t)json_integer_value(json_object_get(s, "height"));
        char size[48];
        snprintf(size, sizeof(size), "%u,%u", sw, sh);
        rc = put_image(x, &src, id, 0, 0, W, H, sw, sh, "full", size);
    }
    if (rc == 0) {
        uint32_t mw, mh;
        iiif_max_size(W, H, &x->lim, false, &mw, &mh);
        rc = put_image(x, &src, id, 0, 0, W, H, mw, mh, "full", "max");
    }
    json_decref(info);
    ts_source_release(&src);
    x->st->images++;
    if (x->o->tty && !x->o->quiet)
        fprintf(stderr, "\r%ld images, %ld tiles ", x->st->images, x->st->tiles);
    else if (!x->o->quiet && x->st->images % 100 == 0)
        fprintf(stderr, "tessera export: %ld images, %ld tiles and sizes so far\n", x->st->images, x->st->tiles);
    return rc;
}

/*
 * Rewrites a document for the static site: image URLs to the "~"
 * identifiers, Manifest and Collection ids to their .json files, and the
 * Image API 2 services (not exported) out.
 */
static void rewrite(struct ex *x, json_t *v)
{
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v);) {
            json_t *it = json_array_get(v, i);
            const char *t = json_string_value(json_object_get(it, "@type"));
            if (t != NULL && strcmp(t, "ImageService2") == 0) {
                json_array_remove(v, i);
                continue;
            }
            rewrite(x, it);
            i++;
        }
        return;
    }
    if (!json_is_object(v))
        return;
    const char *k;
    json_t *val;
    void *tmp;
    json_object_foreach_safe(v, tmp, k, val)
    {
        if (json_is_string(val)) {
            const char *s = json_string_value(val);
            size_t bl = strlen(x->base);
            if (strncmp(s, x->base, bl) == 0 && strncmp(s + bl, "/iiif/3/", 8) == 0) {
                const char *idp = s + bl + 8;
                const char *end = strchr(idp, '/');
                size_t n = end != NULL ? (size_t)(end - idp) : strlen(idp);
                char dec[PATH_MAX], id[PATH_MAX];
                size_t dl;
                struct ts_error e;
                if (iiif_percent_decode(idp, n, dec, sizeof(dec), &dl, &e) == 0) {
                    export_id(dec, id, sizeof(id));
                    char *u = NULL;
                    if (asprintf(&u, "%s/iiif/3/%s%s", x->base, id, end != NULL ? end : "") >= 0) {
                        json_object_set_new(v, k, json_string(u));
                        free(u);
                    }
                }
            } else if (strcmp(k, "id") == 0 && strncmp(s, x->base, bl) == 0 &&
                       strncmp(s + bl, "/iiif/presentation/", 19) == 0) {
                size_t n = strlen(s);
                if ((n > 9 && strcmp(s + n - 9, "/manifest") == 0) || (n > 11 && strcmp(s + n - 11, "/collection") == 0)) {
                    char *u = NULL;
                    if (asprintf(&u, "%s.json", s) >= 0) {
                        json_object_set_new(v, k, json_string(u));
                        free(u);
                    }
                }
            }
        } else {
            rewrite(x, val);
        }
    }
}

/* The viewer page for a document, and its line in index.html. */
static int viewer_page(struct ex *x, const char *rel, bool collection, const char *doc_url, const char *label)
{
    if (x->mirador[0] == '\0')
        return 0;
    struct ts_buf page, assets, where;
    ts_buf_init(&page, 1 << 16);
    ts_buf_init(&assets, 8192);
    ts_buf_init(&where, 8192);
    ts_buf_addf(&assets, "%s/viewer/assets", x->base);
    ts_page_mirador(&page, rel[0] ? rel : "Collection", assets.data, x->mirador, doc_url, x->base);
    ts_buf_adds(&where, collection ? "viewer/collection" : "viewer/manifest");
    if (rel[0] != '\0') {
        ts_buf_adds(&where, "/");
        ts_buf_adds(&where, rel);
    }
    ts_buf_adds(&where, "/index.html");
    int rc = put(x, where.data, page.data, page.len);
    struct ts_buf line;
    ts_buf_init(&line, 1 << 16);
    ts_buf_adds(&line, "<li><a href=\"");
    ts_buf_add_html(&line, where.data);
    ts_buf_adds(&line, "\">");
    ts_buf_add_html(&line, label);
    ts_buf_adds(&line, "</a> &middot; <a href=\"");
    ts_buf_add_html(&line, doc_url);
    ts_buf_adds(&line, collection ? "\">collection JSON</a></li>\n" : "\">manifest JSON</a></li>\n");
    if (line.data != NULL)
        json_array_append_new(x->index_lines, json_pack("[s,s]", rel, line.data));
    ts_buf_release(&line);
    ts_buf_release(&page);
    ts_buf_release(&assets);
    ts_buf_release(&where);
    return rc;
}

/* The id of the document for `rel` of kind `kind`, as the collections list it (before rewrite). */
static char *doc_id(const struct ex *x, const char *rel, enum ts_pkind kind)
{
    struct ts_buf b;
    ts_buf_init(&b, 1 << 16);
    ts_present_prefix(x->base, rel, &b);
    ts_buf_adds(&b, kind == TS_P_COLLECTION ? "/collection" : "/manifest");
    return ts_buf_take(&b, NULL);
}

/* Leaves out of a Collection's items those not in the site (left out of the export). */
static void keep_exported(json_t *doc, const json_t *exported)
{
    json_t *items = json_object_get(doc, "items");
    for (size_t i = 0; i < json_array_size(items);) {
        const char *id = json_string_value(json_object_get(json_array_get(items, i), "id"));
        if (id != NULL && json_object_get(exported, id) == NULL)
            json_array_remove(items, i);
        else
            i++;
    }
}

static void export_problem(struct ex *x, const struct ts_present *p, const char *fmt, const char *rel)
{
    char msg[PATH_MAX + 200];
    snprintf(msg, sizeof(msg), fmt, rel[0] ? rel : "the root");
    json_array_append_new(p->problems, json_string(msg));
    (void)x;
}

/*
 * Exports the item at `rel`: its document, its viewer page and its images,
 * and for a Collection everything below it first (so its document lists
 * only what the site holds). Adds the item's id to `exported` when it is
 * part of the site. Returns 0, or -1 on a write error (in x->err).
 */
static int export_doc(struct ex *x, const struct ts_present *p, const char *rel, int depth, json_t *exported)
{
    struct ts_tree_item f;
    struct ts_error e;
    if (!ts_walk_depth_ok(&x->walk, depth) || !ts_walk_ok(&x->walk))
        return 0;
    if (ts_tree_open(&x->r, &x->walk, rel, &f, &e) != 0) {
        if (e.status != 404)
            export_problem(x, p, "%s: left out of the export", rel);
        return 0;
    }
    if (f.kind != TS_P_IMAGE) {
        const struct ts_walk_id *me = &f.chain[f.n_chain - 1];
        int seen = ts_walk_enter(&x->walk, me->dev, me->ino);
        if (seen != 1) {
            if (seen == 0)
                export_problem(x, p, "%s: left out of the export: it is a folder exported already under another "
                                     "path (a link)",
                               rel);
            ts_tree_release(&f);
            return 0;
        }
    }
    int rc = 0;
    bool collection = f.kind == TS_P_COLLECTION;
    json_t *children = json_object();
    if (collection) {
        for (size_t i = 0; rc == 0 && i < f.n_folders + f.n_images; i++) {
            char *child = ts_path_join(rel, i < f.n_folders ? f.folders[i] : f.images[i - f.n_folders]);
            if (child != NULL)
                rc = export_doc(x, p, child, depth + 1, children);
            free(child);
        }
    }
    json_t *doc = rc != 0 ? NULL : collection ? ts_collection_build(p, &f, &e) : ts_manifest_build(p, &f, &e);
    if (doc != NULL) {
        if (collection)
            keep_exported(doc, children);
        char *id = doc_id(x, rel, f.kind);
        rewrite(x, doc);
        char where[PATH_MAX * 2];
        snprintf(where, sizeof(where), "iiif/presentation%s%s/%s.json", rel[0] ? "/" : "", rel,
                 collection ? "collection" : "manifest");
        rc = put_json(x, where, doc);
        if (rc == 0)
            rc = viewer_page(x, rel, collection, json_string_value(json_object_get(doc, "id")),
                             ts_present_first_text(json_object_get(doc, "label")));
        if (rc == 0 && id != NULL)
            json_object_set_new(exported, id, json_true());
        free(id);
        json_decref(doc);
    }
    json_decref(children);
    if (rc == 0 && doc != NULL && !collection) {
        const char *dir_rel = f.kind == TS_P_IMAGE ? NULL : rel;
        for (size_t i = 0; rc == 0 && i < f.n_images; i++) {
            char *img = f.kind == TS_P_IMAGE ? strdup(rel) : ts_path_join(dir_rel, f.images[i]);
            if (img != NULL)
                rc = export_image(x, img);
            free(img);
        }
    }
    ts_tree_release(&f);
    return rc;
}

/* Copies a file from the viewer packages into OUT/viewer/assets/. */
static int copy_asset(struct ex *x, const char *from, const char *to)
{
    FILE *f = fopen(from, "rb");
    if (f == NULL)
        return ts_error_set(x->err, 500, "cannot read %s", from);
    struct ts_buf b;
    ts_buf_init(&b, 64u << 20);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (ts_buf_add(&b, chunk, n) != 0)
            break;
    fclose(f);
    int rc = put(x, to, b.data != NULL ? b.data : "", b.len);
    ts_buf_release(&b);
    return rc;
}

static int export_viewers(struct ex *x, const char *modules)
{
    ts_package_version(modules, "openseadragon", x->osd);
    ts_package_version(modules, "mirador", x->mirador);
    if (x->osd[0] == '\0' || x->mirador[0] == '\0') {
        fprintf(stderr, "tessera: no viewer assets in %s (run scripts/viewer-deps.sh): the site has no viewer pages\n",
                modules);
        x->osd[0] = x->mirador[0] = '\0';
        return 0;
    }
    char from[PATH_MAX * 2], to[PATH_MAX];
    snprintf(from, sizeof(from), "%s/mirador/dist/mirador.min.js", modules);
    snprintf(to, sizeof(to), "viewer/assets/mirador-%s/mirador.min.js", x->mirador);
    if (copy_asset(x, from, to) != 0)
        return -1;
    snprintf(from, sizeof(from), "%s/openseadragon/build/openseadragon/openseadragon.min.js", modules);
    snprintf(to, sizeof(to), "viewer/assets/openseadragon-%s/openseadragon.min.js", x->osd);
    if (copy_asset(x, from, to) != 0)
        return -1;
    static const char *const buttons[] = {"fullpage", "home", "next", "previous", "rotateleft", "rotateright",
                                          "zoomin", "zoomout", "flip"};
    static const char *const states[] = {"grouphover", "hover", "pressed", "rest"};
    for (size_t b = 0; b < sizeof(buttons) / sizeof(buttons[0]); b++) {
        for (size_t s = 0; s < 4; s++) {
            snprintf(from, sizeof(from), "%s/openseadragon/build/openseadragon/images/%s_%s.png", modules, buttons[b],
                     states[s]);
            snprintf(to, sizeof(to), "viewer/assets/openseadragon-%s/images/%s_%s.png", x->osd, buttons[b], states[s]);
            if (access(from, R_OK) == 0 && copy_asset(x, from, to) != 0)
                return -1;
        }
    }
    return 0;
}

#define MARKER ".tessera-export"

/* Whether folder `out` holds anything (other than "." and ".."); -1 when it cannot be read. */
static int non_empty(const char *out)
{
    DIR *d = opendir(out);
    if (d == NULL)
        return errno == ENOENT ? 0 : -1;
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            found = 1;
            break;
        }
    }
    closedir(d);
    return found;
}

/* The real path `path` would have: its deepest existing folder's real path, and the rest as written. */
static void real_to_be(const char *path, char out[PATH_MAX])
{
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s", path);
    char tail[PATH_MAX] = "";
    for (;;) {
        if (realpath(p, out) != NULL) {
            size_t n = strlen(out);
            snprintf(out + n, PATH_MAX - n, "%s", tail);
            return;
        }
        char *slash = strrchr(p, '/');
        if (slash == NULL || slash == p) {
            snprintf(out, PATH_MAX, "%s", path); /* nothing of it exists: as given */
            return;
        }
        char t[PATH_MAX];
        snprintf(t, sizeof(t), "%s%s", slash, tail);
        snprintf(tail, sizeof(tail), "%s", t);
        *slash = '\0';
    }
}

static bool path_under(const char *a, const char *b)
{
    size_t n = strlen(b);
    return strncmp(a, b, n) == 0 && (a[n] == '/' || a[n] == '\0');
}

/*
 * Checks that OUT may be written (new, empty, an earlier export, or
 * `force`; never inside the image root, whose next walk would export the
 * export, nor holding it, whose sweep could remove images), writes the
 * marker and takes its mtime as the moment this export began: every file
 * written from now on is at least as new.
 */
static int begin_out(struct ex *x)
{
    char out_real[PATH_MAX];
    real_to_be(x->out, out_real);
    if (path_under(out_real, x->r.root) || path_under(x->r.root, out_real))
        return ts_error_set(x->err, 400, "%s %s the image root %s: export somewhere else", x->out,
                            path_under(out_real, x->r.root) ? "is inside" : "holds", x->r.root);
    char marker[PATH_MAX + 32];
    snprintf(marker, sizeof(marker), "%s/" MARKER, x->out);
    struct stat st;
    int ne = non_empty(x->out);
    if (ne < 0)
        return ts_error_set(x->err, 500, "cannot read %s: %s", x->out, strerror(errno));
    if (ne == 1 && stat(marker, &st) != 0 && !x->o->force)
        return ts_error_set(x->err, 400,
                            "%s is not empty and holds no earlier export (no %s): give --force to export into it "
                            "(files of iiif/ and viewer/ that the export does not write are then removed)",
                            x->out, MARKER);
    if (mkdirs(x->out) != 0)
        return ts_error_set(x->err, 500, "cannot create %s: %s", x->out, strerror(errno));
    char text[PATH_MAX + 100];
    int n = snprintf(text, sizeof(text), "A static IIIF site written by tessera export for %s\n", x->base);
    if (put(x, MARKER, text, (size_t)n) != 0)
        return -1;
    if (stat(marker, &st) != 0)
        return ts_error_set(x->err, 500, "cannot read %s", marker);
    x->t0 = st.st_mtim;
    return 0;
}

/* Removes the files below folder `dfd` older than this export, and the folders left empty. */
static void sweep(struct ex *x, int dfd, int depth)
{
    DIR *d = fdopendir(dfd);
    if (d == NULL) {
        close(dfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            int sub = depth < 64 ? openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
            if (sub >= 0)
                sweep(x, sub, depth + 1);
            unlinkat(dirfd(d), name, AT_REMOVEDIR); /* only succeeds when nothing is left in it */
        } else if (!written_now(x, &st) && unlinkat(dirfd(d), name, 0) == 0) {
            x->st->removed++;
        }
    }
    closedir(d);
}

static void sweep_out(struct ex *x)
{
    static const char *const subtrees[] = {"iiif", "viewer"};
    for (size_t i = 0; i < sizeof(subtrees) / sizeof(subtrees[0]); i++) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof(path), "%s/%s", x->out, subtrees[i]);
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0)
            sweep(x, fd, 0);
    }
}

static int by_rel(const void *a, const void *b)
{
    const char *ra = json_string_value(json_array_get(*(json_t *const *)a, 0));
    const char *rb = json_string_value(json_array_get(*(json_t *const *)b, 0));
    return ts_natcmp(ra, rb);
}

/* index.html: every viewer page, the root first, then in natural order of their paths. */
static int write_index(struct ex *x)
{
    size_t n = json_array_size(x->index_lines);
    json_t **v = calloc(n ? n : 1, sizeof(*v));
    if (v == NULL)
        return ts_error_set(x->err, 500, "out of memory");
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(x->index_lines, i);
    qsort(v, n, sizeof(*v), by_rel);
    struct ts_buf index;
    ts_buf_init(&index, 64u << 20);
    ts_buf_adds(&index, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>IIIF</title>"
                        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
                        "</style></head><body>\n<h1>Collections and manifests</h1>\n<ul>\n");
    for (size_t i = 0; i < n; i++)
        ts_buf_adds(&index, json_string_value(json_array_get(v[i], 1)));
    ts_buf_adds(&index, "</ul>\n<p>Made by <code>tessera export</code>.</p>\n</body></html>\n");
    free(v);
    int rc = index.data != NULL ? put(x, "index.html", index.data, index.len)
                                : ts_error_set(x->err, 500, "index.html is too large");
    ts_buf_release(&index);
    return rc;
}

static void stage(const struct ex *x, const char *what)
{
    if (!x->o->quiet)
        fprintf(stderr, "%stessera export: %s\n", x->o->tty && x->st->images > 0 ? "\n" : "", what);
}

int ts_export(const struct ts_config *cfg, const char *out, const char *base, const struct ts_export_opts *o,
              struct ts_export_stats *stats, struct ts_error *err)
{
    memset(stats, 0, sizeof(*stats));
    struct ex x;
    memset(&x, 0, sizeof(x));
    x.cfg = cfg;
    x.out = out;
    x.base = base;
    x.o = o;
    x.st = stats;
    x.err = err;
    ts_render_limits(cfg, &x.lim);
    ts_render_opts_init(&x.enc, cfg);
    ts_formats_probe(&x.formats);
    if (ts_resolver_init(&x.r, cfg->root, cfg->extensions, err) != 0)
        return -1;
    ts_resolver_apply_settings(&x.r, cfg);
    ts_tree_walk_init(&x.r, &x.walk);
    x.index_lines = json_array();
    char line[200];
    int rc = begin_out(&x);
    if (rc == 0) {
        char viewer[PATH_MAX];
        if (cfg->viewer_dir[0] != '\0')
            snprintf(viewer, sizeof(viewer), "%s", cfg->viewer_dir);
        else if (ts_data_dir(TS_DATA_VIEWER, viewer, sizeof(viewer), NULL, 0) != 0)
            snprintf(viewer, sizeof(viewer), "(not installed)");
        rc = export_viewers(&x, viewer);
        if (rc == 0 && x.mirador[0] != '\0')
            stage(&x, "viewer assets copied");
    }
    json_t *problems = json_array();
    struct ts_file_probe probe = {&x.r, (uint32_t)cfg->tile_size, x.lim};
    struct ts_present p = {base, &x.r, ts_file_probe, &probe, problems, &x.walk, 0, NULL, NULL, NULL};
    json_t *exported = json_object();
    if (rc == 0) {
        rc = export_doc(&x, &p, "", 0, exported);
        if (rc == 0) {
            snprintf(line, sizeof(line), "%ld images, %ld tiles and sizes, %ld documents written", stats->images,
                     stats->tiles, stats->documents);
            stage(&x, line);
        }
    }
    json_decref(exported);
    if (rc == 0)
        rc = write_index(&x);
    if (rc == 0 && ts_walk_gave_up(&x.walk)) {
        snprintf(line, sizeof(line), "the walk of the tree stopped early (%.120s): files of the earlier export are kept",
                 x.walk.why);
        json_array_append_new(problems, json_string(line));
    } else if (rc == 0) {
        sweep_out(&x);
        if (stats->removed > 0) {
            snprintf(line, sizeof(line), "%ld files of the earlier export removed", stats->removed);
            stage(&x, line);
        }
    }
    size_t i;
    json_t *v;
    json_array_foreach(problems, i, v)
    {
        fprintf(stderr, "tessera: %s\n", json_string_value(v));
        stats->problems++;
    }
    json_decref(problems);
    json_decref(x.index_lines);
    ts_walk_release(&x.walk);
    ts_resolver_release(&x.r);
    return rc;
}
