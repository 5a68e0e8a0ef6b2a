/*
 * fs.c: the filesystem resolver.
 *
 * Cost per request: one stat() per extension tried, one realpath(). Cheap
 * next to decoding; the metadata cache will make it cheaper still.
 */
#include "resolve/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int ts_resolver_init(struct ts_resolver *r, const char *root, const char *extensions, struct ts_error *err)
{
    memset(r, 0, sizeof(*r));
    char *real = realpath(root, NULL);
    if (real == NULL)
        return ts_error_set(err, 500, "image root %s: %s", root, strerror(errno));
    struct stat st;
    if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
        free(real);
        return ts_error_set(err, 500, "image root %s is not a folder", root);
    }
    r->root = real;
    r->root_len = strlen(real);
    r->max_sidecar = TS_DEFAULT_MAX_SIDECAR;
    r->walk_max_entries = TS_DEFAULT_WALK_ENTRIES;
    r->walk_max_depth = TS_DEFAULT_WALK_DEPTH;
    while (r->root_len > 1 && real[r->root_len - 1] == '/')
        real[--r->root_len] = '\0';
    const char *p = extensions;
    while (p != NULL && *p != '\0' && r->n_ext < TS_MAX_EXTENSIONS) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        while (n > 0 && (*p == ' ' || *p == '.')) {
            p++;
            n--;
        }
        while (n > 0 && p[n - 1] == ' ')
            n--;
        if (n > 0 && n < 16) {
            char *e = strndup(p, n);
            for (char *c = e; *c; c++)
                *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
            r->ext[r->n_ext++] = e;
        }
        p = comma ? comma + 1 : NULL;
    }
    if (r->n_ext == 0) {
        ts_resolver_release(r);
        return ts_error_set(err, 500, "no image file extensions configured");
    }
    return 0;
}

void ts_resolver_release(struct ts_resolver *r)
{
    if (r == NULL)
        return;
    free(r->root);
    for (int i = 0; i < r->n_ext; i++)
        free(r->ext[i]);
    memset(r, 0, sizeof(*r));
}

void ts_resolver_apply_settings(struct ts_resolver *r, const struct ts_config *cfg)
{
    r->max_sidecar = (size_t)cfg->max_sidecar_kb << 10;
    r->walk_max_entries = (long)cfg->walk_max_entries;
    r->walk_max_depth = (int)cfg->walk_max_depth;
}

int ts_resolver_is_image_name(const struct ts_resolver *r, const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot == NULL || strchr(dot, '/') != NULL)
        return 0;
    for (int i = 0; i < r->n_ext; i++) {
        if (strcasecmp(dot + 1, r->ext[i]) == 0)
            return 1;
    }
    return 0;
}

int ts_resolver_inside(const struct ts_resolver *r, const char *path, char real[PATH_MAX])
{
    if (realpath(path, real) == NULL)
        return 0;
    if (r->root_len == 1) /* the root is "/" */
        return 1;
    return strncmp(real, r->root, r->root_len) == 0 && real[r->root_len] == '/';
}

/* Whether real path `real` is `root` or below it (`root` a real path without trailing slash). */
static bool under(const char *root, size_t root_len, const char *real)
{
    if (root_len == 1 && root[0] == '/')
        return real[0] == '/';
    return strncmp(real, root, root_len) == 0 && (real[root_len] == '/' || real[root_len] == '\0');
}

int ts_open_confined(const char *root, const char *path, struct stat *st, int *why)
{
    if (stat(path, st) != 0) {
        *why = errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? TS_OPEN_ABSENT : TS_OPEN_FAILED;
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        *why = TS_OPEN_NOT_FILE;
        return -1;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        *why = errno == ENOENT ? TS_OPEN_ABSENT : TS_OPEN_FAILED;
        return -1;
    }
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        *why = TS_OPEN_NOT_FILE;
        return -1;
    }
    /* where the descriptor really leads, whatever links the path went through */
    char proc[64], real[PATH_MAX];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(proc, real, sizeof(real) - 1);
    if (n <= 0 || (size_t)n >= sizeof(real) - 1) {
        /* no /proc: the path's real path, checked against the same file */
        struct stat again;
        if (realpath(path, real) == NULL || stat(real, &again) != 0 || again.st_dev != st->st_dev ||
            again.st_ino != st->st_ino) {
            close(fd);
            *why = TS_OPEN_FAILED;
            return -1;
        }
    } else {
        real[n] = '\0';
    }
    if (!under(root, strlen(root), real)) {
        close(fd);
        *why = TS_OPEN_OUTSIDE;
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

int ts_resolver_open(const struct ts_resolver *r, const char *path, struct stat *st, int *why)
{
    return ts_open_confined(r->root, path, st, why);
}

const char *ts_open_fail_text(int why)
{
    switch (why) {
    case TS_OPEN_ABSENT:
        return "does not exist";
    case TS_OPEN_OUTSIDE:
        return "is a link to outside the image root";
    case TS_OPEN_NOT_FILE:
        return "is not a regular file";
    default:
        return "cannot be opened";
    }
}

/* Accepts `cand` if it is a regular file whose real path is under the root. */
static int accept(const struct ts_resolver *r, const char *cand, struct ts_resolved *out)
{
    struct stat st;
    if (stat(cand, &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    char real[PATH_MAX];
    if (!ts_resolver_inside(r, cand, real))
        return -1;
    if (strlen(real) >= sizeof(out->path))
        return -1;
    strcpy(out->path, real);
    out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    out->size = (int64_t)st.st_size;
    return 0;
}

int ts_resolve(const struct ts_resolver *r, const char *id, struct ts_resolved *out, struct ts_error *err)
{
    char cand[PATH_MAX];
    int n = snprintf(cand, sizeof(cand), "%s/%s", r->root, id);
    if (n < 0 || (size_t)n >= sizeof(cand) - 16)
        return ts_error_set(err, 404, "no image has this identifier");
    /* The identifier names the file itself, extension included. */
    if (ts_resolver_is_image_name(r, id) && accept(r, cand, out) == 0)
        return 0;
    /* Otherwise try each extension in order, as written and in upper case (P001.TIF). */
    for (int i = 0; i < r->n_ext; i++) {
        snprintf(cand + n, sizeof(cand) - (size_t)n, ".%s", r->ext[i]);
        if (accept(r, cand, out) == 0)
            return 0;
        for (char *c = cand + n + 1; *c != '\0'; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        if (accept(r, cand, out) == 0)
            return 0;
    }
    return ts_error_set(err, 404, "no image has this identifier");
}
