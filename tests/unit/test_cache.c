/*
 * test_cache.c: the response cache: hits and misses, LRU eviction within the
 * budget, references that outlive eviction, replacement, refusals, and a
 * multi-threaded stress run (meaningful under the sanitizers).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "t.h"

static int freed;

static void count_free(void *p)
{
    freed++;
    free(p);
}

static char *body(size_t n, char fill)
{
    char *b = malloc(n);
    memset(b, fill, n);
    return b;
}

static int put(struct ts_cache *c, const char *key, size_t n, char fill)
{
    char *b = body(n, fill);
    int rc = ts_cache_put(c, key, strlen(key), b, n, count_free, "text/plain", NULL);
    if (rc != 0)
        free(b);
    return rc;
}

static void test_basics(void)
{
    T_CHECK(ts_cache_new(0, 100) == NULL, "budget 0 turns the cache off");
    T_CHECK(ts_cache_get(NULL, "k", 1) == NULL, "get on a NULL cache");
    T_CHECK(ts_cache_put(NULL, "k", 1, NULL, 0, NULL, NULL, NULL) == -1, "put on a NULL cache");
    ts_cache_free(NULL);

    struct ts_cache *c = ts_cache_new(1 << 20, 1 << 16);
    T_CHECK(ts_cache_get(c, "a", 1) == NULL, "empty cache misses");
    T_CHECK(ts_cache_put(c, "a", 1, "hello", 5, NULL, "text/plain", "extra") == 0, "put static data");
    struct ts_centry *e = ts_cache_get(c, "a", 1);
    T_CHECK(e != NULL && e->len == 5 && memcmp(e->body, "hello", 5) == 0, "hit returns the bytes");
    T_STREQ(e ? e->content_type : NULL, "text/plain", "content type kept");
    T_STREQ(e ? e->extra : NULL, "extra", "extra copied");
    T_CHECK(ts_cache_get(c, "ab", 2) == NULL && ts_cache_get(c, "", 0) == NULL, "keys compare by length and bytes");
    ts_centry_unref(e);

    /* replacing keeps the old bytes alive for whoever holds them */
    freed = 0;
    put(c, "r", 100, 'x');
    struct ts_centry *old = ts_cache_get(c, "r", 1);
    put(c, "r", 50, 'y');
    T_CHECK(freed == 0, "a replaced entry held by a reader is not freed yet");
    struct ts_centry *nw = ts_cache_get(c, "r", 1);
    T_CHECK(nw != NULL && nw->len == 50 && ((char *)nw->body)[0] == 'y', "replacement visible");
    T_CHECK(old != NULL && old->len == 100 && ((char *)old->body)[99] == 'x', "old bytes still readable");
    ts_centry_unref(old);
    T_CHECK(freed == 1, "last reference frees the replaced entry (%d)", freed);
    ts_centry_unref(nw);

    /* entries over max_entry are refused and stay the caller's */
    char *big = body(1 << 17, 'b');
    T_CHECK(ts_cache_put(c, "big", 3, big, 1 << 17, count_free, NULL, NULL) == -1, "too large refused");
    T_CHECK(ts_cache_get(c, "big", 3) == NULL, "refused entry absent");
    free(big);

    struct ts_cache_stats st;
    ts_cache_stats(c, &st);
    T_CHECK(st.entries == 2 && st.hits == 3 && st.misses >= 3, "stats: %zu entries, %llu hits, %llu misses",
            st.entries, (unsigned long long)st.hits, (unsigned long long)st.misses);
    ts_cache_free(c);
}

static void test_eviction(void)
{
    /* 16 shards: give each shard room for about 3 entries of 1000 bytes */
    size_t budget = 16 * 3500;
    struct ts_cache *c = ts_cache_new(budget, budget);
    freed = 0;
    char key[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        T_CHECK(put(c, key, 1000, 'a') == 0, "put %s", key);
    }
    struct ts_cache_stats st;
    ts_cache_stats(c, &st);
    T_CHECK(st.bytes <= budget, "bytes %zu within budget %zu", st.bytes, budget);
    T_CHECK(st.entries > 16 && st.entries <= 16 * 3, "entries kept: %zu", st.entries);
    T_CHECK(st.evictions == 2000 - st.entries, "evictions %llu", (unsigned long long)st.evictions);
    T_CHECK((size_t)freed == 2000 - st.entries, "evicted bodies freed: %d", freed);
    /* the newest entries survive */
    struct ts_centry *newest = ts_cache_get(c, "k1999", 5);
    T_CHECK(newest != NULL, "newest entry kept");
    ts_centry_unref(newest);
    ts_cache_free(c);
    T_CHECK(freed == 2000, "free releases every body (%d)", freed);
}

static void test_lru_order(void)
{
    /* one shard's worth of keys: find three keys in the same shard by trial */
    struct ts_cache *c = ts_cache_new(16 * 2600, 1 << 20);
    char keys[3][16];
    int found = 0;
    uint64_t shard = 0;
    for (int i = 0; found < 3 && i < 100000; i++) {
        char k[16];
        snprintf(k, sizeof(k), "s%d", i);
        uint64_t s = (ts_hash(TS_HASH_SEED, k, strlen(k)) >> 59) % 16;
        if (found == 0)
            shard = s;
        if (s == shard)
            strcpy(keys[found++], k);
    }
    T_CHECK(found == 3, "three keys in one shard");
    put(c, keys[0], 1000, 'a');
    put(c, keys[1], 1000, 'b');
    ts_centry_unref(ts_cache_get(c, keys[0], strlen(keys[0]))); /* keys[0] is now the most recent */
    put(c, keys[2], 1000, 'c');                                  /* evicts the least recent: keys[1] */
    struct ts_centry *a = ts_cache_get(c, keys[0], strlen(keys[0]));
    struct ts_centry *b = ts_cache_get(c, keys[1], strlen(keys[1]));
    T_CHECK(a != NULL && b == NULL, "LRU evicts the least recently used (a %p, b %p)", (void *)a, (void *)b);
    ts_centry_unref(a);
    ts_centry_unref(b);
    ts_cache_free(c);
}

#define THREADS 4
#define ROUNDS 20000

static struct ts_cache *shared;

static void *worker(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    char key[32];
    for (int i = 0; i < ROUNDS; i++) {
        seed = seed * 1103515245u + 12345u;
        int k = (int)((seed >> 8) % 300);
        snprintf(key, sizeof(key), "key-%d", k);
        if ((seed >> 4) % 3 == 0) {
            size_t n = 100 + (seed >> 12) % 2000;
            char *b = malloc(n);
            memset(b, k & 0x7f, n);
            if (ts_cache_put(shared, key, strlen(key), b, n, free, NULL, NULL) != 0)
                free(b);
        } else {
            struct ts_centry *e = ts_cache_get(shared, key, strlen(key));
            if (e != NULL) {
                /* the bytes must be whole and belong to this key while held */
                const unsigned char *p = e->body;
                if (p[0] != (k & 0x7f) || p[e->len - 1] != (k & 0x7f))
                    __atomic_fetch_add(&t_failed, 1, __ATOMIC_RELAXED);
                ts_centry_unref(e);
            }
        }
    }
    return NULL;
}

static void test_threads(void)
{
    shared = ts_cache_new(16 * 20000, 1 << 20);
    pthread_t th[THREADS];
    int before = t_failed;
    for (int i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)(i + 1));
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    T_CHECK(t_failed == before, "entries stayed intact under concurrent use");
    struct ts_cache_stats st;
    ts_cache_stats(shared, &st);
    T_CHECK(st.bytes <= 16 * 20000, "budget held under concurrency: %zu", st.bytes);
    ts_cache_free(shared);
}

int main(void)
{
    test_basics();
    test_eviction();
    test_lru_order();
    test_threads();
    return t_done();
}
