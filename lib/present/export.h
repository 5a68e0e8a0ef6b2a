/*
 * export.h: a static IIIF site from the image root, for any plain web host
 * (`tessera export DIR OUT --base-url URL`).
 *
 *   OUT/iiif/3/{id}/info.json                 level 0: tiles and sizes
 *   OUT/iiif/3/{id}/{region}/{size}/0/default.jpg   every tile of the grid, every advertised size, full/max
 *   OUT/iiif/presentation/.../manifest.json   Manifests and Collections (ids end in .json: static hosts
 *   OUT/iiif/presentation/.../collection.json   choose the media type by extension)
 *   OUT/viewer/...                            viewer pages and assets; OUT/index.html lists everything
 *
 * On a static host an identifier cannot hold "%2F" (servers decode it into
 * a "/"), so an image's identifier is its path with "/" written "~"
 * (photographs~album~p1.tif). Tile sizes are written both as the Image API
 * rounds them (up) and as OpenSeadragon does (to nearest), where the two
 * differ at the edges, so viewers find every tile.
 */
#ifndef TS_PRESENT_EXPORT_H
#define TS_PRESENT_EXPORT_H

#include <stdbool.h>

#include "core/config.h"
#include "core/error.h"

struct ts_export_stats {
    long images, tiles, documents, problems;
};

/**
 * Writes the static site for the root `cfg->root` into `out` (created if
 * missing; files in it are overwritten) with ids under `base`. Progress goes
 * to stderr when `progress`. Returns 0, or -1 with `err`.
 */
int ts_export(const struct ts_config *cfg, const char *out, const char *base, bool progress,
              struct ts_export_stats *stats, struct ts_error *err);

#endif
