/*
 * anno_store.h: the server's annotation store, and the per-canvas pages
 * the manifests link (what the Presentation handler needs of annotations,
 * without knowing the protocol's handler).
 */
#ifndef TS_HTTP_ANNO_STORE_H
#define TS_HTTP_ANNO_STORE_H

#include <stdbool.h>

#include "core/error.h"
#include "http/state.h"
#include "store/store.h"

/**
 * The annotation store under data_dir, opened once. When it does not
 * exist yet it is made only if `create` (a write); otherwise NULL with no
 * error (nothing was ever written). NULL with `err` on a failure.
 */
struct ts_store *ts_anno_store(struct ts_server *srv, bool create, struct ts_error *err);

/* What the manifest builder's annotation_page callback reads (present/manifest.h). */
struct ts_anno_pages {
    struct ts_server *srv;
    const char *base;   /* the public base of the answer */
    bool looked;        /* the store was looked for once for this answer (set by ts_anno_pages_store) */
    struct ts_store *st;
};

/** The annotation store for one answer's manifest, looked for once (NULL: none, nothing to link). */
struct ts_store *ts_anno_pages_store(struct ts_anno_pages *pg);

/**
 * A ts_present annotation_page callback (`ctx` a struct ts_anno_pages):
 * {base}/annotations/{manifest}/?canvas={name} when the canvas has
 * annotations, else NULL.
 */
char *ts_anno_page_iri(void *ctx, const char *manifest_rel, const char *canvas_id, const char *canvas_name);

/**
 * Decodes a manifest path as it appears in a URL (`n` bytes): %XX escapes,
 * no NUL, no empty, ".", ".." or hidden segment. 0, or -1 (400; 414 when
 * over `cap`).
 */
int ts_anno_path_decode(const char *s, size_t n, char *out, size_t cap, struct ts_error *err);

#endif
