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
 *
 * OUT is either new, empty, or an earlier export (it holds the marker file
 * `.tessera-export`); anything else is refused unless `force`. Exporting
 * again brings OUT up to date: every file is written anew, and the files of
 * the earlier export that this one did not write (deleted images, folders
 * and documents) are removed from OUT's iiif/ and viewer/ folders. The tree
 * is walked like every walk (present/walk.h): each real folder once, a
 * folder reached again through a link is left out (and said so), within
 * walk_max_entries and walk_max_depth.
 */
#ifndef TS_PRESENT_EXPORT_H
#define TS_PRESENT_EXPORT_H

#include <stdbool.h>

#include "core/config.h"
#include "core/error.h"

struct ts_export_stats {
    long images, tiles, documents, problems;
    long removed;            /* files of an earlier export no longer part of the site */
};

struct ts_export_opts {
    bool tty;                /* progress as a line redrawn in place (a terminal); else one line per stage */
    bool quiet;              /* no progress at all */
    bool force;              /* write into a folder that is neither empty nor an earlier export */
};

/**
 * Writes the static site for the root `cfg->root` into `out` (created if
 * missing) with ids under `base`. Progress goes to stderr. Returns 0, or -1
 * with `err` (400 for a folder it refuses to write into).
 */
int ts_export(const struct ts_config *cfg, const char *out, const char *base, const struct ts_export_opts *o,
              struct ts_export_stats *stats, struct ts_error *err);

#endif
