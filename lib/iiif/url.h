/*
 * url.h: splitting an Image API URL path into identifier and request.
 *
 * Works on the part of the path after the version prefix (`/iiif/3/`), still
 * percent-encoded, without the query string. Parses from the right, as the
 * Image API advises: `info.json` is an information request, four trailing
 * segments are image parameters, one segment alone is the base URI. Pure.
 */
#ifndef TS_IIIF_URL_H
#define TS_IIIF_URL_H

#include <stddef.h>

enum iiif_url_kind {
    IIIF_URL_BASE,  /* {id} or {id}/ : redirect to info.json */
    IIIF_URL_INFO,  /* {id}/info.json */
    IIIF_URL_IMAGE, /* {id}/{region}/{size}/{rotation}/{quality}.{format} */
    IIIF_URL_OTHER, /* anything else: not an Image API URL (404) */
};

struct iiif_url {
    enum iiif_url_kind kind;
    const char *id;      /* raw identifier, points into the input */
    size_t id_len;
    const char *params;  /* raw image parameters (IIIF_URL_IMAGE) */
    size_t params_len;
};

/** Splits `path` (`len` bytes). Never fails: unknown shapes are IIIF_URL_OTHER. */
void iiif_url_split(const char *path, size_t len, struct iiif_url *out);

#endif
