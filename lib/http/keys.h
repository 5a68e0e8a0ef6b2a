/*
 * keys.h: response cache keys and ETags. Pure.
 *
 * A key names one representation exactly: the API version, the identifier,
 * the file's identity (mtime and size, so a changed file never hits an old
 * entry) and the canonical form of the request. Image bytes do not depend
 * on the public base URL (Link headers are built per response); info.json
 * does, so its key includes the base and the negotiated media type.
 * Keys also carry the settings generation `gen` (a hash of the settings that
 * change bytes), so after a reload with a new encoder quality no old entry is
 * served; the ETag hashes the key and `gen`, so every ETag changes too.
 */
#ifndef TS_HTTP_KEYS_H
#define TS_HTTP_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "iiif/request.h"

/** Appends the key of an image response to `out` (cleared first). Returns 0 or -1. */
int ts_key_image(struct ts_buf *out, uint64_t gen, enum iiif_version v, const char *id, int64_t mtime_ns,
                 int64_t size, const char *canonical);

/** Appends the key of an info.json response to `out` (cleared first). Returns 0 or -1. */
int ts_key_info(struct ts_buf *out, uint64_t gen, enum iiif_version v, bool ld, const char *base, const char *id,
                int64_t mtime_ns, int64_t size);

/** The ETag hash for `key` under settings generation `gen`. */
uint64_t ts_key_etag(const char *key, size_t len, uint64_t gen);

#endif
