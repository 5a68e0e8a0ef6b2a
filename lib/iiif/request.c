/*
 * request.c: parser for the image-request parameters of Image API 2.1 and 3.0.
 *
 * The four path segments are percent-decoded one by one into small stack
 * buffers and then matched against the grammar. Numbers follow the spec's
 * rules strictly: pixel values are unsigned integers, percentages and angles
 * are decimals made only of digits and one optional ".", never signs or
 * exponents. Every rejection says which parameter was wrong and why, because
 * that line is what the client sees.
 */
#include "iiif/request.h"

#include <string.h>

#include "iiif/ident.h"

#define SEG_MAX 128 /* longest accepted parameter after decoding */

static const char *const quality_names[] = {"default", "color", "gray", "bitonal"};

static const struct {
    const char *ext;
    const char *mime;
} formats[IIIF_FORMAT_COUNT] = {
    [IIIF_FORMAT_JPG] = {"jpg", "image/jpeg"},   [IIIF_FORMAT_PNG] = {"png", "image/png"},
    [IIIF_FORMAT_WEBP] = {"webp", "image/webp"}, [IIIF_FORMAT_TIF] = {"tif", "image/tiff"},
    [IIIF_FORMAT_GIF] = {"gif", "image/gif"},    [IIIF_FORMAT_JP2] = {"jp2", "image/jp2"},
    [IIIF_FORMAT_AVIF] = {"avif", "image/avif"}, [IIIF_FORMAT_PDF] = {"pdf", "application/pdf"},
};

const char *iiif_quality_name(enum iiif_quality q)
{
    return quality_names[q];
}

const char *iiif_format_ext(enum iiif_format f)
{
    return formats[f].ext;
}

const char *iiif_format_mime(enum iiif_format f)
{
    return formats[f].mime;
}

int iiif_format_from_ext(const char *ext, size_t len, enum iiif_format *out)
{
    for (int i = 0; i < IIIF_FORMAT_COUNT; i++) {
        if (strlen(formats[i].ext) == len && memcmp(formats[i].ext, ext, len) == 0) {
            *out = (enum iiif_format)i;
            return 0;
        }
    }
    return -1;
}

/* A view of part of a decoded segment. */
struct span {
    const char *p;
    size_t n;
};

static int span_eq(struct span s, const char *lit)
{
    return strlen(lit) == s.n && memcmp(s.p, lit, s.n) == 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Unsigned integer: one or more digits, at most IIIF_MAX_PIXELS_PARAM. */
static int parse_uint(struct span s, uint32_t *out)
{
    if (s.n == 0 || s.n > 10)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (!is_digit(s.p[i]))
            return -1;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
    }
    if (v > IIIF_MAX_PIXELS_PARAM)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/*
 * Decimal: digits with at most one ".", at least one digit, no sign, no
 * exponent. Computed by hand so that the result never depends on the locale.
 */
static int parse_decimal(struct span s, double *out)
{
    if (s.n == 0 || s.n > 24)
        return -1;
    double ip = 0, fp = 0, scale = 1;
    int seen_dot = 0, digits = 0;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (c == '.') {
            if (seen_dot)
                return -1;
            seen_dot = 1;
        } else if (is_digit(c)) {
            digits++;
            if (seen_dot) {
                scale /= 10;
                fp += (c - '0') * scale;
            } else {
                ip = ip * 10 + (c - '0');
            }
        } else {
            return -1;
        }
    }
    if (digits == 0)
        return -1;
    *out = ip + fp;
    return 0;
}

/* Splits `s` at commas into exactly `n` parts. */
static int split_commas(struct span s, struct span *parts, int n)
{
    int k = 0;
    size_t start = 0;
    for (size_t i = 0; i <= s.n; i++) {
        if (i == s.n || s.p[i] == ',') {
            if (k == n)
                return -1;
            parts[k].p = s.p + start;
            parts[k].n = i - start;
            k++;
            start = i + 1;
        }
    }
    return k == n ? 0 : -1;
}

static int parse_region(struct span s, struct iiif_region *r, struct ts_error *err)
{
    memset(r, 0, sizeof(*r));
    if (span_eq(s, "full")) {
        r->kind = IIIF_REGION_FULL;
        return 0;
    }
    if (span_eq(s, "square")) {
        r->kind = IIIF_REGION_SQUARE;
        return 0;
    }
    struct span parts[4];
    if (s.n > 4 && memcmp(s.p, "pct:", 4) == 0) {
        struct span rest = {s.p + 4, s.n - 4};
        double v[4];
        if (split_commas(rest, parts, 4) != 0)
            return ts_error_set(err, 400, "region '%.*s': pct: needs four numbers x,y,w,h", (int)s.n, s.p);
        for (int i = 0; i < 4; i++) {
            if (parse_decimal(parts[i], &v[i]) != 0)
                return ts_error_set(err, 400, "region '%.*s': '%.*s' is not a plain decimal number", (int)s.n,
                                    s.p, (int)parts[i].n, parts[i].p);
        }
        if (v[2] <= 0 || v[3] <= 0)
            return ts_error_set(err, 400, "region '%.*s': width and height must be greater than 0", (int)s.n, s.p);
        r->kind = IIIF_REGION_PCT;
        r->px = v[0];
        r->py = v[1];
        r->pw = v[2];
        r->ph = v[3];
        return 0;
    }
    if (split_commas(s, parts, 4) != 0)
        return ts_error_set(err, 400, "region '%.*s': expected full, square, x,y,w,h or pct:x,y,w,h", (int)s.n,
                            s.p);
    uint32_t v[4];
    for (int i = 0; i < 4; i++) {
        if (parse_uint(parts[i], &v[i]) != 0)
            return ts_error_set(err, 400, "region '%.*s': '%.*s' is not a whole number of pixels up to %u",
                                (int)s.n, s.p, (int)parts[i].n, parts[i].p, IIIF_MAX_PIXELS_PARAM);
    }
    if (v[2] == 0 || v[3] == 0)
        return ts_error_set(err, 400, "region '%.*s': width and height must be greater than 0", (int)s.n, s.p);
    r->kind = IIIF_REGION_PX;
    r->x = v[0];
    r->y = v[1];
    r->w = v[2];
    r->h = v[3];
    return 0;
}

static int parse_size(enum iiif_version version, struct span s, struct iiif_size *z, struct ts_error *err)
{
    struct span orig = s;
    memset(z, 0, sizeof(*z));
    if (s.n > 0 && s.p[0] == '^') {
        if (version == IIIF_V2)
            return ts_error_set(err, 400, "size '%.*s': the ^ prefix is not part of Image API 2.1", (int)orig.n,
                                orig.p);
        z->upscale = true;
        s.p++;
        s.n--;
    }
    if (span_eq(s, "max")) {
        z->kind = IIIF_SIZE_MAX;
        return 0;
    }
    if (span_eq(s, "full")) {
        if (version == IIIF_V3)
            return ts_error_set(err, 400, "size 'full' is not valid in Image API 3.0; use max");
        if (z->upscale)
            return ts_error_set(err, 400, "size '%.*s' is not valid", (int)orig.n, orig.p);
        z->kind = IIIF_SIZE_FULL;
        return 0;
    }
    if (s.n > 4 && memcmp(s.p, "pct:", 4) == 0) {
        struct span num = {s.p + 4, s.n - 4};
        if (parse_decimal(num, &z->pct) != 0)
            return ts_error_set(err, 400, "size '%.*s': '%.*s' is not a plain decimal number", (int)orig.n, orig.p,
                                (int)num.n, num.p);
        z->kind = IIIF_SIZE_PCT;
        return 0;
    }
    int confined = 0;
    if (s.n > 0 && s.p[0] == '!') {
        confined = 1;
        s.p++;
        s.n--;
    }
    struct span parts[2];
    if (split_commas(s, parts, 2) != 0)
        return ts_error_set(err, 400, "size '%.*s': expected max, w,, ,h, pct:n, w,h or !w,h", (int)orig.n,
                            orig.p);
    for (int i = 0; i < 2; i++) {
        if (parts[i].n == 0)
            continue;
        uint32_t *dst = i == 0 ? &z->w : &z->h;
        if (parse_uint(parts[i], dst) != 0)
            return ts_error_set(err, 400, "size '%.*s': '%.*s' is not a whole number of pixels up to %u",
                                (int)orig.n, orig.p, (int)parts[i].n, parts[i].p, IIIF_MAX_PIXELS_PARAM);
        if (*dst == 0)
            return ts_error_set(err, 400, "size '%.*s': width and height must be greater than 0", (int)orig.n,
                                orig.p);
    }
    if (parts[0].n == 0 && parts[1].n == 0)
        return ts_error_set(err, 400, "size '%.*s': give a width, a height or both", (int)orig.n, orig.p);
    if (confined) {
        if (parts[0].n == 0 || parts[1].n == 0)
            return ts_error_set(err, 400, "size '%.*s': !w,h needs both a width and a height", (int)orig.n,
                                orig.p);
        z->kind = IIIF_SIZE_CONFINED;
    } else if (parts[1].n == 0) {
        z->kind = IIIF_SIZE_W;
    } else if (parts[0].n == 0) {
        z->kind = IIIF_SIZE_H;
    } else {
        z->kind = IIIF_SIZE_WH;
    }
    return 0;
}

static int parse_rotation(struct span s, struct iiif_rotation *r, struct ts_error *err)
{
    struct span orig = s;
    r->mirror = false;
    if (s.n > 0 && s.p[0] == '!') {
        r->mirror = true;
        s.p++;
        s.n--;
    }
    if (parse_decimal(s, &r->degrees) != 0)
        return ts_error_set(err, 400, "rotation '%.*s': expected a number of degrees from 0 to 360, optionally after !",
                            (int)orig.n, orig.p);
    if (r->degrees > 360)
        return ts_error_set(err, 400, "rotation '%.*s': degrees must be from 0 to 360", (int)orig.n, orig.p);
    return 0;
}

static int parse_quality_format(struct span s, struct iiif_req *out, struct ts_error *err)
{
    const char *dot = NULL;
    for (size_t i = s.n; i > 0; i--) {
        if (s.p[i - 1] == '.') {
            dot = s.p + i - 1;
            break;
        }
    }
    if (dot == NULL)
        return ts_error_set(err, 400, "'%.*s': expected quality.format, e.g. default.jpg", (int)s.n, s.p);
    struct span q = {s.p, (size_t)(dot - s.p)};
    struct span f = {dot + 1, s.n - q.n - 1};
    int found = 0;
    for (int i = 0; i < 4; i++) {
        if (span_eq(q, quality_names[i])) {
            out->quality = (enum iiif_quality)i;
            found = 1;
        }
    }
    if (!found)
        return ts_error_set(err, 400, "quality '%.*s': expected default, color, gray or bitonal", (int)q.n, q.p);
    if (iiif_format_from_ext(f.p, f.n, &out->format) != 0)
        return ts_error_set(err, 400, "format '%.*s': expected jpg, png, webp, tif, gif, jp2 or avif", (int)f.n,
                            f.p);
    return 0;
}

int iiif_req_parse(enum iiif_version version, const char *s, size_t len, struct iiif_req *out,
                   struct ts_error *err)
{
    static const char *const names[4] = {"region", "size", "rotation", "quality.format"};
    char bufs[4][SEG_MAX + 1];
    struct span segs[4];
    size_t start = 0;
    int k = 0;

    memset(out, 0, sizeof(*out));
    out->version = version;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '/')
            continue;
        if (k == 4)
            return ts_error_set(err, 400, "too many path segments: expected {region}/{size}/{rotation}/{quality}.{format}");
        size_t n = i - start;
        if (n == 0)
            return ts_error_set(err, 400, "empty %s parameter", names[k]);
        if (n > SEG_MAX * 3)
            return ts_error_set(err, 400, "%s parameter is too long", names[k]);
        size_t dn;
        struct ts_error e;
        if (iiif_percent_decode(s + start, n, bufs[k], sizeof(bufs[k]), &dn, &e) != 0)
            return ts_error_set(err, 400, "%s parameter: %s", names[k], e.msg);
        /* No parameter has '/', control characters or non-ASCII bytes; refusing them here also
         * keeps them out of the messages below, which quote the parameter. */
        for (size_t j = 0; j < dn; j++) {
            unsigned char c = (unsigned char)bufs[k][j];
            if (c == '/' || c < 0x20 || c >= 0x7F)
                return ts_error_set(err, 400, "%s parameter contains an encoded '/', a control character or a "
                                    "non-ASCII byte", names[k]);
        }
        segs[k].p = bufs[k];
        segs[k].n = dn;
        k++;
        start = i + 1;
    }
    if (k != 4)
        return ts_error_set(err, 400, "expected {region}/{size}/{rotation}/{quality}.{format}");
    if (parse_region(segs[0], &out->region, err) != 0)
        return -1;
    if (parse_size(version, segs[1], &out->size, err) != 0)
        return -1;
    if (parse_rotation(segs[2], &out->rotation, err) != 0)
        return -1;
    return parse_quality_format(segs[3], out, err);
}
