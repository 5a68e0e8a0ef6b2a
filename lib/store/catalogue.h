/*
 * catalogue.h: the catalogue of the Presentation tree, searched by the
 * words people see (the search box of the home page and of Collections:
 * /iiif/collections/search). It is not the IIIF Content Search API, which
 * searches inside items.
 *
 * Every Collection and Manifest (folders, and loose images in Collections)
 * is a row: its path, kind, and the text of its label, summary and
 * metadata, as the sidecars give them. The index is brought up to date
 * before a search when it is older than `rescan_s` seconds: the tree is
 * walked (each real folder once, within the walk's bounds), and only items
 * whose folder stamp (the newest mtime of the folder, its images and
 * sidecars, and the parent's) changed are read again; items that went away
 * are dropped when the walk saw the whole tree. One refresh runs at a time
 * and writes in batches; a search that finds one running answers from the
 * index as it is. The rows live in a store (store/store.h): the catalogue
 * knows the tree, the store's backend the SQL and its full-text syntax.
 *
 * What is indexed is what a person sees: labels (or the ones made from
 * file and folder names), summaries, metadata, providers and required
 * statements, the canvases' labels and metadata, and the words of the
 * names of folders and images.
 */
#ifndef TS_STORE_CATALOGUE_H
#define TS_STORE_CATALOGUE_H

#include <stdbool.h>

#include "core/error.h"
#include "present/manifest.h"
#include "store/store.h"

struct ts_catalogue;

/** A catalogue kept in `store` (which stays the caller's and must outlive it). NULL when out of memory. */
struct ts_catalogue *ts_catalogue_new(struct ts_store *store, int rescan_s, struct ts_error *err);

/** Frees the catalogue (not its store). Accepts NULL. */
void ts_catalogue_free(struct ts_catalogue *c);

/**
 * Brings the index up to date when it is older than rescan_s (always with
 * `force`), walking the tree within p->walk's bounds (the resolver's when
 * NULL). Without `force`, returns 0 at once when another refresh is running.
 * Returns the items seen, or -1 with `err` for a database error.
 */
long ts_catalogue_refresh(struct ts_catalogue *c, const struct ts_present *p, bool force, struct ts_error *err);

/**
 * Searches for `text` (search-box words: all must match, as prefixes),
 * best first. Fills up to `limit` hits from `offset` into `hits` (free
 * with ts_catalogue_hits_free, store/store.h) and the total count. Returns
 * the number of hits, or -1 (400 for text with no words, 500 for a
 * database error).
 */
int ts_catalogue_query(struct ts_catalogue *c, const char *text, int offset, int limit,
                       struct ts_catalogue_hit **hits, long *total, struct ts_error *err);

#endif
