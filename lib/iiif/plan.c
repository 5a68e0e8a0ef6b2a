/*
 * plan.c: region, size and rotation maths for Image API 2.1 and 3.0.
 *
 * Rounding: sizes derived from another dimension round to nearest, computed
 * in 64-bit integers so that results never depend on floating point; only
 * percentages (which are decimals in the URL) go through doubles.
 */
#include "iiif/plan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* round(a * b / c) for non-negative values, c > 0, in 64 bits */
static uint64_t muldiv_round(uint64_t a, uint64_t b, uint64_t c)
{
    return (a * b * 2 + c) / (c * 2);
}

static uint32_t at_least_1(uint64_t v)
{
    return v == 0 ? 1 : (uint32_t)v;
}

void iiif_max_size(uint32_t w, uint32_t h, const struct iiif_limits *lim, bool upscale, uint32_t *out_w,
                   uint32_t *out_h)
{
    uint64_t ow = w, oh = h;
    double scale = upscale ? INFINITY : 1.0;
    scale = fmin(scale, (double)lim->max_width / w);
    scale = fmin(scale, (double)lim->max_height / h);
    scale = fmin(scale, sqrt((double)lim->max_area / ((double)w * h)));
    if (scale != 1.0) {
        /* The binding dimension gets its limit exactly; the other follows. */
        if (scale == (double)lim->max_width / w) {
            ow = lim->max_width;
            oh = muldiv_round(h, ow, w);
        } else if (scale == (double)lim->max_height / h) {
            oh = lim->max_height;
            ow = muldiv_round(w, oh, h);
        } else {
            ow = (uint64_t)floor(w * scale);
            oh = (uint64_t)floor(h * scale);
        }
    }
    ow = at_least_1(ow);
    oh = at_least_1(oh);
    /* Rounding may push one side a pixel over a limit: pull it back. */
    if (ow > lim->max_width)
        ow = lim->max_width;
    if (oh > lim->max_height)
        oh = lim->max_height;
    while (ow * oh > lim->max_area && ow > 1 && oh > 1) {
        if (ow >= oh) {
            ow--;
            oh = at_least_1(muldiv_round(h, ow, w));
        } else {
            oh--;
            ow = at_least_1(muldiv_round(w, oh, h));
        }
    }
    /* A one-pixel-thin result can only get shorter: its length alone must fit the area. */
    if (ow * oh > lim->max_area) {
        if (ow == 1)
            oh = lim->max_area;
        else
            ow = lim->max_area;
    }
    *out_w = (uint32_t)ow;
    *out_h = (uint32_t)oh;
}

static int make_region(const struct iiif_region *r, uint32_t iw, uint32_t ih, struct iiif_plan *p,
                       struct ts_error *err)
{
    switch (r->kind) {
    case IIIF_REGION_FULL:
        p->x = p->y = 0;
        p->w = iw;
        p->h = ih;
        return 0;
    case IIIF_REGION_SQUARE:
        if (iw >= ih) {
            p->x = (iw - ih) / 2;
            p->y = 0;
            p->w = p->h = ih;
        } else {
            p->x = 0;
            p->y = (ih - iw) / 2;
            p->w = p->h = iw;
        }
        return 0;
    case IIIF_REGION_PX:
        if (r->x >= iw || r->y >= ih)
            return ts_error_set(err, 400, "region %u,%u,%u,%u is outside the image (%ux%u)", r->x, r->y, r->w, r->h,
                                iw, ih);
        p->x = r->x;
        p->y = r->y;
        p->w = r->w < iw - r->x ? r->w : iw - r->x;
        p->h = r->h < ih - r->y ? r->h : ih - r->y;
        return 0;
    case IIIF_REGION_PCT: {
        /* Start and end round to the nearest pixel; past the edge is cropped. */
        double x0 = r->px * iw / 100.0, y0 = r->py * ih / 100.0;
        double x1 = fmin((r->px + r->pw) * iw / 100.0, iw), y1 = fmin((r->py + r->ph) * ih / 100.0, ih);
        if (x0 >= iw || y0 >= ih)
            return ts_error_set(err, 400, "region pct:%g,%g,%g,%g is outside the image", r->px, r->py, r->pw, r->ph);
        uint64_t x = (uint64_t)llround(x0), y = (uint64_t)llround(y0);
        if (x >= iw) /* 99.96% of 1000 px still starts inside */
            x = iw - 1;
        if (y >= ih)
            y = ih - 1;
        uint64_t xe = (uint64_t)llround(x1), ye = (uint64_t)llround(y1);
        p->x = (uint32_t)x;
        p->y = (uint32_t)y;
        p->w = at_least_1(xe > x ? xe - x : 0);
        p->h = at_least_1(ye > y ? ye - y : 0);
        if (p->x + p->w > iw)
            p->w = iw - p->x;
        if (p->y + p->h > ih)
            p->h = ih - p->y;
        return 0;
    }
    }
    return ts_error_set(err, 400, "unknown region");
}

static int over_limits(uint64_t w, uint64_t h, const struct iiif_limits *lim)
{
    return w > lim->max_width || h > lim->max_height || w * h > lim->max_area;
}

static int make_size(const struct iiif_req *r, const struct iiif_limits *lim, struct iiif_plan *p,
                     struct ts_error *err)
{
    const struct iiif_size *z = &r->size;
    uint64_t rw = p->w, rh = p->h, ow = 0, oh = 0;
    /* 3.0 refuses enlargement without ^; 2.1 allows it (sizeAboveFull). */
    bool may_enlarge = z->upscale || r->version == IIIF_V2;

    switch (z->kind) {
    case IIIF_SIZE_MAX: {
        uint32_t mw, mh;
        iiif_max_size(p->w, p->h, lim, z->upscale && lim->upscale_max_to_limits, &mw, &mh);
        p->width = mw;
        p->height = mh;
        return 0;
    }
    case IIIF_SIZE_FULL:
        ow = rw;
        oh = rh;
        if (over_limits(ow, oh, lim))
            return ts_error_set(err, 400,
                                "size full: the region is %llux%llu, over this server's limits (%u wide, %u high, "
                                "%llu pixels); ask for max instead",
                                (unsigned long long)rw, (unsigned long long)rh, lim->max_width, lim->max_height,
                                (unsigned long long)lim->max_area);
        break;
    case IIIF_SIZE_W:
        ow = z->w;
        oh = at_least_1(muldiv_round(rh, z->w, rw));
        break;
    case IIIF_SIZE_H:
        oh = z->h;
        ow = at_least_1(muldiv_round(rw, z->h, rh));
        break;
    case IIIF_SIZE_PCT:
        if (z->pct > 100 && !may_enlarge)
            return ts_error_set(err, 400, "size pct:%g is over 100; use ^pct:%g to enlarge", z->pct, z->pct);
        if (z->pct > 100000)
            return ts_error_set(err, 400, "size pct:%g is too large", z->pct);
        ow = (uint64_t)llround(rw * z->pct / 100.0);
        oh = (uint64_t)llround(rh * z->pct / 100.0);
        break;
    case IIIF_SIZE_WH:
        ow = z->w;
        oh = z->h;
        break;
    case IIIF_SIZE_CONFINED: {
        if (z->w * rh <= z->h * rw) {
            ow = z->w;
            oh = muldiv_round(rh, z->w, rw);
        } else {
            oh = z->h;
            ow = muldiv_round(rw, z->h, rh);
        }
        ow = at_least_1(ow);
        oh = at_least_1(oh);
        if (!z->upscale && (ow > rw || oh > rh)) {
            if (r->version == IIIF_V3 && lim->confined_strict)
                return ts_error_set(err, 400, "size !%u,%u is larger than the %llux%llu region; use ^!%u,%u to enlarge",
                                    z->w, z->h, (unsigned long long)rw, (unsigned long long)rh, z->w, z->h);
            ow = rw;
            oh = rh;
        }
        if (over_limits(ow, oh, lim)) {
            uint32_t mw, mh;
            iiif_max_size((uint32_t)ow, (uint32_t)oh, lim, false, &mw, &mh);
            ow = mw;
            oh = mh;
        }
        p->width = (uint32_t)ow;
        p->height = (uint32_t)oh;
        return 0;
    }
    }
    if (ow == 0 || oh == 0)
        return ts_error_set(err, 400, "the requested size gives an image under 1 pixel");
    if (!may_enlarge && (ow > rw || oh > rh))
        return ts_error_set(err, 400,
                            "size %llux%llu is larger than the %llux%llu region; Image API 3.0 needs the ^ prefix "
                            "to enlarge",
                            (unsigned long long)ow, (unsigned long long)oh, (unsigned long long)rw,
                            (unsigned long long)rh);
    if (over_limits(ow, oh, lim))
        return ts_error_set(err, 400, "size %llux%llu is over this server's limits (%u wide, %u high, %llu pixels)",
                            (unsigned long long)ow, (unsigned long long)oh, lim->max_width, lim->max_height,
                            (unsigned long long)lim->max_area);
    p->width = (uint32_t)ow;
    p->height = (uint32_t)oh;
    return 0;
}

int iiif_plan_make(const struct iiif_req *r, uint32_t img_w, uint32_t img_h, const struct iiif_limits *lim,
                   struct iiif_plan *p, struct ts_error *err)
{
    memset(p, 0, sizeof(*p));
    if (img_w == 0 || img_h == 0)
        return ts_error_set(err, 500, "image has no pixels");
    p->version = r->version;
    p->mirror = r->rotation.mirror;
    p->degrees = r->rotation.degrees >= 360 ? 0 : r->rotation.degrees;
    p->quality = r->quality;
    p->format = r->format;
    if (make_region(&r->region, img_w, img_h, p, err) != 0)
        return -1;
    return make_size(r, lim, p, err);
}

int iiif_format_decimal(double v, struct ts_buf *out)
{
    char s[64];
    snprintf(s, sizeof(s), "%.6f", v);
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '0')
        n--;
    if (n > 0 && s[n - 1] == '.')
        n--;
    return ts_buf_add(out, s, n);
}

int iiif_plan_canonical(const struct iiif_plan *p, uint32_t img_w, uint32_t img_h, const struct iiif_limits *lim,
                        struct ts_buf *out)
{
    int rc = 0;
    if (p->x == 0 && p->y == 0 && p->w == img_w && p->h == img_h)
        rc |= ts_buf_adds(out, "full/");
    else
        rc |= ts_buf_addf(out, "%u,%u,%u,%u/", p->x, p->y, p->w, p->h);

    if (p->version == IIIF_V3) {
        uint32_t mw, mh;
        iiif_max_size(p->w, p->h, lim, false, &mw, &mh);
        bool up = p->width > p->w || p->height > p->h;
        if (p->width == mw && p->height == mh) {
            rc |= ts_buf_adds(out, "max/");
        } else if (up) {
            uint32_t uw, uh;
            iiif_max_size(p->w, p->h, lim, true, &uw, &uh);
            if (lim->upscale_max_to_limits && p->width == uw && p->height == uh)
                rc |= ts_buf_adds(out, "^max/");
            else
                rc |= ts_buf_addf(out, "^%u,%u/", p->width, p->height);
        } else {
            rc |= ts_buf_addf(out, "%u,%u/", p->width, p->height);
        }
    } else {
        if (p->width == p->w && p->height == p->h)
            rc |= ts_buf_adds(out, "full/");
        else if (p->height == at_least_1(muldiv_round(p->h, p->width, p->w)))
            rc |= ts_buf_addf(out, "%u,/", p->width);
        else
            rc |= ts_buf_addf(out, "%u,%u/", p->width, p->height);
    }
    if (p->mirror)
        rc |= ts_buf_adds(out, "!");
    /* Degrees are written with 6 decimals (iiif_format_decimal); one that rounds up to 360 is 0. */
    char deg[32];
    snprintf(deg, sizeof(deg), "%.6f", p->degrees);
    rc |= iiif_format_decimal(strcmp(deg, "360.000000") == 0 ? 0 : p->degrees, out);
    rc |= ts_buf_addf(out, "/%s.%s", iiif_quality_name(p->quality), iiif_format_ext(p->format));
    return rc ? -1 : 0;
}
