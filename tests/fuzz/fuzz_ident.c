/*
 * fuzz_ident.c: libFuzzer target for identifier decoding and encoding.
 *
 * The input is an identifier path segment as it comes off the wire. When
 * iiif_ident_decode accepts it, the result must be a safe relative path (no
 * NUL, no '..' or '.' component, no empty or hidden component, no leading
 * '/', no backslash or control character, at most IIIF_IDENT_MAX bytes), and
 * iiif_ident_encode followed by iiif_ident_decode must give it back. When it
 * refuses, the status is 400 or 404 with a one-line message. Independently,
 * encoding any string and percent-decoding the result gives the string back.
 */
#include "fuzz.h"

#include "iiif/ident.h"

#include <ctype.h>
#include <string.h>

/* Whether the `n` bytes at `s` are unreserved characters and %XX escapes only. */
static int is_encoded(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) || !isxdigit((unsigned char)s[i + 2]))
                return 0;
            i += 2;
        } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                     c == '.' || c == '_' || c == '~')) {
            return 0;
        }
    }
    return 1;
}

static void check_safe(const char *id, size_t n)
{
    FUZZ_CHECK(n > 0 && n <= IIIF_IDENT_MAX);
    FUZZ_CHECK(id[0] != '/');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        FUZZ_CHECK(c >= 0x20 && c != 0x7f && c != '\\');
    }
    const char *p = id, *end = id + n;
    for (;;) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        size_t cn = (size_t)((slash ? slash : end) - p);
        FUZZ_CHECK(cn > 0);
        FUZZ_CHECK(p[0] != '.'); /* covers ".", ".." and hidden names */
        if (slash == NULL)
            break;
        p = slash + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *raw = (const char *)data;
    char dst[IIIF_IDENT_MAX + 1];
    struct ts_error err;
    ts_error_clear(&err);
    if (iiif_ident_decode(raw, size, dst, sizeof(dst), &err) == 0) {
        /* The decoded length agrees with strlen: no NUL inside. */
        char again[IIIF_IDENT_MAX + 1];
        size_t n;
        FUZZ_CHECK(iiif_percent_decode(raw, size, again, sizeof(again), &n, NULL) == 0);
        FUZZ_CHECK(strlen(dst) == n && memcmp(dst, again, n) == 0);
        FUZZ_CHECK(memchr(raw, '/', size) == NULL);
        check_safe(dst, n);

        struct ts_buf b;
        ts_buf_init(&b, 3 * IIIF_IDENT_MAX + 1);
        FUZZ_CHECK(iiif_ident_encode(dst, &b) == 0);
        FUZZ_CHECK(is_encoded(b.data, b.len));
        char back[IIIF_IDENT_MAX + 1];
        FUZZ_CHECK(iiif_ident_decode(b.data, b.len, back, sizeof(back), NULL) == 0);
        FUZZ_CHECK(strcmp(back, dst) == 0);
        ts_buf_release(&b);
    } else {
        FUZZ_CHECK(err.status == 400 || err.status == 404);
        FUZZ_CHECK(fuzz_msg_ok(err.msg));
    }

    /* Any C string survives encode + percent-decode, and encodes to one safe segment. */
    size_t n = strnlen(raw, size);
    char *s = malloc(n + 1);
    FUZZ_CHECK(s != NULL);
    memcpy(s, raw, n);
    s[n] = '\0';
    struct ts_buf b;
    ts_buf_init(&b, 3 * n + 1);
    FUZZ_CHECK(iiif_ident_encode(s, &b) == 0);
    FUZZ_CHECK(b.len == 0 || is_encoded(b.data, b.len));
    char *out = malloc(n + 1);
    FUZZ_CHECK(out != NULL);
    size_t on = 0;
    FUZZ_CHECK(iiif_percent_decode(b.data ? b.data : "", b.len, out, n + 1, &on, NULL) == 0);
    FUZZ_CHECK(on == n && memcmp(out, s, n) == 0);
    free(out);
    free(s);
    ts_buf_release(&b);
    return 0;
}
