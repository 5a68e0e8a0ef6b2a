/*
 * jpeg_trim.h: cutting the right and bottom edges off a JPEG without
 * decoding it.
 *
 * Edge tiles of a tiled TIFF are stored padded to the full tile size. To
 * answer one, the stored stream's DCT coefficients are read and written
 * again under smaller image dimensions (entropy decoding and encoding only,
 * as `jpegtran -crop WxH+0+0` does): no inverse DCT, no quantisation, so
 * the pixels kept are exactly the stored ones and the cost is a fraction of
 * a decode and encode (about half a millisecond for a 256-px tile).
 * image/jpeg_crop.h does the same several times faster for the streams it
 * takes (baseline, one scan, no restart intervals); this is the fallback
 * for the others.
 */
#ifndef TS_IMAGE_JPEG_TRIM_H
#define TS_IMAGE_JPEG_TRIM_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/**
 * Makes a JPEG of the top-left `w` x `h` pixels of the complete JPEG `in`
 * (`len` bytes). On success `*out` is malloc'd (free it) and `*out_len`
 * its size. Errors: 415 for a damaged stream, 500 for a size larger than
 * the image or no memory.
 */
int ts_jpeg_trim(const void *in, size_t len, uint32_t w, uint32_t h, void **out, size_t *out_len,
                 struct ts_error *err);

#endif
