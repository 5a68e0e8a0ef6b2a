/*
 * test_pubbase.c: unit tests for lib/http/pubbase.c (the public base URL).
 *
 * Each case lists the headers a request carries (NULL = absent) and the base
 * URL tessera must put in ids.
 */
#include "http/pubbase.h"

#include <string.h>

#include "t.h"

struct hdrs {
    const char *configured, *forwarded, *xf_proto, *xf_host, *xf_port, *xf_prefix, *host;
    bool tls;
    const char *fallback;
};

static struct ts_strv sv(const char *s)
{
    return (struct ts_strv){s, s ? strlen(s) : 0};
}

static const struct {
    const char *what;
    struct hdrs h;
    const char *want;
} cases[] = {
    /* configured base wins and loses its trailing slashes */
    {"configured", {"https://img.example.org", NULL, NULL, NULL, NULL, NULL, "other:1", false, NULL},
     "https://img.example.org"},
    {"configured slash", {"https://img.example.org/", NULL, NULL, NULL, NULL, NULL, NULL, false, NULL},
     "https://img.example.org"},
    {"configured slashes", {"https://x.org/iiif///", NULL, NULL, NULL, NULL, NULL, NULL, false, NULL},
     "https://x.org/iiif"},
    {"configured beats headers",
     {"http://fixed", "proto=https;host=fwd.example", "https", "xf.example", "8443", "/p", "h", true, NULL},
     "http://fixed"},
    {"empty configured is unset", {"", NULL, NULL, NULL, NULL, NULL, "example.org:8182", false, NULL},
     "http://example.org:8182"},
    /* Host and the connection's scheme */
    {"host", {NULL, NULL, NULL, NULL, NULL, NULL, "example.org:8182", false, NULL}, "http://example.org:8182"},
    {"host tls", {NULL, NULL, NULL, NULL, NULL, NULL, "example.org", true, NULL}, "https://example.org"},
    {"host ipv6", {NULL, NULL, NULL, NULL, NULL, NULL, "[::1]:8182", false, NULL}, "http://[::1]:8182"},
    {"no host, fallback", {NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, "127.0.0.1:8182"},
     "http://127.0.0.1:8182"},
    {"no host, no fallback", {NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL}, "http://localhost"},
    {"empty host", {NULL, NULL, NULL, NULL, NULL, NULL, "", false, "fb:1"}, "http://fb:1"},
    {"host with space", {NULL, NULL, NULL, NULL, NULL, NULL, "evil com", false, "fb:1"}, "http://fb:1"},
    {"host with quote", {NULL, NULL, NULL, NULL, NULL, NULL, "a\"b", false, "fb:1"}, "http://fb:1"},
    {"host with CRLF", {NULL, NULL, NULL, NULL, NULL, NULL, "a\r\nSet-Cookie: x", false, "fb:1"}, "http://fb:1"},
    {"host with slash", {NULL, NULL, NULL, NULL, NULL, NULL, "a/b", false, "fb:1"}, "http://fb:1"},
    {"host with @", {NULL, NULL, NULL, NULL, NULL, NULL, "user@host", false, "fb:1"}, "http://fb:1"},
    {"host with <", {NULL, NULL, NULL, NULL, NULL, NULL, "<script>", false, "fb:1"}, "http://fb:1"},
    /* Forwarded (RFC 7239) */
    {"forwarded", {NULL, "proto=https;host=img.example.org", NULL, NULL, NULL, NULL, "internal:8182", false, NULL},
     "https://img.example.org"},
    {"forwarded quoted",
     {NULL, "for=192.0.2.60;proto=https;host=\"img.example.org:8443\"", NULL, NULL, NULL, NULL, "i", false, NULL},
     "https://img.example.org:8443"},
    {"forwarded spaces", {NULL, "for=x; proto=https; host=a.example", NULL, NULL, NULL, NULL, "i", false, NULL},
     "https://a.example"},
    {"forwarded case", {NULL, "Proto=HTTPS;Host=A.example", NULL, NULL, NULL, NULL, "i", false, NULL},
     "https://A.example"},
    {"forwarded last element: the proxy's, not the client's",
     {NULL, "proto=https;host=a.example, proto=http;host=b.example", NULL, NULL, NULL, NULL, "i", false, NULL},
     "http://b.example"},
    {"forwarded proto http on tls", {NULL, "proto=http", NULL, NULL, NULL, NULL, "h.example", true, NULL},
     "http://h.example"},
    {"forwarded for only", {NULL, "for=192.0.2.1", NULL, NULL, NULL, NULL, "h.example", false, NULL},
     "http://h.example"},
    {"forwarded unknown proto", {NULL, "proto=ftp;host=a.example", NULL, NULL, NULL, NULL, "i", true, NULL},
     "https://a.example"},
    {"forwarded host with space", {NULL, "host=\"a b\"", NULL, NULL, NULL, NULL, "h.example", false, NULL},
     "http://h.example"},
    {"forwarded host with CRLF", {NULL, "host=a\r\nb", NULL, NULL, NULL, NULL, "h.example", false, NULL},
     "http://h.example"},
    {"forwarded empty host", {NULL, "host=", NULL, NULL, NULL, NULL, "h.example", false, NULL}, "http://h.example"},
    {"forwarded empty quoted host", {NULL, "host=\"\"", NULL, NULL, NULL, NULL, "h.example", false, NULL},
     "http://h.example"},
    {"forwarded lone quote", {NULL, "host=\"", NULL, NULL, NULL, NULL, "h.example", false, NULL},
     "http://h.example"},
    {"forwarded key prefix", {NULL, "hostx=a.example;xhost=b.example", NULL, NULL, NULL, NULL, "h", false, NULL},
     "http://h"},
    {"forwarded garbage", {NULL, ";;;,,,===", NULL, NULL, NULL, NULL, "h", false, NULL}, "http://h"},
    {"forwarded beats x-forwarded-host",
     {NULL, "host=fwd.example", NULL, "xf.example", NULL, NULL, "h", false, NULL}, "http://fwd.example"},
    {"invalid forwarded host falls to x-forwarded-host",
     {NULL, "host=\"bad host\"", NULL, "xf.example", NULL, NULL, "h", false, NULL}, "http://xf.example"},
    /* X-Forwarded-Proto / Host */
    {"xf", {NULL, NULL, "https", "img.example.org", NULL, NULL, "internal:8182", false, NULL},
     "https://img.example.org"},
    {"xf proto case", {NULL, NULL, "HTTPS", "img.example.org", NULL, NULL, "i", false, NULL},
     "https://img.example.org"},
    {"xf proto list: the last", {NULL, NULL, "https, http", "a.example", NULL, NULL, "i", false, NULL}, "http://a.example"},
    {"xf proto http on tls", {NULL, NULL, "http", NULL, NULL, NULL, "h.example", true, NULL}, "http://h.example"},
    {"xf proto garbage", {NULL, NULL, "javascript", NULL, NULL, NULL, "h.example", false, NULL}, "http://h.example"},
    {"xf proto alone keeps Host", {NULL, NULL, "https", NULL, NULL, NULL, "h.example:8443", false, NULL},
     "https://h.example:8443"},
    {"xf host list: the last", {NULL, NULL, NULL, " a.example , b.example", NULL, NULL, "i", false, NULL}, "http://b.example"},
    {"xf host with port", {NULL, NULL, NULL, "a.example:8080", NULL, NULL, "i", false, NULL},
     "http://a.example:8080"},
    {"xf host with space", {NULL, NULL, NULL, "a b", NULL, NULL, "h.example", false, NULL}, "http://h.example"},
    {"xf host with quote", {NULL, NULL, NULL, "\"a\"", NULL, NULL, "h.example", false, NULL}, "http://h.example"},
    {"xf host with CRLF", {NULL, NULL, NULL, "a\r\n", NULL, NULL, "h.example", false, NULL}, "http://h.example"},
    {"xf host empty", {NULL, NULL, NULL, "", NULL, NULL, "h.example", false, NULL}, "http://h.example"},
    {"xf host empty last item", {NULL, NULL, NULL, "a.example, ", NULL, NULL, "h.example", false, NULL},
     "http://h.example"},
    {"xf host: an earlier item is not the proxy's", {NULL, NULL, NULL, ", a.example", NULL, NULL, "h.example", false,
                                                     NULL},
     "http://a.example"},
    /* X-Forwarded-Port */
    {"xf port", {NULL, NULL, "https", "a.example", "8443", NULL, "i", false, NULL}, "https://a.example:8443"},
    {"xf port 443 on https dropped", {NULL, NULL, "https", "a.example", "443", NULL, "i", false, NULL},
     "https://a.example"},
    {"xf port 80 on http dropped", {NULL, NULL, "http", "a.example", "80", NULL, "i", false, NULL},
     "http://a.example"},
    {"xf port 80 on https kept", {NULL, NULL, "https", "a.example", "80", NULL, "i", false, NULL},
     "https://a.example:80"},
    {"xf port 443 on http kept", {NULL, NULL, NULL, "a.example", "443", NULL, "i", false, NULL},
     "http://a.example:443"},
    {"xf port list: the last", {NULL, NULL, NULL, "a.example", "80, 8443", NULL, "i", false, NULL},
     "http://a.example:8443"},
    {"xf port not a number", {NULL, NULL, NULL, "a.example", "abc", NULL, "i", false, NULL}, "http://a.example"},
    {"xf port too long", {NULL, NULL, NULL, "a.example", "123456", NULL, "i", false, NULL}, "http://a.example"},
    {"xf port with CRLF", {NULL, NULL, NULL, "a.example", "80\r\n", NULL, "i", false, NULL}, "http://a.example"},
    {"xf port when host has one", {NULL, NULL, NULL, "a.example:9000", "8443", NULL, "i", false, NULL},
     "http://a.example:9000"},
    {"xf port with forwarded host", {NULL, "host=f.example", NULL, NULL, "8443", NULL, "i", false, NULL},
     "http://f.example:8443"},
    /* X-Forwarded-Port applies to a Host without a port too (nginx passing $server_port) */
    {"xf port without forwarded host", {NULL, NULL, "https", NULL, "8443", NULL, "h.example", false, NULL},
     "https://h.example:8443"},
    {"xf port does not replace the Host's port", {NULL, NULL, NULL, NULL, "8443", NULL, "h.example:81", false, NULL},
     "http://h.example:81"},
    {"xf port out of range", {NULL, NULL, NULL, "h.example", "70000", NULL, "h", false, NULL}, "http://h.example"},
    {"xf port zero", {NULL, NULL, NULL, "h.example", "0", NULL, "h", false, NULL}, "http://h.example"},
    /* X-Forwarded-Prefix */
    {"xf prefix", {NULL, NULL, NULL, NULL, NULL, "/iiif", "h", false, NULL}, "http://h/iiif"},
    {"xf prefix slash", {NULL, NULL, NULL, NULL, NULL, "/iiif/", "h", false, NULL}, "http://h/iiif"},
    {"xf prefix deep", {NULL, NULL, "https", "a.example", NULL, "/a/b-c/d_e~%7E", "h", false, NULL},
     "https://a.example/a/b-c/d_e~%7E"},
    {"xf prefix root", {NULL, NULL, NULL, NULL, NULL, "/", "h", false, NULL}, "http://h"},
    {"xf prefix list: the last", {NULL, NULL, NULL, NULL, NULL, "/a, /b", "h", false, NULL}, "http://h/b"},
    {"xf prefix relative", {NULL, NULL, NULL, NULL, NULL, "iiif", "h", false, NULL}, "http://h"},
    {"xf prefix space", {NULL, NULL, NULL, NULL, NULL, "/a b", "h", false, NULL}, "http://h"},
    {"xf prefix quote", {NULL, NULL, NULL, NULL, NULL, "/a\"b", "h", false, NULL}, "http://h"},
    {"xf prefix CRLF", {NULL, NULL, NULL, NULL, NULL, "/a\r\nb", "h", false, NULL}, "http://h"},
    {"xf prefix angle", {NULL, NULL, NULL, NULL, NULL, "/<script>", "h", false, NULL}, "http://h"},
    {"xf prefix backslash", {NULL, NULL, NULL, NULL, NULL, "/a\\b", "h", false, NULL}, "http://h"},
    {"xf prefix empty", {NULL, NULL, NULL, NULL, NULL, "", "h", false, NULL}, "http://h"},
    {"xf prefix with fallback host", {NULL, NULL, NULL, NULL, NULL, "/p", NULL, false, "fb:2"}, "http://fb:2/p"},
    /* When Forwarded and X-Forwarded-Proto disagree, the standard header wins. */
    {"forwarded wins", {NULL, "proto=http", "https", NULL, NULL, NULL, "h", false, NULL}, "http://h"},
    {"forwarded wins (https)", {NULL, "proto=https", "http", NULL, NULL, NULL, "h", false, NULL}, "https://h"},
};

int main(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct hdrs *h = &cases[i].h;
        struct ts_pubbase_in in = {
            .configured = h->configured,
            .forwarded = sv(h->forwarded),
            .xf_proto = sv(h->xf_proto),
            .xf_host = sv(h->xf_host),
            .xf_port = sv(h->xf_port),
            .xf_prefix = sv(h->xf_prefix),
            .host = sv(h->host),
            .tls = h->tls,
            .fallback_host = h->fallback,
        };
        struct ts_buf b;
        ts_buf_init(&b, 4096);
        int rc = ts_pubbase(&in, &b);
        T_CHECK(rc == 0, "%s: rc %d", cases[i].what, rc);
        T_STREQ(b.data ? b.data : "", cases[i].want, cases[i].what);
        ts_buf_release(&b);
    }

    /* Header values are used by length, not up to a NUL. */
    struct ts_pubbase_in in;
    memset(&in, 0, sizeof(in));
    in.host = (struct ts_strv){"a.example:8182/garbage", 14};
    in.xf_prefix = (struct ts_strv){"/pre fix", 4};
    struct ts_buf b;
    ts_buf_init(&b, 4096);
    T_CHECK(ts_pubbase(&in, &b) == 0, "lengths: rc");
    T_STREQ(b.data, "http://a.example:8182/pre", "lengths");
    ts_buf_release(&b);

    /* A full buffer is an error. */
    memset(&in, 0, sizeof(in));
    in.host = (struct ts_strv){"a-very-long-host-name.example.org", 33};
    ts_buf_init(&b, 10);
    T_CHECK(ts_pubbase(&in, &b) == -1, "full buffer not reported");
    T_CHECK(b.len <= 10, "full buffer: len %zu past the cap", b.len);
    ts_buf_release(&b);
    in.configured = "https://configured.example.org/";
    ts_buf_init(&b, 10);
    T_CHECK(ts_pubbase(&in, &b) == -1, "full buffer with configured base not reported");
    ts_buf_release(&b);
    return t_done();
}
