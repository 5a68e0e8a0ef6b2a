/*
 * meta.c: metadata entries on top of the generic cache.
 */
#include "cache/meta.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int64_t ts_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int64_t ts_now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

void ts_meta_free(void *p)
{
    struct ts_meta *m = p;
    ts_source_release(&m->src);
    free(m);
}

/* Whether the identifier names its file with the extension (then it never needs re-resolving). */
static bool names_file(const struct ts_meta *m, const char *id)
{
    size_t pl = strlen(m->file.path), il = strlen(id);
    return pl >= il && strcmp(m->file.path + pl - il, id) == 0 && (pl == il || m->file.path[pl - il - 1] == '/');
}

struct ts_centry *ts_meta_lookup(struct ts_cache *c, const char *id)
{
    struct ts_centry *e = ts_cache_get(c, id, strlen(id));
    if (e == NULL)
        return NULL;
    const struct ts_meta *m = e->body;
    struct stat st;
    bool fresh = stat(m->file.path, &st) == 0 &&
                 (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec == m->file.mtime_ns &&
                 (int64_t)st.st_size == m->file.size &&
                 (names_file(m, id) || ts_now_ms() - m->resolved_ms < TS_META_RERESOLVE_MS);
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
    struct ts_meta *m = malloc(sizeof(*m));
    if (m == NULL)
        return NULL;
    m->file = *file;
    m->src = *src;
    m->resolved_ms = ts_now_ms();
    size_t id_len = strlen(id);
    size_t cost = sizeof(*m) + ts_source_extra_bytes(&m->src);
    struct ts_centry *e = ts_cache_put_get(c, id, id_len, m, cost, ts_meta_free, NULL, NULL);
    if (e == NULL) {
        free(m); /* the source stays the caller's */
        return NULL;
    }
    memset(src, 0, sizeof(*src)); /* now the cache's */
    return e;
}
