/*
 * tree.c: folders and images under the root, listed in natural order.
 *
 * Workload: a Manifest request lists one folder; a Collection request lists
 * its folder and looks into each subfolder to tell what it is (a quick scan
 * that stops as soon as the answer is known, using the entry types readdir
 * gives, so a subfolder of images costs one getdents pass and no stat per
 * image). Every entry read is charged to the walk, so a folder of a
 * million entries, or a tree of links, costs a bounded amount.
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

#include "core/clock.h"
#include "present/natsort.h"

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

void ts_tree_release(struct ts_tree_item *f)
{
    free(f->rel);
    free(f->dir);
    free_names(f->images, f->n_images);
    free_names(f->folders, f->n_folders);
    free(f->chain);
    memset(f, 0, sizeof(*f));
}

void ts_tree_walk_init(const struct ts_resolver *r, struct ts_walk *w)
{
    ts_walk_init(w, r->walk_max_entries, r->walk_max_depth);
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

/* Whether real path `real` is the root or below it. */
static bool under_root(const struct ts_resolver *r, const char *real)
{
    if (r->root_len == 1)
        return real[0] == '/';
    return strncmp(real, r->root, r->root_len) == 0 && (real[r->root_len] == '/' || real[r->root_len] == '\0');
}

/*
 * The type of entry `name` of folder `dir` (a real path, open as `dfd`),
 * with a symlink followed only to a target inside the root: S_IFREG,
 * S_IFDIR, or 0 for anything else (a FIFO, socket or device, a link out of
 * the root or a broken one). `st` gets the target's stat when one was made;
 * with `need_stat` one always is. `real` (may be NULL) gets the target's
 * real path for a link, or "" when the entry is not one.
 */
static unsigned entry_type(const struct ts_resolver *r, int dfd, const char *dir, const char *name,
                           unsigned char d_type, bool need_stat, struct stat *st, char *real)
{
    if (real != NULL)
        real[0] = '\0';
    if (!need_stat && d_type == DT_REG)
        return S_IFREG;
    if (!need_stat && d_type == DT_DIR)
        return S_IFDIR;
    if (d_type != DT_LNK) {
        if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) != 0)
            return 0;
        if (!S_ISLNK(st->st_mode))
            return S_ISREG(st->st_mode) ? S_IFREG : S_ISDIR(st->st_mode) ? S_IFDIR : 0;
    }
    char path[PATH_MAX], buf[PATH_MAX];
    char *target = real != NULL ? real : buf;
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) || realpath(path, target) == NULL ||
        !under_root(r, target)) {
        if (real != NULL)
            real[0] = '\0';
        return 0;
    }
    if (stat(target, st) != 0)
        return 0;
    return S_ISREG(st->st_mode) ? S_IFREG : S_ISDIR(st->st_mode) ? S_IFDIR : 0;
}

/* Whether real path `a` is `b` or below it. */
static bool is_within(const char *a, const char *b)
{
    size_t n = strlen(b);
    return strncmp(a, b, n) == 0 && (a[n] == '/' || a[n] == '\0' || (n == 1 && b[0] == '/'));
}

static bool is_sidecar(const char *name)
{
    return strcmp(name, "manifest.yml") == 0 || strcmp(name, "collection.yml") == 0 ||
           strcmp(name, "metadata.csv") == 0;
}

/* Whether folder `dfd` (real path `dir`) has the sidecar `name` as a regular file inside the root. */
static bool has_sidecar(const struct ts_resolver *r, int dfd, const char *dir, const char *name)
{
    struct stat st;
    return entry_type(r, dfd, dir, name, DT_UNKNOWN, true, &st, NULL) == S_IFREG;
}

static int open_dir(const char *dir, DIR **d)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    *d = fdopendir(fd);
    if (*d == NULL) {
        close(fd);
        return -1;
    }
    return fd;
}

/* What a full listing of a folder found. */
struct listing {
    char **images;
    size_t n_images;
    char **folders;
    size_t n_folders;
    bool has_manifest, has_collection;
    int64_t stamp;
};

/*
 * Lists folder `dir` (a real path inside the root): images and subfolders
 * (not hidden; links only inside the root), whether it has manifest.yml or
 * collection.yml, and the newest mtime of the folder, its images and its
 * sidecars. Returns 0, -1 when it cannot be read, -2 when the walk is over
 * a bound (w->why says which).
 */
static int list_dir(const struct ts_resolver *r, struct ts_walk *w, const char *dir, struct listing *out)
{
    DIR *d;
    int fd = open_dir(dir, &d);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) == 0 && mtime_ns(&st) > out->stamp)
        out->stamp = mtime_ns(&st);
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!ts_walk_charge(w, 1)) {
            rc = -2;
            break;
        }
        const char *name = e->d_name;
        if (name[0] == '.')
            continue;
        bool sidecar = is_sidecar(name), image = !sidecar && ts_resolver_is_image_name(r, name);
        /* images and sidecars count toward the stamp: they need their mtime; folders only their type */
        unsigned type = entry_type(r, fd, dir, name, e->d_type, sidecar || image, &st, NULL);
        if (type == S_IFREG && sidecar) {
            if (strcmp(name, "manifest.yml") == 0)
                out->has_manifest = true;
            else if (strcmp(name, "collection.yml") == 0)
                out->has_collection = true;
            if (mtime_ns(&st) > out->stamp)
                out->stamp = mtime_ns(&st);
        } else if (type == S_IFREG && image) {
            if (mtime_ns(&st) > out->stamp)
                out->stamp = mtime_ns(&st);
            rc = push_name(&out->images, &out->n_images, name);
        } else if (type == S_IFDIR) {
            rc = push_name(&out->folders, &out->n_folders, name);
        }
    }
    closedir(d);
    if (out->images != NULL)
        qsort(out->images, out->n_images, sizeof(char *), ts_natcmp_qsort);
    if (out->folders != NULL)
        qsort(out->folders, out->n_folders, sizeof(char *), ts_natcmp_qsort);
    return rc;
}

/*
 * A quick look reads at most this many entries of a folder: a folder with
 * images and no subfolder among them is taken for a Manifest, one with
 * neither has nothing to show (when the folder itself is asked for, it is
 * read in full, within the walk's bounds). So a folder of junk placed
 * beside the others costs a bounded amount, however many entries it has.
 */
#define QUICK_LOOK 4096

/*
 * What folder `dir` (a real path inside the root) is, from a quick look:
 * TS_P_MANIFEST, TS_P_COLLECTION, -1 when it has nothing to show, -2 when
 * the walk is over a bound. Reads only until the answer is known: a
 * collection.yml decides at once, a manifest.yml at the first image, and
 * otherwise the first subfolder makes it a Collection.
 */
static int kind_of_dir(const struct ts_resolver *r, struct ts_walk *w, const char *dir)
{
    DIR *d;
    int fd = open_dir(dir, &d);
    if (fd < 0)
        return -1;
    bool man = has_sidecar(r, fd, dir, "manifest.yml");
    if (!man && has_sidecar(r, fd, dir, "collection.yml")) {
        closedir(d);
        return TS_P_COLLECTION;
    }
    size_t ni = 0;
    int kind = -1;
    struct dirent *e;
    struct stat st;
    long read = 0;
    while (read++ < QUICK_LOOK && (e = readdir(d)) != NULL) {
        if (!ts_walk_charge(w, 1)) {
            kind = -2;
            break;
        }
        const char *name = e->d_name;
        if (name[0] == '.' || is_sidecar(name))
            continue;
        bool image = ts_resolver_is_image_name(r, name);
        if (!image && man)
            continue;
        char target[PATH_MAX];
        unsigned type = entry_type(r, fd, dir, name, e->d_type, false, &st, target);
        if (type == S_IFDIR && target[0] != '\0' && is_within(dir, target))
            continue; /* a link back to this folder or one above: no subfolder */
        if (type == S_IFREG && image) {
            ni++;
            if (man) {
                kind = TS_P_MANIFEST;
                break;
            }
        } else if (type == S_IFDIR && !man) {
            kind = TS_P_COLLECTION;
            break;
        }
    }
    closedir(d);
    if (kind == -1 && ni > 0)
        kind = TS_P_MANIFEST;
    return kind;
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

static bool in_chain(const struct ts_walk_id *chain, size_t n, const struct stat *st)
{
    for (size_t i = 0; i < n; i++) {
        if (chain[i].dev == (uint64_t)st->st_dev && chain[i].ino == (uint64_t)st->st_ino)
            return true;
    }
    return false;
}

static int chain_push(struct ts_tree_item *f, const struct stat *st)
{
    struct ts_walk_id *c = realloc(f->chain, (f->n_chain + 1) * sizeof(*c));
    if (c == NULL)
        return -1;
    f->chain = c;
    c[f->n_chain++] = (struct ts_walk_id){(uint64_t)st->st_dev, (uint64_t)st->st_ino, true};
    return 0;
}

/*
 * Follows `rel` from the root one component at a time: every component a
 * folder (the last may be a file), links only to targets inside the root,
 * and no folder met twice (a path through a link loop). Fills f->chain and
 * `real` (the real path of the last component) and `st` (its stat).
 */
static int follow_rel(const struct ts_resolver *r, const char *rel, struct ts_tree_item *f, char real[PATH_MAX],
                      struct stat *st, struct ts_error *err)
{
    if (stat(r->root, st) != 0 || chain_push(f, st) != 0)
        return ts_error_set(err, 500, "the image root cannot be read");
    snprintf(real, PATH_MAX, "%s", r->root);
    int depth = 0;
    for (const char *p = rel; *p != '\0';) {
        const char *slash = strchr(p, '/');
        size_t n = slash != NULL ? (size_t)(slash - p) : strlen(p);
        if (++depth > r->walk_max_depth)
            return ts_error_set(err, 404, "nothing is published at '%s': it is deeper than %d folders (walk_max_depth)",
                                rel, r->walk_max_depth);
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/%.*s", real, (int)n, p) >= (int)sizeof(path))
            return ts_error_set(err, 414, "the path is too long");
        struct stat lst;
        if (lstat(path, &lst) != 0)
            return ts_error_set(err, 404, "nothing is published at '%s'", rel);
        if (S_ISLNK(lst.st_mode)) {
            char target[PATH_MAX];
            if (realpath(path, target) == NULL || !under_root(r, target))
                return ts_error_set(err, 404, "nothing is published at '%s'", rel);
            memcpy(real, target, strlen(target) + 1);
        } else {
            memcpy(real, path, strlen(path) + 1);
        }
        if (stat(real, st) != 0)
            return ts_error_set(err, 404, "nothing is published at '%s'", rel);
        bool last = slash == NULL;
        if (S_ISDIR(st->st_mode)) {
            if (in_chain(f->chain, f->n_chain, st))
                return ts_error_set(err, 404, "nothing is published at '%s': the path goes through a link back to a "
                                              "folder above it",
                                    rel);
            if (chain_push(f, st) != 0)
                return ts_error_set(err, 500, "out of memory");
        } else if (!last || !S_ISREG(st->st_mode)) {
            return ts_error_set(err, 404, "nothing is published at '%s'", rel);
        }
        p = last ? p + n : slash + 1;
    }
    return 0;
}

int ts_tree_open(const struct ts_resolver *r, struct ts_walk *w, const char *rel, struct ts_tree_item *out,
                    struct ts_error *err)
{
    memset(out, 0, sizeof(*out));
    struct ts_walk own;
    if (w == NULL) {
        ts_tree_walk_init(r, &own);
        w = &own;
    }
    int rc = -1;
    if (!rel_ok(rel)) {
        ts_error_set(err, 400, "a path with an empty, '.', '..' or hidden part");
        goto out;
    }
    char real[PATH_MAX];
    struct stat st;
    if (follow_rel(r, rel, out, real, &st, err) != 0)
        goto out;
    out->rel = strdup(rel);
    if (out->rel == NULL) {
        ts_error_set(err, 500, "out of memory");
        goto out;
    }
    if (S_ISREG(st.st_mode)) {
        const char *slash = strrchr(rel, '/');
        const char *name = slash != NULL ? slash + 1 : rel;
        if (!ts_resolver_is_image_name(r, name)) {
            ts_error_set(err, 404, "'%s' is not an image tessera serves", rel);
            goto out;
        }
        out->kind = TS_P_IMAGE;
        /* the folder that holds the entry (not the link's target): the last folder of the chain */
        char folder[PATH_MAX];
        snprintf(folder, sizeof(folder), "%s%s%.*s", r->root, slash != NULL ? "/" : "",
                 slash != NULL ? (int)(slash - rel) : 0, rel);
        char freal[PATH_MAX];
        if (realpath(folder, freal) == NULL) { /* it went away meanwhile */
            ts_error_set(err, 404, "nothing is published at '%s'", rel);
            goto out;
        }
        out->dir = strdup(freal);
        out->stamp = mtime_ns(&st);
        if (out->dir == NULL || push_name(&out->images, &out->n_images, name) != 0) {
            ts_error_set(err, 500, "out of memory");
            goto out;
        }
        rc = 0;
        goto out;
    }
    out->dir = strdup(real);
    if (out->dir == NULL) {
        ts_error_set(err, 500, "out of memory");
        goto out;
    }
    struct listing l = {0};
    int lr = list_dir(r, w, real, &l);
    out->images = l.images;
    out->n_images = l.n_images;
    out->folders = l.folders;
    out->n_folders = l.n_folders;
    out->stamp = l.stamp;
    if (lr == -2) {
        ts_error_set(err, 501, "'%s' has more entries than this server reads for one answer: %s",
                     rel[0] ? rel : "the root", w->why);
        goto out;
    }
    if (lr != 0) {
        /* gone meanwhile, or not ours to read: as its parent's listing leaves it out, nothing is here */
        if (errno == EACCES || errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EPERM)
            ts_error_set(err, 404, "nothing is published at '%s'", rel);
        else
            ts_error_set(err, 503, "the folder '%s' could not be read now: %s", rel, strerror(errno));
        goto out;
    }
    /*
     * Keep only subfolders with something to show; a link back to a folder
     * above is no subfolder. When the walk runs out of entries, the
     * subfolders not looked at yet are left out (and the walk says why).
     */
    size_t k = 0;
    bool over = false;
    for (size_t i = 0; i < out->n_folders; i++) {
        char path[PATH_MAX], target[PATH_MAX];
        struct stat fst;
        int kind = -1;
        if (!over && snprintf(path, sizeof(path), "%s/%s", real, out->folders[i]) < (int)sizeof(path) &&
            realpath(path, target) != NULL && under_root(r, target) && stat(target, &fst) == 0 &&
            !in_chain(out->chain, out->n_chain, &fst)) {
            kind = kind_of_dir(r, w, target);
            over = kind == -2;
        }
        if (kind >= 0)
            out->folders[k++] = out->folders[i];
        else
            free(out->folders[i]);
    }
    out->n_folders = k;
    if (rel[0] == '\0' || l.has_collection)
        out->kind = TS_P_COLLECTION;
    else if (l.has_manifest || (out->n_folders == 0 && out->n_images > 0))
        out->kind = TS_P_MANIFEST;
    else
        out->kind = TS_P_COLLECTION;
    if (out->kind == TS_P_MANIFEST && out->n_images == 0) {
        ts_error_set(err, 404, "the folder '%s' has a manifest.yml but no images", rel);
        goto out;
    }
    if (out->kind == TS_P_COLLECTION && rel[0] != '\0' && out->n_folders == 0 && out->n_images == 0) {
        ts_error_set(err, 404, "the folder '%s' has nothing to show", rel);
        goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        ts_tree_release(out);
    if (w == &own)
        ts_walk_release(&own);
    return rc;
}

/* Reads of a sidecar stop after this long: a file that trickles (a network file system gone bad) is a problem. */
#define SIDECAR_READ_MS 5000

long ts_tree_read_sidecar(const struct ts_resolver *r, const char *dir, const char *name, char **out, char *msg,
                     size_t msg_len)
{
    *out = NULL;
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
        return -1;
    struct stat st;
    int why = 0;
    int fd = ts_resolver_open(r, path, &st, &why);
    if (fd < 0) {
        if (why == TS_OPEN_ABSENT)
            return -1;
        snprintf(msg, msg_len, "the file %s (ignored)", ts_open_fail_text(why));
        return -2;
    }
    if ((uint64_t)st.st_size > r->max_sidecar) {
        close(fd);
        snprintf(msg, msg_len, "the file is %lld bytes, more than the %zu KiB this server reads (max_sidecar_kb; ignored)",
                 (long long)st.st_size, r->max_sidecar >> 10);
        return -2;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        close(fd);
        snprintf(msg, msg_len, "out of memory");
        return -2;
    }
    int64_t t0 = ts_now_ms();
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
        if (ts_now_ms() - t0 > SIDECAR_READ_MS) {
            close(fd);
            free(buf);
            snprintf(msg, msg_len, "the file could not be read in %d s (ignored)", SIDECAR_READ_MS / 1000);
            return -2;
        }
    }
    close(fd);
    buf[got] = '\0';
    *out = buf;
    return (long)got;
}
