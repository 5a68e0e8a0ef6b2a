/*
 * origin.h: a locator to its byte source.
 *
 * A locator says where an object's bytes are: a real path ("/srv/images/
 * a.tif") for the file backend, "memory:NAME" for the memory backend; the
 * HTTP and S3 backends will take theirs ("https://", "s3://"). Resolvers
 * turn identifiers into locators (resolve/fs.h); readers open locators here
 * and never call a backend themselves.
 */
#ifndef TS_SOURCE_ORIGIN_H
#define TS_SOURCE_ORIGIN_H

#include "core/error.h"
#include "source/bytes.h"

/** Opens the object at `locator` with its backend: 0 with `*out` (one reference), or -1 with `err`. */
int ts_origin_open(const char *locator, struct ts_bytes **out, struct ts_error *err);

/**
 * The current version of the object at `locator`, without opening it (a
 * stat for files): 0, or -1 with `err` (404 when it is gone).
 */
int ts_origin_version(const char *locator, struct ts_version *v, struct ts_error *err);

#endif
