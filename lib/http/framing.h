/*
 * framing.h: whether an HTTP/1 request's body is framed one way only.
 * Pure.
 *
 * A body is framed by Content-Length or by Transfer-Encoding: chunked. A
 * request that names both, or either twice, or folds a header line onto
 * the next (obs-fold), can be read one way by a proxy in front and another
 * way here: the bytes one of them takes for a body the other takes for a
 * second request (request smuggling). RFC 9112 (6.3) lets a server refuse
 * such a request with 400 and close the connection; tessera always does.
 * libh2o keeps only one framing header of a request and drops the rest,
 * so the check reads the raw head.
 */
#ifndef TS_HTTP_FRAMING_H
#define TS_HTTP_FRAMING_H

#include <stddef.h>

#include "core/error.h"

/**
 * Checks the head of an HTTP/1 request (`n` bytes: the request line, the
 * header lines, the empty line). Returns 0 when its body framing is
 * unambiguous (at most one Content-Length or one Transfer-Encoding line,
 * not both, and no folded line), or -1 with `err` (400, the reason).
 * Header names are matched without regard to case, with or without
 * whitespace before the colon.
 */
int ts_framing_check(const char *head, size_t n, struct ts_error *err);

#endif
