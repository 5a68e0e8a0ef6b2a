/*
 * j2k_decode.h: decoding an area of a JPEG 2000 file at a reduced
 * resolution, through the sub-code-stream of just the tiles it touches:
 * OpenJPH for HTJ2K, OpenJPEG for classic JPEG 2000.
 */
#ifndef TS_IMAGE_J2K_DECODE_H
#define TS_IMAGE_J2K_DECODE_H

#include <stdint.h>
#include <vips/vips.h>

#include "core/error.h"
#include "image/source.h"

/**
 * Decodes at least the area [x0,x1) x [y0,y1) (image pixels, full
 * resolution) of `src`, read from its bytes `b` (ts_source_bytes), with
 * `reduce` resolution levels dropped. `*out` is a
 * new image in memory (8-bit, sRGB or grey, alpha kept, ICC attached);
 * (*ox, *oy) is its top-left corner in pixels of the reduced image.
 * Returns 0, or -1 (415 for a damaged file).
 */
int ts_j2k_decode_area(const struct ts_source *src, struct ts_bytes *b, unsigned reduce, uint32_t x0, uint32_t y0, uint32_t x1,
                       uint32_t y1, VipsImage **out, uint32_t *ox, uint32_t *oy, struct ts_error *err);

#endif
