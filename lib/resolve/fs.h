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
#include <sys/stat.h>
#include <sys/types.h>

#include "core/config.h"
#include "core/error.h"

#define TS_MAX_EXTENSIONS 32

struct ts_resolver {
    char *root;                          /* real path of the root, no trailing slash */
    size_t root_len;
    int n_ext;
    char *ext[TS_MAX_EXTENSIONS];        /* lower case, without the dot */
    /* how far tessera goes in the tree users fill: defaults from init, callers may set them from the settings */
    size_t max_sidecar;                  /* largest sidecar read, in bytes (max_sidecar_kb) */
    long walk_max_entries;               /* folder entries one walk may read (walk_max_entries) */
    int walk_max_depth;                  /* folder levels below the root (walk_max_depth) */
};

#define TS_DEFAULT_MAX_SIDECAR (1u << 20)
#define TS_DEFAULT_WALK_ENTRIES 1000000
#define TS_DEFAULT_WALK_DEPTH 32

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

/** Takes max_sidecar, walk_max_entries and walk_max_depth from the settings. */
void ts_resolver_apply_settings(struct ts_resolver *r, const struct ts_config *cfg);

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

/* Why ts_open_confined refused a file. */
enum ts_open_fail {
    TS_OPEN_ABSENT = 1,   /* no such file (or a folder on the way is missing) */
    TS_OPEN_OUTSIDE,      /* a link whose target is outside the root */
    TS_OPEN_NOT_FILE,     /* a folder, FIFO, socket or device */
    TS_OPEN_FAILED,       /* open() failed otherwise (permissions, too many files) */
};

/**
 * Opens `path` read-only when it is a regular file whose real path is under
 * the folder `root` (a real path, no trailing slash): a symlink is followed
 * only to a target inside it. Never blocks and never opens anything but a
 * regular file: the type is checked before opening (stat), the file is
 * opened with O_NONBLOCK (a FIFO swapped in meanwhile does not wait for a
 * writer) and checked again on the descriptor (fstat), and the real path of
 * what was opened is read back from the descriptor. Returns the descriptor
 * (blocking mode restored, close-on-exec) with `*st` filled, or -1 with
 * `*why` set to an enum ts_open_fail.
 */
int ts_open_confined(const char *root, const char *path, struct stat *st, int *why);

/** ts_open_confined under the resolver's root. */
int ts_resolver_open(const struct ts_resolver *r, const char *path, struct stat *st, int *why);

/** A short phrase for an enum ts_open_fail, for logs and problems ("is a link to outside the image root"). */
const char *ts_open_fail_text(int why);

/** Whether `name` ends in one of the resolver's extensions (case-insensitive). */
int ts_resolver_is_image_name(const struct ts_resolver *r, const char *name);

#endif
