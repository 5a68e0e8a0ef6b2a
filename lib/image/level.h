/*
 * level.h: which level of a source an answer decodes from, and the part of
 * that level it needs. Pure: no I/O, no libvips.
 *
 * One answer to both, for everyone who needs it: the cost estimate
 * (image/cost.h: max_decode_mp, the heavy lane, work memory) and every
 * decoder (image/render.c: libvips levels, stored TIFF tiles, JPEG areas,
 * JPEG 2000 sub-code-streams). The estimate and the decode therefore
 * weigh and read the same pixels.
 */
#ifndef TS_IMAGE_LEVEL_H
#define TS_IMAGE_LEVEL_H

#include <stdint.h>

#include "iiif/plan.h"
#include "image/source.h"

/* A rectangle [x0, x1) x [y0, y1) of a level. */
struct ts_rect {
    uint32_t x0, y0, x1, y1;
};

/**
 * The level of `src` an answer decodes from: the smallest whose reduction
 * (full size over level size, on the tighter axis) does not exceed `need`
 * (the region's size over the answer's, on the tighter axis), give or take
 * 0.1%.
 */
int ts_level_pick(const struct ts_source *src, double need);

/**
 * The pixels of a level `lw` x `lh` (the full image, `fw` x `fh`, scaled)
 * that hold the full-resolution region `x`, `y`, `w`, `h`: every level
 * pixel whose footprint in the full image meets the region, exactly
 * (integer arithmetic: level pixel i covers [i * fw / lw, (i + 1) * fw /
 * lw)). Never empty, never outside the level.
 */
void ts_level_region(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t fw, uint32_t fh, uint32_t lw,
                     uint32_t lh, struct ts_rect *out);

/* The level an answer decodes from and its part there. */
struct ts_at_level {
    int level;          /* index into src->levels */
    uint32_t lw, lh;    /* the level's size as served (EXIF orientations 5-8 swap it) */
    struct ts_rect r;   /* the part of it plan `p` needs */
};

/** ts_level_pick for plan `p`, and the region of `p` at that level (ts_level_region). */
void ts_level_of(const struct ts_source *src, const struct iiif_plan *p, struct ts_at_level *out);

#endif
