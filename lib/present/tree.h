/*
 * tree.h: the folder model of the Presentation API.
 *
 * Under the image root, a path is one of:
 *   - a folder whose entries are images (and no subfolders): a Manifest,
 *     one Canvas per image in natural order ("p2" before "p10");
 *   - a folder of folders, and the root always: a Collection of its
 *     subfolders (as Manifests or Collections) and of its loose images;
 *   - a single image: a Manifest of one Canvas.
 * A `manifest.yml` makes a folder a Manifest of its images even when it
 * has subfolders; a `collection.yml` makes it a Collection. Hidden entries
 * (".name") and folders with nothing to show are left out.
 */
#ifndef TS_PRESENT_TREE_H
#define TS_PRESENT_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "resolve/fs.h"

enum ts_pkind { TS_P_COLLECTION, TS_P_MANIFEST, TS_P_IMAGE };

struct ts_pfolder {
    enum ts_pkind kind;
    char *rel;          /* path under the root: "" for the root, "books/diary", "maps/paris.tif" */
    char *dir;          /* the real path of the folder (for an image: of its folder) */
    char **images;      /* file names in natural order (for TS_P_IMAGE: the one image) */
    size_t n_images;
    char **folders;     /* subfolder names with something to show, natural order */
    size_t n_folders;
    int64_t stamp;      /* the newest mtime (ns) of the folder, its entries' and its sidecars': changes when they do */
};

/**
 * Looks at `rel` (decoded, relative to the root; "" for the root) and
 * fills `out`. Errors: 404 for a path that does not exist, is hidden, is
 * outside the root or holds nothing to show; 400 for a malformed path.
 */
int ts_pfolder_open(const struct ts_resolver *r, const char *rel, struct ts_pfolder *out, struct ts_error *err);

void ts_pfolder_release(struct ts_pfolder *f);

/** What a subfolder of `parent` is (Manifest or Collection), or -1 when it has nothing to show. */
int ts_pfolder_kind_of(const struct ts_resolver *r, const struct ts_pfolder *parent, const char *name);

/**
 * Reads the file `name` of folder `dir` (a sidecar) into a malloc'd,
 * NUL-terminated buffer. Returns the length, or -1 when the file does not
 * exist; -2 with `msg` when it cannot be read or is over 4 MB.
 */
long ts_read_small_file(const char *dir, const char *name, char **out, char *msg, size_t msg_len);

#endif
