/*
 * cache.h: the in-memory response cache.
 *
 * Invariants: an entry is immutable once inserted. Entries are reference
 * counted: the cache holds one reference while the entry is listed, and each
 * ts_cache_get hands out one more, so evicting or replacing an entry never
 * frees bytes that a response is still sending; the last ts_centry_unref
 * frees them. The bytes of all listed entries never exceed the budget: an
 * insertion evicts least-recently-used entries until it fits, and an entry
 * larger than `max_entry` is not cached at all.
 *
 * The cache is split into shards by key hash, each with its own lock, LRU
 * list and budget share, so event loops and workers rarely wait on one
 * another. Safe to use from any thread.
 */
#ifndef TS_CACHE_CACHE_H
#define TS_CACHE_CACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct ts_centry {
    atomic_int refs;
    uint64_t hash;
    char *key;
    size_t key_len;
    void *body;                   /* the cached bytes */
    size_t len;
    void (*free_body)(void *);    /* how to free `body` */
    const char *content_type;     /* static string */
    char *extra;                  /* caller's text (e.g. the canonical path), may be NULL */
    struct ts_centry *prev, *next; /* LRU list, most recent first */
    struct ts_centry *chain;      /* hash bucket */
};

struct ts_cache;

struct ts_cache_stats {
    uint64_t hits, misses, inserts, evictions;
    size_t bytes, entries;
};

/**
 * A cache of at most `budget` bytes (keys, bodies and bookkeeping counted).
 * Entries over `max_entry` bytes are refused. Returns NULL when `budget` is
 * 0 (the cache is off: every call below accepts a NULL cache) or on OOM.
 */
struct ts_cache *ts_cache_new(size_t budget, size_t max_entry);

/** Frees the cache; entries still referenced elsewhere live until released. Accepts NULL. */
void ts_cache_free(struct ts_cache *c);

/** The entry for `key`, with a reference the caller must drop with ts_centry_unref, or NULL. */
struct ts_centry *ts_cache_get(struct ts_cache *c, const char *key, size_t key_len);

/**
 * Inserts `body` (`len` bytes) under `key`, replacing any older entry. On
 * success the cache owns `body` (freed with `free_body`, which may be NULL
 * for static data); `extra` is copied. Returns 0, or -1 when the entry is not
 * cached (cache off, too large, out of memory): the caller still owns `body`.
 */
int ts_cache_put(struct ts_cache *c, const char *key, size_t key_len, void *body, size_t len,
                 void (*free_body)(void *), const char *content_type, const char *extra);

/**
 * ts_cache_put, returning the new entry with a reference (drop it with
 * ts_centry_unref), so that no other thread can evict it between the put
 * and a get. NULL when not cached: the caller still owns `body`.
 */
struct ts_centry *ts_cache_put_get(struct ts_cache *c, const char *key, size_t key_len, void *body, size_t len,
                                   void (*free_body)(void *), const char *content_type, const char *extra);

/** Takes another reference. */
void ts_centry_ref(struct ts_centry *e);

/** Drops a reference; the last one frees the entry. Accepts NULL. */
void ts_centry_unref(struct ts_centry *e);

/** Adds up the shards' counters. */
void ts_cache_stats(struct ts_cache *c, struct ts_cache_stats *out);

/** 64-bit FNV-1a of `n` bytes, continuing from `h` (start with TS_HASH_SEED). */
uint64_t ts_hash(uint64_t h, const void *p, size_t n);
#define TS_HASH_SEED UINT64_C(0xcbf29ce484222325)

#endif
