/*
 * source.h: what an image file offers: its size, its reduced-resolution
 * levels and its native tiles.
 *
 * ts_source_open reads headers only (never pixels), with libvips for the
 * common facts, libtiff for TIFF pyramids and tile sizes, and OpenJPEG for
 * JPEG 2000 tiles and resolution levels. The result drives both info.json
 * (sizes, tiles) and rendering (which level to decode).
 *
 * Width and height are those served: EXIF orientation is applied for JPEG,
 * PNG, WebP and HEIF sources, so 5-8 swap the stored dimensions.
 */
#ifndef TS_IMAGE_SOURCE_H
#define TS_IMAGE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "image/exif.h"
#include "image/j2k.h"
#include "source/bytes.h"

#define TS_MAX_LEVELS 24

enum ts_src_kind { TS_SRC_TIFF, TS_SRC_JP2, TS_SRC_JPEG, TS_SRC_WEBP, TS_SRC_PNG, TS_SRC_GIF, TS_SRC_HEIF, TS_SRC_OTHER };

/* One decodable resolution. levels[0] is always the full image. */
struct ts_level {
    uint32_t width, height; /* as stored (before orientation) */
    int index;              /* TIFF page or SubIFD number, JPEG 2000 reduction, JPEG shrink factor */
};

/*
 * The stored JPEG tiles of one TIFF level, kept so that a request for
 * exactly one such tile can be answered with its bytes (tile passthrough).
 * `offsets` is NULL when the level's tiles cannot be sent as they are.
 */
struct ts_stored_tiles {
    uint32_t across, down;       /* tiles per row, per column */
    uint64_t *offsets;           /* across * down file offsets */
    uint32_t *sizes;             /* and byte counts */
    uint8_t *tables;             /* the JPEGTables tag (SOI ... EOI), or NULL */
    uint32_t tables_len;
    bool rgb;                    /* stored as RGB, not YCbCr: needs an Adobe marker to say so */
};

struct ts_source {
    char *locator;               /* where the bytes are (source/origin.h), owned */
    struct ts_version version;   /* of the bytes probed: readers check they still read these */
    enum ts_src_kind kind;
    uint32_t width, height;      /* as served, after orientation */
    int bands;                   /* including alpha */
    bool has_alpha;
    bool is_grey;                /* one colour channel: `color` is not advertised */
    uint32_t tile_w, tile_h;     /* native tile size, or 0 when the file is not tiled */
    int n_levels;
    struct ts_level levels[TS_MAX_LEVELS];
    bool tiff_subifd;            /* TIFF levels are SubIFDs (else pages) */
    int orientation;             /* EXIF orientation 1-8 applied when serving */
    struct ts_stored_tiles jpeg[TS_MAX_LEVELS]; /* TIFF levels whose JPEG tiles can be sent as stored */
    struct ts_j2k_index *j2k;    /* JPEG 2000: the code-stream index, or NULL (then libvips reads it) */
    struct ts_exif exif;         /* date, place and copyright from EXIF, for the Presentation API */
    int sample_bytes;            /* bytes per sample: 1, or 2 for 16-bit sources */
    /*
     * Memory a decoder holds for the whole image, whatever part is asked
     * for: a multi-scan (progressive) JPEG's DCT coefficients (two bytes
     * each, at full resolution even when the image is shrunk on load), an
     * interlaced PNG's pixels. 0 when the decoder works in pieces.
     */
    uint64_t whole_bytes;
};

/**
 * Reads the headers of the image at `locator` (a path, or another byte
 * source's locator: source/origin.h). 415 if it is not a readable image,
 * 404 when it is gone.
 */
int ts_source_open(const char *locator, struct ts_source *src, struct ts_error *err);

/**
 * Opens the bytes `src` was probed from, for a reader: 0 with `*out`, or
 * -1 with `err` (503 when they changed since: the probe no longer
 * describes them, and the next request probes again).
 */
int ts_source_bytes(const struct ts_source *src, struct ts_bytes **out, struct ts_error *err);

/** Frees what ts_source_open allocated. Accepts NULL. */
void ts_source_release(struct ts_source *src);

/** Memory held by `src` beyond the struct itself (tile tables), for cache budgets. */
size_t ts_source_extra_bytes(const struct ts_source *src);

/** Whether orientation `o` swaps width and height (5-8). */
static inline bool ts_orientation_swaps(int o)
{
    return o >= 5 && o <= 8;
}

/** A short name of the source kind, for logs and `tessera info`. */
const char *ts_source_kind_name(enum ts_src_kind k);

#endif
