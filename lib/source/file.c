/*
 * file.c: byte sources over regular files.
 */
#include "source/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct file_bytes {
    struct ts_bytes b;
    int fd;
    char path[];
};

static ssize_t file_pread(struct ts_bytes *b, void *buf, size_t n, uint64_t off)
{
    const struct file_bytes *f = (const struct file_bytes *)b;
    if (off > (uint64_t)INT64_MAX)
        return 0;
    ssize_t got;
    do
        got = pread(f->fd, buf, n, (off_t)off);
    while (got < 0 && errno == EINTR);
    return got;
}

static int file_fd(const struct ts_bytes *b)
{
    return ((const struct file_bytes *)b)->fd;
}

static void file_destroy(struct ts_bytes *b)
{
    struct file_bytes *f = (struct file_bytes *)b;
    close(f->fd);
    free(f);
}

static const struct ts_bytes_ops file_ops = {"file", file_pread, file_fd, file_destroy};

static void version_of(const struct stat *st, struct ts_version *v)
{
    memset(v, 0, sizeof(*v));
    v->size = (int64_t)st->st_size;
    v->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    v->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

static int open_failed(int e, const char *path, struct ts_error *err)
{
    if (e == ENOENT || e == ENOTDIR)
        return ts_error_set(err, 404, "the file for this identifier went away");
    if (e == EMFILE || e == ENFILE || e == ENOMEM)
        return ts_error_set(err, 503, "the server is out of file descriptors; try again");
    (void)path;
    return ts_error_set(err, 415, "the file for this identifier cannot be read (%s)", strerror(e));
}

int ts_file_open(const char *path, struct ts_bytes **out, struct ts_error *err)
{
    *out = NULL;
    size_t len = strlen(path);
    struct file_bytes *f = malloc(sizeof(*f) + len + 1);
    if (f == NULL)
        return ts_error_set(err, 500, "out of memory");
    memcpy(f->path, path, len + 1);
    f->fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (f->fd < 0) {
        int e = errno;
        free(f);
        return open_failed(e, path, err);
    }
    struct stat st;
    if (fstat(f->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(f->fd);
        free(f);
        return ts_error_set(err, 415, "the file for this identifier is not a regular file");
    }
    /* a regular file never blocks; readers that poll (libvips) expect a blocking descriptor */
    int fl = fcntl(f->fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(f->fd, F_SETFL, fl & ~O_NONBLOCK);
    ts_bytes_init(&f->b, &file_ops, f->path);
    version_of(&st, &f->b.version);
    *out = &f->b;
    return 0;
}

int ts_file_version(const char *path, struct ts_version *v, struct ts_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return open_failed(errno, path, err);
    if (!S_ISREG(st.st_mode))
        return ts_error_set(err, 415, "the file for this identifier is not a regular file");
    version_of(&st, v);
    return 0;
}
