/*
 * pubbase.h: the public URL prefix of this server, as clients see it.
 *
 * IIIF documents carry absolute ids, and a server behind a proxy must build
 * them from what the client used, not from its own socket. In order:
 * the configured base URL; else RFC 7239 `Forwarded` or the X-Forwarded-
 * Proto/Host/Port/Prefix headers; else the Host header and the connection's
 * scheme. Header values that are not plausible (a host with spaces or
 * quotes, a prefix with odd characters) are ignored rather than echoed into
 * documents. The caller decides whose forwarding headers to believe (a
 * trusted proxy's) and leaves the others out; of a list, the last element
 * counts (the one that proxy added). With a list of allowed hosts,
 * a request naming another host gets no base at all. Pure: no I/O.
 */
#ifndef TS_HTTP_PUBBASE_H
#define TS_HTTP_PUBBASE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/strv.h"

struct ts_pubbase_in {
    const char *configured;        /* base_url setting, "" or NULL when unset */
    struct ts_strv forwarded;      /* Forwarded */
    struct ts_strv xf_proto;       /* X-Forwarded-Proto */
    struct ts_strv xf_host;        /* X-Forwarded-Host */
    struct ts_strv xf_port;        /* X-Forwarded-Port */
    struct ts_strv xf_prefix;      /* X-Forwarded-Prefix */
    struct ts_strv host;           /* Host (or :authority) */
    bool tls;                      /* the connection is TLS */
    const char *fallback_host;     /* when there is no Host header, e.g. "127.0.0.1:8182" */
    const char *allowed_hosts;     /* "a.example.org, b.example.org:8443": the hosts a base may name; NULL or "" = any */
};

/**
 * Appends the public base, `scheme://host[:port][/prefix]` with no trailing
 * slash, to `out`. Returns 0; -1 if the buffer is full; -2 when the host is
 * not one of `allowed_hosts` (an entry without a port allows the host on any
 * port; names compare without regard to case), and then `out` gets the host
 * that was refused.
 */
int ts_pubbase(const struct ts_pubbase_in *in, struct ts_buf *out);

/** Whether host[:port] `h` (`n` bytes) is in the comma-separated list `allowed`. */
bool ts_pubbase_host_allowed(const char *allowed, const char *h, size_t n);

#endif
