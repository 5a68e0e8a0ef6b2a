/*
 * convert.h: preparing an image for fast serving (`tessera convert`).
 *
 * Writes a tiled pyramid that the server reads cheaply: a pyramidal TIFF with
 * JPEG tiles (which tile passthrough sends without decoding), or tiled JPEG
 * 2000. The output is already in display colour (8-bit sRGB or grey, EXIF
 * orientation applied), so serving it needs no conversion.
 */
#ifndef TS_IMAGE_CONVERT_H
#define TS_IMAGE_CONVERT_H

#include <stdbool.h>

#include "core/error.h"

enum ts_convert_format { TS_CONVERT_TIFF, TS_CONVERT_JP2, TS_CONVERT_HTJ2K };

struct ts_convert_opts {
    enum ts_convert_format format;
    int tile;         /* tile edge in pixels */
    int quality;      /* 1-100 */
    bool lossless;
    /* called now and then with the percentage done; may be NULL */
    void (*progress)(int percent, int eta_seconds, void *arg);
    void *arg;
};

/** Parses "tiff"/"tif", "jp2", "htj2k". Returns 0, or -1. */
int ts_convert_format_parse(const char *s, enum ts_convert_format *out);

/** The format implied by a file name's extension; -1 when it implies none. */
int ts_convert_format_of_name(const char *name, enum ts_convert_format *out);

/**
 * Converts the image file `in` into `out`. Errors: 415 for an unreadable
 * input, 400 for settings out of range, 500 for write failures.
 */
int ts_convert(const char *in, const char *out, const struct ts_convert_opts *o, struct ts_error *err);

#endif
