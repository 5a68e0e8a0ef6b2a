/*
 * request.h: the parameters of an IIIF Image API image request.
 *
 * Parses `{region}/{size}/{rotation}/{quality}.{format}` for version 2.1 or
 * 3.0 into a struct iiif_req. Pure: no I/O, no allocation, no globals. The
 * grammar is checked completely here (a 400 is always a parse error); whether
 * the values make sense for a given image (a region outside it, a size above
 * the limits) is decided later by iiif_plan_make (plan.h).
 */
#ifndef TS_IIIF_REQUEST_H
#define TS_IIIF_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Largest pixel value accepted in a request; anything above is a 400. */
#define IIIF_MAX_PIXELS_PARAM 1000000000u

enum iiif_version { IIIF_V2 = 2, IIIF_V3 = 3 };

enum iiif_region_kind { IIIF_REGION_FULL, IIIF_REGION_SQUARE, IIIF_REGION_PX, IIIF_REGION_PCT };

struct iiif_region {
    enum iiif_region_kind kind;
    uint32_t x, y, w, h;     /* IIIF_REGION_PX */
    double px, py, pw, ph;   /* IIIF_REGION_PCT, percentages */
};

enum iiif_size_kind {
    IIIF_SIZE_MAX,      /* max (both versions), ^max (3.0) */
    IIIF_SIZE_FULL,     /* full (2.1 only) */
    IIIF_SIZE_W,        /* w, */
    IIIF_SIZE_H,        /* ,h */
    IIIF_SIZE_PCT,      /* pct:n */
    IIIF_SIZE_WH,       /* w,h */
    IIIF_SIZE_CONFINED, /* !w,h */
};

struct iiif_size {
    enum iiif_size_kind kind;
    bool upscale;   /* the 3.0 `^` prefix */
    uint32_t w, h;  /* 0 when not given */
    double pct;     /* IIIF_SIZE_PCT */
};

struct iiif_rotation {
    bool mirror;     /* `!`: mirror on the vertical axis before rotating */
    double degrees;  /* 0 <= degrees <= 360, clockwise */
};

enum iiif_quality { IIIF_QUALITY_DEFAULT, IIIF_QUALITY_COLOR, IIIF_QUALITY_GRAY, IIIF_QUALITY_BITONAL };

enum iiif_format {
    IIIF_FORMAT_JPG,
    IIIF_FORMAT_PNG,
    IIIF_FORMAT_WEBP,
    IIIF_FORMAT_TIF,
    IIIF_FORMAT_GIF,
    IIIF_FORMAT_JP2,
    IIIF_FORMAT_AVIF,
    IIIF_FORMAT_PDF,
    IIIF_FORMAT_COUNT
};

struct iiif_req {
    enum iiif_version version;
    struct iiif_region region;
    struct iiif_size size;
    struct iiif_rotation rotation;
    enum iiif_quality quality;
    enum iiif_format format;
};

/**
 * Parses the four image-request parameters in `s` (`len` bytes, not
 * NUL-terminated, still percent-encoded as they came in the URL path) for
 * `version`. Fills `out` on success.
 * @return 0, or -1 with err->status 400 and a message naming the parameter.
 */
int iiif_req_parse(enum iiif_version version, const char *s, size_t len, struct iiif_req *out,
                   struct ts_error *err);

/** The URL name of a quality ("default", "color", ...). */
const char *iiif_quality_name(enum iiif_quality q);

/** The URL extension of a format ("jpg", ...). */
const char *iiif_format_ext(enum iiif_format f);

/** The media type of a format ("image/jpeg", ...). */
const char *iiif_format_mime(enum iiif_format f);

/** Looks up a format by extension; returns 0, or -1 if unknown. */
int iiif_format_from_ext(const char *ext, size_t len, enum iiif_format *out);

#endif
