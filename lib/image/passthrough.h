/*
 * passthrough.h: answering a tile request with the JPEG bytes stored in a
 * tiled pyramidal TIFF, without decoding.
 *
 * A request qualifies when its region is exactly one stored tile of a level
 * whose scale matches the request, the output is that tile's full size, the
 * format is jpg, the quality default or color (or gray for grey sources),
 * and there is no rotation or mirroring. The stored stream is made a
 * complete JPEG by putting the level's JPEGTables in front of it.
 */
#ifndef TS_IMAGE_PASSTHROUGH_H
#define TS_IMAGE_PASSTHROUGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "iiif/plan.h"
#include "image/source.h"

struct ts_tile_ref {
    int level;
    uint32_t tx, ty;   /* tile column and row at that level */
};

/** Whether `p` can be answered by a stored tile of `src` (no I/O); fills `out`. */
bool ts_passthrough_match(const struct ts_source *src, const struct iiif_plan *p, struct ts_tile_ref *out);

/**
 * Reads the tile and assembles a complete JPEG. On success `*data` is
 * malloc'd (free it) and `*len` its size. Errors: 415 for a damaged tile.
 */
int ts_passthrough_read(const struct ts_source *src, const struct ts_tile_ref *t, void **data, size_t *len,
                        struct ts_error *err);

#endif
