/*
 * manifest.h: Presentation 3.0 Manifests and Collections from the folder
 * model (tree.h) and its sidecars (sidecar.h, csv.h).
 *
 * Ids, below the public base URL:
 *   {base}/iiif/presentation/collection                the root Collection
 *   {base}/iiif/presentation/{path}/collection         a folder of folders
 *   {base}/iiif/presentation/{path}/manifest           a folder of images, or one image
 *   {base}/iiif/presentation/{path}/canvas/{file}      a Canvas (and /page, /annotation below it)
 *   {base}/iiif/presentation/{path}/range/{n}          a Range of the table of contents ("1", "1-2", ...)
 * {path} keeps its slashes, each segment percent-encoded. Every Canvas is
 * painted by its image with an ImageService3 and an ImageService2.
 */
#ifndef TS_PRESENT_MANIFEST_H
#define TS_PRESENT_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "image/exif.h"
#include "present/sidecar.h"
#include "present/tree.h"

/* What a Canvas needs to know about its image. */
struct ts_pimage {
    uint32_t width, height;     /* as served */
    uint32_t thumb_w, thumb_h;  /* a size the image service advertises, for thumbnails */
    struct ts_exif exif;        /* fills navDate, navPlace and requiredStatement when the sidecars do not */
};

/*
 * Probes the image at `rel` (relative to the root); the thumbnail size is
 * the smallest advertised size whose longest edge is at least `thumb_px`.
 * Returns 0, or -1 with `err` set.
 */
typedef int (*ts_probe_fn)(void *ctx, const char *rel, uint32_t thumb_px, struct ts_pimage *out, struct ts_error *err);

struct ts_present {
    const char *base;            /* public base URL, no trailing slash */
    const struct ts_resolver *resolver;
    ts_probe_fn probe;
    void *probe_ctx;
    json_t *problems;            /* sidecar and image problems are appended here ("file:line: ...") */
    struct ts_walk *walk;        /* what this answer may read of the tree; NULL: each folder its own bounds */
    uint32_t thumb_px;           /* thumbnails: longest edge at least this; 0 for TS_THUMB_PX */
    /*
     * The IRI of the AnnotationPage of the annotations on canvas
     * `canvas_id` of the manifest at `manifest_rel` (malloc'd), or NULL
     * when it has none; then the canvas lists it in `annotations`. May be
     * NULL (exports, tests): no canvas lists annotations.
     */
    char *(*annotation_page)(void *ctx, const char *manifest_rel, const char *canvas_id, const char *canvas_name);
    /* The manifest's `service` entries (Content Search) as a new reference, or NULL for none. May be NULL. */
    json_t *(*services)(void *ctx, const char *manifest_rel);
    void *annotation_ctx;
};

#define TS_THUMB_PX 200

/**
 * Reads the sidecars that describe `f` into `s` (initialised by the
 * caller): its row in the parent folder's metadata.csv, its own
 * metadata.csv row "." and manifest.yml or collection.yml, in that order
 * (later ones win key by key). For a folder Manifest, `canvas_rows` gets
 * the metadata.csv rows of its images (file name -> properties); NULL when
 * not wanted. Problems go to p->problems.
 */
void ts_present_sidecars(const struct ts_present *p, const struct ts_tree_item *f, struct ts_sidecar *s);

/** The Manifest for `f` (TS_P_MANIFEST or TS_P_IMAGE). NULL with `err` when no image could be read. */
json_t *ts_manifest_build(const struct ts_present *p, const struct ts_tree_item *f, struct ts_error *err);

/**
 * A reference to the item at `rel` for a Collection's items: id, type,
 * label and, for a Manifest, the thumbnail of its first image. NULL when
 * nothing is published there.
 */
json_t *ts_present_item_ref(const struct ts_present *p, const char *rel);

/** The Collection for `f` (TS_P_COLLECTION). */
json_t *ts_collection_build(const struct ts_present *p, const struct ts_tree_item *f, struct ts_error *err);

/** The id prefix of `rel`: {base}/iiif/presentation[/{path}]. */
int ts_present_prefix(const char *base, const char *rel, struct ts_buf *out);

/** The first text of a language map (for a page or a log line), or "". */
const char *ts_present_first_text(const json_t *map);

/** Serialises a document for sending: compact, key order kept, coordinates with 10 significant digits. */
char *ts_present_dump(const json_t *doc, size_t *len);

#endif
