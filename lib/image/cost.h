/*
 * cost.h: what an answer costs to make, before it is made.
 *
 * Two measures weigh every image request: the pixels it decodes (the
 * max_decode_mp limit and the heavy lane) and the memory it holds while it
 * is made (the work-memory budget, so that a few answers at once cannot
 * take the machine's memory). Both come from the source's header facts and
 * the plan alone. Pure: no I/O, no libvips.
 *
 * The memory model, measured on libvips 8.14 with libjpeg-turbo, libspng,
 * libwebp, libheif, cgif and OpenJPEG (docs/security.md has the table):
 *   - a fixed part for the pipeline, the line buffers of streaming decoders
 *     and the encoded answer (TS_COST_BASE);
 *   - what the decoder holds: a multi-scan JPEG's coefficients and an
 *     interlaced PNG's pixels (ts_source.whole_bytes); the decoded area of a
 *     plain JPEG (libjpeg-turbo's skip and crop keeps it); WebP, GIF and
 *     HEIF/AVIF whole images (7-8 bytes a pixel); JPEG 2000 areas (OpenJPEG
 *     decodes into 32-bit samples: 5 bytes a sample with the copy);
 *   - what the encoder holds: GIF (14 bytes a pixel of the answer, for
 *     quantising), AVIF (19) and WebP (6) take the whole answer at once;
 *     JPEG, PNG, TIFF and JPEG 2000 stream.
 */
#ifndef TS_IMAGE_COST_H
#define TS_IMAGE_COST_H

#include <stdint.h>

#include "iiif/plan.h"
#include "image/source.h"

/* The part of every answer's memory that does not grow with the image. */
#define TS_COST_BASE ((uint64_t)16 << 20)

/**
 * The pixels rendering plan `p` decodes from `src`: the region at the level
 * ts_render picks (image/level.h, the same function for both), widened to whole tiles for tiled TIFF and JPEG 2000, or
 * the whole level for sources read in one piece (PNG, WebP, GIF, HEIF,
 * striped TIFF, untiled JPEG 2000; JPEG down to the region's last row). This
 * is the work a request costs, so it is what the max_decode_mp limit and the
 * overload rules weigh.
 */
uint64_t ts_cost_decode_pixels(const struct ts_source *src, const struct iiif_plan *p);

/** The bytes of memory making the answer to plan `p` holds at its peak (the model above). */
uint64_t ts_cost_memory(const struct ts_source *src, const struct iiif_plan *p);

#endif
