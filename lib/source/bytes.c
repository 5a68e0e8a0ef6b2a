/*
 * bytes.c: what every byte source shares.
 */
#include "source/bytes.h"

#include <errno.h>
#include <string.h>

bool ts_version_same(const struct ts_version *a, const struct ts_version *b)
{
    return a->size == b->size && a->mtime_ns == b->mtime_ns && strcmp(a->etag, b->etag) == 0;
}

void ts_bytes_init(struct ts_bytes *b, const struct ts_bytes_ops *ops, const char *name)
{
    b->ops = ops;
    atomic_init(&b->refs, 1);
    memset(&b->version, 0, sizeof(b->version));
    b->name = name;
}

int ts_bytes_read_exact(struct ts_bytes *b, void *buf, size_t n, uint64_t off, const char *what,
                        struct ts_error *err)
{
    size_t done = 0;
    while (done < n) {
        ssize_t got = ts_bytes_pread(b, (char *)buf + done, n - done, off + done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return ts_error_set(err, 415, "%s could not be read (%s)", what, strerror(errno));
        if (got == 0)
            return ts_error_set(err, 415, "%s could not be read (short read: the file ends early)", what);
        done += (size_t)got;
    }
    return 0;
}

struct ts_bytes *ts_bytes_ref(struct ts_bytes *b)
{
    atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
    return b;
}

void ts_bytes_close(struct ts_bytes *b)
{
    if (b == NULL)
        return;
    if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1)
        b->ops->destroy(b);
}
