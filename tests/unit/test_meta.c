/*
 * test_meta.c: the image metadata cache (cache/meta.h): an entry is used
 * while the bytes it was probed from keep their version, an identifier
 * with its extension never needs resolving again, and a file that is no
 * image is remembered by its version (size, mtime, ctime) only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "cache/meta.h"
#include "t.h"

static char tmpdir[] = "/tmp/tessera-test-meta-XXXXXX";

static const char *tmp(const char *name)
{
    static char path[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof(path[k]), "%s/%s", tmpdir, name);
    return path[k];
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

/* What the resolver would have said of `path`. */
static void resolved(const char *path, struct ts_resolved *out)
{
    struct stat st;
    memset(out, 0, sizeof(*out));
    snprintf(out->path, sizeof(out->path), "%s", path);
    if (stat(path, &st) == 0) {
        out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        out->size = (int64_t)st.st_size;
    }
}

static void touch_later(const char *path, int s)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    struct timeval tv[2] = {{st.st_atime, 0}, {st.st_mtime + s, 0}};
    utimes(path, tv);
}

static bool fresh(struct ts_cache *c, const char *id)
{
    struct ts_centry *e = ts_meta_lookup(c, id);
    if (e != NULL)
        ts_centry_unref(e);
    return e != NULL;
}

static void test_entries(struct ts_cache *c)
{
    const char *path = tmp("a.png");
    write_text(path, "pretend pixels");
    struct ts_resolved file;
    resolved(path, &file);
    struct ts_source src;
    memset(&src, 0, sizeof(src));
    src.width = 7;
    src.locator = strdup(path);
    const char *id = tmp("a.png"); /* the identifier names the file, extension included */
    struct ts_centry *e = ts_meta_store(c, id, &file, &src);
    T_CHECK(e != NULL && src.locator == NULL, "stored: the cache owns the source");
    if (e != NULL) {
        const struct ts_meta *m = e->body;
        T_CHECK(m->src.width == 7 && strcmp(m->path, path) == 0 && m->error.status == 0, "the entry");
        ts_centry_unref(e);
    }
    T_CHECK(fresh(c, id), "fresh while the file is unchanged");
    T_CHECK(!fresh(c, "other"), "another identifier has no entry");
    touch_later(path, 10);
    T_CHECK(!fresh(c, id), "a new mtime makes it stale");
    resolved(path, &file);
    src.locator = strdup(path);
    e = ts_meta_store(c, id, &file, &src);
    ts_centry_unref(e);
    T_CHECK(fresh(c, id), "stored again, fresh again");
    write_text(path, "pretend pixels, more of them");
    touch_later(path, 0);
    T_CHECK(!fresh(c, id), "a new size makes it stale");
    unlink(path);
    T_CHECK(!fresh(c, id), "a file that went away makes it stale");

    /* an identifier without its extension is trusted for TS_META_RERESOLVE_MS, then resolved again */
    const char *b = tmp("b.png");
    write_text(b, "x");
    resolved(b, &file);
    src.locator = strdup(b);
    e = ts_meta_store(c, "b", &file, &src);
    ts_centry_unref(e);
    T_CHECK(fresh(c, "b"), "an identifier without extension, just resolved: fresh");
}

static void test_errors(struct ts_cache *c)
{
    const char *path = tmp("bad.png");
    write_text(path, "not an image");
    struct ts_resolved file;
    resolved(path, &file);
    struct ts_error err;
    ts_error_set(&err, 415, "the file for this identifier is not a readable image");
    struct ts_centry *e = ts_meta_store_error(c, "bad.png-id", &file, &err);
    T_CHECK(e != NULL && ((const struct ts_meta *)e->body)->error.status == 415, "a failed probe is remembered");
    ts_centry_unref(e);
    T_CHECK(fresh(c, "bad.png-id"), "and used while the file is unchanged");
    T_CHECK(chmod(path, 0600) == 0 && !fresh(c, "bad.png-id"), "a chmod (new ctime) forgets it");
    e = ts_meta_store_error(c, "bad.png-id", &file, &err);
    ts_centry_unref(e);
    T_CHECK(fresh(c, "bad.png-id"), "remembered again");
    touch_later(path, 10);
    T_CHECK(!fresh(c, "bad.png-id"), "a new mtime forgets it");
    const char *gone = tmp("gone.png");
    resolved(gone, &file);
    snprintf(file.path, sizeof(file.path), "%s", gone);
    T_CHECK(ts_meta_store_error(c, "gone", &file, &err) == NULL, "a file tessera cannot open is not remembered");
    T_CHECK(ts_meta_store_error(NULL, "x", &file, &err) == NULL, "no cache: nothing stored");
    resolved(path, &file);
    struct ts_error busy;
    ts_error_set(&busy, 503, "the server is out of file descriptors; try again");
    T_CHECK(ts_meta_store_error(c, "busy", &file, &busy) == NULL && !fresh(c, "busy"),
            "a passing failure (503) says nothing about the bytes: not remembered");
}

int main(void)
{
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    struct ts_cache *c = ts_cache_new(1 << 20, 1 << 16);
    if (c == NULL)
        return 1;
    test_entries(c);
    test_errors(c);
    ts_cache_free(c);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", tmpdir);
    return t_done();
}
