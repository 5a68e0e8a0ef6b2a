/*
 * plan.h: from a parsed request and an image's dimensions to the exact pixels
 * to produce: the region in full-resolution pixels, the output size before
 * rotation, and the rest of the request. Also the canonical URI form.
 *
 * Pure maths, no I/O. All the version differences between 2.1 and 3.0 that
 * concern sizes live here (see the table in docs/image-api.md).
 */
#ifndef TS_IIIF_PLAN_H
#define TS_IIIF_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "iiif/request.h"

struct iiif_limits {
    uint32_t max_width;          /* largest output width */
    uint32_t max_height;         /* largest output height */
    uint64_t max_area;           /* largest output width * height */
    bool confined_strict;        /* 3.0 `!w,h` larger than the region: 400 (else fit to the region) */
    bool upscale_max_to_limits;  /* `^max` scales up to the limits (else it is the region's size) */
};

struct iiif_plan {
    enum iiif_version version;
    uint32_t x, y, w, h;         /* region, in full-resolution pixels, inside the image */
    uint32_t width, height;      /* scaled size, before rotation */
    bool mirror;
    double degrees;              /* clockwise, 0 <= degrees < 360 */
    enum iiif_quality quality;
    enum iiif_format format;
};

/**
 * Computes the plan for request `r` on an image of `img_w` x `img_h` pixels.
 * @return 0, or -1 with a 400 error (region outside the image, a size larger
 * than the region without `^` in 3.0, a result under 1 px or over the limits).
 */
int iiif_plan_make(const struct iiif_req *r, uint32_t img_w, uint32_t img_h, const struct iiif_limits *lim,
                   struct iiif_plan *p, struct ts_error *err);

/**
 * The largest size of a `w` x `h` region that fits the limits, keeping its
 * aspect ratio; never larger than the region unless `upscale`. Results are
 * at least 1 x 1. This is the `max` (and `^max`) size and the limit
 * algorithm of the Image API implementation notes.
 */
void iiif_max_size(uint32_t w, uint32_t h, const struct iiif_limits *lim, bool upscale, uint32_t *out_w,
                   uint32_t *out_h);

/**
 * Appends the canonical `{region}/{size}/{rotation}/{quality}.{format}` of
 * plan `p` for an image of `img_w` x `img_h` to `out`. Returns 0 or -1 (full).
 */
int iiif_plan_canonical(const struct iiif_plan *p, uint32_t img_w, uint32_t img_h, const struct iiif_limits *lim,
                        struct ts_buf *out);

/** Appends `v` as the shortest plain decimal (no exponent, no trailing zeros). */
int iiif_format_decimal(double v, struct ts_buf *out);

#endif
