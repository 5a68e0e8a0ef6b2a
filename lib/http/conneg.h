/*
 * conneg.h: choosing between application/json and application/ld+json from
 * an Accept header (RFC 9110 quality values). Pure.
 */
#ifndef TS_HTTP_CONNEG_H
#define TS_HTTP_CONNEG_H

#include <stdbool.h>
#include <stddef.h>

/**
 * Whether to answer with JSON-LD for `accept` (`len` bytes; NULL or empty
 * when the header is absent). The type with the higher quality wins; at
 * equal quality a type the header names beats one a wildcard lets in, and
 * other ties fall back to `prefer_ld`. Types the client does not
 * mention at all never cause a 406: IIIF clients expect a document.
 */
bool ts_conneg_ld(const char *accept, size_t len, bool prefer_ld);

/**
 * The Presentation API version a client asks for with `accept`: 2 when a
 * JSON-LD media range carries the profile
 * "http://iiif.io/api/presentation/2/context.json" with a quality above 0
 * and above any range with the 3.0 profile; else 3 (recipe 0057).
 */
int ts_conneg_presentation(const char *accept, size_t len);

#endif
