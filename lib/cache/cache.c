/*
 * cache.c: a sharded LRU of refcounted byte strings.
 *
 * Workload: many lookups from the event loops (every image and info.json
 * request), fewer insertions from the workers. Each shard is a chained hash
 * table whose bucket count doubles when it holds more entries than buckets,
 * plus a doubly linked LRU list. All work under a shard's lock is O(1)
 * except evictions, which free outside the lock.
 */
#include "cache/cache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define N_SHARDS 16
#define ENTRY_OVERHEAD 128 /* bookkeeping counted against the budget, per entry */

struct shard {
    pthread_mutex_t lock;
    struct ts_centry **buckets;
    size_t n_buckets;
    size_t n_entries;
    size_t bytes;
    size_t budget;
    struct ts_centry *head, *tail; /* LRU: head is the most recent */
    struct ts_cache_stats st;
};

struct ts_cache {
    size_t max_entry;
    struct shard shards[N_SHARDS];
};

uint64_t ts_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static size_t entry_cost(const struct ts_centry *e)
{
    return e->len + e->key_len + (e->extra ? strlen(e->extra) : 0) + ENTRY_OVERHEAD;
}

static void entry_free(struct ts_centry *e)
{
    if (e->free_body != NULL)
        e->free_body(e->body);
    free(e->key);
    free(e->extra);
    free(e);
}

void ts_centry_ref(struct ts_centry *e)
{
    atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
}

void ts_centry_unref(struct ts_centry *e)
{
    if (e != NULL && atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1)
        entry_free(e);
}

struct ts_cache *ts_cache_new(size_t budget, size_t max_entry)
{
    if (budget == 0)
        return NULL;
    struct ts_cache *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->max_entry = max_entry;
    for (int i = 0; i < N_SHARDS; i++) {
        struct shard *s = &c->shards[i];
        pthread_mutex_init(&s->lock, NULL);
        s->budget = budget / N_SHARDS;
        s->n_buckets = 64;
        s->buckets = calloc(s->n_buckets, sizeof(*s->buckets));
        if (s->buckets == NULL) {
            ts_cache_free(c);
            return NULL;
        }
    }
    return c;
}

void ts_cache_free(struct ts_cache *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < N_SHARDS; i++) {
        struct shard *s = &c->shards[i];
        struct ts_centry *e = s->head;
        while (e != NULL) {
            struct ts_centry *next = e->next;
            ts_centry_unref(e);
            e = next;
        }
        free(s->buckets);
        pthread_mutex_destroy(&s->lock);
    }
    free(c);
}

static struct shard *shard_of(struct ts_cache *c, uint64_t h)
{
    return &c->shards[(h >> 59) % N_SHARDS];
}

static void lru_unlink(struct shard *s, struct ts_centry *e)
{
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        s->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        s->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push_front(struct shard *s, struct ts_centry *e)
{
    e->prev = NULL;
    e->next = s->head;
    if (s->head != NULL)
        s->head->prev = e;
    s->head = e;
    if (s->tail == NULL)
        s->tail = e;
}

static struct ts_centry **find_slot(struct shard *s, uint64_t h, const char *key, size_t n)
{
    struct ts_centry **pp = &s->buckets[h & (s->n_buckets - 1)];
    while (*pp != NULL) {
        struct ts_centry *e = *pp;
        if (e->hash == h && e->key_len == n && memcmp(e->key, key, n) == 0)
            return pp;
        pp = &e->chain;
    }
    return pp;
}

/* Removes `e` (found at *pp) from the table and the list; the caller drops the cache's reference. */
static void remove_entry(struct shard *s, struct ts_centry **pp, struct ts_centry *e)
{
    *pp = e->chain;
    e->chain = NULL;
    lru_unlink(s, e);
    s->n_entries--;
    s->bytes -= entry_cost(e);
}

static void grow_table(struct shard *s)
{
    size_t n = s->n_buckets * 2;
    struct ts_centry **b = calloc(n, sizeof(*b));
    if (b == NULL)
        return; /* keep the old table: longer chains, still correct */
    for (size_t i = 0; i < s->n_buckets; i++) {
        struct ts_centry *e = s->buckets[i];
        while (e != NULL) {
            struct ts_centry *next = e->chain;
            e->chain = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
            e = next;
        }
    }
    free(s->buckets);
    s->buckets = b;
    s->n_buckets = n;
}

struct ts_centry *ts_cache_get(struct ts_cache *c, const char *key, size_t key_len)
{
    if (c == NULL)
        return NULL;
    uint64_t h = ts_hash(TS_HASH_SEED, key, key_len);
    struct shard *s = shard_of(c, h);
    pthread_mutex_lock(&s->lock);
    struct ts_centry *e = *find_slot(s, h, key, key_len);
    if (e != NULL) {
        if (s->head != e) {
            lru_unlink(s, e);
            lru_push_front(s, e);
        }
        ts_centry_ref(e);
        s->st.hits++;
    } else {
        s->st.misses++;
    }
    pthread_mutex_unlock(&s->lock);
    return e;
}

/* Inserts; with `ref`, also returns the new entry with a reference taken before anything can evict it. */
static int insert(struct ts_cache *c, const char *key, size_t key_len, void *body, size_t len,
                  void (*free_body)(void *), const char *content_type, const char *extra, struct ts_centry **ref)
{
    if (c == NULL)
        return -1;
    struct ts_centry *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return -1;
    e->key = malloc(key_len + 1);
    e->extra = extra != NULL ? strdup(extra) : NULL;
    if (e->key == NULL || (extra != NULL && e->extra == NULL)) {
        free(e->key);
        free(e->extra);
        free(e);
        return -1;
    }
    memcpy(e->key, key, key_len);
    e->key[key_len] = '\0';
    e->key_len = key_len;
    e->hash = ts_hash(TS_HASH_SEED, key, key_len);
    e->body = body;
    e->len = len;
    e->free_body = free_body;
    e->content_type = content_type;
    atomic_init(&e->refs, 1);

    struct shard *s = shard_of(c, e->hash);
    size_t cost = entry_cost(e);
    if (cost > c->max_entry || cost > s->budget) {
        e->free_body = NULL; /* the caller keeps the body */
        entry_free(e);
        return -1;
    }
    struct ts_centry *evicted = NULL; /* a list through ->chain, freed after unlocking */
    pthread_mutex_lock(&s->lock);
    struct ts_centry **pp = find_slot(s, e->hash, key, key_len);
    if (*pp != NULL) {
        struct ts_centry *old = *pp;
        remove_entry(s, pp, old);
        old->chain = evicted;
        evicted = old;
    }
    while (s->bytes + cost > s->budget && s->tail != NULL) {
        struct ts_centry *victim = s->tail;
        remove_entry(s, find_slot(s, victim->hash, victim->key, victim->key_len), victim);
        victim->chain = evicted;
        evicted = victim;
        s->st.evictions++;
    }
    pp = find_slot(s, e->hash, key, key_len);
    *pp = e;
    lru_push_front(s, e);
    s->n_entries++;
    s->bytes += cost;
    s->st.inserts++;
    if (s->n_entries > s->n_buckets)
        grow_table(s);
    if (ref != NULL) {
        atomic_fetch_add(&e->refs, 1);
        *ref = e;
    }
    pthread_mutex_unlock(&s->lock);
    while (evicted != NULL) {
        struct ts_centry *next = evicted->chain;
        ts_centry_unref(evicted);
        evicted = next;
    }
    return 0;
}

int ts_cache_put(struct ts_cache *c, const char *key, size_t key_len, void *body, size_t len,
                 void (*free_body)(void *), const char *content_type, const char *extra)
{
    return insert(c, key, key_len, body, len, free_body, content_type, extra, NULL);
}

struct ts_centry *ts_cache_put_get(struct ts_cache *c, const char *key, size_t key_len, void *body, size_t len,
                                   void (*free_body)(void *), const char *content_type, const char *extra)
{
    struct ts_centry *e = NULL;
    return insert(c, key, key_len, body, len, free_body, content_type, extra, &e) == 0 ? e : NULL;
}

void ts_cache_stats(struct ts_cache *c, struct ts_cache_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (c == NULL)
        return;
    for (int i = 0; i < N_SHARDS; i++) {
        struct shard *s = &c->shards[i];
        pthread_mutex_lock(&s->lock);
        out->hits += s->st.hits;
        out->misses += s->st.misses;
        out->inserts += s->st.inserts;
        out->evictions += s->st.evictions;
        out->bytes += s->bytes;
        out->entries += s->n_entries;
        pthread_mutex_unlock(&s->lock);
    }
}
