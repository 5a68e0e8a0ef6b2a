/*
 * test_ident.c: unit tests for lib/iiif/ident.c.
 *
 * Percent-decoding, the path-safety checks of iiif_ident_decode (status 404
 * for raw slashes and hidden components, 400 for everything else that is
 * refused), iiif_ident_encode, and an encode/decode round trip over random
 * identifiers from a fixed-seed generator.
 */
#include "iiif/ident.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

static void test_percent_decode(void)
{
    static const struct {
        const char *in;
        int rc;
        const char *out;
        size_t out_len;
    } cases[] = {
        {"", 0, "", 0},
        {"abc", 0, "abc", 3},
        {"a%41", 0, "aA", 2},
        {"%2f%2F", 0, "//", 2},
        {"%7e%7E", 0, "~~", 2},
        {"%00", 0, "\0", 1},
        {"a%20b", 0, "a b", 3},
        {"100%25", 0, "100%", 4},
        {"+", 0, "+", 1}, /* '+' is not a space in a path */
        {"%", -1, NULL, 0},
        {"%%", -1, NULL, 0},
        {"%4", -1, NULL, 0},
        {"a%4", -1, NULL, 0},
        {"%4g", -1, NULL, 0},
        {"%G0", -1, NULL, 0},
        {"%-1", -1, NULL, 0},
        {"% 1", -1, NULL, 0},
        {"%%41", -1, NULL, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char dst[64];
        size_t n = 12345;
        struct ts_error err;
        ts_error_clear(&err);
        int rc = iiif_percent_decode(cases[i].in, strlen(cases[i].in), dst, sizeof(dst), &n, &err);
        T_CHECK(rc == cases[i].rc, "decode '%s': rc %d, want %d", cases[i].in, rc, cases[i].rc);
        if (rc == 0 && cases[i].rc == 0) {
            T_CHECK(n == cases[i].out_len && memcmp(dst, cases[i].out, n) == 0 && dst[n] == '\0',
                    "decode '%s': got %zu bytes '%s'", cases[i].in, n, dst);
        } else if (rc != 0) {
            T_CHECK(err.status == 400 && err.msg[0] != '\0', "decode '%s': status %d msg '%s'", cases[i].in,
                    err.status, err.msg);
        }
    }

    /* Capacity: the NUL always needs a byte. */
    char dst[4];
    size_t n;
    T_CHECK(iiif_percent_decode("abc", 3, dst, 4, &n, NULL) == 0 && n == 3 && strcmp(dst, "abc") == 0,
            "exact fit refused");
    T_CHECK(iiif_percent_decode("abcd", 4, dst, 4, &n, NULL) == -1, "one byte over the capacity accepted");
    T_CHECK(iiif_percent_decode("%61%62%63", 9, dst, 4, &n, NULL) == 0 && strcmp(dst, "abc") == 0,
            "escaped exact fit refused");
    T_CHECK(iiif_percent_decode("%61%62%63%64", 12, dst, 4, &n, NULL) == -1, "escaped overflow accepted");
    /* Only `n` bytes are read: an escape cut by the length is malformed. */
    T_CHECK(iiif_percent_decode("ab%41", 4, dst, 4, &n, NULL) == -1, "escape cut by the length accepted");
    T_CHECK(iiif_percent_decode("ab%41", 2, dst, 4, &n, NULL) == 0 && strcmp(dst, "ab") == 0, "length 2 of ab%%41");
}

/* Statuses of iiif_ident_decode. */
enum { OK = 0, E400 = 400, E404 = 404 };

static void test_decode(void)
{
    static const struct {
        const char *raw;
        int status;
        const char *want; /* decoded, when OK */
    } cases[] = {
        /* valid */
        {"abc", OK, "abc"},
        {"67352ccc-d1b0-11e1-89ae-279075081939", OK, "67352ccc-d1b0-11e1-89ae-279075081939"},
        {"image.jp2", OK, "image.jp2"},
        {"a%2Fb", OK, "a/b"},
        {"a%2fb%2Fc.tif", OK, "a/b/c.tif"},
        {"%2D", OK, "-"},
        {"a%20b", OK, "a b"},
        {"a+b", OK, "a+b"},
        {"100%25", OK, "100%"},
        {"ark:%2F12025%2F654xz321", OK, "ark:/12025/654xz321"},
        {"caf%C3%A9", OK, "caf\xc3\xa9"},
        {"caf\xc3\xa9", OK, "caf\xc3\xa9"},
        {"%E2%82%AC", OK, "\xe2\x82\xac"},
        {"%F0%9F%98%80", OK, "\xf0\x9f\x98\x80"},
        {"%F4%8F%BF%BF", OK, "\xf4\x8f\xbf\xbf"}, /* U+10FFFF, the last code point */
        {"%EF%BF%BF", OK, "\xef\xbf\xbf"},
        {"%ED%9F%BF", OK, "\xed\x9f\xbf"}, /* U+D7FF, just below the surrogates */
        {"a.", OK, "a."},
        {"a..b", OK, "a..b"},
        {"dir%2Fa.b.c", OK, "dir/a.b.c"},
        {"~user", OK, "~user"},
        {"[frob]", OK, "[frob]"},
        /* raw slash: 404 */
        {"a/b", E404, NULL},
        {"/abc", E404, NULL},
        {"abc/", E404, NULL},
        {"../etc", E404, NULL},
        /* empty */
        {"", E400, NULL},
        /* dot components */
        {".", E400, NULL},
        {"..", E400, NULL},
        {"%2E", E400, NULL},
        {"%2E%2E", E400, NULL},
        {"%2e%2e", E400, NULL},
        {"a%2F..%2Fb", E400, NULL},
        {"..%2Fetc%2Fpasswd", E400, NULL},
        {"a%2F.", E400, NULL},
        {"a%2F.%2Fb", E400, NULL},
        {"a%2F..", E400, NULL},
        /* leading slash and empty components */
        {"%2Fetc%2Fpasswd", E400, NULL},
        {"%2F", E400, NULL},
        {"a%2F%2Fb", E400, NULL},
        {"a%2F", E400, NULL},
        /* backslash */
        {"a\\b", E400, NULL},
        {"a%5Cb", E400, NULL},
        {"..%5C..%5Cwindows", E400, NULL},
        /* control characters and NUL */
        {"%00", E400, NULL},
        {"a%00b", E400, NULL},
        {"a%00.jpg", E400, NULL},
        {"%01", E400, NULL},
        {"%1F", E400, NULL},
        {"a%0Ab", E400, NULL},
        {"a%0D%0Ab", E400, NULL},
        {"a\tb", E400, NULL},
        {"%7F", E400, NULL},
        /* invalid UTF-8 */
        {"%C0%AF", E400, NULL},             /* overlong '/' */
        {"%C1%81", E400, NULL},             /* overlong 'A' */
        {"%E0%80%AF", E400, NULL},          /* overlong, 3 bytes */
        {"%F0%80%80%AF", E400, NULL},       /* overlong, 4 bytes */
        {"%ED%A0%80", E400, NULL},          /* surrogate U+D800 */
        {"%ED%BF%BF", E400, NULL},          /* surrogate U+DFFF */
        {"%F4%90%80%80", E400, NULL},       /* U+110000 */
        {"%F5%80%80%80", E400, NULL},       /* lead byte past U+10FFFF */
        {"%F8%88%80%80%80", E400, NULL},    /* 5-byte form */
        {"%C3", E400, NULL},                /* truncated */
        {"caf%C3", E400, NULL},             /* truncated at the end */
        {"%E2%82", E400, NULL},             /* truncated */
        {"%F0%9F%98", E400, NULL},          /* truncated */
        {"%C3a", E400, NULL},               /* continuation missing */
        {"%80", E400, NULL},                /* lone continuation byte */
        {"%BF", E400, NULL},
        {"%FE", E400, NULL},
        {"%FF", E400, NULL},
        {"caf\xc3", E400, NULL},            /* raw, truncated */
        {"\xff", E400, NULL},
        /* hidden components: 404 */
        {".hidden", E404, NULL},
        {"%2Ehtaccess", E404, NULL},
        {"a%2F.git", E404, NULL},
        {"a%2F.git%2Fconfig", E404, NULL},
        {"...", E404, NULL},
        {"a%2F..b", E404, NULL},
        /* malformed escapes */
        {"%", E400, NULL},
        {"abc%", E400, NULL},
        {"abc%2", E400, NULL},
        {"%zz", E400, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char dst[IIIF_IDENT_MAX + 1];
        struct ts_error err;
        ts_error_clear(&err);
        int rc = iiif_ident_decode(cases[i].raw, strlen(cases[i].raw), dst, sizeof(dst), &err);
        if (cases[i].status == OK) {
            T_CHECK(rc == 0, "ident '%s': refused (%d %s)", cases[i].raw, err.status, err.msg);
            if (rc == 0)
                T_STREQ(dst, cases[i].want, cases[i].raw);
        } else {
            T_CHECK(rc == -1, "ident '%s': accepted as '%s'", cases[i].raw, dst);
            T_CHECK(err.status == cases[i].status, "ident '%s': status %d, want %d (%s)", cases[i].raw, err.status,
                    cases[i].status, err.msg);
            T_CHECK(err.msg[0] != '\0' && strchr(err.msg, '\n') == NULL, "ident '%s': bad message '%s'",
                    cases[i].raw, err.msg);
        }
    }

    /* Only `n` bytes are read. */
    char dst[IIIF_IDENT_MAX + 1];
    T_CHECK(iiif_ident_decode("abc/def", 3, dst, sizeof(dst), NULL) == 0 && strcmp(dst, "abc") == 0,
            "length 3 of abc/def");
    T_CHECK(iiif_ident_decode("ab\0cd", 5, dst, sizeof(dst), NULL) == -1, "raw NUL byte accepted");

    /* Length: IIIF_IDENT_MAX bytes after decoding, however they were written. */
    static char raw[IIIF_IDENT_MAX * 3 + 4];
    memset(raw, 'a', IIIF_IDENT_MAX);
    struct ts_error err;
    T_CHECK(iiif_ident_decode(raw, IIIF_IDENT_MAX, dst, sizeof(dst), &err) == 0 && strlen(dst) == IIIF_IDENT_MAX,
            "identifier of IIIF_IDENT_MAX bytes refused");
    raw[IIIF_IDENT_MAX] = 'a';
    ts_error_clear(&err);
    T_CHECK(iiif_ident_decode(raw, IIIF_IDENT_MAX + 1, dst, sizeof(dst), &err) == -1 && err.status == 400,
            "identifier of IIIF_IDENT_MAX + 1 bytes accepted");
    for (size_t i = 0; i < IIIF_IDENT_MAX; i++)
        memcpy(raw + 3 * i, "%61", 3);
    T_CHECK(iiif_ident_decode(raw, 3 * IIIF_IDENT_MAX, dst, sizeof(dst), NULL) == 0 && strlen(dst) == IIIF_IDENT_MAX,
            "escaped identifier of IIIF_IDENT_MAX bytes refused");
    memcpy(raw + 3 * IIIF_IDENT_MAX, "%61", 3);
    T_CHECK(iiif_ident_decode(raw, 3 * IIIF_IDENT_MAX + 3, dst, sizeof(dst), NULL) == -1,
            "escaped identifier of IIIF_IDENT_MAX + 1 bytes accepted");
    /* A destination larger than needed does not raise the limit. */
    static char bigdst[4 * IIIF_IDENT_MAX];
    memset(raw, 'b', IIIF_IDENT_MAX + 1);
    T_CHECK(iiif_ident_decode(raw, IIIF_IDENT_MAX + 1, bigdst, sizeof(bigdst), NULL) == -1,
            "large destination raised the length limit");
}

static void test_encode(void)
{
    static const struct {
        const char *id, *want;
    } cases[] = {
        {"", ""},
        {"abc", "abc"},
        {"ABCxyz019", "ABCxyz019"},
        {"-._~", "-._~"},
        {"a/b", "a%2Fb"},
        {"a b", "a%20b"},
        {"100%", "100%25"},
        {"ark:/12025/654", "ark%3A%2F12025%2F654"},
        {"caf\xc3\xa9", "caf%C3%A9"},
        {"!*'();:@&=+$,?#[]", "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%3F%23%5B%5D"},
        {"\x01\x7f\xff", "%01%7F%FF"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_buf b;
        ts_buf_init(&b, 4096);
        T_CHECK(iiif_ident_encode(cases[i].id, &b) == 0, "encode '%s' failed", cases[i].id);
        T_STREQ(b.data ? b.data : "", cases[i].want, cases[i].id);
        ts_buf_release(&b);
    }
    struct ts_buf b;
    ts_buf_init(&b, 5);
    T_CHECK(iiif_ident_encode("a/b/c", &b) == -1, "encode past the buffer cap accepted");
    T_CHECK(b.len <= 5, "encode passed the cap");
    ts_buf_release(&b);
}

/* splitmix64: a small fixed-seed generator, so failures reproduce. */
static uint64_t rng_state = 0x1111111111111111u;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Builds a random valid identifier: components of printable ASCII (no '/', '\\')
 * and some UTF-8, none empty or starting with '.'. */
static size_t random_ident(char *out, size_t cap)
{
    static const char *const utf8[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xd0\x96"};
    size_t n = 0;
    int comps = 1 + (int)(rnd() % 4);
    for (int c = 0; c < comps; c++) {
        if (c > 0)
            out[n++] = '/';
        int len = 1 + (int)(rnd() % 12);
        for (int k = 0; k < len && n + 5 < cap; k++) {
            if (rnd() % 8 == 0) {
                const char *u = utf8[rnd() % 4];
                memcpy(out + n, u, strlen(u));
                n += strlen(u);
                continue;
            }
            char ch;
            do {
                ch = (char)(0x20 + rnd() % 95);
            } while (ch == '/' || ch == '\\' || (k == 0 && ch == '.'));
            out[n++] = ch;
        }
    }
    out[n] = '\0';
    return n;
}

static void test_round_trip(void)
{
    static const char *const fixed[] = {"a/b", "dir/sub dir/file name.jp2", "100%/x", "caf\xc3\xa9/\xe2\x82\xac",
                                        "a+b=c&d", "~/x", "[frob]", "a./b.."};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        struct ts_buf b;
        char dst[IIIF_IDENT_MAX + 1];
        ts_buf_init(&b, 8192);
        int rc = iiif_ident_encode(fixed[i], &b);
        rc |= iiif_ident_decode(b.data, b.len, dst, sizeof(dst), NULL);
        T_CHECK(rc == 0 && strcmp(dst, fixed[i]) == 0, "round trip of '%s' via '%s'", fixed[i], b.data);
        ts_buf_release(&b);
    }
    int bad = 0;
    for (int i = 0; i < 3000; i++) {
        char id[256];
        random_ident(id, sizeof(id));
        struct ts_buf b;
        char dst[IIIF_IDENT_MAX + 1];
        ts_buf_init(&b, 8192);
        int rc = iiif_ident_encode(id, &b);
        /* The encoded form is one path segment of unreserved characters and escapes. */
        if (rc == 0 && strspn(b.data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%") != b.len)
            rc = -2;
        if (rc == 0)
            rc = iiif_ident_decode(b.data, b.len, dst, sizeof(dst), NULL);
        if (rc != 0 || strcmp(dst, id) != 0) {
            if (bad++ < 5)
                T_CHECK(0, "random round trip of '%s' via '%s' (rc %d)", id, b.data, rc);
        }
        ts_buf_release(&b);
    }
    T_CHECK(bad == 0, "%d random identifiers did not survive encode + decode", bad);
}

int main(void)
{
    test_percent_decode();
    test_decode();
    test_encode();
    test_round_trip();
    return t_done();
}
