/*
 * anno_routes.h: the Web Annotation Protocol, one container per manifest.
 *
 *   /annotations/{manifest-path}/          the container (GET, HEAD, OPTIONS; POST creates)
 *   /annotations/{manifest-path}/?page=N   a page of it
 *   /annotations/{manifest-path}/{name}    an annotation (GET, HEAD, OPTIONS, PUT, DELETE)
 *
 * The container is an ldp:BasicContainer and an AnnotationCollection,
 * paged, with the Prefer preferences of the protocol. Writes are checked
 * against the data model and the manifest's canvases (anno/model.h) and
 * need `Authorization: Bearer K` for a K of `write_keys` (or
 * `open_writes`); a replacement or deletion needs the current ETag in
 * If-Match. Annotations live in the store under `data_dir`, made on the
 * first write; every write is durable before it is acknowledged.
 */
#ifndef TS_HTTP_ANNO_ROUTES_H
#define TS_HTTP_ANNO_ROUTES_H

#include "http/router.h"
#include "http/state.h"

/** Adds the /annotations/ route. Returns 0, or -1 when out of memory. */
int ts_anno_register(struct ts_router *r, struct ts_server *srv);

#endif
