/*
 * pubbase.c: public base URL from configuration and proxy headers.
 */
#include "http/pubbase.h"

#include <string.h>
#include <strings.h>

/*
 * The last element of a comma-separated list, trimmed: proxies append to
 * Forwarded and X-Forwarded-* lists, so the last element is the one the
 * proxy next to tessera (the trusted one) added; earlier ones came from
 * further away, as far as the client, and are not believed.
 */
static struct ts_strv last_item(struct ts_strv v)
{
    if (v.p == NULL)
        return v;
    const char *comma = v.n > 0 ? memrchr(v.p, ',', v.n) : NULL;
    const char *p = comma ? comma + 1 : v.p;
    size_t n = (size_t)(v.p + v.n - p);
    while (n > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return (struct ts_strv){p, n};
}

static bool valid_host(struct ts_strv h)
{
    if (h.p == NULL || h.n == 0 || h.n > 255)
        return false;
    for (size_t i = 0; i < h.n; i++) {
        char c = h.p[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '-' || c == ':' || c == '[' || c == ']' || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

static bool valid_port(struct ts_strv p)
{
    if (p.p == NULL || p.n == 0 || p.n > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < p.n; i++) {
        if (p.p[i] < '0' || p.p[i] > '9')
            return false;
        v = v * 10 + (unsigned)(p.p[i] - '0');
    }
    return v >= 1 && v <= 65535;
}

/* Whether a host[:port] value already names a port (not just an IPv6 address). */
static bool has_port(struct ts_strv h)
{
    for (size_t i = h.n; i > 0; i--) {
        if (h.p[i - 1] == ']')
            return false;
        if (h.p[i - 1] == ':')
            return true;
    }
    return false;
}

static bool valid_prefix(struct ts_strv p)
{
    if (p.p == NULL || p.n == 0 || p.p[0] != '/' || p.n > 512)
        return false;
    for (size_t i = 0; i < p.n; i++) {
        char c = p.p[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  strchr("-._~/%!$&()*+,;=:@", c) != NULL;
        if (!ok || c == '\0')
            return false;
    }
    return true;
}

static bool is_proto(struct ts_strv v, const char *name)
{
    return v.p != NULL && v.n == strlen(name) && strncasecmp(v.p, name, v.n) == 0;
}

/* Finds `key=value` in the last element of a Forwarded header (the trusted proxy's). */
static struct ts_strv forwarded_param(struct ts_strv fwd, const char *key)
{
    struct ts_strv el = last_item(fwd), none = {NULL, 0};
    if (el.p == NULL)
        return none; /* (and no arithmetic on a null pointer, which C leaves undefined even for + 0) */
    size_t klen = strlen(key);
    const char *p = el.p, *end = el.p + el.n;
    while (p != NULL && p < end) {
        while (p < end && (*p == ' ' || *p == ';'))
            p++;
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *pe = semi ? semi : end;
        if ((size_t)(pe - p) > klen && strncasecmp(p, key, klen) == 0 && p[klen] == '=') {
            const char *v = p + klen + 1;
            size_t n = (size_t)(pe - v);
            if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
                v++;
                n -= 2;
            }
            return (struct ts_strv){v, n};
        }
        p = semi ? semi + 1 : NULL;
    }
    return none;
}

bool ts_pubbase_host_allowed(const char *allowed, const char *h, size_t n)
{
    /* the host part of h: up to the port's colon (an IPv6 literal keeps its brackets) */
    struct ts_strv hv = {h, n};
    size_t hn = n;
    if (has_port(hv)) {
        while (hn > 0 && h[hn - 1] != ':')
            hn--;
        hn--;
    }
    for (const char *p = allowed; p != NULL && *p != '\0';) {
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        size_t en = strcspn(p, ", \t");
        if (en == 0)
            break;
        struct ts_strv ev = {p, en};
        bool entry_port = has_port(ev);
        if ((entry_port && en == n && strncasecmp(p, h, n) == 0) || (!entry_port && en == hn && strncasecmp(p, h, hn) == 0))
            return true;
        p += en;
    }
    return false;
}

int ts_pubbase(const struct ts_pubbase_in *in, struct ts_buf *out)
{
    if (in->configured != NULL && in->configured[0] != '\0') {
        size_t n = strlen(in->configured);
        while (n > 0 && in->configured[n - 1] == '/')
            n--;
        return ts_buf_add(out, in->configured, n);
    }
    const char *scheme = in->tls ? "https" : "http";
    struct ts_strv host = {NULL, 0}, port = {NULL, 0}, prefix = {NULL, 0};

    struct ts_strv fproto = forwarded_param(in->forwarded, "proto");
    struct ts_strv fhost = forwarded_param(in->forwarded, "host");
    struct ts_strv xproto = last_item(in->xf_proto);
    /* RFC 7239 Forwarded wins over the older X-Forwarded-* headers. */
    struct ts_strv proto = fproto.p != NULL ? fproto : xproto;
    if (is_proto(proto, "https"))
        scheme = "https";
    else if (is_proto(proto, "http"))
        scheme = "http";
    if (valid_host(fhost))
        host = fhost;
    else if (valid_host(last_item(in->xf_host)))
        host = last_item(in->xf_host);
    else if (valid_host(in->host))
        host = in->host;
    else
        host = (struct ts_strv){in->fallback_host, in->fallback_host ? strlen(in->fallback_host) : 0};
    if (in->allowed_hosts != NULL && in->allowed_hosts[0] != '\0' &&
        (host.p == NULL || !ts_pubbase_host_allowed(in->allowed_hosts, host.p, host.n))) {
        ts_buf_add(out, host.p != NULL ? host.p : "", host.p != NULL ? host.n : 0);
        return -2;
    }
    if (host.p != NULL && !has_port(host) && valid_port(last_item(in->xf_port)))
        port = last_item(in->xf_port);
    struct ts_strv xp = last_item(in->xf_prefix);
    if (valid_prefix(xp))
        prefix = xp;
    while (prefix.n > 0 && prefix.p[prefix.n - 1] == '/')
        prefix.n--;

    int rc = ts_buf_adds(out, scheme);
    rc |= ts_buf_adds(out, "://");
    rc |= ts_buf_add(out, host.p ? host.p : "localhost", host.p ? host.n : 9);
    /* default ports are left out, as browsers do */
    if (port.p != NULL && !((strcmp(scheme, "https") == 0 && port.n == 3 && memcmp(port.p, "443", 3) == 0) ||
                            (strcmp(scheme, "http") == 0 && port.n == 2 && memcmp(port.p, "80", 2) == 0))) {
        rc |= ts_buf_adds(out, ":");
        rc |= ts_buf_add(out, port.p, port.n);
    }
    if (prefix.n > 0)
        rc |= ts_buf_add(out, prefix.p, prefix.n);
    return rc ? -1 : 0;
}
