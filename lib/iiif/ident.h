/*
 * ident.h: IIIF identifiers, from the URL path segment to a relative path.
 *
 * An identifier arrives as one percent-encoded path segment; a "/" inside it
 * is written %2F. iiif_ident_decode turns it into text and refuses anything
 * that could reach outside the image root (`..`, absolute paths, NUL,
 * backslashes, control characters, invalid UTF-8). Pure; no I/O.
 */
#ifndef TS_IIIF_IDENT_H
#define TS_IIIF_IDENT_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/* Longest identifier accepted, in bytes after decoding. */
#define IIIF_IDENT_MAX 1024

/**
 * Percent-decodes `n` bytes of `src` into `dst` (capacity `cap`, which must
 * leave room for the NUL that is always written). `*out_len` gets the decoded
 * length. Returns 0, or -1 with a 400 error for a malformed escape or when
 * the result does not fit.
 */
int iiif_percent_decode(const char *src, size_t n, char *dst, size_t cap, size_t *out_len, struct ts_error *err);

/**
 * Decodes identifier segment `raw` (`n` bytes) into `dst` (capacity `cap`,
 * at least IIIF_IDENT_MAX + 1) and checks that it is a safe relative path
 * of non-empty components none of which is "." or "..", or starts with ".".
 * An unescaped "/" in `raw` gives 404 (the Image API says so); a component
 * starting with "." gives 404 (hidden files are never served); every other
 * problem gives 400.
 */
int iiif_ident_decode(const char *raw, size_t n, char *dst, size_t cap, struct ts_error *err);

/**
 * Appends the canonical URL form of identifier `id` to `out`: every byte
 * except ALPHA / DIGIT / "-" / "." / "_" / "~" is percent-encoded (so "/"
 * becomes %2F). Returns 0, or -1 if the buffer is full.
 */
int iiif_ident_encode(const char *id, struct ts_buf *out);

#endif
