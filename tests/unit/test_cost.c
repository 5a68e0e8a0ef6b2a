/*
 * test_cost.c: what answers cost before they are made (image/cost.h): the
 * pixels decoded, and the memory held, for every kind of source and encoder.
 */
#include <string.h>

#include "image/cost.h"
#include "t.h"

static void fake_tiff(struct ts_source *s)
{
    memset(s, 0, sizeof(*s));
    s->kind = TS_SRC_TIFF;
    s->width = s->height = 1000;
    s->tile_w = s->tile_h = 256;
    s->bands = 3;
    s->sample_bytes = 1;
    s->n_levels = 3;
    s->levels[0] = (struct ts_level){1000, 1000, 0};
    s->levels[1] = (struct ts_level){500, 500, 1};
    s->levels[2] = (struct ts_level){250, 250, 2};
    s->orientation = 1;
}

/* The decode cost of a plan: region at the level used, whole tiles, or the whole level. */
static void test_decode_pixels(void)
{
    static struct ts_j2k_index fake_index;
    static struct ts_source tiff, png, jpeg, turned, jp2, jp2_whole;
    fake_tiff(&tiff);
    png = tiff;
    png.kind = TS_SRC_PNG;
    png.tile_w = png.tile_h = 0;
    png.n_levels = 1;
    jpeg = png;
    jpeg.kind = TS_SRC_JPEG;
    jpeg.n_levels = 4;
    jpeg.levels[1] = (struct ts_level){500, 500, 2};
    jpeg.levels[2] = (struct ts_level){250, 250, 4};
    jpeg.levels[3] = (struct ts_level){125, 125, 8};
    turned = jpeg;
    turned.orientation = 6;
    jp2 = tiff;
    jp2.kind = TS_SRC_JP2;
    jp2.j2k = &fake_index;
    jp2.levels[1].index = 1;
    jp2.levels[2].index = 2;
    jp2_whole = jp2;
    jp2_whole.tile_w = jp2_whole.tile_h = 0;
    const struct {
        const char *name;
        const struct ts_source *src;
        uint32_t x, y, w, h, ow, oh;
        uint64_t want;
    } cases[] = {
        {"tiff: one tile", &tiff, 0, 0, 256, 256, 256, 256, 256 * 256},
        {"tiff: a corner of one tile", &tiff, 100, 100, 10, 10, 10, 10, 256 * 256},
        {"tiff: across four tiles", &tiff, 200, 200, 100, 100, 100, 100, 4 * 256 * 256},
        {"tiff: an edge tile", &tiff, 768, 768, 232, 232, 232, 232, 232 * 232},
        {"tiff: full at level 2", &tiff, 0, 0, 1000, 1000, 250, 250, 250 * 250},
        {"tiff: full/max", &tiff, 0, 0, 1000, 1000, 1000, 1000, 1000 * 1000},
        {"jp2: tiles shrink with the level", &jp2, 0, 0, 500, 500, 250, 250, 256 * 256},
        {"jp2 untiled: the whole level", &jp2_whole, 0, 0, 100, 100, 50, 50, 500 * 500},
        {"png: any region costs the image", &png, 0, 0, 100, 100, 100, 100, 1000 * 1000},
        {"png: a thumbnail too", &png, 0, 0, 1000, 1000, 100, 100, 1000 * 1000},
        {"jpeg: rows down to the region, its columns", &jpeg, 0, 0, 1000, 500, 125, 62, 125 * 63},
        {"jpeg: a level less reduced", &jpeg, 0, 0, 1000, 500, 125, 63, 250 * 125},
        {"jpeg: a region lower down", &jpeg, 500, 500, 500, 500, 500, 500, 500 * 1000},
        {"jpeg turned: the whole level", &turned, 0, 0, 100, 100, 100, 100, 1000 * 1000},
        {"empty plan", &tiff, 0, 0, 1000, 1000, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct iiif_plan p = {IIIF_V3, cases[i].x, cases[i].y, cases[i].w, cases[i].h, cases[i].ow, cases[i].oh,
                              false, 0, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG};
        uint64_t got = ts_cost_decode_pixels(cases[i].src, &p);
        T_CHECK(got == cases[i].want, "%s: %llu pixels, want %llu", cases[i].name, (unsigned long long)got,
                (unsigned long long)cases[i].want);
    }
}


#define MB ((uint64_t)1 << 20)

/* The memory of a plan, against the model in cost.h (numbers measured in docs/security.md). */
static void test_memory(void)
{
    static struct ts_j2k_index fake_index;
    static struct ts_source tiff, big, prog, grey_prog, png, inter, webp, gif, heif, jp2, jpeg;
    fake_tiff(&tiff);
    /* an 8000 x 7000 RGB image in each form */
    big = tiff;
    big.width = 8000;
    big.height = 7000;
    big.n_levels = 1;
    big.levels[0] = (struct ts_level){8000, 7000, 0};
    jpeg = big;
    jpeg.kind = TS_SRC_JPEG;
    jpeg.tile_w = jpeg.tile_h = 0;
    jpeg.n_levels = 4;
    jpeg.levels[1] = (struct ts_level){4000, 3500, 2};
    jpeg.levels[2] = (struct ts_level){2000, 1750, 4};
    jpeg.levels[3] = (struct ts_level){1000, 875, 8};
    prog = jpeg;
    prog.whole_bytes = 8000ull * 7008 * 2 * 3 / 2; /* 4:2:0 coefficients */
    grey_prog = jpeg;
    grey_prog.bands = 1;
    grey_prog.is_grey = true;
    grey_prog.whole_bytes = 8000ull * 7008 * 2;
    png = big;
    png.kind = TS_SRC_PNG;
    png.tile_w = png.tile_h = 0;
    inter = png;
    inter.whole_bytes = 8000ull * 7000 * 3;
    webp = png;
    webp.kind = TS_SRC_WEBP;
    gif = png;
    gif.kind = TS_SRC_GIF;
    heif = png;
    heif.kind = TS_SRC_HEIF;
    jp2 = big;
    jp2.kind = TS_SRC_JP2;
    jp2.tile_w = jp2.tile_h = 512;
    jp2.j2k = &fake_index;
    const uint64_t px = 8000ull * 7000;
    const struct {
        const char *name;
        const struct ts_source *src;
        uint32_t x, y, w, h, ow, oh;
        enum iiif_format f;
        uint64_t lo, hi; /* the estimate must fall in [lo, hi] */
    } cases[] = {
        {"tiff tile: the fixed part", &tiff, 0, 0, 256, 256, 256, 256, IIIF_FORMAT_JPG, TS_COST_BASE, TS_COST_BASE + 2 * MB},
        {"tiff full/max as JPEG streams", &big, 0, 0, 8000, 7000, 8000, 7000, IIIF_FORMAT_JPG, TS_COST_BASE,
         TS_COST_BASE + 16 * MB},
        {"tiff full/max as GIF: the quantiser holds it", &big, 0, 0, 8000, 7000, 8000, 7000, IIIF_FORMAT_GIF, px * 14,
         px * 14 + 40 * MB},
        {"tiff full/max as AVIF", &big, 0, 0, 8000, 7000, 8000, 7000, IIIF_FORMAT_AVIF, px * 19, px * 19 + 40 * MB},
        {"tiff full/max as WebP", &big, 0, 0, 8000, 7000, 8000, 7000, IIIF_FORMAT_WEBP, px * 6, px * 6 + 40 * MB},
        {"progressive JPEG thumbnail: every coefficient", &prog, 0, 0, 8000, 7000, 512, 448, IIIF_FORMAT_JPG,
         prog.whole_bytes, prog.whole_bytes + 40 * MB},
        {"progressive JPEG tile: the same", &prog, 0, 0, 512, 512, 512, 512, IIIF_FORMAT_JPG, prog.whole_bytes,
         prog.whole_bytes + 40 * MB},
        {"grey progressive tile", &grey_prog, 4000, 4000, 512, 512, 512, 512, IIIF_FORMAT_JPG,
         grey_prog.whole_bytes, grey_prog.whole_bytes + 20 * MB},
        {"plain JPEG tile: small", &jpeg, 4000, 4000, 512, 512, 512, 512, IIIF_FORMAT_JPG, TS_COST_BASE,
         TS_COST_BASE + 2 * MB},
        {"plain JPEG full/max: the decoded area", &jpeg, 0, 0, 8000, 7000, 8000, 7000, IIIF_FORMAT_JPG, px * 3,
         px * 3 + 20 * MB},
        {"plain JPEG thumbnail: the area at 1/8", &jpeg, 0, 0, 8000, 7000, 500, 438, IIIF_FORMAT_JPG, TS_COST_BASE,
         TS_COST_BASE + 4 * MB},
        {"png thumbnail streams", &png, 0, 0, 8000, 7000, 512, 448, IIIF_FORMAT_JPG, TS_COST_BASE, 40 * MB},
        {"interlaced png: the whole image", &inter, 0, 0, 512, 512, 512, 512, IIIF_FORMAT_JPG, px * 3,
         px * 3 + 40 * MB},
        {"webp: decoded whole", &webp, 0, 0, 512, 512, 512, 512, IIIF_FORMAT_JPG, px * 8, px * 8 + 40 * MB},
        {"gif: decoded whole", &gif, 0, 0, 512, 512, 512, 512, IIIF_FORMAT_JPG, px * 7, px * 7 + 40 * MB},
        {"heif: decoded whole", &heif, 0, 0, 512, 512, 512, 512, IIIF_FORMAT_JPG, px * 7, px * 7 + 40 * MB},
        {"jp2 full/max: 32-bit samples", &jp2, 0, 0, 8000, 7000, 8000, 7000, IIIF_FORMAT_JPG, px * 15,
         px * 15 + 40 * MB},
        {"jp2 tile", &jp2, 0, 0, 512, 512, 512, 512, IIIF_FORMAT_JPG, TS_COST_BASE, TS_COST_BASE + 8 * MB},
        {"empty plan", &big, 0, 0, 8000, 7000, 0, 0, IIIF_FORMAT_GIF, TS_COST_BASE, TS_COST_BASE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct iiif_plan p = {IIIF_V3, cases[i].x, cases[i].y, cases[i].w, cases[i].h, cases[i].ow, cases[i].oh,
                              false, 0, IIIF_QUALITY_DEFAULT, cases[i].f};
        uint64_t got = ts_cost_memory(cases[i].src, &p);
        T_CHECK(got >= cases[i].lo && got <= cases[i].hi, "%s: %llu MB, want %llu-%llu MB", cases[i].name,
                (unsigned long long)(got / MB), (unsigned long long)(cases[i].lo / MB),
                (unsigned long long)(cases[i].hi / MB));
    }
}

int main(void)
{
    test_decode_pixels();
    test_memory();
    return t_done();
}
