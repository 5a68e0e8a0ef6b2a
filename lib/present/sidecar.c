/*
 * sidecar.c: sidecar trees to Presentation 3.0 properties.
 *
 * Each reader takes a node and returns the property's JSON, or NULL after
 * reporting what is wrong with the node's line; the caller then leaves the
 * property out.
 */
#include "present/sidecar.h"

#include "iiif/navdate.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rd {
    struct ts_sidecar *s;
    const char *file;
    char lang[36]; /* the language of plain strings: "none" unless `language` says */
};

void ts_sidecar_problem(struct ts_sidecar *s, const char *file, int line, const char *fmt, ...)
{
    char text[512];
    int n = line > 0 ? snprintf(text, sizeof(text), "%s:%d: ", file, line) : snprintf(text, sizeof(text), "%s: ", file);
    if (n < 0 || (size_t)n >= sizeof(text))
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap);
    va_end(ap);
    json_array_append_new(s->problems, json_string(text));
}

#define PROBLEM(r, node, ...) ts_sidecar_problem((r)->s, (r)->file, (node) != NULL ? (node)->line : 0, __VA_ARGS__)

/* Remembers where `key` was given (the last source to give it wins, as its value does). */
static void note_where(struct rd *r, const char *key, const struct ts_ynode *n)
{
    char at[400];
    if (n != NULL && n->line > 0)
        snprintf(at, sizeof(at), "%s:%d", r->file, n->line);
    else
        snprintf(at, sizeof(at), "%s", r->file);
    json_t *v = json_string(at);
    if (v != NULL)
        json_object_set_new(r->s->where, key, v);
}

static void note_where_name(struct rd *r, const char *prefix, const char *name, const struct ts_ynode *n, bool first)
{
    char key[400];
    snprintf(key, sizeof(key), "%s:%s", prefix, name);
    if (!first || json_object_get(r->s->where, key) == NULL)
        note_where(r, key, n);
}

const char *ts_sidecar_where(const struct ts_sidecar *s, const char *key)
{
    const char *v = json_string_value(json_object_get(s->where, key));
    return v != NULL ? v : "";
}

void ts_sidecar_init(struct ts_sidecar *s)
{
    memset(s, 0, sizeof(*s));
    s->props = json_object();
    s->canvases = json_object();
    s->problems = json_array();
    s->where = json_object();
}

void ts_sidecar_release(struct ts_sidecar *s)
{
    json_decref(s->props);
    json_decref(s->canvases);
    json_decref(s->structures);
    json_decref(s->problems);
    json_decref(s->where);
    free(s->thumbnail);
    free(s->start);
    memset(s, 0, sizeof(*s));
}

static bool is_scalar(const struct ts_ynode *n)
{
    return n != NULL && n->kind == TS_Y_SCALAR;
}

/* Text that json_string accepts: valid UTF-8 without NUL (libyaml checked the encoding). */
static json_t *text_json(const struct ts_ynode *n)
{
    return json_stringn(n->text, n->len);
}

static bool is_url(const char *t)
{
    if (strncmp(t, "http://", 7) != 0 && strncmp(t, "https://", 8) != 0)
        return false;
    for (const char *p = t; *p != '\0'; p++) {
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return false;
    }
    return t[strlen(t) - 1] != '/' || strlen(t) > 8;
}

/*
 * A BCP 47 tag, loosely: a primary subtag of 2 or 3 letters, then subtags
 * of 1 to 8 letters or digits ("en", "fr-CA", "zh-Hant-TW"); or "none".
 */
static bool is_lang(const char *t)
{
    if (strcmp(t, "none") == 0)
        return true;
    size_t len = 0;
    bool first = true;
    for (const char *p = t;; p++) {
        char c = *p;
        if (c == '-' || c == '\0') {
            if (first ? (len < 2 || len > 3) : (len < 1 || len > 8))
                return false;
            if (c == '\0')
                return true;
            first = false;
            len = 0;
            continue;
        }
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!letter && (first || !(c >= '0' && c <= '9')))
            return false;
        len++;
    }
}

/* Strings of a scalar or a sequence of scalars, appended to array `a`. */
static int strings_into(struct rd *r, const struct ts_ynode *n, json_t *a, const char *key)
{
    if (is_scalar(n)) {
        json_array_append_new(a, text_json(n));
        return 0;
    }
    if (n != NULL && n->kind == TS_Y_SEQ && n->n > 0) {
        for (size_t i = 0; i < n->n; i++) {
            if (!is_scalar(n->items[i])) {
                PROBLEM(r, n->items[i], "%s: expected text", key);
                return -1;
            }
            json_array_append_new(a, text_json(n->items[i]));
        }
        return 0;
    }
    PROBLEM(r, n, "%s: expected text or a list of texts", key);
    return -1;
}

/*
 * A language map: "text" (in the sidecar's language), a list of texts, or
 * a mapping of language tags to a text or a list of texts.
 */
static json_t *lang_map(struct rd *r, const struct ts_ynode *n, const char *key)
{
    json_t *m = json_object();
    if (n != NULL && n->kind == TS_Y_MAP) {
        if (n->n == 0) {
            PROBLEM(r, n, "%s: an empty language map", key);
            json_decref(m);
            return NULL;
        }
        for (size_t i = 0; i < n->n; i++) {
            const struct ts_ynode *k = n->items[2 * i], *v = n->items[2 * i + 1];
            if (!is_lang(k->text)) {
                PROBLEM(r, k, "%s: '%s' is not a language tag (like en, fr, de-CH, or none)", key, k->text);
                json_decref(m);
                return NULL;
            }
            json_t *a = json_array();
            if (strings_into(r, v, a, key) != 0) {
                json_decref(a);
                json_decref(m);
                return NULL;
            }
            json_object_set_new(m, k->text, a);
        }
        return m;
    }
    json_t *a = json_array();
    if (strings_into(r, n, a, key) != 0) {
        json_decref(a);
        json_decref(m);
        return NULL;
    }
    json_object_set_new(m, r->lang, a);
    return m;
}

/* A label/value pair: a mapping {label, value}. */
static json_t *label_value(struct rd *r, const struct ts_ynode *n, const char *key)
{
    const struct ts_ynode *l = ts_yaml_get(n, "label"), *v = ts_yaml_get(n, "value");
    if (n == NULL || n->kind != TS_Y_MAP || l == NULL || v == NULL || n->n != 2) {
        PROBLEM(r, n, "%s: expected a mapping with exactly 'label' and 'value'", key);
        return NULL;
    }
    json_t *lm = lang_map(r, l, key), *vm = lang_map(r, v, key);
    if (lm == NULL || vm == NULL) {
        json_decref(lm);
        json_decref(vm);
        return NULL;
    }
    return json_pack("{s:o,s:o}", "label", lm, "value", vm);
}

/* metadata: a list of {label, value}, or a mapping of labels to values (in file order). */
static json_t *metadata(struct rd *r, const struct ts_ynode *n)
{
    json_t *a = json_array();
    if (n != NULL && n->kind == TS_Y_SEQ) {
        for (size_t i = 0; i < n->n; i++) {
            json_t *p = label_value(r, n->items[i], "metadata");
            if (p != NULL)
                json_array_append_new(a, p);
        }
    } else if (n != NULL && n->kind == TS_Y_MAP) {
        for (size_t i = 0; i < n->n; i++) {
            json_t *lm = lang_map(r, n->items[2 * i], "metadata");
            json_t *vm = lang_map(r, n->items[2 * i + 1], "metadata");
            if (lm != NULL && vm != NULL)
                json_array_append_new(a, json_pack("{s:o,s:o}", "label", lm, "value", vm));
            else {
                json_decref(lm);
                json_decref(vm);
            }
        }
    } else {
        PROBLEM(r, n, "metadata: expected a list of {label, value} or a mapping of labels to values");
        json_decref(a);
        return NULL;
    }
    if (json_array_size(a) == 0) { /* every entry was wrong (and reported) */
        json_decref(a);
        return NULL;
    }
    return a;
}

static json_t *required_statement(struct rd *r, const struct ts_ynode *n)
{
    if (is_scalar(n) || (n != NULL && n->kind == TS_Y_SEQ)) {
        json_t *v = lang_map(r, n, "requiredStatement");
        if (v == NULL)
            return NULL;
        json_t *l = json_object();
        json_object_set_new(l, r->lang, json_pack("[s]", "Attribution"));
        return json_pack("{s:o,s:o}", "label", l, "value", v);
    }
    return label_value(r, n, "requiredStatement");
}

/* rights: Creative Commons or RightsStatements.org, as the API requires. */
static json_t *rights(struct rd *r, const struct ts_ynode *n)
{
    if (!is_scalar(n) || !is_url(n->text)) {
        PROBLEM(r, n, "rights: expected the URL of a license or rights statement");
        return NULL;
    }
    const char *t = n->text;
    const char *host = strstr(t, "://") + 3;
    if (strncmp(host, "creativecommons.org/", 20) != 0 && strncmp(host, "rightsstatements.org/", 21) != 0) {
        PROBLEM(r, n, "rights: must be a creativecommons.org or rightsstatements.org URL (put other terms in requiredStatement)");
        return NULL;
    }
    return json_string(t);
}

static const char *format_of(const char *url)
{
    static const struct {
        const char *ext, *mime;
    } types[] = {{".pdf", "application/pdf"}, {".html", "text/html"},  {".htm", "text/html"},
                 {".json", "application/json"}, {".jsonld", "application/ld+json"}, {".xml", "application/xml"},
                 {".txt", "text/plain"}, {".epub", "application/epub+zip"}, {".jpg", "image/jpeg"},
                 {".jpeg", "image/jpeg"}, {".png", "image/png"}, {".svg", "image/svg+xml"}, {".csv", "text/csv"}};
    size_t n = strlen(url);
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        size_t k = strlen(types[i].ext);
        if (n > k && strcasecmp(url + n - k, types[i].ext) == 0)
            return types[i].mime;
    }
    return NULL;
}

/* Reads one item of a property that takes one or a list; NULL after reporting a problem. */
typedef json_t *(*item_fn)(struct rd *r, const struct ts_ynode *n, const void *ctx);

/* `n` read with `one`, alone or item by item when it is a list: a new array, or NULL when nothing was read. */
static json_t *one_or_many(struct rd *r, const struct ts_ynode *n, item_fn one, const void *ctx)
{
    json_t *a = json_array();
    size_t count = n != NULL && n->kind == TS_Y_SEQ ? n->n : 1;
    for (size_t i = 0; i < count; i++) {
        json_t *o = one(r, n != NULL && n->kind == TS_Y_SEQ ? n->items[i] : n, ctx);
        if (o != NULL)
            json_array_append_new(a, o);
    }
    if (json_array_size(a) == 0) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/*
 * A linked resource (homepage, seeAlso, rendering, logo): a URL, or a
 * mapping {id, type, label, format, profile, language}. `label_default`
 * NULL means no label is needed; "" means the URL itself.
 */
static json_t *resource(struct rd *r, const struct ts_ynode *n, const char *key, const char *type,
                        const char *format, const char *label_default)
{
    const struct ts_ynode *id = is_scalar(n) ? n : ts_yaml_get(n, "id");
    if (id == NULL)
        id = ts_yaml_get(n, "url");
    if (!is_scalar(id) || !is_url(id->text)) {
        PROBLEM(r, id != NULL ? id : n, "%s: expected an http(s) URL, or a mapping with one as 'id'", key);
        return NULL;
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id->text));
    const struct ts_ynode *t = ts_yaml_get(n, "type");
    json_object_set_new(o, "type", json_string(is_scalar(t) ? t->text : type));
    const struct ts_ynode *l = ts_yaml_get(n, "label");
    if (l != NULL) {
        json_t *lm = lang_map(r, l, key);
        if (lm == NULL) {
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, "label", lm);
    } else if (label_default != NULL) {
        json_t *lm = json_object();
        json_object_set_new(lm, r->lang, json_pack("[s]", label_default[0] ? label_default : id->text));
        json_object_set_new(o, "label", lm);
    }
    const struct ts_ynode *f = ts_yaml_get(n, "format");
    const char *fmt = is_scalar(f) ? f->text : format_of(id->text);
    if (fmt == NULL)
        fmt = format;
    if (fmt != NULL)
        json_object_set_new(o, "format", json_string(fmt));
    const struct ts_ynode *p = ts_yaml_get(n, "profile");
    if (is_scalar(p))
        json_object_set_new(o, "profile", json_string(p->text));
    const struct ts_ynode *lg = ts_yaml_get(n, "language");
    if (lg != NULL) {
        json_t *a = json_array();
        if (strings_into(r, lg, a, key) != 0) {
            json_decref(a);
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, "language", a);
    }
    return o;
}

/* What kind of linked resource a key takes. */
struct res_kind {
    const char *key, *type, *format, *label_default;
};

static json_t *resource_item(struct rd *r, const struct ts_ynode *n, const void *ctx)
{
    const struct res_kind *k = ctx;
    return resource(r, n, k->key, k->type, k->format, k->label_default);
}

/* One resource or a list of them, always as an array. */
static json_t *resources(struct rd *r, const struct ts_ynode *n, const char *key, const char *type,
                         const char *format, const char *label_default)
{
    struct res_kind k = {key, type, format, label_default};
    return one_or_many(r, n, resource_item, &k);
}

/* provider: an Agent or a list of them: {id, label, homepage, logo, seeAlso}. */
static json_t *agent(struct rd *r, const struct ts_ynode *n)
{
    if (n == NULL || n->kind != TS_Y_MAP || ts_yaml_get(n, "label") == NULL) {
        PROBLEM(r, n, "provider: expected a mapping with at least 'label'");
        return NULL;
    }
    json_t *label = lang_map(r, ts_yaml_get(n, "label"), "provider");
    if (label == NULL)
        return NULL;
    json_t *home = NULL, *logo = NULL, *also = NULL;
    const struct ts_ynode *h = ts_yaml_get(n, "homepage"), *l = ts_yaml_get(n, "logo"), *s = ts_yaml_get(n, "seeAlso");
    if (h != NULL)
        home = resources(r, h, "provider homepage", "Text", "text/html", "");
    if (l != NULL)
        logo = resources(r, l, "provider logo", "Image", NULL, NULL);
    if (s != NULL)
        also = resources(r, s, "provider seeAlso", "Dataset", NULL, NULL);
    /* an Agent needs an id: given, or its homepage */
    const struct ts_ynode *id = ts_yaml_get(n, "id");
    const char *idt = is_scalar(id) && is_url(id->text) ? id->text : NULL;
    if (idt == NULL && home != NULL)
        idt = json_string_value(json_object_get(json_array_get(home, 0), "id"));
    if (idt == NULL) {
        PROBLEM(r, n, "provider: needs an 'id' URL (or a homepage)");
        json_decref(label);
        json_decref(home);
        json_decref(logo);
        json_decref(also);
        return NULL;
    }
    json_t *o = json_pack("{s:s,s:s,s:o}", "id", idt, "type", "Agent", "label", label);
    if (home != NULL)
        json_object_set_new(o, "homepage", home);
    if (logo != NULL)
        json_object_set_new(o, "logo", logo);
    if (also != NULL)
        json_object_set_new(o, "seeAlso", also);
    return o;
}

static json_t *agent_item(struct rd *r, const struct ts_ynode *n, const void *ctx)
{
    (void)ctx;
    return agent(r, n);
}

static bool in_list(const char *t, const char *const *list)
{
    for (; *list != NULL; list++)
        if (strcmp(t, *list) == 0)
            return true;
    return false;
}

static json_t *behavior(struct rd *r, const struct ts_ynode *n)
{
    static const char *const known[] = {"auto-advance", "no-auto-advance", "repeat", "no-repeat", "unordered",
                                        "individuals", "continuous", "paged", "facing-pages", "non-paged",
                                        "multi-part", "together", "sequence", "thumbnail-nav", "no-nav", "hidden",
                                        NULL};
    json_t *a = json_array();
    if (strings_into(r, n, a, "behavior") != 0) {
        json_decref(a);
        return NULL;
    }
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (!in_list(json_string_value(v), known)) {
            PROBLEM(r, n, "behavior: '%s' is not a behavior of the Presentation API", json_string_value(v));
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *viewing_direction(struct rd *r, const struct ts_ynode *n)
{
    static const char *const known[] = {"left-to-right", "right-to-left", "top-to-bottom", "bottom-to-top", NULL};
    if (!is_scalar(n) || !in_list(n->text, known)) {
        PROBLEM(r, n, "viewingDirection: expected left-to-right, right-to-left, top-to-bottom or bottom-to-top");
        return NULL;
    }
    return json_string(n->text);
}

static json_t *nav_date(struct rd *r, const struct ts_ynode *n)
{
    char out[32];
    if (!is_scalar(n) || iiif_navdate(n->text, out) != 0) {
        PROBLEM(r, n, "navDate: expected a date like 1856, 1856-03, 1856-03-01 or 1856-03-01T10:00:00Z");
        return NULL;
    }
    return json_string(out);
}

static int number(const struct ts_ynode *n, double *out)
{
    if (!is_scalar(n) || n->len == 0)
        return -1;
    char *end;
    double v = strtod(n->text, &end);
    if (*end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Any YAML as JSON, for GeoJSON: plain numbers become numbers. */
static json_t *to_json(const struct ts_ynode *n)
{
    double v;
    switch (n->kind) {
    case TS_Y_SCALAR:
        if (!n->quoted && number(n, &v) == 0)
            return json_real(v);
        return text_json(n);
    case TS_Y_SEQ: {
        json_t *a = json_array();
        for (size_t i = 0; i < n->n; i++)
            json_array_append_new(a, to_json(n->items[i]));
        return a;
    }
    case TS_Y_MAP: {
        json_t *o = json_object();
        for (size_t i = 0; i < n->n; i++)
            json_object_set_new(o, n->items[2 * i]->text, to_json(n->items[2 * i + 1]));
        return o;
    }
    }
    return json_null();
}

/* A point {lat, lon, label} as a GeoJSON Feature. */
static json_t *point(struct rd *r, const struct ts_ynode *n)
{
    double lat, lon;
    if (number(ts_yaml_get(n, "lat"), &lat) != 0 || number(ts_yaml_get(n, "lon"), &lon) != 0 || lat < -90 ||
        lat > 90 || lon < -180 || lon > 180) {
        PROBLEM(r, n, "navPlace: a point needs 'lat' (-90 to 90) and 'lon' (-180 to 180)");
        return NULL;
    }
    json_t *f = json_pack("{s:s,s:{s:s,s:[f,f]}}", "type", "Feature", "geometry", "type", "Point", "coordinates", lon, lat);
    const struct ts_ynode *l = ts_yaml_get(n, "label");
    if (l != NULL) {
        json_t *lm = lang_map(r, l, "navPlace");
        if (lm != NULL)
            json_object_set_new(f, "properties", json_pack("{s:o}", "label", lm));
    }
    return f;
}

static json_t *point_item(struct rd *r, const struct ts_ynode *n, const void *ctx)
{
    (void)ctx;
    return point(r, n);
}

/* navPlace: GeoJSON (a Feature or FeatureCollection), a point, or a list of points; always a FeatureCollection. */
static json_t *nav_place(struct rd *r, const struct ts_ynode *n)
{
    json_t *features = json_array();
    const struct ts_ynode *type = ts_yaml_get(n, "type");
    if (is_scalar(type)) {
        json_t *g = to_json(n);
        if (strcmp(type->text, "FeatureCollection") == 0 && json_is_array(json_object_get(g, "features"))) {
            json_array_extend(features, json_object_get(g, "features"));
        } else if (strcmp(type->text, "Feature") == 0 && json_is_object(json_object_get(g, "geometry"))) {
            json_array_append(features, g);
        } else {
            PROBLEM(r, n, "navPlace: GeoJSON must be a Feature with a geometry or a FeatureCollection with features");
            json_decref(g);
            json_decref(features);
            return NULL;
        }
        json_decref(g);
        size_t i;
        json_t *f;
        json_array_foreach(features, i, f)
        {
            json_t *t = json_object_get(f, "type");
            if (!json_is_object(f) || !json_is_string(t) || strcmp(json_string_value(t), "Feature") != 0) {
                PROBLEM(r, n, "navPlace: every feature needs \"type\": \"Feature\"");
                json_decref(features);
                return NULL;
            }
            json_object_del(f, "id"); /* ids are made from the item's */
        }
    } else {
        json_decref(features);
        features = one_or_many(r, n, point_item, NULL);
    }
    if (features == NULL || json_array_size(features) == 0) {
        json_decref(features);
        return NULL;
    }
    return json_pack("{s:s,s:o}", "type", "FeatureCollection", "features", features);
}

/* A file name of the folder: no path, not hidden. */
static bool is_file_name(const char *t)
{
    return t[0] != '\0' && t[0] != '.' && strchr(t, '/') == NULL && strchr(t, '\\') == NULL;
}

static char *file_or_url(struct rd *r, const struct ts_ynode *n, const char *key)
{
    if (!is_scalar(n) || !(is_file_name(n->text) || is_url(n->text))) {
        PROBLEM(r, n, "%s: expected the name of an image in this folder or an http(s) URL", key);
        return NULL;
    }
    return strdup(n->text);
}

/* The properties that manifests, collections and canvases share. Returns false for a key it does not know. */
static bool read_property(struct rd *r, json_t *props, const char *key, const struct ts_ynode *v)
{
    json_t *j = NULL;
    if (strcmp(key, "label") == 0 || strcmp(key, "summary") == 0)
        j = lang_map(r, v, key);
    else if (strcmp(key, "metadata") == 0)
        j = metadata(r, v);
    else if (strcmp(key, "requiredStatement") == 0)
        j = required_statement(r, v);
    else if (strcmp(key, "rights") == 0)
        j = rights(r, v);
    else if (strcmp(key, "provider") == 0)
        j = one_or_many(r, v, agent_item, NULL);
    else if (strcmp(key, "homepage") == 0)
        j = resources(r, v, key, "Text", "text/html", "");
    else if (strcmp(key, "seeAlso") == 0)
        j = resources(r, v, key, "Dataset", NULL, NULL);
    else if (strcmp(key, "rendering") == 0)
        j = resources(r, v, key, "Text", NULL, "");
    else if (strcmp(key, "behavior") == 0)
        j = behavior(r, v);
    else if (strcmp(key, "navDate") == 0)
        j = nav_date(r, v);
    else if (strcmp(key, "navPlace") == 0)
        j = nav_place(r, v);
    else
        return false;
    if (j != NULL)
        json_object_set_new(props, key, j);
    return true;
}

/* canvases: file name -> a label, or a mapping of properties. */
static void read_canvases(struct rd *r, const struct ts_ynode *n)
{
    if (n == NULL || n->kind != TS_Y_MAP) {
        PROBLEM(r, n, "canvases: expected a mapping of file names to labels or properties");
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        const struct ts_ynode *k = n->items[2 * i], *v = n->items[2 * i + 1];
        if (!is_file_name(k->text)) {
            PROBLEM(r, k, "canvases: '%s' is not a file name of this folder", k->text);
            continue;
        }
        note_where_name(r, "canvas", k->text, k, false);
        json_t *props = json_object_get(r->s->canvases, k->text);
        if (props == NULL) {
            props = json_object();
            json_object_set_new(r->s->canvases, k->text, props);
        }
        if (v->kind != TS_Y_MAP) {
            read_property(r, props, "label", v);
            continue;
        }
        for (size_t j = 0; j < v->n; j++) {
            const char *key = v->items[2 * j]->text;
            if (strcmp(key, "behavior") == 0 || strcmp(key, "provider") == 0 || !read_property(r, props, key, v->items[2 * j + 1]))
                PROBLEM(r, v->items[2 * j], "canvases: '%s' is not a property tessera sets on a canvas", key);
        }
    }
}

/* A range: {label, items: [file names and ranges]}. */
static json_t *range(struct rd *r, const struct ts_ynode *n, int depth)
{
    const struct ts_ynode *items = ts_yaml_get(n, "items");
    if (n == NULL || n->kind != TS_Y_MAP || ts_yaml_get(n, "label") == NULL || items == NULL ||
        items->kind != TS_Y_SEQ || items->n == 0) {
        PROBLEM(r, n, "structures: a range needs 'label' and a list of 'items' (file names or ranges)");
        return NULL;
    }
    json_t *label = lang_map(r, ts_yaml_get(n, "label"), "structures");
    if (label == NULL)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < items->n; i++) {
        const struct ts_ynode *it = items->items[i];
        if (is_scalar(it) && is_file_name(it->text)) {
            note_where_name(r, "item", it->text, it, true);
            json_array_append_new(a, text_json(it));
        } else if (it->kind == TS_Y_MAP && depth < 16) {
            json_t *sub = range(r, it, depth + 1);
            if (sub != NULL)
                json_array_append_new(a, sub);
        } else {
            PROBLEM(r, it, "structures: expected a file name of this folder or a range");
        }
    }
    if (json_array_size(a) == 0) {
        json_decref(label);
        json_decref(a);
        return NULL;
    }
    json_t *o = json_pack("{s:o,s:o}", "label", label, "items", a);
    const struct ts_ynode *b = ts_yaml_get(n, "behavior");
    if (b != NULL) {
        json_t *bj = behavior(r, b);
        if (bj != NULL)
            json_object_set_new(o, "behavior", bj);
    }
    return o;
}

static void read_structures(struct rd *r, const struct ts_ynode *n)
{
    if (n == NULL || n->kind != TS_Y_SEQ) {
        PROBLEM(r, n, "structures: expected a list of ranges");
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n->n; i++) {
        json_t *o = range(r, n->items[i], 0);
        if (o != NULL)
            json_array_append_new(a, o);
    }
    json_decref(r->s->structures);
    r->s->structures = a;
}

void ts_sidecar_read(struct ts_sidecar *s, const struct ts_ynode *root, const char *file)
{
    struct rd r = {s, file, "none"};
    if (root == NULL)
        return;
    if (root->kind != TS_Y_MAP) {
        ts_sidecar_problem(s, file, root->line, "expected a mapping of keys (label, summary, metadata, ...)");
        return;
    }
    const struct ts_ynode *lang = ts_yaml_get(root, "language");
    if (lang != NULL) {
        if (is_scalar(lang) && is_lang(lang->text))
            snprintf(r.lang, sizeof(r.lang), "%s", lang->text);
        else
            PROBLEM(&r, lang, "language: expected a language tag like en, fr or de-CH");
    }
    for (size_t i = 0; i < root->n; i++) {
        const char *key = root->items[2 * i]->text;
        const struct ts_ynode *v = root->items[2 * i + 1];
        if (strcmp(key, "language") == 0)
            continue;
        if (ts_yaml_is_null(v)) {
            json_object_del(s->props, key); /* `key: ~` removes what an earlier source set */
            continue;
        }
        if (read_property(&r, s->props, key, v))
            continue;
        if (strcmp(key, "viewingDirection") == 0) {
            json_t *j = viewing_direction(&r, v);
            if (j != NULL)
                json_object_set_new(s->props, key, j);
        } else if (strcmp(key, "thumbnail") == 0) {
            char *t = file_or_url(&r, v, key);
            if (t != NULL) {
                free(s->thumbnail);
                s->thumbnail = t;
                note_where(&r, "thumbnail", v);
            }
        } else if (strcmp(key, "start") == 0) {
            if (is_scalar(v) && is_file_name(v->text)) {
                free(s->start);
                s->start = strdup(v->text);
                note_where(&r, "start", v);
            } else {
                PROBLEM(&r, v, "start: expected the name of an image in this folder");
            }
        } else if (strcmp(key, "canvases") == 0) {
            read_canvases(&r, v);
        } else if (strcmp(key, "structures") == 0) {
            read_structures(&r, v);
        } else {
            PROBLEM(&r, root->items[2 * i], "unknown key '%s'", key);
        }
    }
}
