/*
 * j2k.h: JPEG 2000 code-streams, read by tiles.
 *
 * libvips reads JPEG 2000 through OpenJPEG in a way that is slow at reduced
 * resolutions and wrong for parts of HTJ2K tiles. tessera instead indexes the
 * code-stream once (main header, and the offset and length of every
 * tile-part) and, per request, presents the decoder with a smaller
 * code-stream: the main header with SIZ narrowed to the tiles the region
 * touches, followed by just those tiles' tile-parts (renumbered). Absolute
 * reference-grid coordinates are kept, so the decoded pixels are exactly
 * those of the whole image. The sub-code-stream is never copied: it is a
 * list of segments, in memory (headers) or in the file (tile data).
 */
#ifndef TS_IMAGE_J2K_H
#define TS_IMAGE_J2K_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"

struct ts_bytes; /* source/bytes.h; not included: C++ (image/ojph.cpp) reads this header */

#ifdef __cplusplus
extern "C" {
#endif

struct ts_j2k_part {
    uint64_t off;   /* file offset of the SOT marker */
    uint32_t len;   /* Psot: the whole tile-part */
};

struct ts_j2k_index {
    bool ht;                        /* HTJ2K (Rsiz bit 14) */
    uint32_t xsiz, ysiz, xosiz, yosiz;
    uint32_t xtsiz, ytsiz, xtosiz, ytosiz;
    uint16_t ncomp;
    uint8_t precision;              /* bits of component 0 */
    bool is_signed;
    uint8_t ndecomp;                /* decomposition levels (COD) */
    uint32_t tiles_x, tiles_y;
    uint8_t *header;                /* main header segments after SOC, without TLM/PLM */
    uint32_t header_len;
    uint32_t siz_at;                /* where the SIZ marker starts in `header` */
    uint32_t *first_part;           /* per tile: index of its first tile-part in `parts` */
    uint16_t *n_parts;              /* per tile: how many tile-parts it has */
    struct ts_j2k_part *parts;      /* in file order within each tile */
    uint32_t total_parts;
    uint8_t *icc;                   /* ICC profile from the JP2 colr box, or NULL */
    uint32_t icc_len;
    bool direct;                    /* the tile decoders can read it (else: libvips) */
};

/**
 * Parses the main header of a code-stream held in memory (`p`, `n` bytes,
 * starting at SOC), filling the SIZ/COD fields of `ix`, `ix->header` and
 * `ix->direct`. Pure; fuzzed. Returns the offset of the first SOT, or -1.
 */
long ts_j2k_parse_main(const uint8_t *p, size_t n, struct ts_j2k_index *ix, struct ts_error *err);

/**
 * Indexes the JPEG 2000 file (JP2 boxes or a raw code-stream) open as `b`.
 * Returns 0, or -1 (415: not a code-stream tessera can index).
 */
int ts_j2k_index_read(struct ts_bytes *b, struct ts_j2k_index *ix, struct ts_error *err);

void ts_j2k_index_release(struct ts_j2k_index *ix);

/** Bytes held by the index (for cache budgets). */
size_t ts_j2k_index_bytes(const struct ts_j2k_index *ix);

/* One piece of a sub-code-stream. */
struct ts_j2k_seg {
    const uint8_t *mem;  /* bytes in memory, or NULL: then at `off` in the file */
    uint64_t off;
    uint64_t len;
};

/* A sub-code-stream: readable, seekable, made of segments. */
struct ts_j2k_stream {
    struct ts_bytes *b;  /* the file, kept open by the caller */
    struct ts_j2k_seg *segs;
    size_t n_segs;
    uint64_t len;        /* total length */
    uint64_t pos;        /* read position */
    size_t seg;          /* segment holding `pos` */
    uint64_t seg_start;  /* stream offset of segment `seg` */
    uint8_t *scratch;    /* the patched main header and SOT headers */
    /* the narrowed image, absolute reference-grid coordinates */
    uint32_t x0, y0, x1, y1;
};

/**
 * Prepares the sub-code-stream of tiles [tx0,tx1) x [ty0,ty1) of the file
 * `b` (kept open by the caller). Returns 0, or -1 (500, out of memory).
 */
int ts_j2k_stream_open(struct ts_j2k_stream *s, const struct ts_j2k_index *ix, struct ts_bytes *b, uint32_t tx0, uint32_t ty0,
                       uint32_t tx1, uint32_t ty1, struct ts_error *err);

void ts_j2k_stream_close(struct ts_j2k_stream *s);

/** Reads up to `n` bytes; returns the count (0 at the end), or -1 on an I/O error. */
ssize_t ts_j2k_stream_read(struct ts_j2k_stream *s, void *buf, size_t n);

/** Moves to `pos` (clamped to the end). */
void ts_j2k_stream_seek(struct ts_j2k_stream *s, uint64_t pos);

/** The tiles covering [x0,x1) x [y0,y1) of the image (0-based image coordinates). */
void ts_j2k_tiles_for(const struct ts_j2k_index *ix, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1,
                      uint32_t *tx0, uint32_t *ty0, uint32_t *tx1, uint32_t *ty1);

#ifdef __cplusplus
}
#endif

#endif
