/*
 * manifest.c: folders to Presentation 3.0 JSON.
 */
#include "present/manifest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/path.h"
#include "iiif/ident.h"
#include "present/csv.h"
#include "present/route.h"

#define CONTEXT "http://iiif.io/api/presentation/3/context.json"
#define NAVPLACE_CONTEXT "http://iiif.io/api/extension/navplace/context.json"

/* ---- ids ---- */

int ts_present_prefix(const char *base, const char *rel, struct ts_buf *out)
{
    if (ts_buf_addf(out, "%s/iiif/presentation", base) != 0)
        return -1;
    if (rel[0] != '\0' && (ts_buf_adds(out, "/") != 0 || ts_present_path_encode(rel, out) != 0))
        return -1;
    return 0;
}

/* A new string: prefix + suffix. */
static char *idf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *idf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

static char *encoded(const char *rel)
{
    struct ts_buf b;
    ts_buf_init(&b, 1 << 16);
    if (ts_present_path_encode(rel, &b) != 0 || b.data == NULL) {
        ts_buf_release(&b);
        return strdup("");
    }
    return ts_buf_take(&b, NULL);
}

/* The Image API 3.0 and 2.1 service ids of the image at `rel`. */
static void service_ids(const char *base, const char *rel, char **v3, char **v2)
{
    struct ts_buf b;
    ts_buf_init(&b, 1 << 16);
    iiif_ident_encode(rel, &b);
    const char *id = b.data != NULL ? b.data : "";
    *v3 = idf("%s/iiif/3/%s", base, id);
    *v2 = idf("%s/iiif/2/%s", base, id);
    ts_buf_release(&b);
}

static json_t *lang1(const char *text)
{
    return json_pack("{s:[s]}", "none", text);
}

/* A file name without its extension, for default labels. */
static json_t *stem_label(const char *name)
{
    const char *dot = strrchr(name, '.');
    size_t n = dot != NULL && dot != name ? (size_t)(dot - name) : strlen(name);
    json_t *s = json_stringn(name, n);
    return json_pack("{s:[o]}", "none", s != NULL ? s : json_string("?"));
}

/* ---- sidecars ---- */

static void problem(const struct ts_present *p, const char *text)
{
    if (p->problems != NULL)
        json_array_append_new(p->problems, json_string(text));
}

/*
 * A parse error "line N: what" as a problem of `shown` at line N (a whole
 * file's problem, such as one it cannot be read for, has no line).
 */
static void file_problem(struct ts_sidecar *s, const char *shown, const char *msg, const char *tail)
{
    int line = 0, used = 0;
    if (sscanf(msg, "line %d: %n", &line, &used) == 1 && used > 0)
        ts_sidecar_problem(s, shown, line, "%s%s", msg + used, tail);
    else
        ts_sidecar_problem(s, shown, 0, "%s%s", msg, tail);
}

/* Reads `dir`/`name` (YAML) into `s`; `shown` names it in problems. */
static void read_yaml(const struct ts_present *p, struct ts_sidecar *s, const char *dir, const char *name,
                      const char *shown)
{
    char *text = NULL;
    char msg[300];
    long n = ts_tree_read_sidecar(p->resolver, dir, name, &text, msg, sizeof(msg));
    if (n == -1)
        return;
    if (n < 0) {
        ts_sidecar_problem(s, shown, 0, "%s", msg);
        return;
    }
    struct ts_ynode *root = NULL;
    if (ts_yaml_parse(text, (size_t)n, &root, msg, sizeof(msg)) != 0)
        file_problem(s, shown, msg, " (the file is ignored)");
    else
        ts_sidecar_read(s, root, shown);
    ts_yaml_free(root);
    free(text);
}

/*
 * The metadata.csv files one answer reads, parsed once for all the items
 * it describes (a catalogue CSV in the root names every item below it):
 * kept in the walk's memo, most recent first, until the walk ends.
 */
#define CSV_MEMO 32

struct csv_entry {
    char *dir;               /* as given: the folder's path under the root's */
    struct ts_csv *csv;      /* NULL: absent or broken */
};

struct csv_memo {
    size_t n;
    struct csv_entry v[CSV_MEMO];
};

static void csv_entry_free(struct csv_entry *e)
{
    free(e->dir);
    if (e->csv != NULL) {
        ts_csv_release(e->csv);
        free(e->csv);
    }
}

static void csv_memo_free(void *m)
{
    struct csv_memo *cm = m;
    for (size_t i = 0; i < cm->n; i++)
        csv_entry_free(&cm->v[i]);
    free(cm);
}

/* Reads and parses `dir`/metadata.csv; NULL when absent, or broken (then reported to `s`). */
static struct ts_csv *parse_csv(const struct ts_present *p, struct ts_sidecar *s, const char *dir, const char *shown)
{
    char *text = NULL;
    char msg[300];
    long n = ts_tree_read_sidecar(p->resolver, dir, "metadata.csv", &text, msg, sizeof(msg));
    if (n == -1)
        return NULL;
    if (n < 0) {
        ts_sidecar_problem(s, shown, 0, "%s", msg);
        return NULL;
    }
    struct ts_csv *c = calloc(1, sizeof(*c));
    if (c != NULL && ts_csv_parse(text, (size_t)n, c, msg, sizeof(msg)) != 0) {
        file_problem(s, shown, msg, " (the file is ignored)");
        free(c);
        c = NULL;
    }
    free(text);
    return c;
}

/*
 * The parsed metadata.csv of `dir` (borrowed: it lives as long as the walk,
 * or as `*own` when the answer has no walk), or NULL.
 */
static const struct ts_csv *csv_of(const struct ts_present *p, struct ts_sidecar *s, const char *dir,
                                   const char *shown, struct ts_csv **own)
{
    *own = NULL;
    struct ts_walk *w = p->walk;
    /* the walk's memo is ours when it is empty or was made here */
    struct csv_memo *cm = w != NULL && w->memo_free == csv_memo_free ? w->memo : NULL;
    if (w != NULL && w->memo == NULL) {
        cm = calloc(1, sizeof(*cm));
        if (cm != NULL) {
            w->memo = cm;
            w->memo_free = csv_memo_free;
        }
    }
    if (cm != NULL) {
        for (size_t i = 0; i < cm->n; i++) {
            if (strcmp(cm->v[i].dir, dir) == 0) {
                struct csv_entry hit = cm->v[i];
                memmove(&cm->v[1], &cm->v[0], i * sizeof(cm->v[0]));
                cm->v[0] = hit;
                return hit.csv;
            }
        }
    }
    struct ts_csv *c = parse_csv(p, s, dir, shown);
    char *key = cm != NULL ? strdup(dir) : NULL;
    if (key == NULL) {
        *own = c;
        return c;
    }
    if (cm->n == CSV_MEMO)
        csv_entry_free(&cm->v[--cm->n]);
    memmove(&cm->v[1], &cm->v[0], cm->n * sizeof(cm->v[0]));
    cm->v[0] = (struct csv_entry){key, c};
    cm->n++;
    return c;
}

static void free_csv(struct ts_csv *c)
{
    if (c != NULL) {
        ts_csv_release(c);
        free(c);
    }
}

static void move_problems(const struct ts_present *p, struct ts_sidecar *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(s->problems, i, v)
    {
        problem(p, json_string_value(v));
    }
    json_array_clear(s->problems);
}

/* The folder `rel` under the root as a path to read sidecars from, and its metadata.csv as problems name it. */
static void folder_paths(const struct ts_present *p, const char *rel, size_t n, char *dir, size_t dir_cap,
                         char *shown, size_t shown_cap)
{
    snprintf(dir, dir_cap, "%s%s%.*s", p->resolver->root, n > 0 ? "/" : "", (int)n, rel);
    snprintf(shown, shown_cap, "%.*s%smetadata.csv", (int)n, rel, n > 0 ? "/" : "");
}

/*
 * The rows of `c` that name the images of Manifest `f`, as `from`/NAME (or
 * NAME when `from` is ""), onto s->canvases: later calls win key by key.
 */
static void canvas_rows(const struct ts_present *p, struct ts_sidecar *s, const struct ts_tree_item *f,
                        const struct ts_csv *c, const char *from, const char *shown)
{
    for (size_t i = 0; i < f->n_images; i++) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof(path), "%s%s%s", from, from[0] ? "/" : "", f->images[i]);
        const struct ts_csv_row *r = ts_csv_find(c, path);
        if (r == NULL)
            continue;
        struct ts_sidecar one;
        ts_sidecar_init(&one);
        ts_sidecar_read(&one, r->tree, shown);
        json_t *was = json_object_get(s->canvases, f->images[i]);
        if (was != NULL)
            json_object_update(was, one.props);
        else
            json_object_set(s->canvases, f->images[i], one.props);
        move_problems(p, &one);
        ts_sidecar_release(&one);
    }
}

/*
 * The rows that describe `rel` in the metadata.csv of every folder above it
 * (each names it by its path from that folder: "maps/paris.tif" in the
 * root's, "paris.tif" in maps/'s), farthest first so that nearer ones win
 * key by key; and, for a folder Manifest, the rows naming its images, into
 * s->canvases the same way.
 */
static void rows_above(const struct ts_present *p, const struct ts_tree_item *f, struct ts_sidecar *s)
{
    const char *rel = f->rel;
    size_t len = strlen(rel);
    bool manifest = f->kind == TS_P_MANIFEST;
    char dir[PATH_MAX + 8], shown[PATH_MAX + 16];
    /* the folders above: "", then each prefix of rel ending before a slash */
    for (size_t at = 0; at < len;) {
        size_t fn = at == 0 ? 0 : at - 1; /* the ancestor's path is rel[0, fn) */
        folder_paths(p, rel, fn, dir, sizeof(dir), shown, sizeof(shown));
        struct ts_csv *own;
        const struct ts_csv *c = csv_of(p, s, dir, shown, &own);
        const char *from = rel + at; /* rel seen from that folder */
        const struct ts_csv_row *row = c != NULL ? ts_csv_find(c, from) : NULL;
        if (row != NULL)
            ts_sidecar_read(s, row->tree, shown);
        if (c != NULL && manifest)
            canvas_rows(p, s, f, c, from, shown);
        free_csv(own);
        const char *slash = strchr(rel + at, '/');
        if (slash == NULL)
            break;
        at = (size_t)(slash - rel) + 1;
    }
}

/*
 * Every row of a folder's own metadata.csv must name something in it: a
 * row for a file or folder that is not there (a typo, a file removed) is
 * reported with its line, since it describes nothing.
 */
static void check_rows(const struct ts_present *p, const char *dir, const struct ts_csv *c, const char *shown)
{
    if (p->problems == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        const char *path = c->rows[i].path;
        if (strcmp(path, ".") == 0 || strcmp(path, "./") == 0)
            continue;
        char full[PATH_MAX * 2], real[PATH_MAX];
        snprintf(full, sizeof(full), "%s/%s", dir, path);
        if (!ts_resolver_inside(p->resolver, full, real)) {
            char msg[PATH_MAX + 200];
            snprintf(msg, sizeof(msg), "%s:%d: '%s' names no file or folder here (the row is ignored)", shown,
                     c->rows[i].line, path);
            problem(p, msg);
        }
    }
}

void ts_present_sidecars(const struct ts_present *p, const struct ts_tree_item *f, struct ts_sidecar *s)
{
    const char *rel = f->rel;
    const char *name = strrchr(rel, '/') != NULL ? strrchr(rel, '/') + 1 : rel;
    const char *parent_end = strrchr(rel, '/');
    size_t parent_len = parent_end != NULL ? (size_t)(parent_end - rel) : 0;
    rows_above(p, f, s);
    char dir[PATH_MAX + 8], shown[PATH_MAX + 16];
    if (f->kind == TS_P_IMAGE) {
        /* the canvases entry of its folder's manifest.yml */
        struct ts_sidecar folder;
        ts_sidecar_init(&folder);
        snprintf(shown, sizeof(shown), "%.*s%smanifest.yml", (int)parent_len, rel, parent_len > 0 ? "/" : "");
        read_yaml(p, &folder, f->dir, "manifest.yml", shown);
        json_t *props = json_object_get(folder.canvases, name);
        if (props != NULL)
            json_object_update(s->props, props);
        move_problems(p, &folder);
        ts_sidecar_release(&folder);
        move_problems(p, s);
        return;
    }
    /* its own metadata.csv: the row "." for itself, the rows of its images for their canvases */
    folder_paths(p, rel, strlen(rel), dir, sizeof(dir), shown, sizeof(shown));
    struct ts_csv *own;
    const struct ts_csv *c = csv_of(p, s, dir, shown, &own);
    if (c != NULL) {
        const struct ts_csv_row *row = ts_csv_find(c, ".");
        if (row != NULL)
            ts_sidecar_read(s, row->tree, shown);
        check_rows(p, dir, c, shown);
    }
    if (c != NULL && f->kind == TS_P_MANIFEST)
        canvas_rows(p, s, f, c, "", shown);
    free_csv(own);
    /* its manifest.yml or collection.yml last: its canvases entries over the CSV rows, key by key */
    const char *yml = f->kind == TS_P_COLLECTION ? "collection.yml" : "manifest.yml";
    snprintf(shown, sizeof(shown), "%s%s%s", rel, rel[0] ? "/" : "", yml);
    json_t *csv_canvases = json_deep_copy(s->canvases);
    read_yaml(p, s, f->dir, yml, shown);
    const char *k;
    json_t *v;
    json_object_foreach(csv_canvases, k, v)
    {
        json_t *y = json_object_get(s->canvases, k);
        if (y != v && y != NULL) {
            json_t *merged = json_deep_copy(v);
            json_object_update(merged, y);
            json_object_set_new(s->canvases, k, merged);
        }
    }
    json_decref(csv_canvases);
    move_problems(p, s);
}

/* ---- pieces ---- */

static json_t *image_services(const char *v3, const char *v2)
{
    return json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s}]", "id", v3, "type", "ImageService3", "profile", "level2", "@id",
                     v2, "@type", "ImageService2", "profile", "http://iiif.io/api/image/2/level2.json");
}

/* A thumbnail the sidecar gives as a URL. */
static json_t *external_thumb(const char *url)
{
    const char *fmt = strstr(url, ".png") != NULL ? "image/png" : "image/jpeg";
    return json_pack("[{s:s,s:s,s:s}]", "id", url, "type", "Image", "format", fmt);
}

static json_t *thumbnail_of(const char *v3, const struct ts_pimage *im)
{
    char *id = idf("%s/full/%u,%u/0/default.jpg", v3, im->thumb_w, im->thumb_h);
    json_t *t = json_pack("[{s:s,s:s,s:s,s:i,s:i,s:[{s:s,s:s,s:s}]}]", "id", id, "type", "Image", "format",
                          "image/jpeg", "width", (json_int_t)im->thumb_w, "height", (json_int_t)im->thumb_h,
                          "service", "id", v3, "type", "ImageService3", "profile", "level2");
    free(id);
    return t;
}

/* Gives the navPlace of `obj` (if any) ids below `obj_id`; returns whether there was one. */
static bool navplace_ids(json_t *obj, const char *obj_id)
{
    json_t *np = json_object_get(obj, "navPlace");
    if (np == NULL)
        return false;
    char *id = idf("%s/geo", obj_id);
    json_object_set_new(np, "id", json_string(id));
    /* "id" first reads better: rebuild in order */
    json_t *ordered = json_pack("{s:s,s:s}", "id", id, "type", "FeatureCollection");
    size_t i;
    json_t *f;
    json_t *features = json_array();
    json_array_foreach(json_object_get(np, "features"), i, f)
    {
        char *fid = idf("%s/geo/%zu", obj_id, i + 1);
        json_t *o = json_pack("{s:s}", "id", fid);
        json_object_update(o, f);
        json_object_set_new(o, "id", json_string(fid));
        json_array_append_new(features, o);
        free(fid);
    }
    json_object_set_new(ordered, "features", features);
    json_object_set_new(obj, "navPlace", ordered);
    free(id);
    return true;
}

/*
 * EXIF fills what the sidecars leave out: when (navDate), where (navPlace,
 * a point) and whose (requiredStatement). Returns whether a navPlace was added.
 */
static bool exif_gaps(json_t *obj, const struct ts_exif *x)
{
    if (x->date[0] != '\0' && json_object_get(obj, "navDate") == NULL)
        json_object_set_new(obj, "navDate", json_string(x->date));
    if (x->copyright[0] != '\0' && json_object_get(obj, "requiredStatement") == NULL) {
        json_t *v = json_string(x->copyright); /* NULL when not UTF-8 */
        if (v != NULL)
            json_object_set_new(obj, "requiredStatement",
                                json_pack("{s:{s:[s]},s:{s:[o]}}", "label", "none", "Copyright", "value", "none", v));
    }
    if (x->has_gps && json_object_get(obj, "navPlace") == NULL) {
        json_object_set_new(obj, "navPlace",
                            json_pack("{s:s,s:[{s:s,s:{s:s,s:[f,f]}}]}", "type", "FeatureCollection", "features",
                                      "type", "Feature", "geometry", "type", "Point", "coordinates", x->lon, x->lat));
        return true;
    }
    return false;
}

struct build {
    const struct ts_present *p;
    const struct ts_sidecar *s;   /* where names were given, for problems */
    const char *prefix;       /* the manifest's id prefix */
    const char *folder_rel;   /* the folder of the images */
    const char *manifest_rel; /* the manifest's path (for a single image, the image's) */
    bool navplace;
    json_t *canvas_ids;       /* file name -> canvas id, for ranges and start */
};

static json_t *canvas(struct build *b, const char *name, json_t *props, const struct ts_pimage *im)
{
    char *rel = ts_path_join(b->folder_rel, name);
    char *enc = encoded(name);
    char *cid = idf("%s/canvas/%s", b->prefix, enc);
    char *pid = idf("%s/page", cid), *aid = idf("%s/annotation", cid);
    char *v3, *v2;
    service_ids(b->p->base, rel, &v3, &v2);
    char *body_id = idf("%s/full/max/0/default.jpg", v3);
    json_t *c = json_pack("{s:s,s:s}", "id", cid, "type", "Canvas");
    json_t *label = json_object_get(props, "label");
    json_object_set_new(c, "label", label != NULL ? json_incref(label) : stem_label(name));
    json_object_set_new(c, "height", json_integer(im->height));
    json_object_set_new(c, "width", json_integer(im->width));
    const char *k;
    json_t *v;
    json_object_foreach(props, k, v)
    {
        if (strcmp(k, "label") != 0)
            json_object_set(c, k, v);
    }
    exif_gaps(c, &im->exif);
    if (navplace_ids(c, cid))
        b->navplace = true;
    json_object_set_new(c, "thumbnail", thumbnail_of(v3, im));
    json_t *body = json_pack("{s:s,s:s,s:s,s:o,s:i,s:i}", "id", body_id, "type", "Image", "format", "image/jpeg",
                             "service", image_services(v3, v2), "height", (json_int_t)im->height, "width",
                             (json_int_t)im->width);
    json_t *anno = json_pack("{s:s,s:s,s:s,s:o,s:s}", "id", aid, "type", "Annotation", "motivation", "painting", "body",
                             body, "target", cid);
    json_t *page = json_pack("{s:s,s:s,s:[o]}", "id", pid, "type", "AnnotationPage", "items", anno);
    json_object_set_new(c, "items", json_pack("[o]", page));
    char *notes = b->p->annotation_page != NULL ? b->p->annotation_page(b->p->annotation_ctx, b->manifest_rel, cid, name)
                                                : NULL;
    if (notes != NULL) {
        /* the annotations people made on this canvas (http/anno_routes.c): a page a viewer fetches */
        json_object_set_new(c, "annotations", json_pack("[{s:s,s:s}]", "id", notes, "type", "AnnotationPage"));
        free(notes);
    }
    json_object_set_new(b->canvas_ids, name, json_string(cid));
    free(rel);
    free(enc);
    free(cid);
    free(pid);
    free(aid);
    free(v3);
    free(v2);
    free(body_id);
    return c;
}

static json_t *range(struct build *b, const json_t *r, const char *number, const char *shown)
{
    char *id = idf("%s/range/%s", b->prefix, number);
    json_t *o = json_pack("{s:s,s:s,s:O}", "id", id, "type", "Range", "label", json_object_get(r, "label"));
    json_t *beh = json_object_get(r, "behavior");
    if (beh != NULL)
        json_object_set(o, "behavior", beh);
    json_t *items = json_array();
    size_t i, sub = 0;
    json_t *it;
    json_array_foreach(json_object_get(r, "items"), i, it)
    {
        if (json_is_string(it)) {
            json_t *cid = json_object_get(b->canvas_ids, json_string_value(it));
            if (cid == NULL) {
                char key[PATH_MAX];
                snprintf(key, sizeof(key), "item:%s", json_string_value(it));
                const char *at = ts_sidecar_where(b->s, key);
                char *msg = idf("%s: structures: '%s' is not an image of this manifest", at[0] ? at : shown,
                                json_string_value(it));
                problem(b->p, msg);
                free(msg);
                continue;
            }
            json_array_append_new(items, json_pack("{s:O,s:s}", "id", cid, "type", "Canvas"));
        } else {
            char *n = idf("%s-%zu", number, ++sub);
            json_t *child = range(b, it, n, shown);
            if (child != NULL)
                json_array_append_new(items, child);
            free(n);
        }
    }
    free(id);
    if (json_array_size(items) == 0) {
        json_decref(items);
        json_decref(o);
        return NULL;
    }
    json_object_set_new(o, "items", items);
    return o;
}

/* The descriptive properties of `s` onto `doc`, in the order the API lists them. */
static void describe(json_t *doc, const struct ts_sidecar *s, json_t *default_label)
{
    json_t *label = json_object_get(s->props, "label");
    json_object_set_new(doc, "label", label != NULL ? json_incref(label) : default_label);
    if (label != NULL)
        json_decref(default_label);
    static const char *const order[] = {"summary", "metadata", "requiredStatement", "rights", "provider", "homepage",
                                        "seeAlso", "rendering", "behavior", "navDate", "navPlace", NULL};
    for (const char *const *k = order; *k != NULL; k++) {
        json_t *v = json_object_get(s->props, *k);
        if (v != NULL)
            json_object_set(doc, *k, v);
    }
    json_t *vd = json_object_get(s->props, "viewingDirection");
    if (vd != NULL)
        json_object_set(doc, "viewingDirection", vd);
}

static void set_context(json_t *doc, bool navplace)
{
    /* @context first: rebuild the object with it in front */
    json_t *ctx = navplace ? json_pack("[s,s]", NAVPLACE_CONTEXT, CONTEXT) : json_string(CONTEXT);
    json_t *copy = json_object();
    json_object_set_new(copy, "@context", ctx);
    json_object_update(copy, doc);
    json_object_clear(doc);
    json_object_update(doc, copy);
    json_decref(copy);
}

/* What a Manifest and a Collection both start from: the folder's sidecars and its id prefix. */
static void folder_begin(const struct ts_present *p, const struct ts_tree_item *f, struct ts_sidecar *s,
                         struct ts_buf *prefix)
{
    ts_sidecar_init(s);
    ts_present_sidecars(p, f, s);
    ts_buf_init(prefix, 1 << 16);
    ts_present_prefix(p->base, f->rel, prefix);
}

json_t *ts_manifest_build(const struct ts_present *p, const struct ts_tree_item *f, struct ts_error *err)
{
    struct ts_sidecar s;
    struct ts_buf prefix;
    folder_begin(p, f, &s, &prefix);
    const char *pre = prefix.data != NULL ? prefix.data : "";
    char *mid = idf("%s/manifest", pre);
    /* the images' folder: the manifest's own, or the one holding the single image */
    char *folder_rel;
    if (f->kind == TS_P_IMAGE) {
        const char *slash = strrchr(f->rel, '/');
        folder_rel = slash != NULL ? strndup(f->rel, (size_t)(slash - f->rel)) : strdup("");
    } else {
        folder_rel = strdup(f->rel);
    }
    struct build b = {p, &s, pre, folder_rel, f->rel, false, json_object()};
    json_t *doc = json_pack("{s:s,s:s}", "id", mid, "type", "Manifest");
    const char *name = strrchr(f->rel, '/') != NULL ? strrchr(f->rel, '/') + 1 : f->rel;
    describe(doc, &s, f->kind == TS_P_IMAGE ? stem_label(name) : lang1(name[0] ? name : "Collection"));
    if (navplace_ids(doc, mid))
        b.navplace = true;
    /* canvases entries must name images of this manifest */
    if (f->kind != TS_P_IMAGE && json_object_size(s.canvases) > 0) {
        json_t *names = json_object();
        for (size_t i = 0; i < f->n_images; i++)
            json_object_set_new(names, f->images[i], json_true());
        const char *k;
        json_t *v;
        json_object_foreach(s.canvases, k, v)
        {
            if (json_object_get(names, k) != NULL)
                continue;
            char key[PATH_MAX];
            snprintf(key, sizeof(key), "canvas:%s", k);
            const char *at = ts_sidecar_where(&s, key);
            char *msg = idf("%s: canvases: '%s' is not an image of this manifest", at[0] ? at : f->rel, k);
            problem(p, msg);
            free(msg);
        }
        json_decref(names);
    }
    json_t *items = json_array();
    json_t *first_thumb = NULL, *named_thumb = NULL;
    struct ts_exif first_exif = {0};
    size_t probed = 0;
    for (size_t i = 0; i < f->n_images; i++, probed++) {
        if (p->walk != NULL && !ts_walk_ok(p->walk))
            break; /* out of time: the canvases so far */
        const char *img = f->images[i];
        char *rel = ts_path_join(folder_rel, img);
        struct ts_pimage im;
        struct ts_error e;
        if (p->probe(p->probe_ctx, rel, p->thumb_px ? p->thumb_px : TS_THUMB_PX, &im, &e) != 0) {
            char *msg = idf("%s: left out: %s", rel, e.msg);
            problem(p, msg);
            free(msg);
            free(rel);
            continue;
        }
        json_t *props = f->kind == TS_P_IMAGE ? NULL : json_object_get(s.canvases, img);
        json_t *c = canvas(&b, img, props, &im);
        if (json_array_size(items) == 0)
            first_exif = im.exif;
        if (first_thumb == NULL)
            first_thumb = json_object_get(c, "thumbnail");
        if (s.thumbnail != NULL && strcmp(s.thumbnail, img) == 0)
            named_thumb = json_object_get(c, "thumbnail");
        json_array_append_new(items, c);
        free(rel);
    }
    if (probed < f->n_images) {
        char *msg = idf("%s: the manifest has only %zu of its %zu images: %s", f->rel[0] ? f->rel : "the root", probed,
                        f->n_images, p->walk->why);
        problem(p, msg);
        free(msg);
    }
    if (json_array_size(items) == 0) {
        json_decref(items);
        json_decref(doc);
        json_decref(b.canvas_ids);
        ts_sidecar_release(&s);
        ts_buf_release(&prefix);
        free(mid);
        free(folder_rel);
        if (probed < f->n_images)
            ts_error_set(err, 503, "the manifest of '%s' could not be made in time: %s", f->rel, p->walk->why);
        else
            ts_error_set(err, 415, "none of the images of '%s' could be read", f->rel);
        return NULL;
    }
    /* thumbnail: the one the sidecar names (an image here or a URL), else the first canvas's */
    if (s.thumbnail != NULL && strncmp(s.thumbnail, "http", 4) == 0) {
        json_object_set_new(doc, "thumbnail", external_thumb(s.thumbnail));
    } else if (named_thumb != NULL) {
        json_object_set(doc, "thumbnail", named_thumb);
    } else {
        if (s.thumbnail != NULL) {
            const char *at = ts_sidecar_where(&s, "thumbnail");
            char *msg = idf("%s: thumbnail: '%s' is not an image of this manifest", at[0] ? at : f->rel, s.thumbnail);
            problem(p, msg);
            free(msg);
        }
        json_object_set(doc, "thumbnail", first_thumb);
    }
    /* the Manifest's own gaps: from its first image (navDate, navPlace, requiredStatement) */
    if (exif_gaps(doc, &first_exif) && navplace_ids(doc, mid))
        b.navplace = true;
    json_object_set_new(doc, "items", items);
    json_t *services = p->services != NULL ? p->services(p->annotation_ctx, f->rel) : NULL;
    if (services != NULL) /* Content Search over its annotations' text (http/search_routes.c) */
        json_object_set_new(doc, "service", services);
    if (s.structures != NULL && json_array_size(s.structures) > 0 && f->kind != TS_P_IMAGE) {
        char *shown = f->rel[0] ? idf("%s/manifest.yml", f->rel) : strdup("manifest.yml");
        json_t *ranges = json_array();
        size_t i;
        json_t *r;
        json_array_foreach(s.structures, i, r)
        {
            char n[24];
            snprintf(n, sizeof(n), "%zu", i + 1);
            json_t *o = range(&b, r, n, shown);
            if (o != NULL)
                json_array_append_new(ranges, o);
        }
        if (json_array_size(ranges) > 0)
            json_object_set_new(doc, "structures", ranges);
        else
            json_decref(ranges);
        free(shown);
    }
    if (s.start != NULL) {
        json_t *cid = json_object_get(b.canvas_ids, s.start);
        if (cid != NULL) {
            json_object_set_new(doc, "start", json_pack("{s:O,s:s}", "id", cid, "type", "Canvas"));
        } else {
            const char *at = ts_sidecar_where(&s, "start");
            char *msg = idf("%s: start: '%s' is not an image of this manifest", at[0] ? at : f->rel, s.start);
            problem(p, msg);
            free(msg);
        }
    }
    set_context(doc, b.navplace);
    json_decref(b.canvas_ids);
    ts_sidecar_release(&s);
    ts_buf_release(&prefix);
    free(mid);
    free(folder_rel);
    return doc;
}

json_t *ts_present_item_ref(const struct ts_present *p, const char *rel_in)
{
    char *rel = strdup(rel_in);
    const char *name = strrchr(rel_in, '/') != NULL ? strrchr(rel_in, '/') + 1 : rel_in;
    struct ts_tree_item cf;
    struct ts_error e;
    if (rel == NULL || ts_tree_open(p->resolver, p->walk, rel, &cf, &e) != 0) {
        free(rel);
        return NULL;
    }
    bool image = cf.kind == TS_P_IMAGE;
    struct ts_buf prefix;
    ts_buf_init(&prefix, 1 << 16);
    ts_present_prefix(p->base, rel, &prefix);
    bool is_collection = cf.kind == TS_P_COLLECTION;
    char *id = idf("%s/%s", prefix.data != NULL ? prefix.data : "", is_collection ? "collection" : "manifest");
    struct ts_sidecar s;
    ts_sidecar_init(&s);
    struct ts_present quiet = *p;
    quiet.problems = NULL; /* reported when the child itself is asked for */
    ts_present_sidecars(&quiet, &cf, &s);
    json_t *label = json_object_get(s.props, "label");
    json_t *o = json_pack("{s:s,s:s,s:o}", "id", id, "type", is_collection ? "Collection" : "Manifest", "label",
                          label != NULL ? json_incref(label)
                          : image       ? stem_label(name)
                                        : lang1(name[0] ? name : "Collection"));
    /* a thumbnail: the one the sidecar names (a URL, or an image of the Manifest), else its first image */
    const char *pick = NULL;
    if (s.thumbnail != NULL && strncmp(s.thumbnail, "http", 4) == 0) {
        json_object_set_new(o, "thumbnail", external_thumb(s.thumbnail));
    } else if (!is_collection && cf.n_images > 0) {
        pick = cf.images[0];
        for (size_t i = 0; s.thumbnail != NULL && !image && i < cf.n_images; i++) {
            if (strcmp(cf.images[i], s.thumbnail) == 0)
                pick = cf.images[i];
        }
    }
    if (pick != NULL) {
        char *img_rel = image ? strdup(rel) : ts_path_join(rel, pick);
        struct ts_pimage im;
        if (p->probe(p->probe_ctx, img_rel, p->thumb_px ? p->thumb_px : TS_THUMB_PX, &im, &e) == 0) {
            char *v3, *v2;
            service_ids(p->base, img_rel, &v3, &v2);
            json_object_set_new(o, "thumbnail", thumbnail_of(v3, &im));
            free(v3);
            free(v2);
        }
        free(img_rel);
    }
    ts_sidecar_release(&s);
    ts_buf_release(&prefix);
    ts_tree_release(&cf);
    free(id);
    free(rel);
    return o;
}

json_t *ts_collection_build(const struct ts_present *p, const struct ts_tree_item *f, struct ts_error *err)
{
    (void)err;
    struct ts_sidecar s;
    struct ts_buf prefix;
    folder_begin(p, f, &s, &prefix);
    char *cid = idf("%s/collection", prefix.data != NULL ? prefix.data : "");
    json_t *doc = json_pack("{s:s,s:s}", "id", cid, "type", "Collection");
    const char *name = strrchr(f->rel, '/') != NULL ? strrchr(f->rel, '/') + 1 : f->rel;
    describe(doc, &s, lang1(name[0] ? name : "Collection"));
    bool navplace = navplace_ids(doc, cid);
    json_t *items = json_array();
    size_t listed = 0;
    for (size_t k = 0; k < 2; k++) {
        char **names = k == 0 ? f->folders : f->images;
        size_t n = k == 0 ? f->n_folders : f->n_images;
        for (size_t i = 0; i < n; i++) {
            if (p->walk != NULL && !ts_walk_ok(p->walk))
                break;
            listed++;
            char *rel = ts_path_join(f->rel, names[i]);
            json_t *o = rel != NULL ? ts_present_item_ref(p, rel) : NULL;
            if (o != NULL)
                json_array_append_new(items, o);
            free(rel);
        }
    }
    if (listed < f->n_folders + f->n_images) {
        char *msg = idf("%s: the collection lists only %zu of its %zu items: the walk stopped: %s",
                        f->rel[0] ? f->rel : "the root", listed, f->n_folders + f->n_images, p->walk->why);
        problem(p, msg);
        free(msg);
    }
    if (s.thumbnail != NULL && strncmp(s.thumbnail, "http", 4) == 0)
        json_object_set_new(doc, "thumbnail", external_thumb(s.thumbnail));
    json_object_set_new(doc, "items", items);
    set_context(doc, navplace);
    ts_sidecar_release(&s);
    ts_buf_release(&prefix);
    free(cid);
    return doc;
}

char *ts_present_dump(const json_t *doc, size_t *len)
{
    char *s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    if (s != NULL && len != NULL)
        *len = strlen(s);
    return s;
}

const char *ts_present_first_text(const json_t *map)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)map, k, v)
    {
        if (json_is_string(json_array_get(v, 0)))
            return json_string_value(json_array_get(v, 0));
    }
    return "";
}
