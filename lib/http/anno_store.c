/*
 * anno_store.c: opening the annotation store; the pages manifests link.
 */
#include "http/anno_store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/pct.h"
#include "present/route.h"
#include "store/backend.h"

#include <stdlib.h>

struct ts_store *ts_anno_store(struct ts_server *srv, bool create, struct ts_error *err)
{
    pthread_mutex_lock(&srv->annos_lock);
    struct ts_store *st = srv->annos;
    if (st == NULL) {
        const char *dir = srv->cfg->data_dir;
        char path[4096];
        snprintf(path, sizeof(path), "%s/tessera.db", dir);
        struct stat sb;
        bool exists = stat(path, &sb) == 0;
        if (!exists && create && mkdir(dir, 0750) != 0 && errno != EEXIST) {
            ts_error_set(err, 500, "cannot make the data folder %s: %s", dir, strerror(errno));
        } else if (exists || create) {
            st = ts_backend_open(path, err);
            if (st != NULL)
                ts_log_info("annotations: kept in %s", path);
            srv->annos = st;
        }
    }
    pthread_mutex_unlock(&srv->annos_lock);
    return st;
}

struct ts_store *ts_anno_pages_store(struct ts_anno_pages *pg)
{
    if (!pg->looked) {
        struct ts_error err;
        pg->st = ts_anno_store(pg->srv, false, &err);
        pg->looked = true;
    }
    return pg->st;
}

char *ts_anno_page_iri(void *ctx, const char *manifest_rel, const char *canvas_id, const char *canvas_name)
{
    struct ts_anno_pages *pg = ctx;
    struct ts_error err;
    struct ts_store *st = ts_anno_pages_store(pg);
    if (st == NULL)
        return NULL;
    struct ts_anno_rec *r = NULL;
    long total = 0;
    (void)canvas_id; /* the store keeps canvases by name: an IRI holds the public base, which may change */
    int n = st->ops->anno_list(st, manifest_rel, canvas_name, 0, 0, &r, &total, &err);
    if (n >= 0)
        ts_anno_recs_free(r, n);
    if (n < 0 || total == 0)
        return NULL;
    struct ts_buf b;
    ts_buf_init(&b, 1 << 16);
    ts_buf_adds(&b, pg->base);
    ts_buf_adds(&b, "/annotations/");
    ts_present_path_encode(manifest_rel, &b);
    ts_buf_adds(&b, "/?canvas=");
    ts_pct_encode(canvas_name, "", &b);
    return ts_buf_take(&b, NULL);
}

int ts_anno_path_decode(const char *s, size_t n, char *out, size_t cap, struct ts_error *err)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return ts_error_set(err, 400, "a malformed %%-escape in the path");
            char h[3] = {s[i + 1], s[i + 2], 0};
            char *end;
            long v = strtol(h, &end, 16);
            if (end != h + 2 || v == 0)
                return ts_error_set(err, 400, "a malformed %%-escape in the path");
            c = (unsigned char)v;
            i += 2;
        }
        if (k + 1 >= cap)
            return ts_error_set(err, 414, "the path is too long");
        out[k++] = (char)c;
    }
    out[k] = '\0';
    for (const char *seg = out; *seg != '\0';) {
        const char *slash = strchr(seg, '/');
        size_t len = slash != NULL ? (size_t)(slash - seg) : strlen(seg);
        if (len == 0 || seg[0] == '.' || memchr(seg, '\\', len) != NULL)
            return ts_error_set(err, 400, "a path with an empty, '.', '..' or hidden part");
        seg += len + (slash != NULL ? 1 : 0);
        if (slash != NULL && *seg == '\0')
            return ts_error_set(err, 400, "a path with an empty part");
    }
    return 0;
}

