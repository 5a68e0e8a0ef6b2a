/*
 * model.h: Web Annotations checked against the data model and a manifest.
 * Pure; fuzzed.
 *
 * An annotation sent to a manifest's container (the Web Annotation
 * Protocol, issue 13) is stored only when it is one: a JSON object whose
 * type is Annotation, whose motivations (and bodies' purposes) are ones the
 * W3C model or IIIF defines, whose bodies are well formed, and whose every
 * target is a canvas of that manifest, whole or in part: a media fragment
 * (`#xywh=`, `#t=`) on the canvas IRI, or a SpecificResource with a
 * FragmentSelector, an SvgSelector or a PointSelector, all inside the
 * canvas. The reason for a refusal is one line a client can show.
 */
#ifndef TS_ANNO_MODEL_H
#define TS_ANNO_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_ANNO_MAX_TARGETS 16
#define TS_ANNO_MAX_BODIES 64
#define TS_ANNO_MAX_SVG (64 * 1024)

/* A canvas of the manifest: what a target may point at. */
struct ts_anno_canvas {
    const char *id;
    uint32_t width, height;  /* 0 x 0 for a canvas without a spatial extent */
    double duration;         /* seconds; 0 for a canvas without one */
};

/* Where one target points. */
struct ts_anno_target {
    size_t canvas;           /* index into the canvases given */
    bool has_box;            /* a region, in canvas pixels (a percentage or an SVG is turned into its box) */
    uint32_t x, y, w, h;
    bool has_time;           /* a time range, in seconds */
    double t0, t1;
    bool has_point;          /* a PointSelector */
};

/**
 * Parses a media fragment (`xywh=[pixel:|percent:]x,y,w,h` or `t=[npt:]a[,b]`,
 * without the '#', `len` bytes) against canvas `c` into `t` (whose canvas
 * the caller sets). 0, or -1 with a 400 in `err` (malformed, empty, or
 * outside the canvas).
 */
int ts_anno_fragment(const char *frag, size_t len, const struct ts_anno_canvas *c, struct ts_anno_target *t,
                     struct ts_error *err);

/**
 * Checks annotation `a` against the model and the `n` canvases. Fills up
 * to TS_ANNO_MAX_TARGETS entries of `targets` and `*n_targets`. 0, or -1
 * with a 400 in `err` saying what is wrong.
 */
int ts_anno_check(const json_t *a, const struct ts_anno_canvas *canvases, size_t n,
                  struct ts_anno_target targets[TS_ANNO_MAX_TARGETS], size_t *n_targets, struct ts_error *err);

/** Whether `m` is a motivation (or purpose) of the W3C model or IIIF. */
bool ts_anno_motivation_known(const char *m);

#endif
