/*
 * memory.c: byte sources over objects in memory.
 *
 * An object's bytes are one refcounted block shared by the store and every
 * handle on it, so replacing or removing a stored object never pulls bytes
 * from under a reader.
 */
#include "source/memory.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct block {
    atomic_int refs;
    size_t len;
    struct ts_version version;
    uint8_t data[];
};

struct mem_bytes {
    struct ts_bytes b;
    struct block *blk;
    char name[];
};

struct named {
    struct named *next;
    struct block *blk;
    char name[];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct named *objects;

static void block_unref(struct block *k)
{
    if (k != NULL && atomic_fetch_sub_explicit(&k->refs, 1, memory_order_acq_rel) == 1)
        free(k);
}

/* FNV-1a over the bytes: an ETag that changes with the content. */
static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static struct block *block_new(const void *data, size_t len)
{
    struct block *k = malloc(sizeof(*k) + (len ? len : 1));
    if (k == NULL)
        return NULL;
    atomic_init(&k->refs, 1);
    k->len = len;
    if (len > 0)
        memcpy(k->data, data, len);
    memset(&k->version, 0, sizeof(k->version));
    k->version.size = (int64_t)len;
    snprintf(k->version.etag, sizeof(k->version.etag), "\"%016" PRIx64 "-%zu\"", fnv1a(k->data, len), len);
    return k;
}

static ssize_t mem_pread(struct ts_bytes *b, void *buf, size_t n, uint64_t off)
{
    const struct block *k = ((const struct mem_bytes *)b)->blk;
    if (off >= k->len)
        return 0;
    size_t take = k->len - (size_t)off < n ? k->len - (size_t)off : n;
    memcpy(buf, k->data + off, take);
    return (ssize_t)take;
}

static void mem_destroy(struct ts_bytes *b)
{
    struct mem_bytes *m = (struct mem_bytes *)b;
    block_unref(m->blk);
    free(m);
}

static const struct ts_bytes_ops mem_ops = {"memory", mem_pread, NULL, mem_destroy};

/* A handle on block `k` (taking a reference to it). */
static struct ts_bytes *handle_on(struct block *k, const char *name)
{
    size_t nl = strlen(name);
    struct mem_bytes *m = malloc(sizeof(*m) + nl + 1);
    if (m == NULL)
        return NULL;
    memcpy(m->name, name, nl + 1);
    atomic_fetch_add_explicit(&k->refs, 1, memory_order_relaxed);
    m->blk = k;
    ts_bytes_init(&m->b, &mem_ops, m->name);
    m->b.version = k->version;
    return &m->b;
}

struct ts_bytes *ts_memory_wrap(const void *data, size_t len, const char *name)
{
    struct block *k = block_new(data, len);
    if (k == NULL)
        return NULL;
    struct ts_bytes *b = handle_on(k, name);
    block_unref(k);
    return b;
}

/* The stored object of `name`; the caller holds the lock. */
static struct named **find(const char *name)
{
    struct named **p = &objects;
    while (*p != NULL && strcmp((*p)->name, name) != 0)
        p = &(*p)->next;
    return p;
}

int ts_memory_put(const char *name, const void *data, size_t len, struct ts_error *err)
{
    struct block *k = block_new(data, len);
    if (k == NULL)
        return ts_error_set(err, 500, "out of memory");
    pthread_mutex_lock(&lock);
    struct named **p = find(name);
    if (*p != NULL) {
        block_unref((*p)->blk);
        (*p)->blk = k;
        pthread_mutex_unlock(&lock);
        return 0;
    }
    size_t nl = strlen(name);
    struct named *o = malloc(sizeof(*o) + nl + 1);
    if (o == NULL) {
        pthread_mutex_unlock(&lock);
        block_unref(k);
        return ts_error_set(err, 500, "out of memory");
    }
    memcpy(o->name, name, nl + 1);
    o->blk = k;
    o->next = objects;
    objects = o;
    pthread_mutex_unlock(&lock);
    return 0;
}

int ts_memory_remove(const char *name)
{
    pthread_mutex_lock(&lock);
    struct named **p = find(name);
    struct named *o = *p;
    if (o != NULL)
        *p = o->next;
    pthread_mutex_unlock(&lock);
    if (o == NULL)
        return -1;
    block_unref(o->blk);
    free(o);
    return 0;
}

/* The stored block of a "memory:NAME" locator with a reference, or NULL. */
static struct block *lookup(const char *locator)
{
    size_t sl = strlen(TS_MEMORY_SCHEME);
    if (strncmp(locator, TS_MEMORY_SCHEME, sl) != 0)
        return NULL;
    pthread_mutex_lock(&lock);
    struct named *o = *find(locator + sl);
    struct block *k = o != NULL ? o->blk : NULL;
    if (k != NULL)
        atomic_fetch_add_explicit(&k->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&lock);
    return k;
}

int ts_memory_open(const char *locator, struct ts_bytes **out, struct ts_error *err)
{
    struct block *k = lookup(locator);
    if (k == NULL)
        return ts_error_set(err, 404, "no object is stored as '%s'", locator);
    *out = handle_on(k, locator);
    block_unref(k);
    return *out != NULL ? 0 : ts_error_set(err, 500, "out of memory");
}

int ts_memory_version(const char *locator, struct ts_version *v, struct ts_error *err)
{
    struct block *k = lookup(locator);
    if (k == NULL)
        return ts_error_set(err, 404, "no object is stored as '%s'", locator);
    *v = k->version;
    block_unref(k);
    return 0;
}
