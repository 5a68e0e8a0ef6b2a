/*
 * tree.c: folders and images under the root, listed in natural order.
 */
#include "present/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "present/natsort.h"

#define MAX_ENTRIES 100000
#define MAX_SIDECAR (4 << 20)

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void ts_pfolder_release(struct ts_pfolder *f)
{
    free(f->rel);
    free(f->dir);
    free_names(f->images, f->n_images);
    free_names(f->folders, f->n_folders);
    memset(f, 0, sizeof(*f));
}

static int push_name(char ***v, size_t *n, const char *name)
{
    char **nv = realloc(*v, (*n + 1) * sizeof(*nv));
    if (nv == NULL)
        return -1;
    *v = nv;
    nv[*n] = strdup(name);
    if (nv[*n] == NULL)
        return -1;
    (*n)++;
    return 0;
}

/*
 * Lists folder `dir`: images and subfolders (not hidden), and whether it has
 * manifest.yml / collection.yml; the newest mtime goes to *stamp. With
 * `shallow`, stops at the first image or subfolder (enough to know the
 * folder has something to show).
 */
static int list_dir(const struct ts_resolver *r, const char *dir, bool shallow, char ***images, size_t *n_images,
                    char ***folders, size_t *n_folders, bool *has_manifest, bool *has_collection, int64_t *stamp)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && mtime_ns(&st) > *stamp)
        *stamp = mtime_ns(&st);
    struct dirent *e;
    size_t seen = 0;
    int rc = 0;
    while ((e = readdir(d)) != NULL && rc == 0) {
        const char *name = e->d_name;
        if (name[0] == '.')
            continue;
        if (++seen > MAX_ENTRIES)
            break;
        if (fstatat(fd, name, &st, 0) != 0) /* follows symlinks; the caller confines what it opens */
            continue;
        if (S_ISREG(st.st_mode) && (strcmp(name, "manifest.yml") == 0 || strcmp(name, "collection.yml") == 0 ||
                                    strcmp(name, "metadata.csv") == 0)) {
            if (name[0] == 'm' && name[1] == 'a' && has_manifest != NULL)
                *has_manifest = true;
            if (name[0] == 'c' && has_collection != NULL)
                *has_collection = true;
            if (mtime_ns(&st) > *stamp)
                *stamp = mtime_ns(&st);
            continue;
        }
        if (S_ISREG(st.st_mode) && ts_resolver_is_image_name(r, name)) {
            if (mtime_ns(&st) > *stamp)
                *stamp = mtime_ns(&st);
            if (images != NULL)
                rc = push_name(images, n_images, name);
            else
                (*n_images)++;
        } else if (S_ISDIR(st.st_mode)) {
            if (folders != NULL)
                rc = push_name(folders, n_folders, name);
            else
                (*n_folders)++;
        }
        if (shallow && (*n_images > 0 || *n_folders > 0))
            break;
    }
    closedir(d);
    if (images != NULL && *images != NULL)
        qsort(*images, *n_images, sizeof(char *), ts_natcmp_qsort);
    if (folders != NULL && *folders != NULL)
        qsort(*folders, *n_folders, sizeof(char *), ts_natcmp_qsort);
    return rc;
}

/* A relative path tessera will look at: no empty, ".", ".." or hidden component. */
static bool rel_ok(const char *rel)
{
    if (rel[0] == '\0')
        return true;
    if (rel[0] == '/')
        return false;
    for (const char *p = rel; *p != '\0';) {
        if (*p == '.' || *p == '/')
            return false; /* hidden, ".", ".." or an empty component */
        const char *slash = strchr(p, '/');
        if (slash == NULL)
            break;
        p = slash + 1;
        if (*p == '\0')
            return false;
    }
    return strchr(rel, '\\') == NULL;
}

/* Whether `path` is the root or under it once symlinks are followed; `real` gets its real path. */
static bool inside(const struct ts_resolver *r, const char *path, char real[PATH_MAX])
{
    if (ts_resolver_inside(r, path, real))
        return true;
    return realpath(path, real) != NULL && strcmp(real, r->root) == 0;
}

int ts_pfolder_kind_of(const struct ts_resolver *r, const struct ts_pfolder *parent, const char *name)
{
    char path[PATH_MAX], real[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", parent->dir, name) >= (int)sizeof(path) || !inside(r, path, real))
        return -1;
    size_t ni = 0, nf = 0;
    bool man = false, col = false;
    int64_t stamp = 0;
    if (list_dir(r, real, false, NULL, &ni, NULL, &nf, &man, &col, &stamp) != 0)
        return -1;
    if (man)
        return ni > 0 ? TS_P_MANIFEST : -1;
    if (col)
        return TS_P_COLLECTION;
    if (nf == 0)
        return ni > 0 ? TS_P_MANIFEST : -1;
    return TS_P_COLLECTION;
}

int ts_pfolder_open(const struct ts_resolver *r, const char *rel, struct ts_pfolder *out, struct ts_error *err)
{
    memset(out, 0, sizeof(*out));
    if (!rel_ok(rel))
        return ts_error_set(err, 400, "a path with an empty, '.', '..' or hidden part");
    char path[PATH_MAX], real[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s%s%s", r->root, rel[0] ? "/" : "", rel) >= (int)sizeof(path))
        return ts_error_set(err, 414, "the path is too long");
    if (!inside(r, path, real))
        return ts_error_set(err, 404, "nothing is published at '%s'", rel);
    struct stat st;
    if (stat(real, &st) != 0)
        return ts_error_set(err, 404, "nothing is published at '%s'", rel);
    out->rel = strdup(rel);
    if (out->rel == NULL)
        return ts_error_set(err, 500, "out of memory");
    if (S_ISREG(st.st_mode)) {
        const char *slash = strrchr(real, '/');
        const char *name = slash + 1;
        if (!ts_resolver_is_image_name(r, name)) {
            ts_pfolder_release(out);
            return ts_error_set(err, 404, "'%s' is not an image tessera serves", rel);
        }
        out->kind = TS_P_IMAGE;
        out->dir = strndup(real, (size_t)(slash - real));
        out->stamp = mtime_ns(&st);
        if (out->dir == NULL || push_name(&out->images, &out->n_images, name) != 0) {
            ts_pfolder_release(out);
            return ts_error_set(err, 500, "out of memory");
        }
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        ts_pfolder_release(out);
        return ts_error_set(err, 404, "nothing is published at '%s'", rel);
    }
    out->dir = strdup(real);
    bool man = false, col = false;
    if (out->dir == NULL || list_dir(r, real, false, &out->images, &out->n_images, &out->folders, &out->n_folders, &man,
                                     &col, &out->stamp) != 0) {
        ts_pfolder_release(out);
        return ts_error_set(err, 500, "the folder '%s' could not be read", rel);
    }
    /* keep only subfolders with something to show */
    size_t k = 0;
    for (size_t i = 0; i < out->n_folders; i++) {
        if (ts_pfolder_kind_of(r, out, out->folders[i]) >= 0)
            out->folders[k++] = out->folders[i];
        else
            free(out->folders[i]);
    }
    out->n_folders = k;
    if (rel[0] == '\0' || col)
        out->kind = TS_P_COLLECTION;
    else if (man || (out->n_folders == 0 && out->n_images > 0))
        out->kind = TS_P_MANIFEST;
    else
        out->kind = TS_P_COLLECTION;
    if (out->kind == TS_P_MANIFEST && out->n_images == 0) {
        ts_pfolder_release(out);
        return ts_error_set(err, 404, "the folder '%s' has a manifest.yml but no images", rel);
    }
    if (out->kind == TS_P_COLLECTION && rel[0] != '\0' && out->n_folders == 0 && out->n_images == 0) {
        ts_pfolder_release(out);
        return ts_error_set(err, 404, "the folder '%s' has nothing to show", rel);
    }
    return 0;
}

long ts_read_small_file(const char *dir, const char *name, char **out, char *msg, size_t msg_len)
{
    *out = NULL;
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return -1;
        snprintf(msg, msg_len, "%s: %s", name, strerror(errno));
        return -2;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_SIDECAR) {
        close(fd);
        snprintf(msg, msg_len, "%s: not a regular file of at most 4 MB", name);
        return -2;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        close(fd);
        snprintf(msg, msg_len, "%s: out of memory", name);
        return -2;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *out = buf;
    return (long)got;
}
