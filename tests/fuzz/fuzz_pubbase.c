/*
 * fuzz_pubbase.c: libFuzzer target for the public base URL.
 *
 * Input layout: one byte of flags (bit 0: the connection is TLS, bit 1: a
 * fallback host is configured, bit 2: a base URL is configured, bit 3: a
 * list of allowed hosts is configured), then the values of base_url,
 * Forwarded, X-Forwarded-Proto, X-Forwarded-Host, X-Forwarded-Port,
 * X-Forwarded-Prefix, Host and the allowed hosts, separated by 0xFF bytes;
 * a missing value is an absent header. Header values may hold any other
 * byte, NUL included.
 *
 * Invariants: with a configured base the output is that base without
 * trailing slashes; otherwise it is "http://" or "https://", a host made of
 * host characters, an optional port, and an optional prefix of URL path
 * characters, never ending in '/': nothing from a header that could break
 * out of a JSON string or an HTTP header reaches the output. With allowed
 * hosts, the answer is a base whose host is allowed, or a refusal (-2)
 * that gives a host that is not.
 */
#include "fuzz.h"

#include "http/pubbase.h"

#include <string.h>

enum { F_CONFIGURED, F_FORWARDED, F_PROTO, F_HOST, F_PORT, F_PREFIX, F_HOSTHDR, F_ALLOWED, N_FIELDS };

static int host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == ':' || c == '[' || c == ']' || c == '_';
}

static int path_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("-._~/%!$&()*+,;=:@", c) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned flags = data[0];
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    struct ts_strv f[N_FIELDS];
    memset(f, 0, sizeof(f));
    for (int i = 0; i < N_FIELDS && p <= end; i++) {
        const char *sep = memchr(p, 0xFF, (size_t)(end - p));
        const char *fe = sep ? sep : end;
        f[i].p = p;
        f[i].n = (size_t)(fe - p);
        p = fe + 1;
    }
    /* The configured base is a C string from the config file. */
    char configured[512] = "";
    if ((flags & 4) && f[F_CONFIGURED].p != NULL) {
        size_t n = strnlen(f[F_CONFIGURED].p, f[F_CONFIGURED].n);
        if (n >= sizeof(configured))
            n = sizeof(configured) - 1;
        memcpy(configured, f[F_CONFIGURED].p, n);
        configured[n] = '\0';
    }
    char allowed[256] = "";
    if ((flags & 8) && f[F_ALLOWED].p != NULL) {
        size_t n = strnlen(f[F_ALLOWED].p, f[F_ALLOWED].n);
        if (n >= sizeof(allowed))
            n = sizeof(allowed) - 1;
        memcpy(allowed, f[F_ALLOWED].p, n);
        allowed[n] = '\0';
    }
    struct ts_pubbase_in in = {
        .configured = (flags & 4) ? configured : NULL,
        .forwarded = f[F_FORWARDED],
        .xf_proto = f[F_PROTO],
        .xf_host = f[F_HOST],
        .xf_port = f[F_PORT],
        .xf_prefix = f[F_PREFIX],
        .host = f[F_HOSTHDR],
        .tls = flags & 1,
        .fallback_host = (flags & 2) ? "127.0.0.1:8182" : NULL,
        .allowed_hosts = allowed,
    };
    struct ts_buf b;
    ts_buf_init(&b, 1 << 16);
    int rc = ts_pubbase(&in, &b);
    const char *out = b.data ? b.data : "";
    size_t n = b.len;
    FUZZ_CHECK(strlen(out) == n);
    if (rc == -2) {
        /* refused: only with a list and no base_url, and the host given back is not in the list */
        FUZZ_CHECK(allowed[0] != '\0' && configured[0] == '\0');
        FUZZ_CHECK(!ts_pubbase_host_allowed(allowed, out, n));
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(host_char(out[i]));
        ts_buf_release(&b);
        return 0;
    }
    FUZZ_CHECK(rc == 0);

    if (configured[0] != '\0') {
        size_t cn = strlen(configured);
        while (cn > 0 && configured[cn - 1] == '/')
            cn--;
        FUZZ_CHECK(n == cn && memcmp(out, configured, cn) == 0);
    } else {
        size_t i;
        if (strncmp(out, "https://", 8) == 0)
            i = 8;
        else if (strncmp(out, "http://", 7) == 0)
            i = 7;
        else
            FUZZ_CHECK(0);
        size_t host_start = i;
        while (i < n && out[i] != '/') {
            FUZZ_CHECK(host_char(out[i]));
            i++;
        }
        FUZZ_CHECK(i > host_start && i - host_start <= 255 + 6);
        if (allowed[0] != '\0') {
            /* the host (with any port X-Forwarded-Port added: an entry without a port allows them all) is listed */
            FUZZ_CHECK(ts_pubbase_host_allowed(allowed, out + host_start, i - host_start));
        }
        for (; i < n; i++)
            FUZZ_CHECK(path_char(out[i]));
        FUZZ_CHECK(out[n - 1] != '/');
        FUZZ_CHECK(n <= 8 + 255 + 6 + 512);
    }
    ts_buf_release(&b);
    return 0;
}
