/*
 * test_plan.c: unit tests for lib/iiif/plan.c (region, size and rotation
 * maths, and the canonical form).
 *
 * A table of requests on given images and limits with the exact plan and
 * canonical URI expected (values worked out by hand, see the comments), then
 * an oracle test: a few thousand random requests from a fixed-seed generator,
 * each compared with a slow, straightforward double-precision reference
 * written here, with the plan's invariants checked on every success and the
 * canonical form re-parsed and re-planned to the same result.
 */
#include "iiif/plan.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "t.h"

#define V2 IIIF_V2
#define V3 IIIF_V3

/* Limit sets used by the tables. */
enum { L0, LS, LW, LH, LWH, LA, LSTRICT, LUP, LUP2, LUPS, N_LIMITS };
static const struct iiif_limits limits[N_LIMITS] = {
    [L0] = {10000, 10000, 100000000, false, false},      /* the defaults */
    [LS] = {500, 400, 100000, false, false},             /* small: the area binds on 1000x800 */
    [LW] = {500, 10000, 100000000, false, false},        /* the width binds */
    [LH] = {10000, 200, 100000000, false, false},        /* the height binds */
    [LWH] = {500, 400, 100000000, false, false},         /* both sides bind at once on 1000x800 */
    [LA] = {10000, 10000, 1000, false, false},           /* a tiny area */
    [LSTRICT] = {10000, 10000, 100000000, true, false},  /* confined_strict */
    [LUP] = {10000, 10000, 100000000, false, true},      /* upscale_max_to_limits */
    [LUP2] = {2000, 2000, 100000000, false, true},
    [LUPS] = {500, 400, 100000000, false, true},
};

/* Parses `params` for `ver` and plans it; returns the plan's rc (or the parser's). */
static int plan(int ver, const char *params, uint32_t iw, uint32_t ih, const struct iiif_limits *lim,
                struct iiif_plan *p, struct ts_error *err)
{
    struct iiif_req r;
    ts_error_clear(err);
    memset(p, 0, sizeof(*p));
    if (iiif_req_parse((enum iiif_version)ver, params, strlen(params), &r, err) != 0)
        return -2;
    return iiif_plan_make(&r, iw, ih, lim, p, err);
}

static int canonical(const struct iiif_plan *p, uint32_t iw, uint32_t ih, const struct iiif_limits *lim, char *out,
                     size_t cap)
{
    struct ts_buf b;
    ts_buf_init(&b, 4096);
    int rc = iiif_plan_canonical(p, iw, ih, lim, &b);
    snprintf(out, cap, "%s", b.data ? b.data : "");
    ts_buf_release(&b);
    return rc;
}

/*
 * Re-parses the canonical form `canon` of plan `p` and plans it again: the
 * result must be the same pixels, and its canonical form the same string.
 * Returns 1 when all holds; otherwise prints why (with `ctx`).
 */
static int canonical_is_stable(const struct iiif_plan *p, const char *canon, uint32_t iw, uint32_t ih,
                               const struct iiif_limits *lim, const char *ctx)
{
    struct iiif_plan q;
    struct ts_error err;
    int rc = plan(p->version, canon, iw, ih, lim, &q, &err);
    if (rc != 0) {
        printf("# %s: canonical '%s' refused: %s\n", ctx, canon, err.msg);
        return 0;
    }
    char again[512];
    canonical(&q, iw, ih, lim, again, sizeof(again));
    int same = q.x == p->x && q.y == p->y && q.w == p->w && q.h == p->h && q.width == p->width &&
               q.height == p->height && q.mirror == p->mirror && q.quality == p->quality && q.format == p->format &&
               fabs(q.degrees - p->degrees) < 1e-6 + (p->degrees > 359 ? 360 : 0) && strcmp(again, canon) == 0;
    if (!same)
        printf("# %s: canonical '%s' plans to %u,%u,%u,%u %ux%u (want %u,%u,%u,%u %ux%u), canonical again '%s'\n",
               ctx, canon, q.x, q.y, q.w, q.h, q.width, q.height, p->x, p->y, p->w, p->h, p->width, p->height, again);
    return same;
}

static const struct {
    int ver;
    uint32_t iw, ih;
    int lim;
    const char *params;
    int status;              /* 0 or the error status */
    uint32_t x, y, w, h;     /* region */
    uint32_t width, height;  /* size */
    const char *canon;       /* canonical form, or a word of the error message */
} cases[] = {
    /* region: full, square on landscape / portrait / square / odd difference */
    {V3, 1000, 800, L0, "full/max/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/default.jpg"},
    {V3, 1000, 800, L0, "square/max/0/default.jpg", 0, 100, 0, 800, 800, 800, 800,
     "100,0,800,800/max/0/default.jpg"},
    {V3, 800, 1000, L0, "square/max/0/default.jpg", 0, 0, 100, 800, 800, 800, 800,
     "0,100,800,800/max/0/default.jpg"},
    {V3, 500, 500, L0, "square/max/0/default.jpg", 0, 0, 0, 500, 500, 500, 500, "full/max/0/default.jpg"},
    {V3, 1001, 800, L0, "square/max/0/default.jpg", 0, 100, 0, 800, 800, 800, 800,
     "100,0,800,800/max/0/default.jpg"},
    {V3, 1, 1, L0, "square/max/0/default.jpg", 0, 0, 0, 1, 1, 1, 1, "full/max/0/default.jpg"},
    {V2, 500, 500, L0, "square/full/0/default.jpg", 0, 0, 0, 500, 500, 500, 500, "full/full/0/default.jpg"},
    /* region: pixels, clipped at the edges */
    {V3, 1000, 800, L0, "10,20,30,40/max/0/default.jpg", 0, 10, 20, 30, 40, 30, 40,
     "10,20,30,40/max/0/default.jpg"},
    {V3, 1000, 800, L0, "900,700,500,500/max/0/default.jpg", 0, 900, 700, 100, 100, 100, 100,
     "900,700,100,100/max/0/default.jpg"},
    {V3, 1000, 800, L0, "999,799,10,10/max/0/default.jpg", 0, 999, 799, 1, 1, 1, 1, "999,799,1,1/max/0/default.jpg"},
    {V3, 1000, 800, L0, "0,0,5000,5000/max/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/default.jpg"},
    {V3, 1000, 800, L0, "0,0,1000000000,1000000000/max/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800,
     "full/max/0/default.jpg"},
    {V3, 1000, 800, L0, "1000,0,10,10/max/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "outside"},
    {V3, 1000, 800, L0, "0,800,10,10/max/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "outside"},
    {V3, 1000, 800, L0, "1000000000,0,1,1/max/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "outside"},
    /* region: percentages. 10% of 1000 = 100, of 800 = 80; 60% = 600, 480. */
    {V3, 1000, 800, L0, "pct:10,10,50,50/max/0/default.jpg", 0, 100, 80, 500, 400, 500, 400,
     "100,80,500,400/max/0/default.jpg"},
    /* 33.3% of 999 = 332.667 -> 333, 66.6% = 665.334 -> 665 (w 332); of 777: 258.741 -> 259, 517.482 -> 517 */
    {V3, 999, 777, L0, "pct:33.3,33.3,33.3,33.3/max/0/default.jpg", 0, 333, 259, 332, 258, 332, 258,
     "333,259,332,258/max/0/default.jpg"},
    /* 15% of 10 = 1.5 -> 2 (half away from zero), 65% = 6.5 -> 7 */
    {V3, 10, 10, L0, "pct:15,15,50,50/max/0/default.jpg", 0, 2, 2, 5, 5, 5, 5, "2,2,5,5/max/0/default.jpg"},
    {V3, 1000, 800, L0, "pct:12.5,12.5,25,25/max/0/default.jpg", 0, 125, 100, 250, 200, 250, 200,
     "125,100,250,200/max/0/default.jpg"},
    {V3, 1000, 800, L0, "pct:0,0,100,100/max/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/default.jpg"},
    {V3, 1000, 800, L0, "pct:50,50,100,100/max/0/default.jpg", 0, 500, 400, 500, 400, 500, 400,
     "500,400,500,400/max/0/default.jpg"},
    /* a region under a pixel is one pixel */
    {V3, 1000, 800, L0, "pct:0,0,0.01,0.01/max/0/default.jpg", 0, 0, 0, 1, 1, 1, 1, "0,0,1,1/max/0/default.jpg"},
    {V3, 1000, 800, L0, "pct:100,0,10,10/max/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "outside"},
    {V3, 1000, 800, L0, "pct:0,100,10,10/max/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "outside"},
    /* 99.99% of 1000 = 999.9, which rounds to 1000: outside */
    {V3, 1000, 800, L0, "pct:99.99,0,10,10/max/0/default.jpg", 0, 999, 0, 1, 80, 1, 80,
     "999,0,1,80/max/0/default.jpg"},
    {V3, 1000, 800, L0, "pct:0,0,150,100/max/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/default.jpg"},
    {V3, 1000, 800, L0, "pct:90,0,1000,10/max/0/default.jpg", 0, 900, 0, 100, 80, 100, 80,
     "900,0,100,80/max/0/default.jpg"},
    {V2, 1000, 800, L0, "pct:0,0,100.5,100/full/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/full/0/default.jpg"},
    {V3, 1000, 800, L0, "pct:101,0,10,10/max/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "outside"},
    {V3, 1000, 800, L0, "pct:99.9,0,10,10/max/0/default.jpg", 0, 999, 0, 1, 80, 1, 80,
     "999,0,1,80/max/0/default.jpg"},
    /* size, 3.0 */
    {V3, 1000, 800, L0, "full/500,/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/500,400/0/default.jpg"},
    {V3, 1000, 800, L0, "full/,400/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/500,400/0/default.jpg"},
    /* 800 * 333 / 1000 = 266.4 -> 266 */
    {V3, 1000, 800, L0, "full/333,/0/default.jpg", 0, 0, 0, 1000, 800, 333, 266, "full/333,266/0/default.jpg"},
    /* 1000 * 267 / 800 = 333.75 -> 334 */
    {V3, 1000, 800, L0, "full/,267/0/default.jpg", 0, 0, 0, 1000, 800, 334, 267, "full/334,267/0/default.jpg"},
    {V3, 1000, 800, L0, "full/pct:50/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/500,400/0/default.jpg"},
    /* 333.3 -> 333, 266.64 -> 267 */
    {V3, 1000, 800, L0, "full/pct:33.33/0/default.jpg", 0, 0, 0, 1000, 800, 333, 267, "full/333,267/0/default.jpg"},
    {V3, 1000, 800, L0, "full/pct:100/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/default.jpg"},
    {V3, 1000, 800, L0, "full/500,500/0/default.jpg", 0, 0, 0, 1000, 800, 500, 500, "full/500,500/0/default.jpg"},
    {V3, 1000, 800, L0, "full/!500,500/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/500,400/0/default.jpg"},
    /* 1000 * 100 / 800 = 125 */
    {V3, 1000, 800, L0, "full/!500,100/0/default.jpg", 0, 0, 0, 1000, 800, 125, 100, "full/125,100/0/default.jpg"},
    {V3, 1000, 800, L0, "full/1000,800/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/default.jpg"},
    {V3, 1000, 800, L0, "full/1000,/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/default.jpg"},
    /* 3.0: larger than the region without ^ is a 400 */
    {V3, 1000, 800, L0, "full/1001,/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "^"},
    {V3, 1000, 800, L0, "full/,801/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "^"},
    {V3, 1000, 800, L0, "full/pct:100.1/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "^pct"},
    {V3, 1000, 800, L0, "full/1001,800/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "^"},
    {V3, 1000, 800, L0, "full/1000,801/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "^"},
    {V3, 1000, 800, L0, "10,20,30,40/60,/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "^"},
    /* 3.0 ^: 800 * 1001 / 1000 = 800.8 -> 801 */
    {V3, 1000, 800, L0, "full/^1001,/0/default.jpg", 0, 0, 0, 1000, 800, 1001, 801, "full/^1001,801/0/default.jpg"},
    {V3, 1000, 800, L0, "full/^pct:150/0/default.jpg", 0, 0, 0, 1000, 800, 1500, 1200,
     "full/^1500,1200/0/default.jpg"},
    {V3, 1000, 800, L0, "full/^2000,100/0/default.jpg", 0, 0, 0, 1000, 800, 2000, 100, "full/^2000,100/0/default.jpg"},
    {V3, 1000, 800, L0, "full/^500,/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/500,400/0/default.jpg"},
    {V3, 1000, 800, L0, "10,20,30,40/^60,/0/default.jpg", 0, 10, 20, 30, 40, 60, 80,
     "10,20,30,40/^60,80/0/default.jpg"},
    {V3, 1000, 800, L0, "full/^!2000,2000/0/default.jpg", 0, 0, 0, 1000, 800, 2000, 1600,
     "full/^2000,1600/0/default.jpg"},
    {V3, 1000, 800, L0, "full/^pct:1000/0/default.jpg", 0, 0, 0, 1000, 800, 10000, 8000,
     "full/^10000,8000/0/default.jpg"},
    {V3, 1000, 800, LUP, "full/^pct:1000/0/default.jpg", 0, 0, 0, 1000, 800, 10000, 8000,
     "full/^max/0/default.jpg"},
    /* ^max: the region's size, or up to the limits with upscale_max_to_limits */
    {V3, 1000, 800, L0, "full/^max/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/default.jpg"},
    {V3, 1000, 800, LUP, "full/^max/0/default.jpg", 0, 0, 0, 1000, 800, 10000, 8000, "full/^max/0/default.jpg"},
    {V3, 1000, 800, LUP2, "full/^max/0/default.jpg", 0, 0, 0, 1000, 800, 2000, 1600, "full/^max/0/default.jpg"},
    {V3, 1000, 800, LUP, "full/max/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/default.jpg"},
    {V3, 1000, 800, LUPS, "full/^max/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/max/0/default.jpg"},
    /* !w,h larger than the region: fitted to the region, or 400 with confined_strict */
    {V3, 1000, 800, L0, "full/!2000,2000/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/default.jpg"},
    {V3, 1000, 800, LSTRICT, "full/!2000,2000/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "^!2000,2000"},
    /* box 2000x500: the height binds, 1000 * 500 / 800 = 625 */
    {V3, 1000, 800, LSTRICT, "full/!2000,500/0/default.jpg", 0, 0, 0, 1000, 800, 625, 500,
     "full/625,500/0/default.jpg"},
    {V2, 1000, 800, LSTRICT, "full/!2000,2000/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800,
     "full/full/0/default.jpg"},
    /* results under one pixel */
    {V3, 1000, 800, L0, "full/pct:0.01/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "1 pixel"},
    {V3, 1000, 800, L0, "full/pct:0/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "1 pixel"},
    {V2, 1000, 800, L0, "full/pct:0.04/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "1 pixel"},
    /* 100 * 1 / 1000 = 0.1, shown as 1 px */
    {V3, 1000, 100, L0, "full/1,/0/default.jpg", 0, 0, 0, 1000, 100, 1, 1, "full/1,1/0/default.jpg"},
    {V3, 1000, 100, L0, "full/!1,1/0/default.jpg", 0, 0, 0, 1000, 100, 1, 1, "full/1,1/0/default.jpg"},
    {V3, 100, 1000, L0, "full/,1/0/default.jpg", 0, 0, 0, 100, 1000, 1, 1, "full/1,1/0/default.jpg"},
    {V3, 1000, 800, L0, "square/pct:50/0/default.jpg", 0, 100, 0, 800, 800, 400, 400,
     "100,0,800,800/400,400/0/default.jpg"},
    /* size, 2.1 */
    {V2, 1000, 800, L0, "full/full/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/full/0/default.jpg"},
    {V2, 1000, 800, L0, "full/max/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/full/0/default.jpg"},
    {V2, 1000, 800, L0, "full/500,/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/500,/0/default.jpg"},
    {V2, 1000, 800, L0, "full/500,400/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/500,/0/default.jpg"},
    {V2, 1000, 800, L0, "full/,400/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/500,/0/default.jpg"},
    {V2, 1000, 800, L0, "full/500,500/0/default.jpg", 0, 0, 0, 1000, 800, 500, 500, "full/500,500/0/default.jpg"},
    {V2, 1000, 800, L0, "full/333,/0/default.jpg", 0, 0, 0, 1000, 800, 333, 266, "full/333,/0/default.jpg"},
    /* 267 is not what 333, gives (266): w,h */
    {V2, 1000, 800, L0, "full/pct:33.33/0/default.jpg", 0, 0, 0, 1000, 800, 333, 267, "full/333,267/0/default.jpg"},
    {V2, 1000, 800, L0, "full/!500,500/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/500,/0/default.jpg"},
    /* 2.1 allows sizes above the region (sizeAboveFull) */
    {V2, 1000, 800, L0, "full/1500,/0/default.jpg", 0, 0, 0, 1000, 800, 1500, 1200, "full/1500,/0/default.jpg"},
    {V2, 1000, 800, L0, "full/pct:150/0/default.jpg", 0, 0, 0, 1000, 800, 1500, 1200, "full/1500,/0/default.jpg"},
    {V2, 1000, 800, L0, "full/2000,100/0/default.jpg", 0, 0, 0, 1000, 800, 2000, 100, "full/2000,100/0/default.jpg"},
    /* Current behaviour: 2.1 !w,h never enlarges (the spec leaves the scale to the server). */
    {V2, 1000, 800, L0, "full/!2000,2000/0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/full/0/default.jpg"},
    {V2, 1000, 800, L0, "10,20,30,40/full/0/default.jpg", 0, 10, 20, 30, 40, 30, 40,
     "10,20,30,40/full/0/default.jpg"},
    {V2, 1000, 800, L0, "pct:10,10,50,50/full/0/default.jpg", 0, 100, 80, 500, 400, 500, 400,
     "100,80,500,400/full/0/default.jpg"},
    {V2, 20000, 10000, L0, "full/full/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "max"},
    {V2, 20000, 10000, L0, "full/max/0/default.jpg", 0, 0, 0, 20000, 10000, 10000, 5000,
     "full/10000,/0/default.jpg"},
    {V2, 1000, 800, L0, "full/pct:100001/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "too large"},
    {V3, 1000, 800, L0, "full/^pct:100001/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "too large"},
    /* limits: max is scaled down. LS on 1000x800: the area binds, scale sqrt(0.125) = 0.35355:
     * floor(353.55) = 353, floor(282.84) = 282 */
    {V3, 1000, 800, LS, "full/max/0/default.jpg", 0, 0, 0, 1000, 800, 353, 282, "full/max/0/default.jpg"},
    {V3, 1000, 800, LW, "full/max/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/max/0/default.jpg"},
    /* LH: 200 high, 1000 * 200 / 800 = 250 */
    {V3, 1000, 800, LH, "full/max/0/default.jpg", 0, 0, 0, 1000, 800, 250, 200, "full/max/0/default.jpg"},
    {V3, 1000, 800, LWH, "full/max/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/max/0/default.jpg"},
    /* LA (area 1000): sqrt(1000 / 800000) = 0.035355: floor(35.36) = 35, floor(28.28) = 28 */
    {V3, 1000, 800, LA, "full/max/0/default.jpg", 0, 0, 0, 1000, 800, 35, 28, "full/max/0/default.jpg"},
    /* a one-pixel-wide strip: the height alone must fit the area */
    {V3, 1, 1000000, LA, "full/max/0/default.jpg", 0, 0, 0, 1, 1000000, 1, 1000, "full/max/0/default.jpg"},
    {V3, 1000000, 1, LA, "full/max/0/default.jpg", 0, 0, 0, 1000000, 1, 1000, 1, "full/max/0/default.jpg"},
    {V2, 1000000, 1, LA, "full/max/0/default.jpg", 0, 0, 0, 1000000, 1, 1000, 1, "full/1000,/0/default.jpg"},
    /* explicit sizes over the limits are a 400 */
    {V3, 1000, 800, LW, "full/600,/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "limits"},
    {V3, 1000, 800, LH, "full/,201/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "limits"},
    {V3, 1000, 800, LS, "full/400,300/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "limits"},
    {V3, 1000, 800, L0, "full/^20000,10/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "limits"},
    {V2, 1000, 800, LW, "full/full/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "limits"},
    {V2, 1000, 800, LW, "full/pct:60/0/default.jpg", 400, 0, 0, 0, 0, 0, 0, "limits"},
    {V3, 1000, 800, LS, "full/300,300/0/default.jpg", 0, 0, 0, 1000, 800, 300, 300, "full/300,300/0/default.jpg"},
    {V3, 1000, 800, LW, "full/500,/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/max/0/default.jpg"},
    {V3, 1000, 800, LW, "full/250,/0/default.jpg", 0, 0, 0, 1000, 800, 250, 200, "full/250,200/0/default.jpg"},
    {V2, 1000, 800, LW, "full/max/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/500,/0/default.jpg"},
    /* !w,h fits inside the limits: the region's 1000x800 scaled into LS is max */
    {V3, 1000, 800, LS, "full/!2000,2000/0/default.jpg", 0, 0, 0, 1000, 800, 353, 282, "full/max/0/default.jpg"},
    /* 600x480 into 500x400: both ratios are 5/6 -> 500x400 */
    {V3, 1000, 800, LWH, "full/!600,600/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/max/0/default.jpg"},
    {V3, 1000, 800, LWH, "full/^!4000,4000/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/max/0/default.jpg"},
    {V2, 1000, 800, LWH, "full/!600,600/0/default.jpg", 0, 0, 0, 1000, 800, 500, 400, "full/500,/0/default.jpg"},
    /* rotation: 360 is 0, integers where possible, ! for mirroring */
    {V3, 1000, 800, L0, "full/max/360/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/default.jpg"},
    {V3, 1000, 800, L0, "full/max/!360/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/!0/default.jpg"},
    {V3, 1000, 800, L0, "full/max/22.5/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/22.5/default.jpg"},
    {V3, 1000, 800, L0, "full/max/90.0/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/90/default.jpg"},
    {V3, 1000, 800, L0, "full/max/!90/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/!90/default.jpg"},
    {V3, 1000, 800, L0, "full/max/0.0000001/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/default.jpg"},
    {V3, 1000, 800, L0, "full/max/123.4567891/default.jpg", 0, 0, 0, 1000, 800, 1000, 800,
     "full/max/123.456789/default.jpg"},
    {V3, 1000, 800, L0, "full/max/359.9999999/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/default.jpg"},
    {V2, 1000, 800, L0, "full/full/!360/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/full/!0/default.jpg"},
    {V2, 1000, 800, L0, "full/full/270/default.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/full/270/default.jpg"},
    /* quality and format pass through */
    {V3, 1000, 800, L0, "full/max/0/gray.png", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/gray.png"},
    {V3, 1000, 800, L0, "full/max/0/color.jpg", 0, 0, 0, 1000, 800, 1000, 800, "full/max/0/color.jpg"},
    {V2, 1000, 800, L0, "full/full/0/bitonal.webp", 0, 0, 0, 1000, 800, 1000, 800, "full/full/0/bitonal.webp"},
    /* an image without pixels is the server's problem */
    {V3, 0, 800, L0, "full/max/0/default.jpg", 500, 0, 0, 0, 0, 0, 0, "no pixels"},
    {V3, 1000, 0, L0, "full/max/0/default.jpg", 500, 0, 0, 0, 0, 0, 0, "no pixels"},
};

static void test_table(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct iiif_limits *lim = &limits[cases[i].lim];
        char ctx[160];
        snprintf(ctx, sizeof(ctx), "v%d %ux%u lim %d '%s'", cases[i].ver, cases[i].iw, cases[i].ih, cases[i].lim,
                 cases[i].params);
        struct iiif_plan p;
        struct ts_error err;
        int rc = plan(cases[i].ver, cases[i].params, cases[i].iw, cases[i].ih, lim, &p, &err);
        T_CHECK(rc != -2, "%s: parse failed: %s", ctx, err.msg);
        if (rc == -2)
            continue;
        if (cases[i].status != 0) {
            T_CHECK(rc == -1, "%s: accepted as %u,%u,%u,%u %ux%u", ctx, p.x, p.y, p.w, p.h, p.width, p.height);
            T_CHECK(err.status == cases[i].status, "%s: status %d, want %d", ctx, err.status, cases[i].status);
            T_CHECK(strstr(err.msg, cases[i].canon) != NULL, "%s: message '%s' lacks '%s'", ctx, err.msg,
                    cases[i].canon);
            continue;
        }
        T_CHECK(rc == 0, "%s: refused: %d %s", ctx, err.status, err.msg);
        if (rc != 0)
            continue;
        T_CHECK(p.x == cases[i].x && p.y == cases[i].y && p.w == cases[i].w && p.h == cases[i].h,
                "%s: region %u,%u,%u,%u, want %u,%u,%u,%u", ctx, p.x, p.y, p.w, p.h, cases[i].x, cases[i].y,
                cases[i].w, cases[i].h);
        T_CHECK(p.width == cases[i].width && p.height == cases[i].height, "%s: size %ux%u, want %ux%u", ctx, p.width,
                p.height, cases[i].width, cases[i].height);
        T_CHECK(p.version == (enum iiif_version)cases[i].ver, "%s: version %d", ctx, p.version);
        char canon[512];
        T_CHECK(canonical(&p, cases[i].iw, cases[i].ih, lim, canon, sizeof(canon)) == 0, "%s: canonical failed",
                ctx);
        T_STREQ(canon, cases[i].canon, ctx);
        T_CHECK(canonical_is_stable(&p, canon, cases[i].iw, cases[i].ih, lim, ctx), "%s: canonical not stable",
                ctx);
    }
}

static void test_degrees(void)
{
    static const struct {
        const char *params;
        bool mirror;
        double deg;
    } cases[] = {
        {"full/max/0/default.jpg", false, 0},       {"full/max/360/default.jpg", false, 0},
        {"full/max/!360/default.jpg", true, 0},     {"full/max/359.5/default.jpg", false, 359.5},
        {"full/max/!180/default.jpg", true, 180},   {"full/max/360.000/default.jpg", false, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct iiif_plan p;
        struct ts_error err;
        int rc = plan(V3, cases[i].params, 100, 100, &limits[L0], &p, &err);
        T_CHECK(rc == 0 && p.mirror == cases[i].mirror && p.degrees == cases[i].deg, "'%s': mirror %d degrees %g",
                cases[i].params, p.mirror, p.degrees);
        T_CHECK(p.degrees >= 0 && p.degrees < 360, "'%s': degrees %g outside [0, 360)", cases[i].params, p.degrees);
    }
}

static void test_format_decimal(void)
{
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {0, "0"},          {90, "90"},         {22.5, "22.5"},      {0.1, "0.1"},           {0.000001, "0.000001"},
        {1e-7, "0"},       {100.25, "100.25"}, {359.5, "359.5"},    {1234567.5, "1234567.5"}, {10, "10"},
        {12.3456789, "12.345679"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_buf b;
        ts_buf_init(&b, 64);
        T_CHECK(iiif_format_decimal(cases[i].v, &b) == 0, "format_decimal %g failed", cases[i].v);
        T_STREQ(b.data ? b.data : "", cases[i].want, "format_decimal");
        ts_buf_release(&b);
    }
    struct ts_buf b;
    ts_buf_init(&b, 2);
    T_CHECK(iiif_format_decimal(123, &b) == -1, "format_decimal past the cap accepted");
    ts_buf_release(&b);
}

static void test_max_size(void)
{
    static const struct {
        uint32_t w, h;
        int lim;
        bool up;
        uint32_t ow, oh;
    } cases[] = {
        {1000, 800, L0, false, 1000, 800},
        {1000, 800, LW, false, 500, 400},
        {1000, 800, LH, false, 250, 200},
        {1000, 800, LS, false, 353, 282},
        {1000, 800, LA, false, 35, 28},
        {1000, 800, L0, true, 10000, 8000},
        {1000, 800, LUP2, true, 2000, 1600},
        {1, 1, L0, true, 10000, 10000},
        {1, 1, L0, false, 1, 1},
        {1, 1000000, L0, false, 1, 10000},
        {100000, 1, L0, false, 10000, 1},
        {1, 1000000, LA, false, 1, 1000},
        {1000000, 1, LA, false, 1000, 1},
        {2, 1000000, LA, false, 1, 1000},
        {100000, 100000, L0, false, 10000, 10000},
        /* 4294967295 x 1 into L0: the width binds */
        {4294967295u, 1, L0, false, 10000, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t ow = 0, oh = 0;
        iiif_max_size(cases[i].w, cases[i].h, &limits[cases[i].lim], cases[i].up, &ow, &oh);
        T_CHECK(ow == cases[i].ow && oh == cases[i].oh, "max_size %ux%u lim %d up %d: %ux%u, want %ux%u", cases[i].w,
                cases[i].h, cases[i].lim, cases[i].up, ow, oh, cases[i].ow, cases[i].oh);
    }
    /* A 10-byte buffer cannot hold a canonical form. */
    struct iiif_plan p;
    struct ts_error err;
    T_CHECK(plan(V3, "full/max/0/default.jpg", 10, 10, &limits[L0], &p, &err) == 0, "setup for full buffer");
    struct ts_buf b;
    ts_buf_init(&b, 10);
    T_CHECK(iiif_plan_canonical(&p, 10, 10, &limits[L0], &b) == -1, "canonical into a full buffer accepted");
    ts_buf_release(&b);
}

/* ---- The oracle ---------------------------------------------------------------------------------------- */

/* splitmix64 with a fixed seed: every run sees the same requests. */
static uint64_t rng_state = 0x7e55e7a2026u;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static uint32_t rnd_in(uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(rnd() % ((uint64_t)hi - lo + 1));
}

/* A random request, as numbers and as the URL text the parser sees. */
struct gen {
    int ver;
    uint32_t iw, ih;
    struct iiif_limits lim;
    enum iiif_region_kind rk;
    uint32_t rx, ry, rw, rh;   /* region in pixels */
    double rp[4];              /* region in percent */
    enum iiif_size_kind sk;
    bool up;
    uint32_t sw, sh;
    double spct;
    char path[256];
};

/* A percentage with two decimals in [lo, hi] (hundredths), as a number and as text. */
static double rnd_pct(uint32_t lo, uint32_t hi, char *txt, size_t cap)
{
    uint32_t v = rnd_in(lo, hi);
    snprintf(txt, cap, "%u.%02u", v / 100, v % 100);
    return v / 100.0;
}

static void generate(struct gen *g)
{
    memset(g, 0, sizeof(*g));
    g->ver = rnd() % 2 ? V3 : V2;
    switch (rnd() % 8) {
    case 0: /* thin strips */
        g->iw = rnd_in(1, 8);
        g->ih = rnd_in(1, 300000);
        break;
    case 1:
        g->iw = rnd_in(1, 300000);
        g->ih = rnd_in(1, 8);
        break;
    case 2: /* large */
        g->iw = rnd_in(1, 100000);
        g->ih = rnd_in(1, 100000);
        break;
    default:
        g->iw = rnd_in(1, 4000);
        g->ih = rnd_in(1, 4000);
        break;
    }
    static const struct iiif_limits lims[] = {
        {10000, 10000, 100000000, false, false}, {500, 400, 100000, false, false}, {2000, 2000, 1000000, false, false},
        {100, 10000, 5000, false, false},        {10000, 10000, 1000, false, false}, {4000, 3000, 12000000, false, false},
        {1, 1, 1, false, false},
    };
    g->lim = lims[rnd() % (sizeof(lims) / sizeof(lims[0]))];
    g->lim.confined_strict = rnd() % 2;
    g->lim.upscale_max_to_limits = rnd() % 2;

    char region[96], size[64], rot[32];
    switch (rnd() % 5) {
    case 0:
        g->rk = IIIF_REGION_FULL;
        snprintf(region, sizeof(region), "full");
        break;
    case 1:
        g->rk = IIIF_REGION_SQUARE;
        snprintf(region, sizeof(region), "square");
        break;
    case 2:
    case 3:
        g->rk = IIIF_REGION_PX;
        g->rx = rnd() % 4 ? rnd_in(0, g->iw - 1) : rnd_in(0, g->iw + g->iw / 8);
        g->ry = rnd() % 4 ? rnd_in(0, g->ih - 1) : rnd_in(0, g->ih + g->ih / 8);
        g->rw = rnd_in(1, g->iw + g->iw / 4);
        g->rh = rnd_in(1, g->ih + g->ih / 4);
        snprintf(region, sizeof(region), "%u,%u,%u,%u", g->rx, g->ry, g->rw, g->rh);
        break;
    default: {
        char t[4][16];
        g->rk = IIIF_REGION_PCT;
        g->rp[0] = rnd_pct(0, 10000, t[0], sizeof(t[0]));
        g->rp[1] = rnd_pct(0, 10000, t[1], sizeof(t[1]));
        g->rp[2] = rnd_pct(1, 10000, t[2], sizeof(t[2]));
        g->rp[3] = rnd_pct(1, 10000, t[3], sizeof(t[3]));
        snprintf(region, sizeof(region), "pct:%s,%s,%s,%s", t[0], t[1], t[2], t[3]);
        break;
    }
    }

    /* Sizes are drawn around the image's size so that all outcomes occur. */
    uint32_t top_w = g->iw < 1000000 ? 2 * g->iw + 10 : 2000000, top_h = g->ih < 1000000 ? 2 * g->ih + 10 : 2000000;
    g->up = g->ver == V3 && rnd() % 3 == 0;
    const char *caret = g->up ? "^" : "";
    char pt[16];
    switch (rnd() % 7) {
    case 0:
        g->sk = IIIF_SIZE_MAX;
        snprintf(size, sizeof(size), "%smax", caret);
        break;
    case 1:
        if (g->ver == V2) {
            g->sk = IIIF_SIZE_FULL;
            snprintf(size, sizeof(size), "full");
        } else {
            g->sk = IIIF_SIZE_MAX;
            snprintf(size, sizeof(size), "%smax", caret);
        }
        break;
    case 2:
        g->sk = IIIF_SIZE_W;
        g->sw = rnd_in(1, top_w);
        snprintf(size, sizeof(size), "%s%u,", caret, g->sw);
        break;
    case 3:
        g->sk = IIIF_SIZE_H;
        g->sh = rnd_in(1, top_h);
        snprintf(size, sizeof(size), "%s,%u", caret, g->sh);
        break;
    case 4:
        g->sk = IIIF_SIZE_PCT;
        g->spct = rnd() % 10 ? rnd_pct(0, 30000, pt, sizeof(pt)) : rnd_pct(0, 20000000, pt, sizeof(pt));
        snprintf(size, sizeof(size), "%spct:%s", caret, pt);
        break;
    case 5:
        g->sk = IIIF_SIZE_WH;
        g->sw = rnd_in(1, top_w);
        g->sh = rnd_in(1, top_h);
        snprintf(size, sizeof(size), "%s%u,%u", caret, g->sw, g->sh);
        break;
    default:
        g->sk = IIIF_SIZE_CONFINED;
        g->sw = rnd_in(1, top_w);
        g->sh = rnd_in(1, top_h);
        snprintf(size, sizeof(size), "%s!%u,%u", caret, g->sw, g->sh);
        break;
    }
    static const char *const rots[] = {"0", "90", "180", "270", "360", "22.5", "!0", "!90", "!359.999", "0.5"};
    snprintf(rot, sizeof(rot), "%s", rots[rnd() % 10]);
    static const char *const qf[] = {"default.jpg", "color.png", "gray.webp", "bitonal.tif", "default.jp2"};
    snprintf(g->path, sizeof(g->path), "%s/%s/%s/%s", region, size, rot, qf[rnd() % 5]);
}

/* Reference region, in doubles; returns 0 or 400, and sets *near when the answer sits on a rounding edge. */
static int ref_region(const struct gen *g, double out[4], int *near)
{
    double W = g->iw, H = g->ih;
    *near = 0;
    switch (g->rk) {
    case IIIF_REGION_FULL:
        out[0] = out[1] = 0;
        out[2] = W;
        out[3] = H;
        return 0;
    case IIIF_REGION_SQUARE: {
        double s = W < H ? W : H;
        out[0] = floor((W - s) / 2);
        out[1] = floor((H - s) / 2);
        out[2] = out[3] = s;
        return 0;
    }
    case IIIF_REGION_PX:
        if (g->rx >= g->iw || g->ry >= g->ih)
            return 400;
        out[0] = g->rx;
        out[1] = g->ry;
        out[2] = fmin(g->rw, W - g->rx);
        out[3] = fmin(g->rh, H - g->ry);
        return 0;
    default: {
        /* The region is [x0, x1) x [y0, y1) in pixels, rounded to whole pixels, at least one. */
        double x0 = g->rp[0] / 100 * W, y0 = g->rp[1] / 100 * H;
        double x1 = fmin((g->rp[0] + g->rp[2]) / 100 * W, W), y1 = fmin((g->rp[1] + g->rp[3]) / 100 * H, H);
        /* Outside when the start is past the edge; a start that rounds to the edge stays on the last pixel. */
        *near = fabs(x0 - W) < 1e-6 || fabs(y0 - H) < 1e-6;
        if (x0 >= W || y0 >= H)
            return 400;
        double x = fmin(floor(x0 + 0.5), W - 1), y = fmin(floor(y0 + 0.5), H - 1);
        out[0] = x;
        out[1] = y;
        out[2] = fmin(fmax(1, floor(x1 + 0.5) - x), W - x);
        out[3] = fmin(fmax(1, floor(y1 + 0.5) - y), H - y);
        return 0;
    }
    }
}

/* The largest size of rw x rh, aspect kept, within the limits (unbounded above when `up`). */
static void ref_max(double rw, double rh, const struct iiif_limits *l, bool up, double *ow, double *oh)
{
    double s = up ? INFINITY : 1.0;
    s = fmin(s, l->max_width / rw);
    s = fmin(s, l->max_height / rh);
    s = fmin(s, sqrt((double)l->max_area / (rw * rh)));
    /* A side under a pixel is shown as one pixel: then the other side alone must fit the area. */
    if (rw * s < 1)
        s = fmin(s, (double)l->max_area / rh);
    if (rh * s < 1)
        s = fmin(s, (double)l->max_area / rw);
    *ow = fmax(1, rw * s);
    *oh = fmax(1, rh * s);
}

static int over(double w, double h, const struct iiif_limits *l)
{
    return w > l->max_width || h > l->max_height || w * h > (double)l->max_area;
}

/* Whether an exact-size result (ow x oh) is refused, given the request. */
static int ref_decide(const struct gen *g, double ow, double oh, double rw, double rh)
{
    if (ow < 1 || oh < 1)
        return 400;
    if (g->ver == V3 && !g->up && (ow > rw || oh > rh))
        return 400;
    if (over(ow, oh, &g->lim))
        return 400;
    return 0;
}

/*
 * Reference size for region rw x rh. Returns 0 or 400; `exact` tells whether
 * the decision came from ref_decide (so that a rounding difference may flip it).
 */
static int ref_size(const struct gen *g, double rw, double rh, double *ow, double *oh, int *exact)
{
    *exact = 0;
    switch (g->sk) {
    case IIIF_SIZE_MAX:
        ref_max(rw, rh, &g->lim, g->up && g->lim.upscale_max_to_limits, ow, oh);
        return 0;
    case IIIF_SIZE_CONFINED: {
        double s = fmin(g->sw / rw, g->sh / rh);
        if (!g->up && s > 1) {
            if (g->ver == V3 && g->lim.confined_strict)
                return 400;
            s = 1;
        }
        *ow = fmax(1, floor(rw * s + 0.5));
        *oh = fmax(1, floor(rh * s + 0.5));
        if (over(*ow, *oh, &g->lim))
            ref_max(*ow, *oh, &g->lim, false, ow, oh);
        return 0;
    }
    case IIIF_SIZE_FULL:
        *ow = rw;
        *oh = rh;
        break;
    case IIIF_SIZE_W:
        *ow = g->sw;
        *oh = fmax(1, floor(rh * g->sw / rw + 0.5));
        break;
    case IIIF_SIZE_H:
        *oh = g->sh;
        *ow = fmax(1, floor(rw * g->sh / rh + 0.5));
        break;
    case IIIF_SIZE_PCT:
        if (g->spct > 100 && g->ver == V3 && !g->up)
            return 400;
        if (g->spct > 100000)
            return 400;
        *ow = floor(rw * g->spct / 100 + 0.5);
        *oh = floor(rh * g->spct / 100 + 0.5);
        break;
    case IIIF_SIZE_WH:
        *ow = g->sw;
        *oh = g->sh;
        break;
    }
    *exact = 1;
    return ref_decide(g, *ow, *oh, rw, rh);
}

enum outcome { PLANNED, REFUSED, EDGE };

/* One oracle run: what happened to `g`, a description of the disagreement (or NULL), and the numbers. */
struct run {
    int rc;
    struct iiif_plan p;
    struct ts_error err;
    double ow, oh; /* reference size */
    enum outcome outcome;
};

static const char *oracle_one(const struct gen *g, struct run *r)
{
    r->ow = r->oh = 0;
    r->outcome = REFUSED;
    r->rc = plan(g->ver, g->path, g->iw, g->ih, &g->lim, &r->p, &r->err);
    if (r->rc == -2)
        return "generated request did not parse";
    const struct iiif_plan *p = &r->p;
    double reg[4];
    int near;
    int ref_rc = ref_region(g, reg, &near);
    int code_outside = r->rc != 0 && strstr(r->err.msg, "outside") != NULL;
    if (ref_rc != 0 || code_outside) {
        if (ref_rc != 0 && code_outside)
            return NULL;
        if (near) {
            r->outcome = EDGE;
            return NULL;
        }
        return "region accepted/refused differently from the reference";
    }
    if (r->rc != 0 && r->err.status != 400)
        return "status other than 400";
    /* The region must agree within a pixel (exactly for all but percentages). iiif_plan_make
     * fills the region before it looks at the size, so it is there on size errors too. */
    double tol = g->rk == IIIF_REGION_PCT ? 1 : 0;
    if (fabs(p->x - reg[0]) > tol || fabs(p->y - reg[1]) > tol || fabs(p->w - reg[2]) > tol ||
        fabs(p->h - reg[3]) > tol)
        return "region differs from the reference";

    /* Size: the reference works on the plan's own region so that the two are comparable. */
    double rw = p->w, rh = p->h;
    int exact;
    int ref_size_rc = ref_size(g, rw, rh, &r->ow, &r->oh, &exact);
    if ((ref_size_rc != 0) != (r->rc != 0)) {
        /* Allowed only when a one-pixel rounding difference flips the decision. */
        for (int dw = -1; dw <= 1 && exact; dw++) {
            for (int dh = -1; dh <= 1; dh++) {
                if ((ref_decide(g, r->ow + dw, r->oh + dh, rw, rh) != 0) == (r->rc != 0)) {
                    r->outcome = EDGE;
                    return NULL;
                }
            }
        }
        return r->rc == 0 ? "accepted, the reference refuses" : "refused, the reference accepts";
    }
    if (r->rc != 0)
        return NULL;
    if (fabs(p->width - r->ow) > 1 || fabs(p->height - r->oh) > 1)
        return "size differs from the reference by more than a pixel";

    /* Invariants of every plan. */
    if ((uint64_t)p->x + p->w > g->iw || (uint64_t)p->y + p->h > g->ih || p->w < 1 || p->h < 1)
        return "region outside the image";
    if (p->width < 1 || p->height < 1)
        return "size under one pixel";
    if (p->width > g->lim.max_width || p->height > g->lim.max_height ||
        (uint64_t)p->width * p->height > g->lim.max_area)
        return "size over the limits";
    if (g->ver == V3 && !g->up && (p->width > p->w || p->height > p->h))
        return "3.0 enlarged without ^";
    if (!(p->degrees >= 0 && p->degrees < 360))
        return "degrees outside [0, 360)";
    char canon[512];
    if (canonical(p, g->iw, g->ih, &g->lim, canon, sizeof(canon)) != 0 ||
        !canonical_is_stable(p, canon, g->iw, g->ih, &g->lim, g->path))
        return "canonical form does not plan to the same result";
    r->outcome = PLANNED;
    return NULL;
}

static void test_oracle(void)
{
    enum { N = 5000 };
    int count[3] = {0, 0, 0}, bad = 0;
    for (int i = 0; i < N; i++) {
        struct gen g;
        struct run r;
        generate(&g);
        const char *why = oracle_one(&g, &r);
        if (why == NULL) {
            count[r.outcome]++;
            continue;
        }
        if (bad++ < 10)
            T_CHECK(0, "oracle %d: v%d %ux%u lim %u/%u/%llu%s%s '%s': %s (got rc %d '%s': %u,%u,%u,%u %ux%u; "
                       "reference %gx%g)",
                    i, g.ver, g.iw, g.ih, g.lim.max_width, g.lim.max_height, (unsigned long long)g.lim.max_area,
                    g.lim.confined_strict ? " strict" : "", g.lim.upscale_max_to_limits ? " upmax" : "", g.path, why,
                    r.rc, r.err.msg, r.p.x, r.p.y, r.p.w, r.p.h, r.p.width, r.p.height, r.ow, r.oh);
    }
    T_CHECK(bad == 0, "oracle: %d of %d random requests disagree with the reference", bad, N);
    /* The generator must reach both outcomes, and rounding edges must stay rare. */
    T_CHECK(count[PLANNED] > N / 4 && count[REFUSED] > N / 20, "oracle: only %d planned and %d refused of %d",
            count[PLANNED], count[REFUSED], N);
    T_CHECK(count[EDGE] < N / 100, "oracle: %d rounding-edge cases of %d", count[EDGE], N);
    printf("# oracle: %d requests, %d planned, %d refused, %d on a rounding edge\n", N, count[PLANNED],
           count[REFUSED], count[EDGE]);
}

int main(void)
{
    test_table();
    test_degrees();
    test_format_decimal();
    test_max_size();
    test_oracle();
    return t_done();
}
