/*
 * jpeg_area.h: decoding part of a JPEG with libjpeg-turbo, for sources that
 * are plain (not tiled) JPEGs.
 *
 * JPEG has no random access, but libjpeg-turbo can skip scanlines (no IDCT
 * or colour conversion for them) and decode only the needed columns, and it
 * scales by 1/2, 1/4 or 1/8 while decoding. A tile then costs a fraction of
 * a full decode and memory for the tile alone, where libvips would hold the
 * whole decoded image.
 */
#ifndef TS_IMAGE_JPEG_AREA_H
#define TS_IMAGE_JPEG_AREA_H

#include <stdint.h>
#include <vips/vips.h>

#include "core/error.h"
#include "image/output.h"
#include "source/bytes.h"

/**
 * Decodes at least [x0,x1) x [y0,y1), in pixels of the image scaled by
 * 1/`shrink` (1, 2, 4 or 8), of the JPEG read from `b`. `*out` is a new
 * 8-bit sRGB or grey image in memory with the file's ICC profile attached;
 * (*ox, *oy) is its top-left corner. Returns 0, TS_DECLINED for a JPEG
 * this decoder leaves to libvips (CMYK), or -1: 415 for a damaged file.
 */
int ts_jpeg_decode_area(struct ts_bytes *b, int shrink, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1,
                        VipsImage **out, uint32_t *ox, uint32_t *oy, struct ts_error *err);

#endif
