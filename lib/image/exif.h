/*
 * exif.h: the EXIF facts that fill gaps in the Presentation documents:
 * when the picture was taken (navDate), where (navPlace), and whose it is
 * (requiredStatement). libvips hands EXIF over as strings like
 * "48/1 51/1 1167/50 (48, 51, 23.34, Rational, 3 components, 24 bytes)":
 * the raw value, then libexif's reading of it in parentheses. Pure.
 */
#ifndef TS_IMAGE_EXIF_H
#define TS_IMAGE_EXIF_H

#include <stdbool.h>
#include <stddef.h>

struct ts_exif {
    char date[32];        /* xsd:dateTime ("2018-07-14T09:08:07Z"), or "" */
    bool has_gps;
    double lat, lon;      /* degrees, south and west negative */
    char copyright[200];  /* or "" */
};

/** The raw value of a libvips EXIF string (before the parenthesised reading). Returns 0, or -1. */
int ts_exif_raw(const char *s, char *out, size_t cap);

/** "2018:07:14 09:08:07" as xsd:dateTime, taken as UTC. Returns 0, or -1 for anything else. */
int ts_exif_date(const char *raw, char out[32]);

/** Degrees from "48/1 51/1 1167/50" (degrees, minutes, seconds as rationals) and "N"/"S"/"E"/"W". */
int ts_exif_degrees(const char *raw, const char *ref, double *out);

#endif
