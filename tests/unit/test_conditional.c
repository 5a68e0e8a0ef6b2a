/*
 * test_conditional.c: ETags, HTTP dates and the 304 decision.
 */
#include <string.h>

#include "http/conditional.h"
#include "http/keys.h"
#include "t.h"

static void test_formats(void)
{
    char e[19];
    ts_etag_format(0, e);
    T_STREQ(e, "\"0000000000000000\"", "etag of 0");
    ts_etag_format(UINT64_C(0xdeadbeef01234567), e);
    T_STREQ(e, "\"deadbeef01234567\"", "etag hex");
    char d[30];
    ts_http_date_format(784111777, d);
    T_STREQ(d, "Sun, 06 Nov 1994 08:49:37 GMT", "IMF-fixdate");
    ts_http_date_format(0, d);
    T_STREQ(d, "Thu, 01 Jan 1970 00:00:00 GMT", "epoch");
}

static void test_dates(void)
{
    static const struct {
        const char *s;
        int rc;
        time_t t;
    } cases[] = {
        {"Sun, 06 Nov 1994 08:49:37 GMT", 0, 784111777},
        {"Sunday, 06-Nov-94 08:49:37 GMT", 0, 784111777},
        {"Sun Nov  6 08:49:37 1994", 0, 784111777},
        {"Thu, 01 Jan 1970 00:00:00 GMT", 0, 0},
        {"Wed, 25 Nov 2026 19:15:48 GMT", 0, 1795634148},
        {"Sun, 06 Nov 1994 08:49:37", -1, 0},
        {"Sun, 06 Foo 1994 08:49:37 GMT", -1, 0},
        {"Sun, 32 Nov 1994 08:49:37 GMT", -1, 0},
        {"Fri, 31 Dec 9999 23:59:59 GMT", 0, 253402300799},
        {"Fri, 31 Dec 9999 23:59:60 GMT", -1, 0}, /* found by fuzz_conditional: year 10000 once normalised */
        {"Sun, 06 Nov 1994 25:49:37 GMT", -1, 0},
        {"yesterday", -1, 0},
        {"", -1, 0},
        {"Sun, 06 Nov 1994 08:49:37 GMT trailing", -1, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        time_t t = 0;
        int rc = ts_http_date_parse(cases[i].s, strlen(cases[i].s), &t);
        T_CHECK(rc == cases[i].rc, "parse '%s': rc %d", cases[i].s, rc);
        if (rc == 0 && cases[i].rc == 0)
            T_CHECK(t == cases[i].t, "parse '%s': %lld, want %lld", cases[i].s, (long long)t, (long long)cases[i].t);
    }
    /* round trip */
    for (time_t t = 0; t < 2000000000; t += 86399 * 37) {
        char d[30];
        time_t back;
        ts_http_date_format(t, d);
        T_CHECK(ts_http_date_parse(d, strlen(d), &back) == 0 && back == t, "round trip %lld (%s)", (long long)t, d);
    }
}

static void test_not_modified(void)
{
    const char *etag = "\"00000000000000ab\"";
    time_t mtime = 784111777;
    static const struct {
        const char *inm, *ims;
        bool want;
    } cases[] = {
        {NULL, NULL, false},
        {"\"00000000000000ab\"", NULL, true},
        {"W/\"00000000000000ab\"", NULL, true},
        {"\"x\", \"00000000000000ab\"", NULL, true},
        {"\"x\",\"y\"", NULL, false},
        {"*", NULL, true},
        {"\"00000000000000ac\"", NULL, false},
        {"\"00000000000000ab", NULL, false},
        {"00000000000000ab", NULL, false},
        {"", NULL, false},
        /* If-None-Match decides alone when present */
        {"\"nope\"", "Sun, 06 Nov 1994 08:49:37 GMT", false},
        {NULL, "Sun, 06 Nov 1994 08:49:37 GMT", true},
        {NULL, "Sun, 06 Nov 1994 08:49:38 GMT", true},
        {NULL, "Sun, 06 Nov 1994 08:49:36 GMT", false},
        {NULL, "garbage", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *inm = cases[i].inm, *ims = cases[i].ims;
        bool got = ts_not_modified(inm, inm ? strlen(inm) : 0, ims, ims ? strlen(ims) : 0, etag, mtime);
        T_CHECK(got == cases[i].want, "If-None-Match %s, If-Modified-Since %s: %d", inm ? inm : "-", ims ? ims : "-",
                got);
    }
}

static void test_keys(void)
{
    struct ts_buf a, b;
    ts_buf_init(&a, 4096);
    ts_buf_init(&b, 4096);
    ts_key_image(&a, 7, IIIF_V3, "x", 1, 2, "full/max/0/default.jpg");
    ts_key_image(&b, 7, IIIF_V2, "x", 1, 2, "full/max/0/default.jpg");
    T_CHECK(strcmp(a.data, b.data) != 0, "version is part of the key");
    ts_key_image(&b, 7, IIIF_V3, "x", 3, 2, "full/max/0/default.jpg");
    T_CHECK(strcmp(a.data, b.data) != 0, "mtime is part of the key");
    ts_key_image(&b, 7, IIIF_V3, "x", 1, 4, "full/max/0/default.jpg");
    T_CHECK(strcmp(a.data, b.data) != 0, "size is part of the key");
    /* a crafted identifier cannot imitate another key */
    ts_key_image(&a, 7, IIIF_V3, "a|1|2|full", 1, 2, "max/0/default.jpg");
    ts_key_image(&b, 7, IIIF_V3, "a", 1, 2, "full/max/0/default.jpg");
    T_CHECK(strcmp(a.data, b.data) != 0, "identifiers are length-prefixed");
    ts_key_image(&b, 7, IIIF_V3, "x", 1, 2, "full/max/0/default.jpg");
    ts_key_image(&a, 7, IIIF_V3, "x", 1, 2, "full/max/0/default.jpg");
    T_CHECK(strcmp(a.data, b.data) == 0, "same request, same key");
    T_CHECK(ts_key_etag(a.data, a.len, 1) == ts_key_etag(b.data, b.len, 1), "same key, same etag");
    T_CHECK(ts_key_etag(a.data, a.len, 1) != ts_key_etag(a.data, a.len, 2), "settings change the etag");
    ts_key_info(&a, 7, IIIF_V3, true, "http://a", "x", 1, 2);
    ts_key_info(&b, 7, IIIF_V3, false, "http://a", "x", 1, 2);
    T_CHECK(strcmp(a.data, b.data) != 0, "media type is part of the info key");
    ts_key_info(&b, 7, IIIF_V3, true, "http://b", "x", 1, 2);
    T_CHECK(strcmp(a.data, b.data) != 0, "base is part of the info key");
    ts_key_info(&b, 8, IIIF_V3, true, "http://a", "x", 1, 2);
    T_CHECK(strcmp(a.data, b.data) != 0, "settings generation is part of the info key");
    ts_key_image(&a, 7, IIIF_V3, "x", 1, 2, "full/max/0/default.jpg");
    ts_key_image(&b, 8, IIIF_V3, "x", 1, 2, "full/max/0/default.jpg");
    T_CHECK(strcmp(a.data, b.data) != 0, "settings generation is part of the image key");
    ts_buf_release(&a);
    ts_buf_release(&b);
}

int main(void)
{
    test_formats();
    test_dates();
    test_not_modified();
    test_keys();
    return t_done();
}
