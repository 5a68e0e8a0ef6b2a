/*
 * route.h: Presentation API URLs, below /iiif/presentation. Pure; fuzzed.
 *
 *   /collection                          the root Collection
 *   /{path}/collection                   a Collection
 *   /{path}/manifest                     a Manifest
 *   /{path}/canvas/{file}                one of its Canvases
 *   /{path}/canvas/{file}/page           that Canvas's AnnotationPage
 *   /{path}/canvas/{file}/annotation     its painting Annotation
 *   /{path}/range/{n}                    a Range ("1", "2-1", ...)
 *   /{path}, /{path}/, "" and "/"        a folder or image without saying what it is (answered
 *                                        with a redirect to its Collection or Manifest)
 *
 * The URL is read from its end, so folders may be called "canvas" or
 * "manifest". Segments are percent-decoded; empty, ".", ".." and hidden
 * segments are refused.
 */
#ifndef TS_PRESENT_ROUTE_H
#define TS_PRESENT_ROUTE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

enum ts_proute_kind {
    TS_PR_COLLECTION,
    TS_PR_MANIFEST,
    TS_PR_CANVAS,
    TS_PR_PAGE,
    TS_PR_ANNOTATION,
    TS_PR_RANGE,
    TS_PR_FOLDER, /* just a path: the Collection or Manifest it is */
};

#define TS_PROUTE_MAX 1024

struct ts_proute {
    enum ts_proute_kind kind;
    char path[TS_PROUTE_MAX];  /* decoded, relative to the root; "" for the root */
    char part[256];            /* the canvas's file name, or the range number */
};

/**
 * Parses `s` (`n` bytes: what follows "/iiif/presentation": empty, or
 * starting with "/"). Returns 0, or -1 with `err`: 404 for a URL that names
 * nothing, 400 for a malformed one.
 */
int ts_proute_parse(const char *s, size_t n, struct ts_proute *out, struct ts_error *err);

/**
 * Finds parameter `name` in the query string `qs` (`n` bytes, without the
 * "?") and decodes its value ("+" is a space, %XX a byte) into `out`
 * (capacity `cap`, NUL-terminated). Returns 1 when found, 0 when absent, -1
 * when the value is malformed, holds a NUL, or does not fit.
 */
int ts_query_param(const char *qs, size_t n, const char *name, char *out, size_t cap);

/** Appends `rel` with each segment percent-encoded (slashes kept). Returns 0, or -1 when full. */
int ts_present_path_encode(const char *rel, struct ts_buf *out);

#endif
