/*
 * reqbase.h: the public base URL of a request, as the ids in documents
 * carry it.
 *
 * The base comes from the base_url setting; else from the forwarding headers
 * (Forwarded, X-Forwarded-Proto/Host/Port/Prefix) of a peer listed in
 * trusted_proxies, and from no one else's; else from Host. With the `hosts`
 * setting, a request naming another host gets no base (421). Answers whose
 * ids come from the request's own headers vary on them: without base_url,
 * unless `hosts` names a single host, they say `Vary: Host`, so a shared
 * cache keeps one copy per host, and a client's Host cannot end up in
 * another client's ids.
 */
#ifndef TS_HTTP_REQBASE_H
#define TS_HTTP_REQBASE_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdbool.h>

#include "core/buf.h"

/**
 * Appends the public base URL for `req` to `out`. Returns 0; -1 when the
 * headers make no usable URL (or it is too long); -2 when the host is not
 * one of the `hosts` setting (`out` then holds that host).
 */
int ts_request_base(h2o_req_t *req, struct ts_buf *out);

/**
 * The public base URL for `req` as a new string (free it), or NULL after
 * answering the request: 400 when the Host or forwarding headers make no
 * usable URL, 421 when the host is not one this server answers for.
 */
char *ts_request_base_or_error(h2o_req_t *req);

/** Answers `req` for a ts_request_base failure `rc` (-1 or -2; for -2, `out` as it left it). */
void ts_request_base_error(h2o_req_t *req, int rc, const struct ts_buf *out);

/** The Vary value for an answer whose ids come from `req`'s base, beside `also` ("Accept", or NULL). */
const char *ts_request_vary(h2o_req_t *req, const char *also);

#endif
