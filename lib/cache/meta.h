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
 *
 * A file that could not be probed is remembered too (with its error, by the
 * same version), so a folder of broken files is probed, and reported, once
 * per version of each file rather than on every request.
 */
#ifndef TS_CACHE_META_H
#define TS_CACHE_META_H

#include <stdbool.h>
#include <stdint.h>

#include "cache/cache.h"
#include "core/clock.h"
#include "image/source.h"
#include "resolve/fs.h"

struct ts_meta {
    char *path;               /* real path of the file, owned */
    int64_t mtime_ns, size;   /* the version probed */
    struct ts_source src;     /* owns src.path; empty when `error` is set */
    int64_t resolved_ms;      /* monotonic time of resolution */
    struct ts_error error;    /* status 0, or why this version of the file is not a readable image */
    int64_t ctime_ns;         /* for an error: the file's ctime (a chmod changes it) */
};

/* How long a file that is not a readable image is believed to stay one, unchanged. */
#define TS_META_ERROR_TTL_MS (10 * 60 * 1000)

/**
 * Fills `m` (zeroed by the caller) for `file` and `src` (whose contents it
 * takes, leaving `src` empty). Returns 0, or -1 when out of memory.
 */
int ts_meta_init(struct ts_meta *m, const struct ts_resolved *file, struct ts_source *src);

/* How long an identifier resolved through the extension list is trusted. */
#define TS_META_RERESOLVE_MS 5000

/** Frees a struct ts_meta (the cache's free function for its entries). */
void ts_meta_free(void *m);

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

/**
 * Remembers that `file`, found for `id`, is not a readable image (`err`, a
 * 415: any other status says nothing lasting about the bytes and is not
 * remembered) while it keeps its size, mtime and ctime, for TS_META_ERROR_TTL_MS at
 * most. Only when tessera can open the file itself: a failure to open it
 * (out of descriptors, no permission) says nothing about its bytes and is
 * not remembered. Returns the new entry with a reference for the caller, or
 * NULL (not remembered, cache off or full).
 */
struct ts_centry *ts_meta_store_error(struct ts_cache *c, const char *id, const struct ts_resolved *file,
                                      const struct ts_error *err);

#endif
