/*
 * bytes_io.h: libvips and libtiff reading a byte source (source/bytes.h).
 *
 * A source with a descriptor (a file) is handed to libvips as that
 * descriptor, so it reads exactly as it reads a path; any other source
 * becomes a VipsSourceCustom whose read and seek call the source's pread.
 * libtiff always reads through client procedures over pread.
 */
#ifndef TS_IMAGE_BYTES_IO_H
#define TS_IMAGE_BYTES_IO_H

#include <tiffio.h>
#include <vips/vips.h>

#include "source/bytes.h"

/**
 * A VipsSource reading `b`; it holds its own reference to `b` (or a
 * duplicate of its descriptor), so the caller may close `b` at once.
 * NULL for an empty object or when out of memory (vips error set).
 */
VipsSource *ts_bytes_io_vips(struct ts_bytes *b);

/**
 * Opens `b` with libtiff (`mode` as TIFFOpen's, read-only; `opts` as
 * TIFFOpenExt's, may be NULL). The TIFF holds its own reference to `b`,
 * dropped by TIFFClose. NULL when libtiff cannot read it.
 */
TIFF *ts_bytes_io_tiff(struct ts_bytes *b, const char *mode, TIFFOpenOptions *opts);

#endif
