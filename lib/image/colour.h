/*
 * colour.h: what every answer is made of: 8-bit sRGB (or 8-bit grey).
 */
#ifndef TS_IMAGE_COLOUR_H
#define TS_IMAGE_COLOUR_H

#include <stdbool.h>
#include <vips/vips.h>

/**
 * Converts `in` to 8-bit sRGB, or 8-bit grey when `grey`, honouring an
 * embedded ICC profile (a broken one is ignored) and converting CMYK and
 * 16-bit images; alpha is kept. `*out` is a new reference (possibly to the
 * same pixels). Returns 0, or -1 with the libvips error buffer set.
 */
int ts_image_to_display(VipsImage *in, VipsImage **out, bool grey);

#endif
