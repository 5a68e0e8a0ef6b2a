/*
 * keys.c: cache keys and ETags.
 */
#include "http/keys.h"

#include <string.h>

#include "cache/cache.h"

static void clear(struct ts_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

int ts_key_image(struct ts_buf *out, uint64_t gen, enum iiif_version v, const char *id, int64_t mtime_ns,
                 int64_t size, const char *canonical)
{
    clear(out);
    /* the identifier is length-prefixed: no file name can make two keys collide */
    return ts_buf_addf(out, "I%d|%llx|%zu:%s|%lld|%lld|%s", (int)v, (unsigned long long)gen, strlen(id), id,
                       (long long)mtime_ns, (long long)size, canonical);
}

int ts_key_info(struct ts_buf *out, uint64_t gen, enum iiif_version v, bool ld, const char *base, const char *id,
                int64_t mtime_ns, int64_t size)
{
    clear(out);
    return ts_buf_addf(out, "J%d%c|%llx|%zu:%s|%zu:%s|%lld|%lld", (int)v, ld ? 'L' : 'P', (unsigned long long)gen,
                       strlen(base), base, strlen(id), id, (long long)mtime_ns, (long long)size);
}

uint64_t ts_key_etag(const char *key, size_t len, uint64_t gen)
{
    uint64_t h = ts_hash(TS_HASH_SEED, &gen, sizeof(gen));
    return ts_hash(h, key, len);
}
