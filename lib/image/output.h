/*
 * output.h: what rendering takes (encoder, resize and time settings) and
 * gives (the encoded bytes), shared by the libvips pipeline (render.h) and
 * the paths that work without it (direct.h).
 */
#ifndef TS_IMAGE_OUTPUT_H
#define TS_IMAGE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The image layer tries ways of making an answer in turn (a stored tile
 * sent as it is, one decoded without libvips, a JPEG area, ...). Each such
 * function returns 0 when it answered, TS_DECLINED when its way does not
 * apply (try the next; nothing was changed), or -1 for an error (in its
 * `struct ts_error`).
 */
#define TS_DECLINED 1

struct ts_render_opts {
    int jpeg_quality;
    int webp_quality;
    int webp_effort;         /* libwebp method, 0 (fast) to 6 */
    int avif_quality;
    int jp2_quality;
    int png_compression;
    int kernel;              /* VipsKernel for resizing, from the resample setting */
    int timeout_ms;          /* a libvips render running longer is stopped (503); 0: no limit */
};

struct ts_output {
    void *data;              /* encoded bytes, g_malloc'd: release with ts_output_release */
    size_t len;
    uint32_t width, height;  /* of the encoded image, after rotation */
    int level;               /* index of the source level decoded (0 = full resolution) */
    bool direct;             /* made from a stored tile without libvips (direct.h) */
};

/** Frees the bytes of `out`. Accepts NULL. */
void ts_output_release(struct ts_output *out);

#endif
