/*
 * conditional.h: HTTP validators (RFC 9110 section 13): ETag and
 * Last-Modified on responses, If-None-Match and If-Modified-Since on
 * requests. Pure.
 */
#ifndef TS_HTTP_CONDITIONAL_H
#define TS_HTTP_CONDITIONAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/** Writes the strong ETag `"<16 hex digits>"` of `h` into `out` (at least 19 bytes). */
void ts_etag_format(uint64_t h, char out[19]);

/** Writes `t` as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") into `out` (at least 30 bytes). */
void ts_http_date_format(time_t t, char out[30]);

/**
 * Parses an HTTP date (IMF-fixdate, and the obsolete RFC 850 and asctime
 * forms). Returns 0 and sets *out, or -1 when it is not a date.
 */
int ts_http_date_parse(const char *s, size_t n, time_t *out);

/**
 * Whether a request with these headers (NULL when absent) may be answered
 * 304 Not Modified for a representation with `etag` and `mtime`:
 * If-None-Match, when present, decides alone (weak comparison, `*` matches);
 * otherwise If-Modified-Since matches when the resource is not newer.
 */
bool ts_not_modified(const char *if_none_match, size_t inm_len, const char *if_modified_since, size_t ims_len,
                     const char *etag, time_t mtime);

#endif
