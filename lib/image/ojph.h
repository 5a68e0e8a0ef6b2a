/*
 * ojph.h: the C face of OpenJPH (HTJ2K), which is a C++ library.
 *
 * Decoding reads a sub-code-stream (j2k.h) at a reduced resolution and
 * returns 8-bit interleaved pixels; encoding writes an HTJ2K code-stream
 * from rows of 8-bit pixels. OpenJPH reports errors with exceptions; none
 * crosses this interface: every function returns 0 or -1 with a message.
 */
#ifndef TS_IMAGE_OJPH_H
#define TS_IMAGE_OJPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/j2k.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ts_pixels {
    uint8_t *data;        /* malloc'd, interleaved, 8 bits per sample */
    uint32_t width, height;
    int bands;
    uint32_t x0, y0;      /* top-left, absolute reference-grid coordinates at the decoded resolution */
};

/** Sets OpenJPH's message handlers (quiet, throwing) and warms its lazily built tables. Call once. */
void ts_ojph_init(void);

/**
 * Decodes rows [row0, row1) (absolute, at the reduced resolution) of the
 * sub-code-stream `s` with `reduce` resolution levels dropped; every column
 * of the sub-image is returned. Returns 0, or -1 with `msg` filled.
 */
int ts_ojph_decode(struct ts_j2k_stream *s, unsigned reduce, uint32_t row0, uint32_t row1, struct ts_pixels *out,
                   char *msg, size_t msg_len);

/* Fills `row` (width * bands bytes) with image row `y`; returns 0, or -1 to stop. */
typedef int (*ts_row_fn)(void *arg, uint32_t y, uint8_t *row);

struct ts_ojph_encode_opts {
    uint32_t width, height;
    int bands;            /* 1 or 3 */
    uint32_t tile;        /* tile edge */
    unsigned decompositions;
    bool reversible;      /* lossless 5/3 */
    float qstep;          /* quantisation step for lossy */
};

/**
 * Encodes rows from `get_row` as an HTJ2K code-stream into a malloc'd buffer
 * (`*data`, `*len`). Returns 0, or -1 with `msg` filled.
 */
int ts_ojph_encode(const struct ts_ojph_encode_opts *o, ts_row_fn get_row, void *arg, uint8_t **data, size_t *len,
                   char *msg, size_t msg_len);

#ifdef __cplusplus
}
#endif

#endif
