/*
 * info.c: info.json with jansson. Key order follows the spec's examples,
 * with @context first (jansson keeps insertion order).
 */
#include "json/info.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void ts_info_tiling(const struct ts_source *src, uint32_t tile_size, const struct iiif_limits *lim,
                    struct ts_tiling *out)
{
    uint32_t tw = src->tile_w, th = src->tile_h;
    /* Native tiles far from viewer-friendly sizes are not worth advertising. */
    if (tw < 128 || th < 128 || tw > 2048 || th > 2048)
        tw = th = tile_size;
    /* Every advertised tile must be answerable: keep tiles within the limits. */
    while (tw > 1 && (tw > lim->max_width || (uint64_t)tw * th > lim->max_area))
        tw = (tw + 1) / 2;
    while (th > 1 && (th > lim->max_height || (uint64_t)tw * th > lim->max_area))
        th = (th + 1) / 2;
    out->tile_w = tw;
    out->tile_h = th;
    uint32_t longest = src->width > src->height ? src->width : src->height;
    uint32_t edge = tw < th ? tw : th;
    int n = 1;
    while (n < 31 && ((uint64_t)edge << (n - 1)) < longest)
        n++;
    out->n_scale = n;
}

/*
 * Sizes at every scale factor, smallest first, within the limits: those of
 * the tiles, and further halvings down to one whose longest edge is at most
 * TS_INFO_SMALLEST_SIZE (while the shorter edge keeps TS_INFO_SMALLEST_SIDE),
 * so that thumbnails and lists have a small size to ask for even when the
 * image is a single tile.
 */
static json_t *sizes_array(const struct ts_source *src, const struct ts_tiling *tl, const struct iiif_limits *lim)
{
    json_t *a = json_array();
    uint64_t longest = src->width > src->height ? src->width : src->height;
    int top = tl->n_scale - 1;
    uint64_t shortest = src->width < src->height ? src->width : src->height;
    while (top < 30 && (longest + ((uint64_t)1 << top) - 1) >> top > TS_INFO_SMALLEST_SIZE &&
           (shortest + ((uint64_t)2 << top) - 1) >> (top + 1) >= TS_INFO_SMALLEST_SIDE)
        top++;
    for (int k = top; k >= 0; k--) {
        uint64_t sf = (uint64_t)1 << k;
        uint64_t w = (src->width + sf - 1) / sf, h = (src->height + sf - 1) / sf;
        if (w > lim->max_width || h > lim->max_height || w * h > lim->max_area)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "width", json_integer((json_int_t)w));
        json_object_set_new(o, "height", json_integer((json_int_t)h));
        json_array_append_new(a, o);
    }
    return a;
}

void ts_info_thumb_size(const struct ts_source *src, uint32_t tile_size, const struct iiif_limits *lim, uint32_t want,
                        uint32_t *w, uint32_t *h)
{
    struct ts_tiling tl;
    ts_info_tiling(src, tile_size, lim, &tl);
    json_t *sizes = sizes_array(src, &tl, lim);
    size_t i;
    json_t *s;
    *w = *h = 0;
    /* smallest first */
    json_array_foreach(sizes, i, s)
    {
        uint32_t sw = (uint32_t)json_integer_value(json_object_get(s, "width"));
        uint32_t sh = (uint32_t)json_integer_value(json_object_get(s, "height"));
        *w = sw;
        *h = sh;
        if ((sw > sh ? sw : sh) >= want)
            break;
    }
    json_decref(sizes);
    if (*w == 0 || *h == 0) { /* nothing advertised within the limits: a small size by the limit rules */
        *w = src->width < want ? src->width : want;
        *h = (uint32_t)((uint64_t)src->height * *w / (src->width ? src->width : 1));
        if (*h == 0)
            *h = 1;
    }
}

static json_t *tiles_array(const struct ts_tiling *tl)
{
    json_t *t = json_object();
    json_object_set_new(t, "width", json_integer(tl->tile_w));
    if (tl->tile_h != tl->tile_w)
        json_object_set_new(t, "height", json_integer(tl->tile_h));
    json_t *sf = json_array();
    for (int k = 0; k < tl->n_scale; k++)
        json_array_append_new(sf, json_integer((json_int_t)1 << k));
    json_object_set_new(t, "scaleFactors", sf);
    json_t *a = json_array();
    json_array_append_new(a, t);
    return a;
}

/* Formats beyond the level-2 pair jpg and png that this build writes. */
static json_t *extra_formats(const struct ts_formats *f)
{
    json_t *a = json_array();
    for (int i = 0; i < IIIF_FORMAT_COUNT; i++) {
        if (i == IIIF_FORMAT_JPG || i == IIIF_FORMAT_PNG || !f->ok[i])
            continue;
        json_array_append_new(a, json_string(iiif_format_ext((enum iiif_format)i)));
    }
    return a;
}

static json_t *preferred(const char *list, const struct ts_formats *f)
{
    json_t *a = json_array();
    const char *p = list;
    while (p != NULL && *p != '\0') {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        while (n > 0 && *p == ' ') {
            p++;
            n--;
        }
        while (n > 0 && p[n - 1] == ' ')
            n--;
        enum iiif_format fmt;
        if (iiif_format_from_ext(p, n, &fmt) == 0 && f->ok[fmt])
            json_array_append_new(a, json_string(iiif_format_ext(fmt)));
        p = comma ? comma + 1 : NULL;
    }
    return a;
}

static json_t *strings(const char *const *list)
{
    json_t *a = json_array();
    for (; *list != NULL; list++)
        json_array_append_new(a, json_string(*list));
    return a;
}

/* The first keys of a 3.0 info.json, in the spec's order. */
static json_t *info3_head(const char *id, const struct ts_source *src, const char *profile)
{
    json_t *j = json_object();
    json_object_set_new(j, "@context", json_string("http://iiif.io/api/image/3/context.json"));
    json_object_set_new(j, "id", json_string(id));
    json_object_set_new(j, "type", json_string("ImageService3"));
    json_object_set_new(j, "protocol", json_string("http://iiif.io/api/image"));
    json_object_set_new(j, "profile", json_string(profile));
    json_object_set_new(j, "width", json_integer(src->width));
    json_object_set_new(j, "height", json_integer(src->height));
    return j;
}

json_t *ts_info_level0(const char *id, const struct ts_source *src, const struct ts_info_opts *o)
{
    struct ts_tiling tl;
    ts_info_tiling(src, o->tile_size, o->limits, &tl);
    json_t *j = info3_head(id, src, "level0");
    json_object_set_new(j, "sizes", sizes_array(src, &tl, o->limits));
    json_object_set_new(j, "tiles", tiles_array(&tl));
    return j;
}

static json_t *info3(const char *id, const struct ts_source *src, const struct ts_info_opts *o)
{
    static const char *const features[] = {"canonicalLinkHeader", "mirroring", "profileLinkHeader",
                                           "rotationArbitrary", "sizeUpscaling", NULL};
    static const char *const qualities_colour[] = {"color", "gray", "bitonal", NULL};
    static const char *const qualities_grey[] = {"gray", "bitonal", NULL};
    struct ts_tiling tl;
    ts_info_tiling(src, o->tile_size, o->limits, &tl);

    json_t *j = info3_head(id, src, "level2");
    json_object_set_new(j, "maxWidth", json_integer(o->limits->max_width));
    json_object_set_new(j, "maxHeight", json_integer(o->limits->max_height));
    json_object_set_new(j, "maxArea", json_integer((json_int_t)o->limits->max_area));
    json_object_set_new(j, "sizes", sizes_array(src, &tl, o->limits));
    json_object_set_new(j, "tiles", tiles_array(&tl));
    json_t *pf = preferred(o->preferred_formats, o->formats);
    if (json_array_size(pf) > 0)
        json_object_set_new(j, "preferredFormats", pf);
    else
        json_decref(pf);
    if (o->rights != NULL && o->rights[0] != '\0')
        json_object_set_new(j, "rights", json_string(o->rights));
    json_object_set_new(j, "extraQualities", strings(src->is_grey ? qualities_grey : qualities_colour));
    json_t *ef = extra_formats(o->formats);
    if (json_array_size(ef) > 0)
        json_object_set_new(j, "extraFormats", ef);
    else
        json_decref(ef);
    json_object_set_new(j, "extraFeatures", strings(features));
    return j;
}

static json_t *info2(const char *id, const struct ts_source *src, const struct ts_info_opts *o)
{
    static const char *const supports[] = {"canonicalLinkHeader", "mirroring", "profileLinkHeader", "regionSquare",
                                           "rotationArbitrary", "sizeAboveFull", NULL};
    static const char *const qualities[] = {"default", "color", "gray", "bitonal", NULL};
    static const char *const qualities_grey[] = {"default", "gray", "bitonal", NULL};
    struct ts_tiling tl;
    ts_info_tiling(src, o->tile_size, o->limits, &tl);

    json_t *j = json_object();
    json_object_set_new(j, "@context", json_string("http://iiif.io/api/image/2/context.json"));
    json_object_set_new(j, "@id", json_string(id));
    json_object_set_new(j, "@type", json_string("iiif:Image"));
    json_object_set_new(j, "protocol", json_string("http://iiif.io/api/image"));
    json_object_set_new(j, "width", json_integer(src->width));
    json_object_set_new(j, "height", json_integer(src->height));
    json_object_set_new(j, "sizes", sizes_array(src, &tl, o->limits));
    json_object_set_new(j, "tiles", tiles_array(&tl));
    json_t *desc = json_object();
    json_t *ef = extra_formats(o->formats);
    if (json_array_size(ef) > 0)
        json_object_set_new(desc, "formats", ef);
    else
        json_decref(ef);
    json_object_set_new(desc, "qualities", strings(src->is_grey ? qualities_grey : qualities));
    json_object_set_new(desc, "supports", strings(supports));
    json_object_set_new(desc, "maxWidth", json_integer(o->limits->max_width));
    json_object_set_new(desc, "maxHeight", json_integer(o->limits->max_height));
    json_object_set_new(desc, "maxArea", json_integer((json_int_t)o->limits->max_area));
    json_t *profile = json_array();
    json_array_append_new(profile, json_string("http://iiif.io/api/image/2/level2.json"));
    json_array_append_new(profile, desc);
    json_object_set_new(j, "profile", profile);
    if (o->rights != NULL && o->rights[0] != '\0')
        json_object_set_new(j, "license", json_string(o->rights));
    return j;
}

char *ts_info_json(enum iiif_version v, const char *id, const struct ts_source *src, const struct ts_info_opts *o,
                   size_t *len)
{
    json_t *j = v == IIIF_V3 ? info3(id, src, o) : info2(id, src, o);
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (s != NULL && len != NULL)
        *len = strlen(s);
    return s;
}
