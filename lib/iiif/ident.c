/*
 * ident.c: decoding, checking and encoding identifiers.
 *
 * The checks here are the first line of path confinement; the resolver adds
 * the second (realpath must stay under the root, which catches symlinks).
 */
#include "iiif/ident.h"

#include "core/pct.h"

#include <stdint.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int iiif_percent_decode(const char *src, size_t n, char *dst, size_t cap, size_t *out_len, struct ts_error *err)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        if (c == '%') {
            int hi = i + 2 < n ? hexval(src[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(src[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return ts_error_set(err, 400, "malformed percent-encoding (%% must be followed by two hex digits)");
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (o + 1 >= cap)
            return ts_error_set(err, 400, "too long");
        dst[o++] = c;
    }
    dst[o] = '\0';
    *out_len = o;
    return 0;
}

/* Returns the length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* overlong forms, surrogates and values past U+10FFFF */
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int iiif_ident_decode(const char *raw, size_t n, char *dst, size_t cap, struct ts_error *err)
{
    if (n == 0)
        return ts_error_set(err, 400, "empty identifier");
    if (memchr(raw, '/', n) != NULL)
        return ts_error_set(err, 404, "no image has this identifier (a '/' inside an identifier must be written %%2F)");
    size_t len;
    struct ts_error e;
    if (iiif_percent_decode(raw, n, dst, cap < IIIF_IDENT_MAX + 1 ? cap : IIIF_IDENT_MAX + 1, &len, &e) != 0)
        return ts_error_set(err, 400, "identifier: %s", e.msg);
    const unsigned char *s = (const unsigned char *)dst;
    for (size_t i = 0; i < len;) {
        if (s[i] == 0)
            return ts_error_set(err, 400, "identifier contains an encoded NUL byte");
        if (s[i] < 0x20 || s[i] == 0x7F)
            return ts_error_set(err, 400, "identifier contains a control character");
        if (s[i] == '\\')
            return ts_error_set(err, 400, "identifier contains a backslash");
        size_t k = utf8_seq(s + i, len - i);
        if (k == 0)
            return ts_error_set(err, 400, "identifier is not valid UTF-8");
        i += k;
    }
    if (dst[0] == '/')
        return ts_error_set(err, 400, "identifier must be a relative path (it starts with '/')");
    /* Check each component between slashes. */
    const char *p = dst, *end = dst + len;
    while (p <= end) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *ce = slash ? slash : end;
        size_t cn = (size_t)(ce - p);
        if (cn == 0)
            return ts_error_set(err, 400, "identifier has an empty path component");
        if ((cn == 1 && p[0] == '.') || (cn == 2 && p[0] == '.' && p[1] == '.'))
            return ts_error_set(err, 400, "identifier may not contain '.' or '..' path components");
        if (p[0] == '.')
            return ts_error_set(err, 404, "no image has this identifier");
        if (slash == NULL)
            break;
        p = slash + 1;
    }
    return 0;
}

int iiif_ident_encode(const char *id, struct ts_buf *out)
{
    return ts_pct_encode(id, "", out);
}
