/*
 * body.h: JSON request bodies. Pure (jansson).
 *
 * A route that takes a body (TS_R_BODY in http/router.h) gets it whole:
 * libh2o reads it before the handler runs and refuses one longer than
 * max_body_kb with 413. The handler copies it into its deferred job
 * (ts_deferred_take_body in http/respond.h) and parses it on a worker with
 * ts_body_json, so a large document never holds up an event loop.
 */
#ifndef TS_HTTP_BODY_H
#define TS_HTTP_BODY_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

/**
 * Whether `type` (`n` bytes: a Content-Type value, NULL when absent) names
 * JSON: application/json, application/ld+json or another +json type, with
 * any parameters but a charset other than UTF-8. Returns 0, or -1 with
 * `err` (415, naming what was sent and what is taken).
 */
int ts_body_json_type(const char *type, size_t n, struct ts_error *err);

/**
 * Parses `body` (`len` bytes, sent with Content-Type `type`) as one JSON
 * object. Returns 0 with a new reference in *out, or -1 with `err`: 415
 * for a type that is not JSON, 400 for an empty body, for text that is not
 * JSON (with jansson's line and column), for duplicate keys, NUL characters
 * or bytes after the document, and for JSON that is not an object.
 */
int ts_body_json(const char *type, size_t type_len, const char *body, size_t len, json_t **out, struct ts_error *err);

#endif
