/*
 * test_info.c: info.json for 2.1 and 3.0 from source descriptions.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "json/info.h"
#include "t.h"

static struct ts_source make_src(uint32_t w, uint32_t h, uint32_t tw, uint32_t th, bool grey)
{
    struct ts_source s;
    memset(&s, 0, sizeof(s));
    s.width = w;
    s.height = h;
    s.tile_w = tw;
    s.tile_h = th;
    s.is_grey = grey;
    s.bands = grey ? 1 : 3;
    s.n_levels = 1;
    s.levels[0] = (struct ts_level){w, h, 0};
    return s;
}

static json_t *info(enum iiif_version v, const struct ts_source *s, const struct iiif_limits *lim,
                    const struct ts_formats *f, const char *rights, const char *pref)
{
    struct ts_info_opts o = {lim, 512, f, rights, pref};
    char *text = ts_info_json(v, "https://example.org/iiif/3/abc", s, &o, NULL);
    json_error_t e;
    json_t *j = text ? json_loads(text, 0, &e) : NULL;
    free(text);
    return j;
}

/* "[w,h] [w,h] ..." of the sizes array */
static void sizes_text(json_t *arr, char *out, size_t cap)
{
    out[0] = '\0';
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        char one[64];
        snprintf(one, sizeof(one), "%s%lldx%lld", i ? " " : "", (long long)json_integer_value(json_object_get(v, "width")),
                 (long long)json_integer_value(json_object_get(v, "height")));
        strncat(out, one, cap - strlen(out) - 1);
    }
}

static void scale_text(json_t *tiles, char *out, size_t cap)
{
    out[0] = '\0';
    json_t *t = json_array_get(tiles, 0);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(t, "scaleFactors"), i, v)
    {
        char one[32];
        snprintf(one, sizeof(one), "%s%lld", i ? "," : "", (long long)json_integer_value(v));
        strncat(out, one, cap - strlen(out) - 1);
    }
}

static int has_string(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return 1;
    }
    return 0;
}

struct grid_case {
    const char *name;
    uint32_t w, h, tw, th;
    uint32_t max_w;
    const char *sizes;
    const char *scales;
    int tile_w, tile_h; /* advertised; tile_h 0 = not present (square) */
};

static void test_grid(void)
{
    struct ts_formats f = {{true, true, false}};
    const struct grid_case cases[] = {
        {"untiled 1000", 1000, 1000, 0, 0, 10000, "125x125 250x250 500x500 1000x1000", "1,2", 512, 0},
        {"native 256", 6000, 4000, 256, 256, 10000, "94x63 188x125 375x250 750x500 1500x1000 3000x2000 6000x4000",
         "1,2,4,8,16,32", 256, 0},
        {"limited", 6000, 4000, 256, 256, 2000, "94x63 188x125 375x250 750x500 1500x1000", "1,2,4,8,16,32", 256, 0},
        {"tiny native tiles", 1000, 800, 64, 64, 10000, "125x100 250x200 500x400 1000x800", "1,2", 512, 0},
        {"strips", 3000, 2000, 3000, 16, 10000, "94x63 188x125 375x250 750x500 1500x1000 3000x2000", "1,2,4,8", 512, 0},
        {"non-square tiles", 2048, 1024, 512, 256, 10000, "128x64 256x128 512x256 1024x512 2048x1024", "1,2,4,8", 512, 256},
        {"small", 100, 50, 0, 0, 10000, "100x50", "1", 512, 0},
        {"one pixel", 1, 1, 0, 0, 10000, "1x1", "1", 512, 0},
        {"tiles within small limits", 1000, 1000, 0, 0, 400, "125x125 250x250", "1,2,4", 256, 0},
        {"native tiles over the limits", 4000, 4000, 1024, 1024, 700, "125x125 250x250 500x500", "1,2,4,8", 512,
         0},
        {"tall", 500, 20000, 256, 256, 10000, "4x157 8x313 16x625 32x1250 63x2500 125x5000 250x10000",
         "1,2,4,8,16,32,64,128", 256, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct grid_case *c = &cases[i];
        struct iiif_limits lim = {c->max_w, c->max_w, 100000000, false, false};
        struct ts_source s = make_src(c->w, c->h, c->tw, c->th, false);
        json_t *j = info(IIIF_V3, &s, &lim, &f, "", "");
        T_CHECK(j != NULL, "%s: valid JSON", c->name);
        if (j == NULL)
            continue;
        char text[512];
        sizes_text(json_object_get(j, "sizes"), text, sizeof(text));
        T_STREQ(text, c->sizes, c->name);
        scale_text(json_object_get(j, "tiles"), text, sizeof(text));
        T_STREQ(text, c->scales, c->name);
        json_t *t = json_array_get(json_object_get(j, "tiles"), 0);
        T_CHECK(json_integer_value(json_object_get(t, "width")) == c->tile_w, "%s: tile width", c->name);
        json_t *th = json_object_get(t, "height");
        T_CHECK(c->tile_h == 0 ? th == NULL : json_integer_value(th) == c->tile_h, "%s: tile height", c->name);
        /* the same grid in 2.1 */
        json_t *j2 = info(IIIF_V2, &s, &lim, &f, "", "");
        char text2[512];
        sizes_text(json_object_get(j2, "sizes"), text2, sizeof(text2));
        T_STREQ(text2, c->sizes, c->name);
        json_decref(j2);
        json_decref(j);
    }
}

static void test_fields(void)
{
    struct ts_formats f = {{0}};
    f.ok[IIIF_FORMAT_JPG] = f.ok[IIIF_FORMAT_PNG] = f.ok[IIIF_FORMAT_WEBP] = f.ok[IIIF_FORMAT_GIF] = true;
    struct iiif_limits lim = {5000, 4000, 9000000, false, false};
    struct ts_source s = make_src(1000, 800, 0, 0, false);
    json_t *j = info(IIIF_V3, &s, &lim, &f, "http://creativecommons.org/publicdomain/zero/1.0/", "pdf, webp,jpg");
    const char *first = json_object_iter_key(json_object_iter(j));
    T_STREQ(first, "@context", "@context comes first");
    T_STREQ(json_string_value(json_object_get(j, "@context")), "http://iiif.io/api/image/3/context.json", "context");
    T_STREQ(json_string_value(json_object_get(j, "id")), "https://example.org/iiif/3/abc", "id");
    T_STREQ(json_string_value(json_object_get(j, "type")), "ImageService3", "type");
    T_STREQ(json_string_value(json_object_get(j, "protocol")), "http://iiif.io/api/image", "protocol");
    T_STREQ(json_string_value(json_object_get(j, "profile")), "level2", "profile");
    T_CHECK(json_integer_value(json_object_get(j, "width")) == 1000, "width");
    T_CHECK(json_integer_value(json_object_get(j, "height")) == 800, "height");
    T_CHECK(json_integer_value(json_object_get(j, "maxWidth")) == 5000, "maxWidth");
    T_CHECK(json_integer_value(json_object_get(j, "maxHeight")) == 4000, "maxHeight");
    T_CHECK(json_integer_value(json_object_get(j, "maxArea")) == 9000000, "maxArea");
    T_STREQ(json_string_value(json_object_get(j, "rights")), "http://creativecommons.org/publicdomain/zero/1.0/",
            "rights");
    json_t *pf = json_object_get(j, "preferredFormats");
    T_CHECK(json_array_size(pf) == 2 && strcmp(json_string_value(json_array_get(pf, 0)), "webp") == 0 &&
                strcmp(json_string_value(json_array_get(pf, 1)), "jpg") == 0,
            "preferredFormats keeps order and drops unavailable formats");
    json_t *ef = json_object_get(j, "extraFormats");
    T_CHECK(json_array_size(ef) == 2 && has_string(ef, "webp") && has_string(ef, "gif"), "extraFormats");
    T_CHECK(has_string(json_object_get(j, "extraQualities"), "color"), "colour source offers color");
    T_CHECK(has_string(json_object_get(j, "extraFeatures"), "sizeUpscaling") &&
                has_string(json_object_get(j, "extraFeatures"), "mirroring"),
            "extraFeatures");
    T_CHECK(json_object_get(j, "license") == NULL && json_object_get(j, "attribution") == NULL, "no 2.1 fields");
    json_decref(j);

    struct ts_source g = make_src(1000, 800, 0, 0, true);
    j = info(IIIF_V3, &g, &lim, &f, "", "");
    T_CHECK(!has_string(json_object_get(j, "extraQualities"), "color"), "grey source does not offer color");
    T_CHECK(has_string(json_object_get(j, "extraQualities"), "gray"), "grey source offers gray");
    T_CHECK(json_object_get(j, "rights") == NULL && json_object_get(j, "preferredFormats") == NULL,
            "empty settings are left out");
    json_decref(j);

    j = info(IIIF_V2, &s, &lim, &f, "http://rightsstatements.org/vocab/InC/1.0/", "");
    first = json_object_iter_key(json_object_iter(j));
    T_STREQ(first, "@context", "2.1 @context comes first");
    T_STREQ(json_string_value(json_object_get(j, "@context")), "http://iiif.io/api/image/2/context.json", "2.1 context");
    T_STREQ(json_string_value(json_object_get(j, "@id")), "https://example.org/iiif/3/abc", "@id");
    T_STREQ(json_string_value(json_object_get(j, "@type")), "iiif:Image", "@type");
    T_STREQ(json_string_value(json_object_get(j, "license")), "http://rightsstatements.org/vocab/InC/1.0/",
            "license");
    json_t *prof = json_object_get(j, "profile");
    T_CHECK(json_is_array(prof) && json_array_size(prof) == 2, "profile is an array of two");
    T_STREQ(json_string_value(json_array_get(prof, 0)), "http://iiif.io/api/image/2/level2.json", "profile[0]");
    json_t *d = json_array_get(prof, 1);
    T_CHECK(has_string(json_object_get(d, "qualities"), "bitonal") && has_string(json_object_get(d, "qualities"), "color"),
            "2.1 qualities");
    T_CHECK(has_string(json_object_get(d, "supports"), "sizeAboveFull") &&
                has_string(json_object_get(d, "supports"), "regionSquare"),
            "2.1 supports");
    T_CHECK(has_string(json_object_get(d, "formats"), "webp"), "2.1 formats");
    T_CHECK(json_integer_value(json_object_get(d, "maxWidth")) == 5000, "2.1 maxWidth");
    T_CHECK(json_object_get(j, "id") == NULL && json_object_get(j, "type") == NULL, "no 3.0 fields in 2.1");
    json_decref(j);
}

int main(void)
{
    test_grid();
    test_fields();
    return t_done();
}
