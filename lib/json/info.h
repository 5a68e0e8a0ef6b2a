/*
 * info.h: the Image Information document (info.json) for 2.1 and 3.0.
 */
#ifndef TS_JSON_INFO_H
#define TS_JSON_INFO_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "iiif/plan.h"
#include "iiif/request.h"
#include "image/render.h"
#include "image/source.h"

struct ts_info_opts {
    const struct iiif_limits *limits;
    uint32_t tile_size;               /* tile edge for sources without usable native tiles */
    const struct ts_formats *formats; /* formats that work: listed as extras */
    const char *rights;               /* rights URI or "" */
    const char *preferred_formats;    /* comma-separated, or "" */
};

/*
 * info.json's sizes: the image at each scale factor of the tiles, and
 * further halvings until the longest edge is at most TS_INFO_SMALLEST_SIZE
 * pixels, as long as the shorter edge stays at TS_INFO_SMALLEST_SIDE or more.
 */
#define TS_INFO_SMALLEST_SIZE 128
#define TS_INFO_SMALLEST_SIDE 32

/* A tile grid: what info.json advertises, and what the tests walk. */
struct ts_tiling {
    uint32_t tile_w, tile_h;
    int n_scale;               /* scale factors are 1, 2, 4, ... 2^(n_scale-1) */
};

/** The tile grid advertised for `src`: native tiles when usable, else `tile_size`, within the limits. */
void ts_info_tiling(const struct ts_source *src, uint32_t tile_size, const struct iiif_limits *lim,
                    struct ts_tiling *out);

/**
 * A size info.json advertises for `src`, fit for a thumbnail: the smallest
 * whose longer side is at least `want` pixels, else the largest.
 */
void ts_info_thumb_size(const struct ts_source *src, uint32_t tile_size, const struct iiif_limits *lim, uint32_t want,
                        uint32_t *w, uint32_t *h);

/**
 * The level-0 info.json of a static export (present/export.h): the same
 * grid and sizes as the server advertises, profile level0, nothing else.
 * Returns a new object.
 */
json_t *ts_info_level0(const char *id, const struct ts_source *src, const struct ts_info_opts *o);

/**
 * Builds info.json for `src` whose public id (the URL without /info.json)
 * is `id`. Returns a malloc'd NUL-terminated string (`*len` gets its
 * length), or NULL when out of memory.
 */
char *ts_info_json(enum iiif_version v, const char *id, const struct ts_source *src, const struct ts_info_opts *o,
                   size_t *len);

#endif
