/*
 * v2.c: Presentation 3.0 to 2.1.
 */
#include "present/v2.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define P2_CONTEXT "http://iiif.io/api/presentation/2/context.json"
#define IMAGE2_CONTEXT "http://iiif.io/api/image/2/context.json"
#define IMAGE2_LEVEL2 "http://iiif.io/api/image/2/level2.json"

/* A 3.0 language map as a 2.1 value: a string, or a list of {"@value", "@language"}. */
static json_t *value2(const json_t *map)
{
    if (!json_is_object(map))
        return NULL;
    size_t total = 0;
    const char *lang;
    json_t *v;
    json_object_foreach((json_t *)map, lang, v)
    {
        total += json_array_size(v);
    }
    if (total == 1) {
        json_object_foreach((json_t *)map, lang, v)
        {
            if (json_array_size(v) == 1)
                return json_incref(json_array_get(v, 0));
        }
    }
    json_t *a = json_array();
    json_object_foreach((json_t *)map, lang, v)
    {
        size_t i;
        json_t *s;
        json_array_foreach(v, i, s)
        {
            if (strcmp(lang, "none") == 0)
                json_array_append(a, s);
            else
                json_array_append_new(a, json_pack("{s:O,s:s}", "@value", s, "@language", lang));
        }
    }
    return a;
}

static void set_value(json_t *out, const char *key, const json_t *map)
{
    json_t *v = value2(map);
    if (v != NULL)
        json_object_set_new(out, key, v);
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* "{base}/iiif/3/..." as "{base}/iiif/2/...": the Image API 2.1 form of one of our image URLs. */
static json_t *image2_url(const char *v3)
{
    const char *at = v3 != NULL ? strstr(v3, "/iiif/3/") : NULL;
    if (at == NULL)
        return v3 != NULL ? json_string(v3) : NULL;
    size_t n = strlen(v3);
    char *s = malloc(n + 1);
    if (s == NULL)
        return NULL;
    memcpy(s, v3, n + 1);
    s[at - v3 + 6] = '2';
    json_t *j = json_string(s);
    free(s);
    return j;
}

static json_t *service2(const json_t *services)
{
    size_t i;
    json_t *s;
    json_array_foreach(services, i, s)
    {
        const char *t = str(s, "@type") != NULL ? str(s, "@type") : str(s, "type");
        const char *id = str(s, "@id") != NULL ? str(s, "@id") : str(s, "id");
        if (t != NULL && id != NULL && strcmp(t, "ImageService2") == 0)
            return json_pack("{s:s,s:s,s:s}", "@context", IMAGE2_CONTEXT, "@id", id, "profile", IMAGE2_LEVEL2);
    }
    json_array_foreach(services, i, s)
    {
        const char *id = str(s, "id");
        if (id != NULL) {
            json_t *u = image2_url(id);
            return json_pack("{s:s,s:o,s:s}", "@context", IMAGE2_CONTEXT, "@id", u, "profile", IMAGE2_LEVEL2);
        }
    }
    return NULL;
}

static json_t *thumbnail2(const json_t *thumbs)
{
    const json_t *t = json_array_get(thumbs, 0);
    if (t == NULL)
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "@id", image2_url(str(t, "id")));
    json_t *svc = service2(json_object_get(t, "service"));
    if (svc != NULL)
        json_object_set_new(o, "service", svc);
    return o;
}

/* The descriptive properties both kinds share. */
static void describe2(json_t *out, const json_t *doc)
{
    set_value(out, "label", json_object_get(doc, "label"));
    set_value(out, "description", json_object_get(doc, "summary"));
    json_t *md = json_object_get(doc, "metadata");
    if (json_array_size(md) > 0) {
        json_t *a = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(md, i, e)
        {
            json_t *l = value2(json_object_get(e, "label")), *v = value2(json_object_get(e, "value"));
            if (l != NULL && v != NULL)
                json_array_append_new(a, json_pack("{s:o,s:o}", "label", l, "value", v));
            else {
                json_decref(l);
                json_decref(v);
            }
        }
        json_object_set_new(out, "metadata", a);
    }
    json_t *thumb = thumbnail2(json_object_get(doc, "thumbnail"));
    if (thumb != NULL)
        json_object_set_new(out, "thumbnail", thumb);
    json_t *rs = json_object_get(doc, "requiredStatement");
    if (rs != NULL)
        set_value(out, "attribution", json_object_get(rs, "value"));
    const char *rights = str(doc, "rights");
    if (rights != NULL)
        json_object_set_new(out, "license", json_string(rights));
    json_t *prov = json_array_get(json_object_get(doc, "provider"), 0);
    json_t *logo = json_array_get(json_object_get(prov, "logo"), 0);
    if (str(logo, "id") != NULL)
        json_object_set_new(out, "logo", json_string(str(logo, "id")));
    json_t *home = json_array_get(json_object_get(doc, "homepage"), 0);
    if (str(home, "id") != NULL) {
        json_t *rel = json_pack("{s:s}", "@id", str(home, "id"));
        if (str(home, "format") != NULL)
            json_object_set_new(rel, "format", json_string(str(home, "format")));
        json_object_set_new(out, "related", rel);
    }
    static const char *const links[] = {"seeAlso", "rendering"};
    for (int k = 0; k < 2; k++) {
        json_t *list = json_object_get(doc, links[k]);
        if (json_array_size(list) == 0)
            continue;
        json_t *a = json_array();
        size_t i;
        json_t *r;
        json_array_foreach(list, i, r)
        {
            json_t *o = json_pack("{s:s}", "@id", str(r, "id") != NULL ? str(r, "id") : "");
            if (str(r, "format") != NULL)
                json_object_set_new(o, "format", json_string(str(r, "format")));
            if (str(r, "profile") != NULL)
                json_object_set_new(o, "profile", json_string(str(r, "profile")));
            if (json_object_get(r, "label") != NULL)
                set_value(o, "label", json_object_get(r, "label"));
            json_array_append_new(a, o);
        }
        json_object_set_new(out, links[k], a);
    }
    /* behavior: the first one 2.1 has a viewingHint for */
    static const char *const hints[] = {"paged", "individuals", "continuous", "non-paged", "facing-pages", NULL};
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(doc, "behavior"), i, b)
    {
        for (const char *const *h = hints; *h != NULL; h++) {
            if (json_is_string(b) && strcmp(json_string_value(b), *h) == 0 && json_object_get(out, "viewingHint") == NULL)
                json_object_set_new(out, "viewingHint", json_string(*h));
        }
    }
    if (str(doc, "viewingDirection") != NULL)
        json_object_set_new(out, "viewingDirection", json_string(str(doc, "viewingDirection")));
    if (str(doc, "navDate") != NULL)
        json_object_set_new(out, "navDate", json_string(str(doc, "navDate")));
}

static json_t *canvas2(const json_t *c)
{
    json_t *o = json_pack("{s:s,s:s}", "@id", str(c, "id"), "@type", "sc:Canvas");
    describe2(o, c);
    json_object_set(o, "height", json_object_get(c, "height"));
    json_object_set(o, "width", json_object_get(c, "width"));
    json_t *images = json_array();
    size_t i, j;
    json_t *page, *anno;
    json_array_foreach(json_object_get(c, "items"), i, page)
    {
        json_array_foreach(json_object_get(page, "items"), j, anno)
        {
            json_t *body = json_object_get(anno, "body");
            json_t *res = json_pack("{s:o,s:s}", "@id", image2_url(str(body, "id")), "@type", "dctypes:Image");
            if (str(body, "format") != NULL)
                json_object_set_new(res, "format", json_string(str(body, "format")));
            json_object_set(res, "height", json_object_get(body, "height"));
            json_object_set(res, "width", json_object_get(body, "width"));
            json_t *svc = service2(json_object_get(body, "service"));
            if (svc != NULL)
                json_object_set_new(res, "service", svc);
            json_array_append_new(images, json_pack("{s:s,s:s,s:s,s:o,s:s}", "@id", str(anno, "id"), "@type",
                                                    "oa:Annotation", "motivation", "sc:painting", "resource", res,
                                                    "on", str(c, "id")));
        }
    }
    json_object_set_new(o, "images", images);
    return o;
}

/* Appends range `r` and, after it, its descendants to `flat`. */
static void ranges2(const json_t *r, json_t *flat, bool top)
{
    json_t *o = json_pack("{s:s,s:s}", "@id", str(r, "id"), "@type", "sc:Range");
    set_value(o, "label", json_object_get(r, "label"));
    if (top)
        json_object_set_new(o, "viewingHint", json_string("top"));
    json_t *canvases = json_array(), *children = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r, "items"), i, it)
    {
        const char *type = str(it, "type");
        if (type != NULL && strcmp(type, "Canvas") == 0)
            json_array_append_new(canvases, json_string(str(it, "id")));
        else if (type != NULL && strcmp(type, "Range") == 0)
            json_array_append_new(children, json_string(str(it, "id")));
    }
    if (json_array_size(canvases) > 0)
        json_object_set_new(o, "canvases", canvases);
    else
        json_decref(canvases);
    if (json_array_size(children) > 0)
        json_object_set_new(o, "ranges", children);
    else
        json_decref(children);
    json_array_append_new(flat, o);
    json_array_foreach(json_object_get(r, "items"), i, it)
    {
        const char *type = str(it, "type");
        if (type != NULL && strcmp(type, "Range") == 0)
            ranges2(it, flat, false);
    }
}

json_t *ts_present_v2(const json_t *doc)
{
    const char *type = str(doc, "type"), *id = str(doc, "id");
    if (type == NULL || id == NULL)
        return NULL;
    bool manifest = strcmp(type, "Manifest") == 0;
    if (!manifest && strcmp(type, "Collection") != 0)
        return NULL;
    json_t *out = json_pack("{s:s,s:s,s:s}", "@context", P2_CONTEXT, "@id", id, "@type",
                            manifest ? "sc:Manifest" : "sc:Collection");
    describe2(out, doc);
    if (!manifest) {
        json_t *manifests = json_array(), *collections = json_array();
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(doc, "items"), i, it)
        {
            bool is_m = str(it, "type") != NULL && strcmp(str(it, "type"), "Manifest") == 0;
            json_t *o = json_pack("{s:s,s:s}", "@id", str(it, "id"), "@type", is_m ? "sc:Manifest" : "sc:Collection");
            set_value(o, "label", json_object_get(it, "label"));
            json_t *thumb = thumbnail2(json_object_get(it, "thumbnail"));
            if (thumb != NULL)
                json_object_set_new(o, "thumbnail", thumb);
            json_array_append_new(is_m ? manifests : collections, o);
        }
        if (json_array_size(collections) > 0)
            json_object_set_new(out, "collections", collections);
        else
            json_decref(collections);
        json_object_set_new(out, "manifests", manifests);
        return out;
    }
    /* one Sequence of the Canvases: {manifest id without /manifest}/sequence/normal */
    size_t n = strlen(id);
    const char *suffix = "/manifest";
    size_t keep = n >= 9 && strcmp(id + n - 9, suffix) == 0 ? n - 9 : n;
    char *seq_id = malloc(keep + 17);
    if (seq_id == NULL) {
        json_decref(out);
        return NULL;
    }
    memcpy(seq_id, id, keep);
    memcpy(seq_id + keep, "/sequence/normal", 17);
    json_t *canvases = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "items"), i, c)
    {
        json_array_append_new(canvases, canvas2(c));
    }
    json_t *seq = json_pack("{s:s,s:s,s:o}", "@id", seq_id, "@type", "sc:Sequence", "canvases", canvases);
    free(seq_id);
    json_t *start = json_object_get(doc, "start");
    if (str(start, "id") != NULL)
        json_object_set_new(seq, "startCanvas", json_string(str(start, "id")));
    json_object_set_new(out, "sequences", json_pack("[o]", seq));
    json_t *structures = json_object_get(doc, "structures");
    if (json_array_size(structures) > 0) {
        json_t *flat = json_array();
        json_t *r;
        json_array_foreach(structures, i, r)
        {
            ranges2(r, flat, true);
        }
        json_object_set_new(out, "structures", flat);
    }
    return out;
}

json_t *ts_present_v2_find(json_t *doc, const char *id)
{
    const char *own = str(doc, "@id");
    if (own != NULL && strcmp(own, id) == 0)
        return doc;
    static const char *const lists[] = {"sequences", "canvases", "images", "structures"};
    for (int k = 0; k < 4; k++) {
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(doc, lists[k]), i, it)
        {
            json_t *found = json_is_object(it) ? ts_present_v2_find(it, id) : NULL;
            if (found != NULL)
                return found;
        }
    }
    return NULL;
}
