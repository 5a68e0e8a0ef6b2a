/*
 * cost.c: pixels decoded and memory held, per answer (see cost.h for the
 * model and where its numbers come from).
 */
#include "image/cost.h"

#include <math.h>

int ts_cost_level(const struct ts_source *s, double need)
{
    int best = 0;
    for (int i = 1; i < s->n_levels; i++) {
        double r = fmin((double)s->levels[0].width / s->levels[i].width,
                        (double)s->levels[0].height / s->levels[i].height);
        if (r <= need * 1.001)
            best = i;
    }
    return best;
}

/* The region of plan `p` at the level it decodes from, as served: [x0, x1) x [y0, y1) of a level lw x lh. */
struct at_level {
    int li;
    double lw, lh;
    double x0, y0, x1, y1;
};

static void region_at_level(const struct ts_source *src, const struct iiif_plan *p, struct at_level *a)
{
    a->li = ts_cost_level(src, fmin((double)p->w / p->width, (double)p->h / p->height));
    const struct ts_level *l = &src->levels[a->li];
    /* the level as served (EXIF orientation 5-8 swaps it) */
    bool swap = ts_orientation_swaps(src->orientation);
    a->lw = swap ? l->height : l->width;
    a->lh = swap ? l->width : l->height;
    double sx = a->lw / src->width, sy = a->lh / src->height;
    a->x0 = floor(p->x * sx);
    a->y0 = floor(p->y * sy);
    a->x1 = ceil((p->x + (double)p->w) * sx);
    a->y1 = ceil((p->y + (double)p->h) * sy);
}

uint64_t ts_cost_decode_pixels(const struct ts_source *src, const struct iiif_plan *p)
{
    if (p->width == 0 || p->height == 0 || src->width == 0 || src->height == 0)
        return 0;
    struct at_level a;
    region_at_level(src, p, &a);
    const struct ts_level *l = &src->levels[a.li];
    double x0 = a.x0, y0 = a.y0, x1 = a.x1, y1 = a.y1, lw = a.lw, lh = a.lh;
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
    struct at_level a;
    region_at_level(src, p, &a);
    uint64_t bands = src->bands > 0 ? (uint64_t)src->bands : 3;
    uint64_t sample = src->sample_bytes > 0 ? (uint64_t)src->sample_bytes : 1;
    uint64_t whole = (uint64_t)src->levels[0].width * src->levels[0].height;
    uint64_t level = (uint64_t)a.lw * (uint64_t)a.lh;
    uint64_t area = (uint64_t)((a.x1 - a.x0) * (a.y1 - a.y0));
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
