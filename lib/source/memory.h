/*
 * memory.h: the memory backend of byte sources.
 *
 * Objects held in memory, opened like files: by the locator
 * "memory:NAME" once ts_memory_put has stored NAME, or directly with
 * ts_memory_wrap. It reads with no descriptor, so libvips reads it through
 * a VipsSourceCustom and libtiff through client procedures: the same paths
 * a remote object (HTTP, S3) takes. Tests run every image reader over it
 * and compare with the file backend; fuzzers feed it their inputs.
 */
#ifndef TS_SOURCE_MEMORY_H
#define TS_SOURCE_MEMORY_H

#include <stddef.h>

#include "core/error.h"
#include "source/bytes.h"

#define TS_MEMORY_SCHEME "memory:"

/**
 * A handle on a copy of `data` (`len` bytes), named `name` in messages.
 * Its version is its size and a content hash as the ETag. NULL when out of memory.
 */
struct ts_bytes *ts_memory_wrap(const void *data, size_t len, const char *name);

/**
 * Stores a copy of `data` as the object NAME (replacing one of that name;
 * handles already open keep the bytes they opened). 0, or -1 (500).
 */
int ts_memory_put(const char *name, const void *data, size_t len, struct ts_error *err);

/** Forgets the object NAME. Returns 0, or -1 when there is none. */
int ts_memory_remove(const char *name);

/** Opens the locator "memory:NAME": 0, or -1 (404 when NAME is not stored). */
int ts_memory_open(const char *locator, struct ts_bytes **out, struct ts_error *err);

/** The version of "memory:NAME": 0, or -1 (404). */
int ts_memory_version(const char *locator, struct ts_version *v, struct ts_error *err);

#endif
