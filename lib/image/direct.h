/*
 * direct.h: stored JPEG tiles re-encoded without libvips.
 *
 * A request for exactly one stored tile of a pyramidal JPEG TIFF (what tile
 * passthrough sends as it is) in another format still needs no resampling:
 * the tile is decoded with libjpeg-turbo and encoded with libwebp straight
 * from memory. libvips would run the same codecs through its thread pool,
 * a thread hand-off and a pipeline per tile that cost as much as the codecs.
 */
#ifndef TS_IMAGE_DIRECT_H
#define TS_IMAGE_DIRECT_H

#include "core/error.h"
#include "iiif/plan.h"
#include "image/output.h"
#include "image/source.h"

/**
 * Answers plan `p` from a stored tile of `src` (read from its bytes `b`) when it can: 0 with `out`
 * filled (and out->direct set), TS_DECLINED when it does not apply (other
 * formats, qualities, sizes), -1 on an error in `err`.
 */
int ts_direct_tile(const struct ts_source *src, struct ts_bytes *b, const struct iiif_plan *p,
                   const struct ts_render_opts *opts, struct ts_output *out, struct ts_error *err);

#endif
