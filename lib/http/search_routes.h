/*
 * search_routes.h: IIIF Content Search 2.0 and 1.0 over the text of a
 * manifest's annotations, and their autocomplete.
 *
 *   /iiif/search/{manifest-path}?q=...          Content Search 2.0 (an AnnotationPage of hits)
 *   /iiif/autocomplete/{manifest-path}?q=...    its autocomplete (a TermPage)
 *   /iiif/search1/{manifest-path}?q=...         Content Search 1.0 (what Mirador 4 and UV 4 read)
 *   /iiif/autocomplete1/{manifest-path}?q=...   its autocomplete (a TermList)
 *
 * Both versions answer from one index (the store's searchable text) with
 * the same query (anno/query.h): every term must match, phrases in
 * quotes, prefixes with '*', case and accents ignored; parameters not
 * honoured are listed in `ignored`. Each hit names the annotation and its
 * box on the canvas, and says where in its text the match is
 * (TextQuoteSelector in 2.0, before/match/after in 1.0). A manifest whose
 * annotations hold text advertises both services.
 */
#ifndef TS_HTTP_SEARCH_ROUTES_H
#define TS_HTTP_SEARCH_ROUTES_H

#include <jansson.h>

#include "http/router.h"
#include "http/state.h"

/** Adds the search and autocomplete routes. Returns 0, or -1 when out of memory. */
int ts_search_register(struct ts_router *r, struct ts_server *srv);

/**
 * The `service` entries a manifest at `manifest_rel` advertises (2.0 and
 * 1.0 search, each with its autocomplete), or NULL when none of its
 * annotations hold text. `ctx` is a struct ts_anno_pages (http/anno_store.h).
 */
json_t *ts_search_services(void *ctx, const char *manifest_rel);

#endif
