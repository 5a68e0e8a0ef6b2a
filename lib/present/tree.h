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
 *
 * The tree is read as a hostile user may have filled it: a symlink is
 * followed only to a target inside the root; a link back to a folder above
 * (a loop) is not a subfolder, and a path through one is not published; only
 * regular files are images or sidecars (never a FIFO, socket or device);
 * and every folder read is charged to a struct ts_walk, which bounds the
 * entries read, the depth and the time.
 */
#ifndef TS_PRESENT_TREE_H
#define TS_PRESENT_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "present/walk.h"
#include "resolve/fs.h"

enum ts_pkind { TS_P_COLLECTION, TS_P_MANIFEST, TS_P_IMAGE };

struct ts_tree_item {
    enum ts_pkind kind;
    char *rel;          /* path under the root: "" for the root, "books/diary", "maps/paris.tif" */
    char *dir;          /* the real path of the folder (for an image: of its folder) */
    char **images;      /* file names in natural order (for TS_P_IMAGE: the one image) */
    size_t n_images;
    char **folders;     /* subfolder names with something to show, natural order */
    size_t n_folders;
    int64_t stamp;      /* the newest mtime (ns) of the folder, its entries' and its sidecars': changes when they do */
    struct ts_walk_id *chain; /* the real folders from the root down to this one (its own last) */
    size_t n_chain;
};

/**
 * Looks at `rel` (decoded, relative to the root; "" for the root) and
 * fills `out`, charging what it reads to walk `w` (NULL: a walk of its own
 * with the resolver's bounds). Errors: 404 for a path that does not exist,
 * is hidden, is outside the root, runs through a link loop, is deeper than
 * walk_max_depth or holds nothing to show; 400 for a malformed path; 501
 * when the folder has more entries than the walk may read.
 */
int ts_tree_open(const struct ts_resolver *r, struct ts_walk *w, const char *rel, struct ts_tree_item *out,
                    struct ts_error *err);

void ts_tree_release(struct ts_tree_item *f);

/** A walk with the resolver's bounds (walk_max_entries, walk_max_depth). Release it with ts_walk_release. */
void ts_tree_walk_init(const struct ts_resolver *r, struct ts_walk *w);

/**
 * Reads the file `name` of folder `dir` (a real path under the root: a
 * sidecar) into a malloc'd, NUL-terminated buffer, through
 * ts_resolver_open (regular files inside the root only, never blocking).
 * Returns the length, or -1 when the file does not exist; -2 with `msg`
 * ("the file is not a regular file (ignored)") when it is not a file tessera
 * reads, cannot be read, or is over the resolver's max_sidecar.
 */
long ts_tree_read_sidecar(const struct ts_resolver *r, const char *dir, const char *name, char **out, char *msg,
                     size_t msg_len);

#endif
