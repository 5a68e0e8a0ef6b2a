/*
 * jpeg_crop.h: cutting the right and bottom edges off a baseline JPEG in its
 * entropy-coded data, without libjpeg.
 *
 * A baseline JPEG codes its 8x8 blocks MCU by MCU, left to right and top to
 * bottom, with Huffman codes, each block's DC coefficient as the difference
 * from the previous block of the same component. The top-left W x H pixels
 * are the first ceil(W / MCU width) MCUs of the first ceil(H / MCU height)
 * MCU rows, so a smaller JPEG of them is the same header with the new size
 * in its SOF, and the bits of those MCUs copied as they are, except one DC
 * difference per component at the start of each row after the first (its
 * predecessor was cut off), which is coded again. The Huffman codes are
 * only read, to find where each block ends; rows below the cut are never
 * read. Nothing is decoded to coefficients, nothing allocated per block:
 * against libjpeg's coefficient transcoder (image/jpeg_trim.h) this is
 * about 2x faster for a right edge and far more for a bottom edge.
 *
 * Pure: no I/O, no libjpeg. The output holds the same coefficients as
 * libjpeg's coefficient-level crop (`jpegtran -crop WxH+0+0`), so it decodes
 * to the same pixels. Rows below the cut are not checked for damage.
 */
#ifndef TS_IMAGE_JPEG_CROP_H
#define TS_IMAGE_JPEG_CROP_H

#include <stddef.h>
#include <stdint.h>

/**
 * Makes a JPEG of the top-left `w` x `h` pixels of the complete JPEG `in`
 * (`len` bytes), which must declare `full_w` x `full_h` pixels in its SOF
 * (either 0: any; a stored TIFF tile declares the tile size, which bounds
 * the work whatever the stream says). Returns 0 with `*out` malloc'd (free
 * it) and `*out_len` its size; or 1, having allocated nothing, when the
 * stream is not one this cropper takes: not baseline or extended sequential
 * Huffman with 8-bit samples in one scan in the frame's component order,
 * restart intervals, markers libjpeg does not know, another size than
 * `full_w` x `full_h`, a crop of 0 or larger than the image, a DC
 * difference the stream's own table has no code for, anything damaged or
 * truncated, or no memory. The caller then uses libjpeg (ts_jpeg_trim),
 * which also tells damage apart from what it can mend. Never reads outside
 * `in`.
 */
int ts_jpeg_crop(const uint8_t *in, size_t len, uint32_t full_w, uint32_t full_h, uint32_t w, uint32_t h, uint8_t **out,
                 size_t *out_len);

#endif
