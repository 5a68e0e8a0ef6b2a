/*
 * cost.c: pixels decoded and memory held, per answer (see cost.h for the
 * model and where its numbers come from).
 */
#include "image/cost.h"

#include "image/level.h"

#include <math.h>

uint64_t ts_cost_decode_pixels(const struct ts_source *src, const struct iiif_plan *p)
{
    if (p->width == 0 || p->height == 0 || src->width == 0 || src->height == 0)
        return 0;
    struct ts_at_level a;
    ts_level_of(src, p, &a);
    const struct ts_level *l = &src->levels[a.level];
    double x0 = a.r.x0, y0 = a.r.y0, x1 = a.r.x1, y1 = a.r.y1, lw = a.lw, lh = a.lh;
    /* TIFF and JPEG 2000 tiles are read one by one; an untiled JPEG 2000 is decoded whole at its level */
    bool tiled = (src->kind == TS_SRC_TIFF || src->kind == TS_SRC_JP2) && src->tile_w > 0 && src->tile_h > 0;
    if (tiled) {
        /* whole tiles of the level (JPEG 2000 tiles shrink with the level) */
        double tw = src->tile_w, th = src->tile_h;
        if (src->kind == TS_SRC_JP2) {
            tw = ceil(tw / (double)(1u << l->index));
            th = ceil(th / (double)(1u << l->index));
        }
        x0 = floor(x0 / tw) * tw;
        y0 = floor(y0 / th) * th;
        x1 = fmin(ceil(x1 / tw) * tw, lw);
        y1 = fmin(ceil(y1 / th) * th, lh);
    } else if (src->kind == TS_SRC_JPEG && src->orientation == 1) {
        /* libjpeg-turbo decodes every row down to the region's last, cropped to its columns */
        y0 = 0;
    } else {
        x0 = y0 = 0;
        x1 = lw;
        y1 = lh;
    }
    double px = (x1 - x0) * (y1 - y0);
    return px > 0 ? (uint64_t)px : 1;
}

/* Bytes a pixel of the answer costs the encoders that hold all of it. */
static uint64_t encoder_bytes_per_pixel(enum iiif_format f)
{
    switch (f) {
    case IIIF_FORMAT_GIF:
        return 14;
    case IIIF_FORMAT_AVIF:
        return 19;
    case IIIF_FORMAT_WEBP:
        return 6;
    default:
        return 0; /* JPEG, PNG, TIFF and JPEG 2000 stream */
    }
}

/* libvips keeps a randomly read image of at most this size in memory (its disc threshold), else in a file. */
#define VIPS_DISC_THRESHOLD ((uint64_t)100 << 20)

uint64_t ts_cost_memory(const struct ts_source *src, const struct iiif_plan *p)
{
    if (p->width == 0 || p->height == 0 || src->width == 0 || src->height == 0)
        return TS_COST_BASE;
    struct ts_at_level a;
    ts_level_of(src, p, &a);
    uint64_t bands = src->bands > 0 ? (uint64_t)src->bands : 3;
    uint64_t sample = src->sample_bytes > 0 ? (uint64_t)src->sample_bytes : 1;
    uint64_t whole = (uint64_t)src->levels[0].width * src->levels[0].height;
    uint64_t level = (uint64_t)a.lw * (uint64_t)a.lh;
    uint64_t area = (uint64_t)(a.r.x1 - a.r.x0) * (a.r.y1 - a.r.y0);
    uint64_t decode = src->whole_bytes;
    switch (src->kind) {
    case TS_SRC_JPEG:
        if (src->orientation == 1 && src->bands != 4)
            decode += area * (src->is_grey ? 1 : 3); /* libjpeg-turbo's skip and crop keeps the area */
        else
            decode += level * bands < VIPS_DISC_THRESHOLD ? level * bands : VIPS_DISC_THRESHOLD;
        break;
    case TS_SRC_WEBP:
        decode += level * 8;
        break;
    case TS_SRC_GIF:
    case TS_SRC_HEIF:
        decode += whole * 7;
        break;
    case TS_SRC_JP2:
        decode += ts_cost_decode_pixels(src, p) * bands * 5;
        break;
    default:
        /* streaming decoders (TIFF tiles and strips, PNG): a band of rows */
        decode += (uint64_t)a.lw * bands * sample * 512;
        break;
    }
    uint64_t out = (uint64_t)p->width * p->height;
    return TS_COST_BASE + decode + out * encoder_bytes_per_pixel(p->format);
}
