/*
 * test_source.c: probing sources (size, levels, tiles) and rendering from
 * them, on the validator's colour grid and files made from it here.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vips/vips.h>

#include "image/jpeg_area.h"
#include "image/jpeg_trim.h"
#include "image/passthrough.h"
#include "image/render.h"
#include "image/source.h"
#include "source/origin.h"
#include "t.h"

#define GRID_PNG TS_TEST_DATA "/67352ccc-d1b0-11e1-89ae-279075081939.png"
#define GRID_JP2 TS_TEST_DATA "/67352ccc-d1b0-11e1-89ae-279075081939.jp2"

/* A stored tile of `s`, read from the bytes at its locator (the tests build some sources by hand). */
static int read_tile(const struct ts_source *s, const struct ts_tile_ref *r, bool quick, void **data, size_t *len,
                     struct ts_error *err)
{
    struct ts_bytes *b;
    if (ts_origin_open(s->locator, &b, err) != 0)
        return -1;
    int rc = ts_passthrough_read(s, b, r, quick, data, len, err);
    ts_bytes_close(b);
    return rc;
}

/* ts_jpeg_decode_area over the file at `path`. */
static int jpeg_area_of(const char *path, int shrink, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1,
                        VipsImage **out, uint32_t *ox, uint32_t *oy, struct ts_error *err)
{
    struct ts_bytes *b;
    if (ts_origin_open(path, &b, err) != 0)
        return -1;
    int rc = ts_jpeg_decode_area(b, shrink, x0, y0, x1, y1, out, ox, oy, err);
    ts_bytes_close(b);
    return rc;
}

static char tmpdir[] = "/tmp/tessera-test-source-XXXXXX";

static const char *tmp(const char *name)
{
    static char path[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(path[k], sizeof(path[k]), "%s/%s", tmpdir, name);
    return path[k];
}

/* Writes the grid (optionally cropped to w x h) with a saver and options. */
static int write_grid(const char *path, int w, int h, const char *opts)
{
    VipsImage *im = vips_image_new_from_file(GRID_PNG, NULL), *crop = NULL;
    if (im == NULL)
        return -1;
    if (vips_extract_area(im, &crop, 0, 0, w, h, NULL) != 0) {
        g_object_unref(im);
        return -1;
    }
    char target[600];
    snprintf(target, sizeof(target), "%s%s", path, opts);
    int rc = vips_image_write_to_file(crop, target, NULL);
    g_object_unref(crop);
    g_object_unref(im);
    return rc;
}

/* NULL-tolerant g_object_unref, for the cleanup of tests that may stop half-way. */
static void unref(void *object)
{
    if (object != NULL)
        g_object_unref(object);
}

/* A 1000x1000 TIFF source with 256-px tiles and three levels, as the probe would describe it; nothing on disk. */
static void fake_tiff(struct ts_source *s)
{
    memset(s, 0, sizeof(*s));
    s->kind = TS_SRC_TIFF;
    s->width = s->height = 1000;
    s->tile_w = s->tile_h = 256;
    s->n_levels = 3;
    s->levels[0] = (struct ts_level){1000, 1000, 0};
    s->levels[1] = (struct ts_level){500, 500, 1};
    s->levels[2] = (struct ts_level){250, 250, 2};
    s->orientation = 1;
}

struct level_case {
    const char *name;
    const char *file;       /* NULL: make it from `opts` */
    const char *opts;
    int w, h;
    enum ts_src_kind kind;
    int n_levels;
    uint32_t tile;          /* expected native tile edge, 0 = untiled */
    uint32_t last_w, last_h; /* dims of the smallest level */
    bool subifd;
};

static void test_levels(void)
{
    const struct level_case cases[] = {
        {"png", GRID_PNG, NULL, 1000, 1000, TS_SRC_PNG, 1, 0, 1000, 1000, false},
        {"jp2", GRID_JP2, NULL, 1000, 1000, TS_SRC_JP2, 5, 0, 63, 63, false},
        {"pyramid.tif", NULL, "[tile,pyramid,tile-width=256,tile-height=256,compression=deflate]", 1000, 1000,
         TS_SRC_TIFF, 3, 256, 250, 250, false},
        {"subifd.tif", NULL, "[tile,pyramid,subifd,tile-width=256,tile-height=256,compression=deflate]", 1000, 1000,
         TS_SRC_TIFF, 3, 256, 250, 250, true},
        {"odd.tif", NULL, "[tile,pyramid,tile-width=128,tile-height=128,compression=lzw]", 999, 767, TS_SRC_TIFF, 4,
         128, 124, 95, false},
        {"strips.tif", NULL, "", 1000, 1000, TS_SRC_TIFF, 1, 0, 1000, 1000, false},
        {"tiled.jp2", NULL, "[tile-width=256,tile-height=256,lossless]", 1000, 1000, TS_SRC_JP2, 4, 256, 125, 125,
         false},
        {"plain.jpg", NULL, "[Q=90]", 1000, 1000, TS_SRC_JPEG, 4, 0, 125, 125, false},
        {"odd.jpg", NULL, "[Q=90]", 999, 767, TS_SRC_JPEG, 4, 0, 125, 96, false},
        {"plain.webp", NULL, "[lossless]", 640, 480, TS_SRC_WEBP, 1, 0, 640, 480, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct level_case *c = &cases[i];
        const char *path = c->file;
        if (path == NULL) {
            path = tmp(c->name);
            if (write_grid(path, c->w, c->h, c->opts) != 0) {
                T_CHECK(0, "%s: could not write fixture: %s", c->name, vips_error_buffer());
                vips_error_clear();
                continue;
            }
        }
        struct ts_source s;
        struct ts_error err;
        int rc = ts_source_open(path, &s, &err);
        T_CHECK(rc == 0, "%s: open failed: %s", c->name, rc ? err.msg : "");
        if (rc != 0)
            continue;
        T_CHECK(s.width == (uint32_t)c->w && s.height == (uint32_t)c->h, "%s: size %ux%u", c->name, s.width,
                s.height);
        T_CHECK(s.kind == c->kind, "%s: kind %s", c->name, ts_source_kind_name(s.kind));
        T_CHECK(s.n_levels == c->n_levels, "%s: %d levels, want %d", c->name, s.n_levels, c->n_levels);
        T_CHECK(s.tile_w == c->tile && s.tile_h == c->tile, "%s: tile %ux%u, want %u", c->name, s.tile_w, s.tile_h,
                c->tile);
        const struct ts_level *last = &s.levels[s.n_levels - 1];
        T_CHECK(last->width == c->last_w && last->height == c->last_h, "%s: smallest level %ux%u, want %ux%u",
                c->name, last->width, last->height, c->last_w, c->last_h);
        T_CHECK(s.tiff_subifd == c->subifd, "%s: subifd %d", c->name, s.tiff_subifd);
        for (int l = 1; l < s.n_levels; l++)
            T_CHECK(s.levels[l].width < s.levels[l - 1].width && s.levels[l].height < s.levels[l - 1].height,
                    "%s: level %d does not shrink", c->name, l);
        ts_source_release(&s);
    }
}

static void test_models(void)
{
    VipsImage *im = vips_image_new_from_file(GRID_PNG, NULL), *grey = NULL, *oriented = NULL, *rot = NULL;
    T_CHECK(im != NULL, "load grid");
    if (im == NULL)
        return;
    /* grey sources are grey */
    if (vips_colourspace(im, &grey, VIPS_INTERPRETATION_B_W, NULL) == 0 &&
        vips_image_write_to_file(grey, tmp("grey.png"), NULL) == 0) {
        struct ts_source s;
        T_CHECK(ts_source_open(tmp("grey.png"), &s, NULL) == 0 && s.is_grey && s.bands == 1, "grey png is grey");
        ts_source_release(&s);
    }
    /* EXIF orientation 6: stored 500x1000 on its side, served 1000x500 */
    if (vips_extract_area(im, &rot, 0, 0, 1000, 500, NULL) == 0 && vips_rot(rot, &oriented, VIPS_ANGLE_D270, NULL) == 0) {
        vips_image_set_int(oriented, VIPS_META_ORIENTATION, 6);
        if (vips_image_write_to_file(oriented, tmp("oriented.jpg"), NULL) == 0) {
            struct ts_source s;
            T_CHECK(ts_source_open(tmp("oriented.jpg"), &s, NULL) == 0, "open oriented");
            T_CHECK(s.orientation == 6, "orientation %d", s.orientation);
            T_CHECK(s.width == 1000 && s.height == 500, "oriented served as %ux%u", s.width, s.height);
            ts_source_release(&s);
        }
    }
    /* not an image */
    FILE *f = fopen(tmp("text.jpg"), "w");
    fputs("hello\n", f);
    fclose(f);
    struct ts_source s;
    struct ts_error err;
    T_CHECK(ts_source_open(tmp("text.jpg"), &s, &err) != 0 && err.status == 415, "text file: 415");
    T_CHECK(strstr(err.msg, tmpdir) == NULL, "error message hides the path: %s", err.msg);
    ts_source_release(&s);
    g_object_unref(im);
    unref(grey);
    unref(rot);
    unref(oriented);
}

/* Pixel (x,y) of an encoded image, channel 0..2. */
static int pixel(const struct ts_output *o, int x, int y, double rgb[3])
{
    VipsImage *im = vips_image_new_from_buffer(o->data, o->len, "", NULL);
    if (im == NULL)
        return -1;
    double *v = NULL;
    int n = 0;
    int rc = vips_getpoint(im, &v, &n, x, y, NULL);
    for (int i = 0; i < 3; i++)
        rgb[i] = rc == 0 ? v[i < n ? i : 0] : -1;
    g_free(v);
    g_object_unref(im);
    return rc;
}

struct render_case {
    const char *name;
    const char *file;
    uint32_t x, y, w, h, ow, oh;
    double degrees;
    bool mirror;
    enum iiif_format format;
    int level;            /* expected level used */
    uint32_t ew, eh;      /* expected encoded size */
};

static void test_render(void)
{
    struct ts_render_opts opts = {.jpeg_quality = 90, .webp_quality = 90, .webp_effort = 2, .avif_quality = 50,
                                  .jp2_quality = 48, .png_compression = 6, .kernel = VIPS_KERNEL_LANCZOS3};
    const struct render_case cases[] = {
        {"full", tmp("pyramid.tif"), 0, 0, 1000, 1000, 1000, 1000, 0, false, IIIF_FORMAT_PNG, 0, 1000, 1000},
        {"sf4 tile", tmp("pyramid.tif"), 0, 0, 1000, 1000, 250, 250, 0, false, IIIF_FORMAT_PNG, 2, 250, 250},
        {"sf2 tile", tmp("pyramid.tif"), 512, 512, 488, 488, 244, 244, 0, false, IIIF_FORMAT_PNG, 1, 244, 244},
        {"between levels", tmp("pyramid.tif"), 0, 0, 1000, 1000, 300, 300, 0, false, IIIF_FORMAT_PNG, 1, 300, 300},
        {"subifd sf4", tmp("subifd.tif"), 0, 0, 1000, 1000, 250, 250, 0, false, IIIF_FORMAT_PNG, 2, 250, 250},
        {"jp2 sf8", GRID_JP2, 0, 0, 1000, 1000, 125, 125, 0, false, IIIF_FORMAT_PNG, 3, 125, 125},
        {"jpeg shrink 8", tmp("plain.jpg"), 0, 0, 1000, 1000, 125, 125, 0, false, IIIF_FORMAT_PNG, 3, 125, 125},
        {"jpeg shrink 2", tmp("plain.jpg"), 0, 0, 1000, 1000, 400, 400, 0, false, IIIF_FORMAT_PNG, 1, 400, 400},
        {"upscale", GRID_PNG, 0, 0, 100, 100, 300, 300, 0, false, IIIF_FORMAT_PNG, 0, 300, 300},
        {"rot90", GRID_PNG, 0, 0, 200, 100, 200, 100, 90, false, IIIF_FORMAT_PNG, 0, 100, 200},
        {"rot45 jpg", GRID_PNG, 0, 0, 100, 100, 100, 100, 45, false, IIIF_FORMAT_JPG, 0, 141, 141},
        {"mirror", GRID_PNG, 0, 0, 1000, 1000, 100, 100, 0, true, IIIF_FORMAT_PNG, 0, 100, 100},
        {"gif", GRID_PNG, 0, 0, 1000, 1000, 100, 100, 0, false, IIIF_FORMAT_GIF, 0, 100, 100},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct render_case *c = &cases[i];
        struct ts_source s;
        if (ts_source_open(c->file, &s, NULL) != 0) {
            T_CHECK(0, "%s: open", c->name);
            continue;
        }
        struct iiif_plan p = {IIIF_V3, c->x, c->y, c->w, c->h, c->ow, c->oh, c->mirror, c->degrees,
                              IIIF_QUALITY_DEFAULT, c->format};
        struct ts_output out;
        struct ts_error err;
        int rc = ts_render(&s, &p, &opts, &out, &err);
        T_CHECK(rc == 0, "%s: render failed: %s", c->name, rc ? err.msg : "");
        if (rc == 0) {
            T_CHECK(out.level == c->level, "%s: decoded level %d, want %d", c->name, out.level, c->level);
            T_CHECK((out.width == c->ew || out.width == c->ew + 1) && (out.height == c->eh || out.height == c->eh + 1),
                    "%s: output %ux%u, want %ux%u", c->name, out.width, out.height, c->ew, c->eh);
            /* The top-left square of the grid survives scaling; mirroring moves it to the right. */
            if (c->degrees == 0 && c->x == 0 && c->y == 0) {
                double want[3], got[3];
                struct ts_output ref = {0};
                struct iiif_plan rp = {IIIF_V3, 0, 0, 1000, 1000, 1000, 1000, false, 0, IIIF_QUALITY_DEFAULT,
                                       IIIF_FORMAT_PNG};
                struct ts_source g;
                if (ts_source_open(GRID_PNG, &g, NULL) == 0 && ts_render(&g, &rp, &opts, &ref, NULL) == 0) {
                    int sx = c->mirror ? 950 : 50;
                    int px = (int)((double)sx * c->ow / c->w);
                    if (px < (int)c->ow && 50 * c->oh / c->h < c->oh && pixel(&ref, 50, 50, want) == 0 &&
                        pixel(&out, px, (int)(50.0 * c->oh / c->h), got) == 0) {
                        double d = 0;
                        for (int k = 0; k < 3; k++)
                            d += got[k] > want[k] ? got[k] - want[k] : want[k] - got[k];
                        T_CHECK(d < 30, "%s: colour of the first square (%g,%g,%g) vs (%g,%g,%g)", c->name, got[0],
                                got[1], got[2], want[0], want[1], want[2]);
                    }
                }
                ts_output_release(&ref);
                ts_source_release(&g);
            }
            ts_output_release(&out);
        }
        ts_source_release(&s);
    }
}

/* Every resample kernel gives the planned size and colours; the setting reaches libvips. */
static void test_render_kernels(void)
{
    static const struct {
        const char *name;
        int kernel;
    } kernels[] = {{"lanczos3", VIPS_KERNEL_LANCZOS3}, {"lanczos2", VIPS_KERNEL_LANCZOS2}, {"cubic", VIPS_KERNEL_CUBIC},
                   {"mitchell", VIPS_KERNEL_MITCHELL}, {"linear", VIPS_KERNEL_LINEAR},     {"nearest", VIPS_KERNEL_NEAREST}};
    struct ts_source s;
    if (ts_source_open(GRID_PNG, &s, NULL) != 0) {
        T_CHECK(0, "open %s", GRID_PNG);
        return;
    }
    struct iiif_plan p = {IIIF_V3, 0, 0, 1000, 1000, 333, 333, false, 0, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_PNG};
    struct ts_output first = {0};
    int differ = 0;
    for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++) {
        struct ts_render_opts opts = {.jpeg_quality = 90, .webp_quality = 90, .avif_quality = 50, .jp2_quality = 48,
                                      .png_compression = 6, .kernel = kernels[i].kernel};
        struct ts_output out;
        struct ts_error err;
        if (ts_render(&s, &p, &opts, &out, &err) != 0) {
            T_CHECK(0, "%s: render failed: %s", kernels[i].name, err.msg);
            continue;
        }
        double rgb[3];
        T_CHECK(out.width == 333 && out.height == 333, "%s: %ux%u, want 333x333", kernels[i].name, out.width,
                out.height);
        T_CHECK(pixel(&out, 16, 16, rgb) == 0, "%s: cannot read a pixel", kernels[i].name);
        if (i == 0) {
            first = out;
            continue;
        }
        double want[3];
        if (pixel(&first, 16, 16, want) == 0) {
            double d = 0;
            for (int k = 0; k < 3; k++)
                d += rgb[k] > want[k] ? rgb[k] - want[k] : want[k] - rgb[k];
            T_CHECK(d < 12, "%s: the first square is (%g,%g,%g), lanczos3 gives (%g,%g,%g)", kernels[i].name, rgb[0],
                    rgb[1], rgb[2], want[0], want[1], want[2]);
        }
        differ += out.len != first.len || memcmp(out.data, first.data, out.len) != 0;
        ts_output_release(&out);
    }
    T_CHECK(differ == (int)(sizeof(kernels) / sizeof(kernels[0])) - 1, "only %d kernels changed the pixels", differ);
    ts_output_release(&first);
    ts_source_release(&s);
}

static void test_passthrough_match(void)
{
    static uint64_t offs[16];
    static uint32_t sizes[16] = {10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 0};
    struct ts_source s;
    fake_tiff(&s);
    s.jpeg[0] = (struct ts_stored_tiles){4, 4, offs, sizes, NULL, 0, false};
    s.jpeg[1] = (struct ts_stored_tiles){2, 2, offs, sizes, NULL, 0, false};
    static const struct {
        uint32_t x, y, w, h, ow, oh;
        enum iiif_quality q;
        enum iiif_format f;
        bool mirror;
        double deg;
        bool match;
        int level;
        uint32_t tx, ty, kw, kh; /* the tile, and the part of it to send */
    } cases[] = {
        {0, 0, 256, 256, 256, 256, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, true, 0, 0, 0, 256, 256},
        {256, 512, 256, 256, 256, 256, IIIF_QUALITY_COLOR, IIIF_FORMAT_JPG, false, 0, true, 0, 1, 2, 256, 256},
        {512, 512, 256, 256, 256, 256, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, true, 0, 2, 2, 256, 256},
        {0, 0, 512, 512, 256, 256, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, true, 1, 0, 0, 256, 256},
        /* edge tiles, padded in the file, are cut to the level's edge */
        {768, 0, 232, 256, 232, 256, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, true, 0, 3, 0, 232, 256},
        {0, 768, 256, 232, 256, 232, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, true, 0, 0, 3, 256, 232},
        {512, 512, 488, 488, 244, 244, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, true, 1, 1, 1, 244, 244},
        {512, 0, 488, 512, 244, 256, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, true, 1, 1, 0, 244, 256},
        /* ...only when the size is exactly the part the level holds, and the region reaches the image's edge */
        {768, 0, 232, 256, 233, 256, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, false, 0, 0, 0, 0, 0},
        {768, 0, 232, 256, 116, 128, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, false, 0, 0, 0, 0, 0},
        {768, 0, 200, 256, 200, 256, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, false, 0, 0, 0, 0, 0},
        {512, 512, 488, 488, 245, 245, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, false, 0, 0, 0, 0, 0},
        /* a tile of a level the file does not hold as JPEG tiles */
        {0, 0, 1000, 1000, 250, 250, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, false, 0, 0, 0, 0, 0},
        /* not the stored bytes */
        {0, 0, 256, 256, 256, 256, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_PNG, false, 0, false, 0, 0, 0, 0, 0},
        {0, 0, 256, 256, 256, 256, IIIF_QUALITY_GRAY, IIIF_FORMAT_JPG, false, 0, false, 0, 0, 0, 0, 0},
        {0, 0, 256, 256, 256, 256, IIIF_QUALITY_BITONAL, IIIF_FORMAT_JPG, false, 0, false, 0, 0, 0, 0, 0},
        {0, 0, 256, 256, 256, 256, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, true, 0, false, 0, 0, 0, 0, 0},
        {0, 0, 256, 256, 256, 256, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 90, false, 0, 0, 0, 0, 0},
        {0, 0, 256, 256, 128, 128, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, false, 0, 0, 0, 0, 0},
        {0, 0, 300, 300, 256, 256, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, false, 0, 0, 0, 0, 0},
        {128, 0, 256, 256, 256, 256, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, false, 0, 0, 0, 0, 0},
        {0, 0, 256, 512, 256, 256, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, false, 0, 0, 0, 0, 0},
        /* a tile whose byte count is 0 in the file */
        {768, 768, 232, 232, 232, 232, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG, false, 0, false, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct iiif_plan p = {IIIF_V3, cases[i].x, cases[i].y, cases[i].w, cases[i].h, cases[i].ow, cases[i].oh,
                              cases[i].mirror, cases[i].deg, cases[i].q, cases[i].f};
        struct ts_tile_ref r = {-1, 0, 0, 0, 0};
        bool m = ts_passthrough_match(&s, &p, &r);
        T_CHECK(m == cases[i].match, "passthrough case %zu: match %d", i, m);
        if (m && cases[i].match)
            T_CHECK(r.level == cases[i].level && r.tx == cases[i].tx && r.ty == cases[i].ty && r.w == cases[i].kw &&
                        r.h == cases[i].kh,
                    "passthrough case %zu: level %d tile %u,%u part %ux%u", i, r.level, r.tx, r.ty, r.w, r.h);
    }
    /* grey sources: gray is the stored data */
    s.is_grey = true;
    struct iiif_plan g = {IIIF_V3, 0, 0, 256, 256, 256, 256, false, 0, IIIF_QUALITY_GRAY, IIIF_FORMAT_JPG};
    struct ts_tile_ref r;
    T_CHECK(ts_passthrough_match(&s, &g, &r), "gray tile of a grey source passes through");
    s.kind = TS_SRC_JP2;
    T_CHECK(!ts_passthrough_match(&s, &g, &r), "only TIFF sources pass through");
}

/*
 * The stored tile, assembled with its tables, decodes to the pixels libvips
 * decodes from the TIFF: for YCbCr tiles (libvips below Q 90) and RGB ones.
 */
static void test_passthrough_read_one(const char *name, const char *opts, bool rgb)
{
    const char *path = tmp(name);
    if (write_grid(path, 1000, 1000, opts) != 0) {
        T_CHECK(0, "write %s", name);
        return;
    }
    struct ts_source s;
    struct ts_error err;
    if (ts_source_open(path, &s, &err) != 0) {
        T_CHECK(0, "open pt.tif: %s", err.msg);
        return;
    }
    T_CHECK(s.jpeg[0].offsets != NULL && s.jpeg[1].offsets != NULL && s.jpeg[0].tables != NULL,
            "%s: JPEG tiles and tables recorded", name);
    T_CHECK(s.jpeg[0].rgb == rgb, "%s: RGB-coded tiles %d", name, s.jpeg[0].rgb);
    /* a whole tile, edge tiles (cut without decoding) and the corner */
    static const struct {
        uint32_t x, y, w, h;
    } tiles[] = {{256, 512, 256, 256}, {768, 512, 232, 256}, {256, 768, 256, 232}, {768, 768, 232, 232}};
    VipsImage *full = NULL;
    T_CHECK(vips_tiffload(path, &full, NULL) == 0, "%s: libvips reads the TIFF", name);
    for (size_t i = 0; full != NULL && i < sizeof(tiles) / sizeof(tiles[0]); i++) {
        uint32_t x = tiles[i].x, y = tiles[i].y, w = tiles[i].w, h = tiles[i].h;
        struct iiif_plan p = {IIIF_V3, x, y, w, h, w, h, false, 0, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG};
        struct ts_tile_ref r;
        void *data = NULL;
        size_t len = 0;
        T_CHECK(ts_passthrough_match(&s, &p, &r) && read_tile(&s, &r, false, &data, &len, &err) == 0,
                "%s: read the stored tile at %u,%u", name, x, y);
        VipsImage *pt = data ? vips_image_new_from_buffer(data, len, "", NULL) : NULL;
        VipsImage *crop = NULL;
        double diff = 1e9;
        if (pt != NULL && vips_extract_area(full, &crop, (int)x, (int)y, (int)w, (int)h, NULL) == 0 &&
            vips_image_get_width(pt) == (int)w && vips_image_get_height(pt) == (int)h) {
            VipsImage *d = NULL, *a = NULL;
            if (vips_subtract(pt, crop, &d, NULL) == 0 && vips_abs(d, &a, NULL) == 0)
                vips_avg(a, &diff, NULL);
            unref(d);
            unref(a);
        }
        /* the decoders differ only in chroma upsampling at the cut edge */
        T_CHECK(diff < 0.5, "%s: the %ux%u tile at %u,%u decodes to the TIFF's pixels (%g)", name, w, h, x, y, diff);
        unref(pt);
        unref(crop);
        free(data);
    }
    unref(full);
    vips_error_clear();
    ts_source_release(&s);
}

/*
 * An edge tile the entropy-level cropper declines (here a progressive
 * stream, as some TIFF writers could store), or a large one (noise at
 * quality 100: over 64 KiB), is not cut on the event loop (`quick`: 1) but
 * is cut otherwise; a small baseline one is cut either way, to the same
 * bytes. Whole tiles are read either way.
 */
static void test_passthrough_declined(void)
{
    VipsImage *im = vips_image_new_from_file(GRID_PNG, NULL), *crop = NULL;
    VipsImage *noise = NULL, *noise8 = NULL;
    void *jpg[3] = {NULL, NULL, NULL};
    size_t len[3] = {0, 0, 0};
    if (im == NULL || vips_extract_area(im, &crop, 0, 0, 256, 256, NULL) != 0 ||
        vips_jpegsave_buffer(crop, &jpg[0], &len[0], "Q", 90, NULL) != 0 ||
        vips_jpegsave_buffer(crop, &jpg[1], &len[1], "Q", 90, "interlace", TRUE, NULL) != 0 ||
        vips_gaussnoise(&noise, 256, 256, "sigma", 60.0, NULL) != 0 ||
        vips_cast_uchar(noise, &noise8, NULL) != 0 ||
        vips_jpegsave_buffer(noise8, &jpg[2], &len[2], "Q", 100, NULL) != 0) {
        T_CHECK(0, "make the tiles");
        goto out;
    }
    T_CHECK(len[2] > 64 << 10, "the noise tile is over 64 KiB (%zu)", len[2]);
    const char *path = tmp("tiles.bin");
    FILE *f = fopen(path, "wb");
    static uint64_t offs[3];
    static uint32_t sizes[3];
    bool written = f != NULL;
    for (int k = 0; k < 3; k++) {
        offs[k] = k == 0 ? 0 : offs[k - 1] + len[k - 1];
        sizes[k] = (uint32_t)len[k];
        written = written && fwrite(jpg[k], 1, len[k], f) == len[k];
    }
    T_CHECK(f != NULL && fclose(f) == 0 && written, "write the tiles");
    struct ts_source s;
    memset(&s, 0, sizeof(s));
    s.kind = TS_SRC_TIFF;
    s.locator = (char *)path;
    s.width = 712;
    s.height = 100;
    s.tile_w = s.tile_h = 256;
    s.n_levels = 1;
    s.levels[0] = (struct ts_level){712, 100, 0};
    s.jpeg[0] = (struct ts_stored_tiles){3, 1, offs, sizes, NULL, 0, false};
    for (uint32_t tx = 0; tx < 3; tx++) {
        struct ts_tile_ref r = {0, tx, 0, tx == 1 ? 200 : 256, 100};
        void *quick = NULL, *slow = NULL;
        size_t quick_len = 0, slow_len = 0;
        struct ts_error err;
        int rc = read_tile(&s, &r, true, &quick, &quick_len, &err);
        T_CHECK(rc == (tx == 0 ? 0 : 1) && (rc == 0) == (quick != NULL), "tile %u: quick read gives %d", tx, rc);
        if (tx == 2) {
            struct ts_tile_ref whole = {0, tx, 0, 256, 256};
            void *w = NULL;
            size_t w_len = 0;
            T_CHECK(read_tile(&s, &whole, true, &w, &w_len, &err) == 0 && w_len == len[2] + 0,
                    "tile 2: read whole on the loop (%zu bytes)", w_len);
            free(w);
        }
        T_CHECK(read_tile(&s, &r, false, &slow, &slow_len, &err) == 0, "tile %u: full read", tx);
        VipsImage *t = slow != NULL ? vips_image_new_from_buffer(slow, slow_len, "", NULL) : NULL;
        T_CHECK(t != NULL && vips_image_get_width(t) == (int)r.w && vips_image_get_height(t) == 100,
                "tile %u: cut to %ux100", tx, r.w);
        if (tx == 0)
            T_CHECK(quick_len == slow_len && quick != NULL && memcmp(quick, slow, slow_len) == 0,
                    "tile 0: the same bytes either way");
        unref(t);
        free(quick);
        free(slow);
    }
out:
    for (int k = 0; k < 3; k++)
        g_free(jpg[k]);
    unref(noise);
    unref(noise8);
    unref(crop);
    unref(im);
    vips_error_clear();
}

/* Trimming: exact sizes, and damaged or impossible input refused with the right status, never a crash. */
static void test_jpeg_trim(void)
{
    VipsImage *im = vips_image_new_from_file(GRID_PNG, NULL), *crop = NULL;
    void *jpg = NULL;
    size_t len = 0;
    if (im == NULL || vips_extract_area(im, &crop, 0, 0, 256, 256, NULL) != 0 ||
        vips_jpegsave_buffer(crop, &jpg, &len, "Q", 90, NULL) != 0) {
        T_CHECK(0, "make a 256x256 JPEG");
        goto out;
    }
    static const struct {
        uint32_t w, h;
        int status; /* 0: works */
    } cases[] = {{256, 256, 0}, {255, 256, 0}, {1, 1, 0}, {17, 200, 0}, {256, 8, 0},
                 {257, 256, 500}, {256, 257, 500}, {0, 10, 500}, {10, 0, 500}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        void *out = NULL;
        size_t out_len = 0;
        struct ts_error err = {0};
        int rc = ts_jpeg_trim(jpg, len, cases[i].w, cases[i].h, &out, &out_len, &err);
        if (cases[i].status != 0) {
            T_CHECK(rc == -1 && err.status == cases[i].status, "trim to %ux%u: status %d", cases[i].w, cases[i].h,
                    err.status);
            continue;
        }
        VipsImage *t = rc == 0 ? vips_image_new_from_buffer(out, out_len, "", NULL) : NULL;
        T_CHECK(t != NULL && vips_image_get_width(t) == (int)cases[i].w && vips_image_get_height(t) == (int)cases[i].h,
                "trim to %ux%u: %s", cases[i].w, cases[i].h, rc == 0 ? "decodes at that size" : err.msg);
        unref(t);
        free(out);
    }
    /* damaged streams: cut short, or with garbage in the middle */
    const uint8_t *b = jpg;
    uint8_t *bad = malloc(len);
    size_t cuts[] = {0, 1, 2, 20, len / 2, len - 2};
    for (size_t i = 0; bad != NULL && i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        void *out = NULL;
        size_t out_len = 0;
        struct ts_error err = {0};
        int rc = ts_jpeg_trim(b, cuts[i], 100, 100, &out, &out_len, &err);
        T_CHECK(rc == -1 && err.status == 415, "a JPEG cut to %zu bytes is refused with 415 (%d)", cuts[i], err.status);
        free(out);
    }
    if (bad != NULL) {
        memcpy(bad, b, len);
        memset(bad + len / 3, 0xFF, 64);
        void *out = NULL;
        size_t out_len = 0;
        struct ts_error err = {0};
        int rc = ts_jpeg_trim(bad, len, 100, 100, &out, &out_len, &err);
        T_CHECK(rc == -1 && err.status == 415, "a JPEG with garbage inside is refused with 415 (%d)", err.status);
        free(out);
    }
    free(bad);
out:
    g_free(jpg);
    unref(crop);
    unref(im);
    vips_error_clear();
}

/* Areas of a plain JPEG through libjpeg-turbo's skip and crop agree with libvips decoding it whole. */
static void test_jpeg_area(void)
{
    const char *path = tmp("area.jpg");
    if (write_grid(path, 999, 767, "[Q=90]") != 0) {
        T_CHECK(0, "write area.jpg");
        return;
    }
    static const struct {
        uint32_t x0, y0, x1, y1;
    } areas[] = {{0, 0, 999, 767}, {10, 20, 60, 70}, {500, 700, 999, 767}, {0, 383, 999, 384}, {998, 0, 999, 767}};
    for (int shrink = 1; shrink <= 8; shrink *= 2) {
        VipsImage *whole = NULL;
        if (vips_jpegload(path, &whole, "shrink", shrink, NULL) != 0) {
            T_CHECK(0, "libvips reference at shrink %d", shrink);
            vips_error_clear();
            continue;
        }
        for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
            uint32_t x0 = areas[i].x0 / (uint32_t)shrink, y0 = areas[i].y0 / (uint32_t)shrink;
            uint32_t x1 = (areas[i].x1 + (uint32_t)shrink - 1) / (uint32_t)shrink;
            uint32_t y1 = (areas[i].y1 + (uint32_t)shrink - 1) / (uint32_t)shrink;
            VipsImage *im = NULL;
            uint32_t ox, oy;
            struct ts_error err;
            if (jpeg_area_of(path, shrink, x0, y0, x1, y1, &im, &ox, &oy, &err) != 0) {
                T_CHECK(0, "shrink %d area %zu: %s", shrink, i, err.msg);
                continue;
            }
            T_CHECK(ox <= x0 && oy == y0 && ox + (uint32_t)im->Xsize >= x1 && oy + (uint32_t)im->Ysize >= y1,
                    "shrink %d area %zu: %u,%u %dx%d does not cover %u,%u-%u,%u", shrink, i, ox, oy, im->Xsize,
                    im->Ysize, x0, y0, x1, y1);
            /* libvips crops shrunk JPEGs to floor(size / shrink); libjpeg gives the ceiling */
            int cw = im->Xsize, ch = im->Ysize;
            if ((int)ox + cw > whole->Xsize)
                cw = whole->Xsize - (int)ox;
            if ((int)oy + ch > whole->Ysize)
                ch = whole->Ysize - (int)oy;
            VipsImage *ref = NULL, *mine = NULL, *d = NULL, *ab = NULL;
            double mean = 1e9;
            if (cw > 0 && ch > 0 && vips_extract_area(whole, &ref, (int)ox, (int)oy, cw, ch, NULL) == 0 &&
                vips_extract_area(im, &mine, 0, 0, cw, ch, NULL) == 0 && vips_subtract(mine, ref, &d, NULL) == 0 &&
                vips_abs(d, &ab, NULL) == 0)
                vips_avg(ab, &mean, NULL);
            else if (cw <= 0 || ch <= 0)
                mean = 0; /* the area lies in the last partial row or column that libvips drops */
            unref(mine);
            vips_error_clear();
            T_CHECK(mean < 0.5, "shrink %d area %zu: differs from libvips by %g", shrink, i, mean);
            unref(ref);
            unref(d);
            unref(ab);
            g_object_unref(im);
        }
        g_object_unref(whole);
    }
    /* damaged files are errors, not grey pixels */
    FILE *in = fopen(path, "rb");
    FILE *cut = fopen(tmp("cut.jpg"), "wb");
    char buf[4096];
    size_t n = in ? fread(buf, 1, sizeof(buf), in) : 0;
    if (cut != NULL) {
        fwrite(buf, 1, n, cut);
        fclose(cut);
    }
    if (in != NULL)
        fclose(in);
    VipsImage *im = NULL;
    uint32_t ox, oy;
    struct ts_error err;
    T_CHECK(jpeg_area_of(tmp("cut.jpg"), 1, 0, 700, 999, 767, &im, &ox, &oy, &err) != 0 && err.status == 415,
            "a truncated JPEG is a 415");
    unref(im);
    T_CHECK(jpeg_area_of(tmp("missing.jpg"), 1, 0, 0, 1, 1, &im, &ox, &oy, &err) != 0 && err.status == 404,
            "a missing file is a 404");
}

static void test_formats(void)
{
    struct ts_formats f;
    ts_formats_probe(&f);
    T_CHECK(f.ok[IIIF_FORMAT_JPG] && f.ok[IIIF_FORMAT_PNG], "jpg and png are always available");
    T_CHECK(!f.ok[IIIF_FORMAT_PDF], "pdf is not written by libvips");
}

int main(int argc, char **argv)
{
    (void)argc;
    if (ts_image_init(argv[0], 1, NULL) != 0)
        return 1;
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    test_levels();
    test_models();
    test_render();
    test_render_kernels();
    test_formats();
    test_jpeg_area();
    test_passthrough_match();
    test_jpeg_trim();
    test_passthrough_declined();
    test_passthrough_read_one("ycbcr.tif", "[tile,pyramid,tile-width=256,tile-height=256,compression=jpeg,Q=85]", false);
    test_passthrough_read_one("rgb.tif", "[tile,pyramid,tile-width=256,tile-height=256,compression=jpeg,Q=95]", true);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", tmpdir);
    ts_image_shutdown();
    return t_done();
}
