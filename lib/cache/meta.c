/*
 * meta.c: metadata entries on top of the generic cache.
 */
#include "cache/meta.h"

#include <stdlib.h>
#include <string.h>

#include "source/origin.h"

void ts_meta_free(void *p)
{
    struct ts_meta *m = p;
    ts_source_release(&m->src);
    free(m->path);
    free(m);
}

int ts_meta_init(struct ts_meta *m, const struct ts_resolved *file, struct ts_source *src)
{
    m->path = strdup(file->path);
    if (m->path == NULL)
        return -1;
    m->mtime_ns = file->mtime_ns;
    m->size = file->size;
    if (src != NULL) {
        m->src = *src;
        memset(src, 0, sizeof(*src));
    }
    m->resolved_ms = ts_now_ms();
    ts_error_clear(&m->error);
    return 0;
}

/* Whether the identifier names its file with the extension (then it never needs re-resolving). */
static bool names_file(const struct ts_meta *m, const char *id)
{
    size_t pl = strlen(m->path), il = strlen(id);
    return pl >= il && strcmp(m->path + pl - il, id) == 0 && (pl == il || m->path[pl - il - 1] == '/');
}

struct ts_centry *ts_meta_lookup(struct ts_cache *c, const char *id)
{
    struct ts_centry *e = ts_cache_get(c, id, strlen(id));
    if (e == NULL)
        return NULL;
    const struct ts_meta *m = e->body;
    struct ts_version v;
    bool fresh = ts_origin_version(m->path, &v, NULL) == 0 && v.mtime_ns == m->mtime_ns && v.size == m->size &&
                 (m->error.status != 0 || strcmp(v.etag, m->src.version.etag) == 0) &&
                 (names_file(m, id) || ts_now_ms() - m->resolved_ms < TS_META_RERESOLVE_MS);
    if (fresh && m->error.status != 0)
        fresh = v.ctime_ns == m->ctime_ns && ts_now_ms() - m->resolved_ms < TS_META_ERROR_TTL_MS;
    if (!fresh) {
        ts_centry_unref(e);
        return NULL;
    }
    return e;
}

struct ts_centry *ts_meta_store(struct ts_cache *c, const char *id, const struct ts_resolved *file,
                                struct ts_source *src)
{
    if (c == NULL)
        return NULL;
    struct ts_meta *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return NULL;
    if (ts_meta_init(m, file, NULL) != 0) {
        free(m);
        return NULL;
    }
    m->src = *src;
    size_t cost = sizeof(*m) + strlen(m->path) + 1 + ts_source_extra_bytes(&m->src);
    struct ts_centry *e = ts_cache_put_get(c, id, strlen(id), m, cost, ts_meta_free, NULL, NULL);
    if (e == NULL) {
        free(m->path);
        free(m); /* the source stays the caller's */
        return NULL;
    }
    memset(src, 0, sizeof(*src)); /* now the cache's */
    return e;
}

struct ts_centry *ts_meta_store_error(struct ts_cache *c, const char *id, const struct ts_resolved *file,
                                      const struct ts_error *err)
{
    /* only a verdict on the bytes (415) holds while they do: 503s, 500s and 404s may change any moment */
    if (c == NULL || err->status != 415)
        return NULL;
    /* a file tessera cannot open now (descriptors, permissions) may be fine later: not remembered */
    struct ts_bytes *b;
    if (ts_origin_open(file->path, &b, NULL) != 0)
        return NULL;
    int64_t ctime_ns = b->version.ctime_ns;
    ts_bytes_close(b);
    struct ts_meta *m = calloc(1, sizeof(*m));
    if (m == NULL || ts_meta_init(m, file, NULL) != 0) {
        free(m);
        return NULL;
    }
    m->error = *err;
    m->ctime_ns = ctime_ns;
    struct ts_centry *e = ts_cache_put_get(c, id, strlen(id), m, sizeof(*m) + strlen(m->path) + 1, ts_meta_free,
                                           NULL, NULL);
    if (e == NULL) {
        free(m->path);
        free(m);
    }
    return e;
}
