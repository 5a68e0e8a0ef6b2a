/*
 * render.h: producing an encoded image from a source and a plan.
 *
 * The pipeline follows the Image API order: region, size, mirror, rotation,
 * quality, format. It decodes from the smallest level of the source that
 * still has enough pixels, crops there, and scales to the exact size of the
 * plan, so a tile of a pyramid never touches the full-resolution pixels.
 * Output is sRGB (or grey) 8-bit; embedded ICC profiles are honoured and
 * CMYK is converted.
 */
#ifndef TS_IMAGE_RENDER_H
#define TS_IMAGE_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/error.h"
#include "iiif/plan.h"
#include "image/output.h"
#include "image/source.h"

/** The encoder, resize and time settings of `cfg`. */
void ts_render_opts_init(struct ts_render_opts *o, const struct ts_config *cfg);

/** The output limits of `cfg` (max_width, max_height or max_width, max_area, and the two readings of the spec). */
void ts_render_limits(const struct ts_config *cfg, struct iiif_limits *out);

/* Which output formats this build of libvips can write (probed at start-up). */
struct ts_formats {
    bool ok[IIIF_FORMAT_COUNT];
};



/**
 * Stops every libvips render in progress, and every later one, between
 * tiles (503): for a shutdown whose grace period is over. One way.
 */
void ts_render_abort_all(void);

/**
 * Starts libvips for the process (once, before any other call here) and sets
 * its per-request thread count (0: one per core). Turns off the libvips operation cache, whose
 * entries could outlive a changed file. Returns 0 or -1.
 */
int ts_image_init(const char *argv0, int vips_threads, struct ts_error *err);

/**
 * Turns libvips's run-time compiled SIMD code (liborc) on or off; off after
 * ts_image_init. It speeds up resizing by about a third, but under load
 * tessera crashed inside code liborc 0.4.33 had generated (seen with
 * valgrind), so it is opt-in (setting `simd`).
 */
void ts_image_set_simd(bool on);

/** Shuts libvips down at exit. */
void ts_image_shutdown(void);

/** Encodes a tiny image in every format to learn which ones work here. */
void ts_formats_probe(struct ts_formats *f);

/**
 * Renders `plan` from `src` and encodes it. On success `out` owns the bytes.
 * Errors: 415 if the source cannot be decoded, 500 for other failures.
 */
int ts_render(const struct ts_source *src, const struct iiif_plan *plan, const struct ts_render_opts *opts,
              struct ts_output *out, struct ts_error *err);

/**
 * Like ts_render, but writes the encoded image to the file descriptor `fd`
 * (from its current offset) instead of memory, so the size of the answer
 * costs no memory; `out->data` stays NULL. The caller owns `fd`.
 */
int ts_render_to_fd(const struct ts_source *src, const struct iiif_plan *plan, const struct ts_render_opts *opts,
                    int fd, struct ts_output *out, struct ts_error *err);


/** Called by every thread that ran libvips work, before it exits. */
void ts_image_thread_done(void);

#endif
