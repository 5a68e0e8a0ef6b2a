/*
 * test_level.c: the level an answer decodes from and its region there
 * (image/level.h), the region checked against its definition pixel by
 * pixel.
 */
#include "image/level.h"
#include "t.h"

/* The definition: level pixel i of `l` covers [i * f / l, (i + 1) * f / l) of `f`; it is needed when that meets [x, x + w). */
static void oracle(uint32_t x, uint32_t w, uint32_t f, uint32_t l, uint32_t *a, uint32_t *b)
{
    uint32_t lo = UINT32_MAX, hi = 0;
    for (uint32_t i = 0; i < l; i++) {
        /* [i f, (i + 1) f) meets [x l, (x + w) l), all over l */
        uint64_t s = (uint64_t)i * f, e = (uint64_t)(i + 1) * f;
        if (s < ((uint64_t)x + w) * l && e > (uint64_t)x * l) {
            if (i < lo)
                lo = i;
            hi = i + 1;
        }
    }
    *a = lo;
    *b = hi;
}

static void test_against_definition(void)
{
    unsigned seed = 7;
    int bad = 0, outside = 0;
    for (int k = 0; k < 20000; k++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t f = 1 + (seed >> 8) % 3000;
        seed = seed * 1103515245u + 12345u;
        uint32_t div = 1u << ((seed >> 8) % 6);
        uint32_t l = (f + div - 1) / div; /* ceil, as pyramids and JPEG shrinks make them */
        if ((seed >> 20) & 1)
            l = f / div > 0 ? f / div : 1; /* or floor */
        seed = seed * 1103515245u + 12345u;
        uint32_t x = (seed >> 8) % f;
        seed = seed * 1103515245u + 12345u;
        uint32_t w = 1 + (seed >> 8) % (f - x);
        struct ts_rect r;
        ts_level_region(x, 0, w, 1, f, 1, l, 1, &r);
        uint32_t a, b;
        oracle(x, w, f, l, &a, &b);
        if (r.x0 != a || r.x1 != b) {
            if (bad++ < 10)
                T_CHECK(0, "x %u w %u of %u at %u: [%u, %u), want [%u, %u)", x, w, f, l, r.x0, r.x1, a, b);
        }
        if (!(r.x0 < r.x1 && r.x1 <= l) && outside++ < 10)
            T_CHECK(0, "x %u w %u of %u at %u: [%u, %u) is empty or outside the level", x, w, f, l, r.x0, r.x1);
    }
    T_CHECK(bad == 0, "%d of 20000 regions differ from the definition", bad);
    T_CHECK(outside == 0, "%d of 20000 regions are empty or outside the level", outside);
}

static void test_cases(void)
{
    static const struct {
        uint32_t x, w, f, l, a, b;
    } cases[] = {
        {0, 1000, 1000, 1000, 0, 1000},  /* the whole image at full size */
        {0, 1000, 1000, 250, 0, 250},    /* a quarter */
        {512, 488, 1000, 500, 256, 500}, /* an edge tile at sf 2 */
        {256, 256, 1000, 125, 32, 64},
        {1, 1, 1000, 125, 0, 1},         /* a sliver still gets a pixel */
        {999, 1, 1000, 125, 124, 125},
        {7, 2, 1001, 501, 3, 5},         /* an odd size: the pixels that touch it */
        {0, 1, 1, 1, 0, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_rect r;
        ts_level_region(cases[i].x, cases[i].x, cases[i].w, cases[i].w, cases[i].f, cases[i].f, cases[i].l,
                        cases[i].l, &r);
        T_CHECK(r.x0 == cases[i].a && r.x1 == cases[i].b && r.y0 == cases[i].a && r.y1 == cases[i].b,
                "case %zu: [%u, %u), want [%u, %u)", i, r.x0, r.x1, cases[i].a, cases[i].b);
    }
}

static void test_pick(void)
{
    struct ts_source s = {0};
    s.width = s.height = 1000;
    s.n_levels = 4;
    s.levels[0] = (struct ts_level){1000, 1000, 0};
    s.levels[1] = (struct ts_level){500, 500, 1};
    s.levels[2] = (struct ts_level){250, 250, 2};
    s.levels[3] = (struct ts_level){125, 125, 3};
    static const struct {
        double need;
        int level;
    } picks[] = {{1, 0}, {0.5, 0}, {1.99, 0}, {2, 1}, {2.001, 1}, {3.9, 1}, {4, 2}, {8, 3}, {100, 3}};
    for (size_t i = 0; i < sizeof(picks) / sizeof(picks[0]); i++)
        T_CHECK(ts_level_pick(&s, picks[i].need) == picks[i].level, "need %g: level %d, want %d", picks[i].need,
                ts_level_pick(&s, picks[i].need), picks[i].level);
    /* a plan: 1000 px to 250 decodes level 2, and its region there */
    struct iiif_plan p = {IIIF_V3, 500, 0, 500, 1000, 125, 250, false, 0, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG};
    struct ts_at_level at;
    ts_level_of(&s, &p, &at);
    T_CHECK(at.level == 2 && at.lw == 250 && at.lh == 250 && at.r.x0 == 125 && at.r.x1 == 250 && at.r.y0 == 0 &&
                at.r.y1 == 250,
            "plan at level %d: %ux%u [%u,%u)x[%u,%u)", at.level, at.lw, at.lh, at.r.x0, at.r.x1, at.r.y0, at.r.y1);
    /* EXIF orientation 6 serves the stored levels turned: their sides swap */
    struct ts_source o = s;
    o.width = 500;
    o.height = 1000;
    o.orientation = 6;
    o.levels[0] = (struct ts_level){1000, 500, 0};
    o.levels[1] = (struct ts_level){500, 250, 1};
    o.n_levels = 2;
    struct iiif_plan q = {IIIF_V3, 0, 0, 500, 1000, 250, 500, false, 0, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG};
    ts_level_of(&o, &q, &at);
    T_CHECK(at.level == 1 && at.lw == 250 && at.lh == 500 && at.r.x1 == 250 && at.r.y1 == 500, "oriented: %d %ux%u",
            at.level, at.lw, at.lh);
}

int main(void)
{
    test_cases();
    test_against_definition();
    test_pick();
    return t_done();
}
