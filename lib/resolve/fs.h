/*
 * fs.h: identifiers to files under the image root.
 *
 * An identifier is a path relative to the root, given with or without its
 * file extension: `books/b1/p001` finds `books/b1/p001.tif`, or the first
 * of the configured extensions that exists, so converting a file to another
 * format keeps its URLs. The resolved file must be a regular file whose real
 * path (symlinks followed) is inside the root's real path.
 */
#ifndef TS_RESOLVE_FS_H
#define TS_RESOLVE_FS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"

#define TS_MAX_EXTENSIONS 32

struct ts_resolver {
    char *root;                          /* real path of the root, no trailing slash */
    size_t root_len;
    int n_ext;
    char *ext[TS_MAX_EXTENSIONS];        /* lower case, without the dot */
};

struct ts_resolved {
    char path[4096];                     /* real path of the file */
    int64_t mtime_ns;
    int64_t size;
};

/**
 * Prepares a resolver for `root` and the comma-separated `extensions`.
 * Fails if the root is not a readable folder.
 */
int ts_resolver_init(struct ts_resolver *r, const char *root, const char *extensions, struct ts_error *err);

void ts_resolver_release(struct ts_resolver *r);

/**
 * Finds the file for decoded identifier `id` (already checked by
 * iiif_ident_decode). 404 when there is none or it is outside the root.
 */
int ts_resolve(const struct ts_resolver *r, const char *id, struct ts_resolved *out, struct ts_error *err);

/**
 * Whether `path` (absolute, or relative to the working directory) really is
 * under the root once symlinks are followed; `real` gets its real path.
 */
int ts_resolver_inside(const struct ts_resolver *r, const char *path, char real[PATH_MAX]);

/** Whether `name` ends in one of the resolver's extensions (case-insensitive). */
int ts_resolver_is_image_name(const struct ts_resolver *r, const char *name);

#endif
