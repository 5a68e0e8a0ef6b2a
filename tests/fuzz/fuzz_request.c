/*
 * fuzz_request.c: libFuzzer target for the image-request parser and the plan.
 *
 * The input is the `{region}/{size}/{rotation}/{quality}.{format}` part of an
 * image URL, as it comes off the wire. It is parsed for Image API 2.1 and
 * 3.0. On success: the request, written back out by a small formatter here,
 * parses to the same values; and for a few image sizes and limit sets every
 * plan keeps its invariants (region inside the image, at least 1x1, within
 * the limits, no 3.0 enlargement without ^, degrees in [0, 360)) and its
 * canonical form parses and plans to the same pixels, with the same
 * canonical form again. On failure: a 400 with a one-line message.
 */
#include "fuzz.h"

#include "iiif/ident.h"
#include "iiif/plan.h"
#include "image/answer.h"
#include "iiif/request.h"

#include <math.h>
#include <string.h>

/* Image sizes to plan on. The widest is libvips's coordinate limit; wider images cannot be
 * opened, and their canonical coordinates could pass the parser's 10^9 bound. */
static const struct {
    uint32_t w, h;
} images[] = {{1, 1}, {1000, 800}, {800, 1000}, {7, 30000}, {65535, 3}, {100000000, 2}};

static const struct iiif_limits lims[] = {
    {10000, 10000, 100000000, false, false},
    {500, 400, 100000, true, true},
    {1, 1, 1, false, true},
    {2000, 100, 1000, false, false},
};

/* Appends `v` as a plain decimal that parse_decimal takes back (at most 24 characters, no exponent). */
static void add_decimal(struct ts_buf *b, double v)
{
    char s[64];
    int intdigits = v < 1 ? 0 : (int)floor(log10(v)) + 1;
    if (intdigits >= 23) {
        snprintf(s, sizeof(s), "%.0f", v);
    } else if (intdigits == 0) {
        snprintf(s, sizeof(s), "%.23f", v); /* "0.xxx": drop the 0 to keep 23 decimals */
        memmove(s, s + 1, strlen(s));
    } else {
        snprintf(s, sizeof(s), "%.*f", 23 - intdigits, v);
    }
    FUZZ_CHECK(ts_buf_adds(b, s) == 0);
}

/* Writes `r` back as URL parameters. */
static void format_req(const struct iiif_req *r, struct ts_buf *b)
{
    const struct iiif_region *g = &r->region;
    switch (g->kind) {
    case IIIF_REGION_FULL: ts_buf_adds(b, "full"); break;
    case IIIF_REGION_SQUARE: ts_buf_adds(b, "square"); break;
    case IIIF_REGION_PX: ts_buf_addf(b, "%u,%u,%u,%u", g->x, g->y, g->w, g->h); break;
    case IIIF_REGION_PCT:
        ts_buf_adds(b, "pct:");
        add_decimal(b, g->px);
        ts_buf_adds(b, ",");
        add_decimal(b, g->py);
        ts_buf_adds(b, ",");
        add_decimal(b, g->pw);
        ts_buf_adds(b, ",");
        add_decimal(b, g->ph);
        break;
    }
    const struct iiif_size *z = &r->size;
    ts_buf_adds(b, z->upscale ? "/^" : "/");
    switch (z->kind) {
    case IIIF_SIZE_MAX: ts_buf_adds(b, "max"); break;
    case IIIF_SIZE_FULL: ts_buf_adds(b, "full"); break;
    case IIIF_SIZE_W: ts_buf_addf(b, "%u,", z->w); break;
    case IIIF_SIZE_H: ts_buf_addf(b, ",%u", z->h); break;
    case IIIF_SIZE_PCT:
        ts_buf_adds(b, "pct:");
        add_decimal(b, z->pct);
        break;
    case IIIF_SIZE_WH: ts_buf_addf(b, "%u,%u", z->w, z->h); break;
    case IIIF_SIZE_CONFINED: ts_buf_addf(b, "!%u,%u", z->w, z->h); break;
    }
    ts_buf_adds(b, r->rotation.mirror ? "/!" : "/");
    add_decimal(b, r->rotation.degrees);
    ts_buf_addf(b, "/%s.%s", iiif_quality_name(r->quality), iiif_format_ext(r->format));
}

static int close_to(double a, double b)
{
    return fabs(a - b) <= 1e-9 * (1 + fabs(b));
}

/* Within 1e-9 of a bound the parser checks (0, 100, 360), where the formatter's rounding may cross it. */
static int near_bound(double v)
{
    return fabs(v) < 1e-9 || fabs(v - 100) < 1e-9 || fabs(v - 360) < 1e-9;
}

static void check_reparse(const struct iiif_req *r)
{
    struct ts_buf b;
    ts_buf_init(&b, 4096);
    format_req(r, &b);
    struct iiif_req q;
    struct ts_error err;
    if (iiif_req_parse(r->version, b.data, b.len, &q, &err) != 0) {
        int edge = (r->region.kind == IIIF_REGION_PCT &&
                    (near_bound(r->region.px) || near_bound(r->region.py) || near_bound(r->region.pw) ||
                     near_bound(r->region.ph))) ||
                   near_bound(r->rotation.degrees);
        if (!edge)
            fprintf(stderr, "formatted request '%s' refused: %s\n", b.data, err.msg);
        FUZZ_CHECK(edge);
        ts_buf_release(&b);
        return;
    }
    FUZZ_CHECK(q.version == r->version);
    FUZZ_CHECK(q.region.kind == r->region.kind);
    FUZZ_CHECK(q.region.x == r->region.x && q.region.y == r->region.y && q.region.w == r->region.w &&
               q.region.h == r->region.h);
    FUZZ_CHECK(close_to(q.region.px, r->region.px) && close_to(q.region.py, r->region.py) &&
               close_to(q.region.pw, r->region.pw) && close_to(q.region.ph, r->region.ph));
    FUZZ_CHECK(q.size.kind == r->size.kind && q.size.upscale == r->size.upscale);
    FUZZ_CHECK(q.size.w == r->size.w && q.size.h == r->size.h && close_to(q.size.pct, r->size.pct));
    FUZZ_CHECK(q.rotation.mirror == r->rotation.mirror && close_to(q.rotation.degrees, r->rotation.degrees));
    FUZZ_CHECK(q.quality == r->quality && q.format == r->format);
    ts_buf_release(&b);
}

static void check_plan(const struct iiif_req *r, uint32_t iw, uint32_t ih, const struct iiif_limits *lim)
{
    struct iiif_plan p;
    struct ts_error err;
    ts_error_clear(&err);
    if (iiif_plan_make(r, iw, ih, lim, &p, &err) != 0) {
        FUZZ_CHECK(err.status == 400);
        FUZZ_CHECK(fuzz_msg_ok(err.msg));
        return;
    }
    FUZZ_CHECK(p.w >= 1 && p.h >= 1);
    FUZZ_CHECK((uint64_t)p.x + p.w <= iw && (uint64_t)p.y + p.h <= ih);
    FUZZ_CHECK(p.width >= 1 && p.height >= 1);
    FUZZ_CHECK(p.width <= lim->max_width && p.height <= lim->max_height);
    FUZZ_CHECK((uint64_t)p.width * p.height <= lim->max_area);
    if (r->version == IIIF_V3 && !r->size.upscale)
        FUZZ_CHECK(p.width <= p.w && p.height <= p.h);
    FUZZ_CHECK(p.degrees >= 0 && p.degrees < 360);
    /* the answer as sent: at least 1x1, sides swapped by right angles, a box that holds the plan otherwise */
    uint32_t aw, ah;
    ts_answer_size(&p, &aw, &ah);
    FUZZ_CHECK(aw >= 1 && ah >= 1);
    if (p.degrees == 90 || p.degrees == 270)
        FUZZ_CHECK(aw == p.height && ah == p.width);
    else if (p.degrees == 0 || p.degrees == 180)
        FUZZ_CHECK(aw == p.width && ah == p.height);
    else
        FUZZ_CHECK((uint64_t)aw + 1 >= (p.width < p.height ? p.width : p.height) &&
                   (uint64_t)ah + 1 >= (p.width < p.height ? p.width : p.height));
    struct ts_error aerr;
    if (ts_answer_check(&p, lim, &aerr) != 0) {
        FUZZ_CHECK(aerr.status == 400 && fuzz_msg_ok(aerr.msg));
    } else {
        uint32_t side = ts_encoder_max_side(p.format);
        FUZZ_CHECK(side == 0 || (aw <= side && ah <= side));
    }
    FUZZ_CHECK(p.mirror == r->rotation.mirror && p.quality == r->quality && p.format == r->format);

    /* The canonical form means the same pixels, and is its own canonical form. */
    struct ts_buf c1, c2;
    ts_buf_init(&c1, 4096);
    ts_buf_init(&c2, 4096);
    FUZZ_CHECK(iiif_plan_canonical(&p, iw, ih, lim, &c1) == 0);
    struct iiif_req q;
    if (iiif_req_parse(r->version, c1.data, c1.len, &q, &err) != 0) {
        fprintf(stderr, "canonical '%s' refused: %s\n", c1.data, err.msg);
        FUZZ_CHECK(0);
    }
    struct iiif_plan p2;
    if (iiif_plan_make(&q, iw, ih, lim, &p2, &err) != 0) {
        fprintf(stderr, "canonical '%s' does not plan: %s\n", c1.data, err.msg);
        FUZZ_CHECK(0);
    }
    FUZZ_CHECK(p2.x == p.x && p2.y == p.y && p2.w == p.w && p2.h == p.h);
    FUZZ_CHECK(p2.width == p.width && p2.height == p.height);
    FUZZ_CHECK(p2.mirror == p.mirror && p2.quality == p.quality && p2.format == p.format);
    FUZZ_CHECK(iiif_plan_canonical(&p2, iw, ih, lim, &c2) == 0);
    if (strcmp(c1.data, c2.data) != 0) {
        fprintf(stderr, "canonical '%s' gives canonical '%s'\n", c1.data, c2.data);
        FUZZ_CHECK(0);
    }
    ts_buf_release(&c1);
    ts_buf_release(&c2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    for (int v = IIIF_V2; v <= IIIF_V3; v++) {
        struct iiif_req r;
        struct ts_error err;
        ts_error_clear(&err);
        if (iiif_req_parse((enum iiif_version)v, s, size, &r, &err) != 0) {
            FUZZ_CHECK(err.status == 400);
            FUZZ_CHECK(fuzz_msg_ok(err.msg));
            continue;
        }
        FUZZ_CHECK(r.version == (enum iiif_version)v);
        FUZZ_CHECK(v == IIIF_V3 || !r.size.upscale);
        FUZZ_CHECK(v == IIIF_V2 || r.size.kind != IIIF_SIZE_FULL);
        FUZZ_CHECK(r.rotation.degrees >= 0 && r.rotation.degrees <= 360);
        check_reparse(&r);
        for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
            for (size_t k = 0; k < sizeof(lims) / sizeof(lims[0]); k++)
                check_plan(&r, images[i].w, images[i].h, &lims[k]);
        }
    }
    return 0;
}
