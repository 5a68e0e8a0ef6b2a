/*
 * file.h: the file backend of byte sources.
 *
 * Opens a file that the resolver already found and confined to the root
 * (resolve/fs.h): the path is a real path. The file is opened without
 * blocking and checked on its descriptor, so a FIFO or device swapped in
 * since the resolver looked is refused rather than waited on. This is the
 * only module that opens image files.
 */
#ifndef TS_SOURCE_FILE_H
#define TS_SOURCE_FILE_H

#include "core/error.h"
#include "source/bytes.h"

/**
 * Opens the regular file at `path`. 404 when it is gone, 415 when it is not
 * a regular file or cannot be read (permissions, I/O), 503 when the
 * process is out of descriptors.
 */
int ts_file_open(const char *path, struct ts_bytes **out, struct ts_error *err);

/** The version of the file at `path` (one stat, links followed): 0, or -1 (404/415 in `err`). */
int ts_file_version(const char *path, struct ts_version *v, struct ts_error *err);

#endif
