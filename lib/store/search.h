/*
 * search.h: the search index over the Presentation tree, in SQLite FTS5.
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
 * index as it is. One mutex serialises the database connection.
 *
 * What is indexed is what a person sees: labels (or the ones made from
 * file and folder names), summaries, metadata, providers and required
 * statements, the canvases' labels and metadata, and the words of the
 * names of folders and images.
 */
#ifndef TS_STORE_SEARCH_H
#define TS_STORE_SEARCH_H

#include <stdbool.h>

#include "core/error.h"
#include "present/manifest.h"

struct ts_search;

struct ts_search_hit {
    char *rel;        /* the item's path under the root */
    bool collection;  /* else a Manifest */
};

/** Opens (creating) the index at `path`, or an in-memory one for "" or NULL. */
struct ts_search *ts_search_open(const char *path, int rescan_s, struct ts_error *err);

void ts_search_close(struct ts_search *s);

/**
 * Brings the index up to date when it is older than rescan_s (always with
 * `force`), walking the tree within p->walk's bounds (the resolver's when
 * NULL). Without `force`, returns 0 at once when another refresh is running.
 * Returns the items seen, or -1 with `err` for a database error.
 */
long ts_search_refresh(struct ts_search *s, const struct ts_present *p, bool force, struct ts_error *err);

/**
 * Searches for `text` (search-box words: all must match, as prefixes),
 * best first. Fills up to `limit` hits from `offset` into `hits` (free
 * with ts_search_hits_free) and the total count. Returns the number of hits,
 * or -1 (400 for text with no words, 500 for a database error).
 */
int ts_search_query(struct ts_search *s, const char *text, int offset, int limit, struct ts_search_hit **hits,
                    long *total, struct ts_error *err);

void ts_search_hits_free(struct ts_search_hit *hits, int n);

#endif
