/*
 * bytes.h: byte sources, the one way image bytes are read.
 *
 * Every reader of image bytes (metadata probes, TIFF tiles and pages, JPEG
 * 2000 sub-code-streams, tile passthrough, the JPEG paths, libvips) reads
 * an opened struct ts_bytes: its size, reads at an offset, and the version
 * of the object that was opened. A backend supplies the operations: files
 * (source/file.h) and objects held in memory (source/memory.h) today; HTTP
 * and S3 objects behind the same operations later. source/origin.h opens a
 * locator (what the resolver found for an identifier; a path is a file) with
 * its backend.
 *
 * A handle is reference-counted and may be read from several threads at
 * once (reads carry their offset; nothing in the handle moves). libvips and
 * libtiff reach it through image/bytes_io.h.
 */
#ifndef TS_SOURCE_BYTES_H
#define TS_SOURCE_BYTES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"

/*
 * What identifies one state of an object: size and mtime for files (with
 * ctime, which a chmod changes), the ETag for remote objects. Caches key on
 * it: an entry is used while the object still has the version it was made
 * from.
 */
struct ts_version {
    int64_t size;
    int64_t mtime_ns;     /* 0 when the backend has no time */
    int64_t ctime_ns;     /* files: status change time; not part of the identity (ts_version_same) */
    char etag[80];        /* "" when the backend has none */
};

/** Whether `a` and `b` are the same version of an object: size, mtime and ETag agree (ctime is not compared). */
bool ts_version_same(const struct ts_version *a, const struct ts_version *b);

struct ts_bytes;

struct ts_bytes_ops {
    const char *name;  /* of the backend, for logs: "file", "memory" */
    /* Reads up to `n` bytes at `off`: the count (short or 0 only at the end), or -1 with errno set. */
    ssize_t (*pread)(struct ts_bytes *b, void *buf, size_t n, uint64_t off);
    /* A file descriptor holding the bytes, for readers that can use one (libvips), or -1. */
    int (*fd)(const struct ts_bytes *b);
    /* Frees the handle (the last reference went). */
    void (*destroy)(struct ts_bytes *b);
};

/* The common head of every backend's handle. */
struct ts_bytes {
    const struct ts_bytes_ops *ops;
    atomic_int refs;
    struct ts_version version;   /* of what was opened; version.size is the object's size */
    const char *name;            /* the locator, for messages; owned by the backend's handle */
};

/** Sets up the common head (one reference). For backends. */
void ts_bytes_init(struct ts_bytes *b, const struct ts_bytes_ops *ops, const char *name);

/** The object's size in bytes. */
static inline int64_t ts_bytes_size(const struct ts_bytes *b)
{
    return b->version.size;
}

/** Reads up to `n` bytes at `off`; as the backend's pread. */
static inline ssize_t ts_bytes_pread(struct ts_bytes *b, void *buf, size_t n, uint64_t off)
{
    return b->ops->pread(b, buf, n, off);
}

/** The descriptor behind `b`, or -1 when the backend has none. */
static inline int ts_bytes_fd(const struct ts_bytes *b)
{
    return b->ops->fd != NULL ? b->ops->fd(b) : -1;
}

/**
 * Reads exactly `n` bytes at `off`. Returns 0, or -1 with a 415 in `err`
 * ("`what` could not be read": short, the object shrank, or an I/O error).
 */
int ts_bytes_read_exact(struct ts_bytes *b, void *buf, size_t n, uint64_t off, const char *what,
                        struct ts_error *err);

/** Takes another reference; returns `b`. */
struct ts_bytes *ts_bytes_ref(struct ts_bytes *b);

/** Drops a reference (the handle is freed with the last). Accepts NULL. */
void ts_bytes_close(struct ts_bytes *b);

#endif
