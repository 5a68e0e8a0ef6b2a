/*
 * test_answer.c: the size of an answer as sent and the limits on it
 * (image/answer.h). The rotated sizes are checked against libvips itself:
 * the validator's grid rendered by ts_render at many sizes and angles.
 */
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "image/answer.h"
#include "image/render.h"
#include "image/source.h"
#include "t.h"

#define GRID_PNG TS_TEST_DATA "/67352ccc-d1b0-11e1-89ae-279075081939.png"

static struct iiif_plan plan(uint32_t w, uint32_t h, double deg, enum iiif_format f)
{
    struct iiif_plan p = {IIIF_V3, 0, 0, 1000, 1000, w, h, false, deg, IIIF_QUALITY_DEFAULT, f};
    return p;
}

static void test_sizes(void)
{
    static const struct {
        uint32_t w, h;
        double deg;
        uint32_t ew, eh;
    } cases[] = {
        {200, 100, 0, 200, 100},     {200, 100, 90, 100, 200},   {200, 100, 180, 200, 100},
        {200, 100, 270, 100, 200},   {100, 100, 45, 141, 141},   {100, 50, 45, 106, 106},
        {640, 480, 30, 794, 736},    {7, 3, 10, 7, 4},           {1, 1, 45, 1, 1},
        {100, 100, 0.001, 100, 100}, {50, 20, 89.9, 20, 50},     {12000, 9000, 45.5, 14830, 14867},
        {10000, 10000, 45, 14142, 14142},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct iiif_plan p = plan(cases[i].w, cases[i].h, cases[i].deg, IIIF_FORMAT_PNG);
        uint32_t w, h;
        ts_answer_size(&p, &w, &h);
        T_CHECK(w == cases[i].ew && h == cases[i].eh, "%ux%u at %g: %ux%u, want %ux%u", cases[i].w, cases[i].h,
                cases[i].deg, w, h, cases[i].ew, cases[i].eh);
    }
}

static void test_checks(void)
{
    const struct iiif_limits lim = {10000, 10000, 100000000, false, false};
    static const struct {
        uint32_t w, h;
        double deg;
        enum iiif_format f;
        int status; /* 0: may be made */
        const char *why;
    } cases[] = {
        /* the case: a square of 10000 turned 45.5 degrees (14142 x 14142, 200 megapixels) */
        {10000, 10000, 45.5, IIIF_FORMAT_WEBP, 400, "rotated by 45.5 degrees this answer would be 14142x14142"},
        {10000, 10000, 45.5, IIIF_FORMAT_PNG, 400, "max_width 10000"},
        {16383, 100, 0, IIIF_FORMAT_WEBP, 0, NULL},
        {100, 16384, 0, IIIF_FORMAT_WEBP, 400, "WebP"},
        {16384, 100, 90, IIIF_FORMAT_WEBP, 400, "WebP"},
        {65500, 10, 0, IIIF_FORMAT_JPG, 0, NULL},
        {65501, 10, 0, IIIF_FORMAT_JPG, 400, "JPEG images are at most 65500"},
        {65535, 10, 0, IIIF_FORMAT_GIF, 0, NULL},
        {65536, 10, 0, IIIF_FORMAT_GIF, 400, "GIF"},
        {16384, 10, 0, IIIF_FORMAT_AVIF, 0, NULL},
        {10, 16385, 0, IIIF_FORMAT_AVIF, 400, "AVIF"},
        {200000, 10, 0, IIIF_FORMAT_PNG, 0, NULL},   /* no encoder limit that binds; the plan held the rest */
        {200000, 10, 0, IIIF_FORMAT_TIF, 0, NULL},
        /* a right-angle turn is weighed as asked for */
        {10000, 5000, 90, IIIF_FORMAT_PNG, 0, NULL},
        /* other angles by what is sent */
        {7000, 7000, 45, IIIF_FORMAT_PNG, 0, NULL},        /* 9899 x 9899 */
        {7100, 7100, 45, IIIF_FORMAT_PNG, 400, "rotated by 45 degrees"},  /* 10041 x 10041 */
        {10000, 1000, 5, IIIF_FORMAT_PNG, 400, "max_width"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct iiif_plan p = plan(cases[i].w, cases[i].h, cases[i].deg, cases[i].f);
        struct ts_error err = {0};
        int rc = ts_answer_check(&p, &lim, &err);
        if (cases[i].status == 0) {
            T_CHECK(rc == 0, "case %zu: refused: %s", i, err.msg);
        } else {
            T_CHECK(rc == -1 && err.status == cases[i].status, "case %zu: rc %d, status %d", i, rc, err.status);
            T_CHECK(strstr(err.msg, cases[i].why) != NULL, "case %zu: '%s' lacks '%s'", i, err.msg, cases[i].why);
        }
    }
    /* with the server's limits raised, the encoder's still bind, on the turned answer */
    const struct iiif_limits big = {100000, 100000, UINT64_C(10000000000), false, false};
    struct iiif_plan wp = plan(12000, 12000, 45, IIIF_FORMAT_WEBP); /* 16971 a side once turned */
    struct ts_error werr;
    T_CHECK(ts_answer_check(&wp, &big, &werr) == -1 && werr.status == 400 &&
                strstr(werr.msg, "WebP images are at most 16383 pixels a side, and this answer would be 16971x16971 "
                                 "once rotated") != NULL,
            "webp, turned: %s", werr.msg);
    wp.format = IIIF_FORMAT_PNG;
    T_CHECK(ts_answer_check(&wp, &big, &werr) == 0, "png, turned, within raised limits");
    /* the area limit binds on the turned box */
    const struct iiif_limits area = {100000, 100000, 1000000, false, false};
    struct iiif_plan p = plan(1000, 1000, 45, IIIF_FORMAT_PNG);
    struct ts_error err;
    T_CHECK(ts_answer_check(&p, &area, &err) == -1 && strstr(err.msg, "max_area 1000000") != NULL, "area: %s",
            err.msg);
    p.degrees = 0;
    T_CHECK(ts_answer_check(&p, &area, &err) == 0, "area, unturned");
}

/* The oracle: libvips's own rotated sizes, through ts_render. */
static void test_against_libvips(void)
{
    struct ts_source s;
    if (ts_source_open(GRID_PNG, &s, NULL) != 0) {
        T_CHECK(0, "open the grid");
        return;
    }
    struct ts_render_opts opts = {.jpeg_quality = 90, .png_compression = 1, .kernel = VIPS_KERNEL_LINEAR};
    unsigned seed = 12345;
    for (int i = 0; i < 60; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t w = 1 + (seed >> 8) % 400;
        seed = seed * 1103515245u + 12345u;
        uint32_t h = 1 + (seed >> 8) % 400;
        seed = seed * 1103515245u + 12345u;
        double deg = (double)((seed >> 8) % 360000) / 1000.0;
        if (i < 4)
            deg = 90.0 * i; /* the right angles too */
        struct iiif_plan p = plan(w, h, deg, IIIF_FORMAT_PNG);
        struct ts_output out;
        struct ts_error err;
        if (ts_render(&s, &p, &opts, &out, &err) != 0) {
            T_CHECK(0, "render %ux%u at %g: %s", w, h, deg, err.msg);
            continue;
        }
        uint32_t ew, eh;
        ts_answer_size(&p, &ew, &eh);
        T_CHECK(out.width == ew && out.height == eh, "%ux%u at %g: libvips made %ux%u, predicted %ux%u", w, h, deg,
                out.width, out.height, ew, eh);
        ts_output_release(&out);
    }
    ts_source_release(&s);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (ts_image_init(argv[0], 1, NULL) != 0)
        return 1;
    test_sizes();
    test_checks();
    test_against_libvips();
    int rc = t_done();
    ts_image_shutdown();
    return rc;
}
