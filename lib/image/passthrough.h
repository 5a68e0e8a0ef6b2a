/*
 * passthrough.h: answering a tile request with the JPEG bytes stored in a
 * tiled pyramidal TIFF, without decoding.
 *
 * A request qualifies when its region is exactly one stored tile of a level
 * whose scale matches the request, the output is that tile's size within
 * the level, the format is jpg, the quality default or color (or gray for
 * grey sources), and there is no rotation or mirroring. The stored stream
 * is made a complete JPEG by putting the level's JPEGTables in front of it.
 * Edge tiles, stored padded to the full tile size, are then cut to the
 * level's edge without decoding (jpeg_trim.h).
 */
#ifndef TS_IMAGE_PASSTHROUGH_H
#define TS_IMAGE_PASSTHROUGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "iiif/plan.h"
#include "image/output.h"
#include "image/source.h"

struct ts_tile_ref {
    int level;
    uint32_t tx, ty;   /* tile column and row at that level */
    uint32_t w, h;     /* the part of the stored tile to send: less than the tile at the level's edges */
};

/** Whether `p` can be answered by a stored tile of `src` (no I/O); fills `out`. */
bool ts_passthrough_match(const struct ts_source *src, const struct iiif_plan *p, struct ts_tile_ref *out);

/**
 * Reads the tile from `b` (the bytes of `src`: ts_source_bytes) and assembles a complete JPEG of its top-left t->w x t->h
 * pixels. Returns 0 with `*data` malloc'd (free it) and `*len` its size.
 * Edge tiles are cut in their entropy-coded data (image/jpeg_crop.h: tens
 * to a few hundred microseconds); a stream that cropper declines needs
 * libjpeg's transcoder (image/jpeg_trim.h: about half a millisecond). With
 * `quick` set, neither that nor a cut of a stored tile over 64 KiB is done:
 * TS_DECLINED is returned instead (image/output.h), so that a caller on an
 * event loop can hand the request to a worker. -1 on errors: 415 for a
 * damaged or unreadable tile.
 */
int ts_passthrough_read(const struct ts_source *src, struct ts_bytes *b, const struct ts_tile_ref *t, bool quick,
                        void **data, size_t *len, struct ts_error *err);

#endif
