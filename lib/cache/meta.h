/*
 * meta.h: the image metadata cache: identifier -> resolved file + probed
 * source (size, levels, tiles).
 *
 * Lets event loops answer info.json, plan image requests and find cached
 * responses without resolving or opening files. Entries live in a
 * struct ts_cache (refcounted, LRU, byte budget); an entry is used only while
 * it is fresh: the file's size and mtime still match a stat(), and an
 * identifier given without extension was resolved recently (a file with a
 * preferred extension may have appeared since).
 */
#ifndef TS_CACHE_META_H
#define TS_CACHE_META_H

#include <stdbool.h>
#include <stdint.h>

#include "cache/cache.h"
#include "image/source.h"
#include "resolve/fs.h"

struct ts_meta {
    struct ts_resolved file;  /* real path, mtime, size at probe time */
    struct ts_source src;     /* owns src.path */
    int64_t resolved_ms;      /* monotonic time of resolution */
};

/* How long an identifier resolved through the extension list is trusted. */
#define TS_META_RERESOLVE_MS 5000

/** Frees a struct ts_meta (the cache's free function for its entries). */
void ts_meta_free(void *m);

/** Milliseconds of CLOCK_MONOTONIC. */
int64_t ts_now_ms(void);

/** Microseconds of CLOCK_MONOTONIC. */
int64_t ts_now_us(void);

/**
 * The fresh entry for identifier `id`, or NULL (absent or stale; a worker
 * then resolves again and stores a new entry). Costs one stat() of the file. The caller drops the returned
 * reference with ts_centry_unref; the metadata is ((struct ts_meta *)e->body).
 */
struct ts_centry *ts_meta_lookup(struct ts_cache *c, const char *id);

/**
 * Stores what a worker found for `id`. On success the cache owns everything
 * `src` held (`src` is left empty) and the new entry is returned with a
 * reference for the caller; NULL when the cache is off, refuses the entry or
 * memory runs out, and then `src` is still the caller's.
 */
struct ts_centry *ts_meta_store(struct ts_cache *c, const char *id, const struct ts_resolved *file,
                                struct ts_source *src);

#endif
