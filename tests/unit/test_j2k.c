/*
 * test_j2k.c: JPEG 2000 through sub-code-streams: the index, the narrowed
 * code-stream, and decoded areas compared with libvips decoding the whole
 * image (classic JPEG 2000 written by libvips, HTJ2K written by OpenJPH),
 * at every resolution, for areas inside one tile, across tiles and at the
 * edges. Also the header parser on damaged input.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vips/vips.h>

#include "image/j2k.h"
#include "image/j2k_decode.h"
#include "image/ojph.h"
#include "image/render.h"
#include "image/source.h"
#include "t.h"

#define GRID_PNG TS_TEST_DATA "/67352ccc-d1b0-11e1-89ae-279075081939.png"

static char tmpdir[] = "/tmp/tessera-test-j2k-XXXXXX";
static VipsImage *grid;

static int grid_row(void *arg, uint32_t y, uint8_t *row)
{
    VipsRegion *reg = arg;
    VipsRect r = {0, (int)y, grid->Xsize, 1};
    if (vips_region_prepare(reg, &r) != 0)
        return -1;
    memcpy(row, VIPS_REGION_ADDR(reg, 0, (int)y), (size_t)grid->Xsize * 3);
    return 0;
}

/* Writes the grid (999 x 767, so edges are partial) as an HTJ2K code-stream with our encoder. */
static int write_htj2k(const char *path, uint32_t tile, bool reversible)
{
    VipsRegion *reg = vips_region_new(grid);
    struct ts_ojph_encode_opts o = {(uint32_t)grid->Xsize, (uint32_t)grid->Ysize, 3, tile, 5, reversible, 0.005f};
    uint8_t *data = NULL;
    size_t len = 0;
    char msg[200];
    int rc = ts_ojph_encode(&o, grid_row, reg, &data, &len, msg, sizeof(msg));
    g_object_unref(reg);
    if (rc != 0) {
        printf("# encode: %s\n", msg);
        return -1;
    }
    FILE *f = fopen(path, "wb");
    rc = f != NULL && fwrite(data, 1, len, f) == len ? 0 : -1;
    if (f != NULL)
        fclose(f);
    free(data);
    return rc;
}

/* Mean absolute difference between `a` (at ox, oy in level coordinates) and the same area of `level`. */
static double compare(VipsImage *a, uint32_t ox, uint32_t oy, VipsImage *level)
{
    VipsImage *crop = NULL, *d = NULL, *abs = NULL;
    double mean = 1e9;
    int w = a->Xsize, h = a->Ysize;
    if ((int)ox + w > level->Xsize)
        w = level->Xsize - (int)ox;
    if ((int)oy + h > level->Ysize)
        h = level->Ysize - (int)oy;
    VipsImage *ac = NULL;
    if (w > 0 && h > 0 && vips_extract_area(level, &crop, (int)ox, (int)oy, w, h, NULL) == 0 &&
        vips_extract_area(a, &ac, 0, 0, w, h, NULL) == 0 && vips_subtract(ac, crop, &d, NULL) == 0 &&
        vips_abs(d, &abs, NULL) == 0)
        vips_avg(abs, &mean, NULL);
    vips_error_clear();
    if (crop)
        g_object_unref(crop);
    if (ac)
        g_object_unref(ac);
    if (d)
        g_object_unref(d);
    if (abs)
        g_object_unref(abs);
    return mean;
}

struct area {
    uint32_t x0, y0, x1, y1;
};

static void check_file(const char *label, const char *path, bool ht, double tol)
{
    struct ts_source src;
    struct ts_error err;
    if (ts_source_open(path, &src, &err) != 0) {
        T_CHECK(0, "%s: open: %s", label, err.msg);
        return;
    }
    T_CHECK(src.j2k != NULL && src.j2k->direct, "%s: indexed for tile decoding", label);
    if (src.j2k == NULL) {
        ts_source_release(&src);
        return;
    }
    struct ts_bytes *b = NULL;
    if (ts_source_bytes(&src, &b, &err) != 0) {
        T_CHECK(0, "%s: bytes: %s", label, err.msg);
        ts_source_release(&src);
        return;
    }
    T_CHECK(src.j2k->ht == ht, "%s: HTJ2K flag %d", label, src.j2k->ht);
    T_CHECK(src.j2k->xsiz == 999 && src.j2k->ysiz == 767, "%s: size %ux%u", label, src.j2k->xsiz, src.j2k->ysiz);
    const struct area areas[] = {
        {0, 0, 999, 767},     /* everything */
        {10, 20, 60, 70},     /* inside the first tile */
        {250, 250, 270, 270}, /* across a tile corner */
        {900, 700, 999, 767}, /* the bottom-right edge */
        {0, 500, 999, 520},   /* a band across all columns */
        {511, 0, 513, 767},   /* a thin column */
    };
    for (int r = 0; r < 4; r++) {
        VipsImage *level = NULL;
        if (vips_jp2kload(path, &level, "page", r, NULL) != 0) {
            T_CHECK(0, "%s: libvips reference at reduce %d: %s", label, r, vips_error_buffer());
            vips_error_clear();
            continue;
        }
        for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
            const struct area *a = &areas[i];
            VipsImage *im = NULL;
            uint32_t ox, oy;
            if (ts_j2k_decode_area(&src, b, (unsigned)r, a->x0, a->y0, a->x1, a->y1, &im, &ox, &oy, &err) != 0) {
                T_CHECK(0, "%s r%d area %zu: %s", label, r, i, err.msg);
                continue;
            }
            /* it covers the area */
            uint32_t ax0 = a->x0 >> r, ay0 = a->y0 >> r, ax1 = (a->x1 + (1u << r) - 1) >> r,
                     ay1 = (a->y1 + (1u << r) - 1) >> r;
            T_CHECK(ox <= ax0 && oy <= ay0 && ox + (uint32_t)im->Xsize >= ax1 && oy + (uint32_t)im->Ysize >= ay1,
                    "%s r%d area %zu: decoded %u,%u %dx%d does not cover %u,%u-%u,%u", label, r, i, ox, oy,
                    im->Xsize, im->Ysize, ax0, ay0, ax1, ay1);
            double d = compare(im, ox, oy, level);
            T_CHECK(d <= tol, "%s r%d area %zu: differs from libvips by %g", label, r, i, d);
            g_object_unref(im);
        }
        g_object_unref(level);
    }
    ts_bytes_close(b);
    ts_source_release(&src);
}

static void test_parse_junk(void)
{
    struct ts_j2k_index ix;
    uint8_t buf[256];
    memset(buf, 0, sizeof(buf));
    memset(&ix, 0, sizeof(ix));
    T_CHECK(ts_j2k_parse_main(buf, sizeof(buf), &ix, NULL) < 0, "zeros are not a code-stream");
    /* SOC SIZ with an impossible length */
    const uint8_t bad_siz[] = {0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x05, 0, 0, 0, 0};
    T_CHECK(ts_j2k_parse_main(bad_siz, sizeof(bad_siz), &ix, NULL) < 0, "short SIZ refused");
    /* a valid header, cut short at every length: never a success, never a crash */
    int fd = open(TS_TEST_DATA "/67352ccc-d1b0-11e1-89ae-279075081939.jp2", O_RDONLY);
    uint8_t file[4096];
    ssize_t n = fd >= 0 ? read(fd, file, sizeof(file)) : -1;
    if (fd >= 0)
        close(fd);
    /* the code-stream of the validator's JP2 starts after its boxes */
    ssize_t cs = -1;
    for (ssize_t i = 0; i + 4 <= n; i++) {
        if (file[i] == 0xFF && file[i + 1] == 0x4F && file[i + 2] == 0xFF && file[i + 3] == 0x51) {
            cs = i;
            break;
        }
    }
    T_CHECK(cs > 0, "found the code-stream");
    if (cs <= 0)
        return;
    memset(&ix, 0, sizeof(ix));
    long full = ts_j2k_parse_main(file + cs, (size_t)(n - cs), &ix, NULL);
    T_CHECK(full > 0 && ix.xsiz == 1000 && ix.ysiz == 1000, "the validator's code-stream parses (%ld)", full);
    free(ix.header);
    for (long cut = 0; cut < full; cut++) {
        memset(&ix, 0, sizeof(ix));
        struct ts_error err;
        long rc = ts_j2k_parse_main(file + cs, (size_t)cut, &ix, &err);
        T_CHECK(rc < 0 && err.status == 415, "cut at %ld: rc %ld", cut, rc);
        free(ix.header);
    }
}

int main(int argc, char **argv)
{
    (void)argc;
    if (ts_image_init(argv[0], 1, NULL) != 0 || mkdtemp(tmpdir) == NULL)
        return 1;
    VipsImage *png = vips_image_new_from_file(GRID_PNG, NULL);
    if (png == NULL || vips_extract_area(png, &grid, 0, 0, 999, 767, NULL) != 0)
        return 1;
    char path[600];

    snprintf(path, sizeof(path), "%s/classic-256.jp2", tmpdir);
    if (vips_jp2ksave(grid, path, "tile_width", 256, "tile_height", 256, "lossless", TRUE, NULL) == 0)
        check_file("classic 256", path, false, 0.01);
    snprintf(path, sizeof(path), "%s/classic-512.jp2", tmpdir);
    if (vips_jp2ksave(grid, path, "tile_width", 512, "tile_height", 512, "Q", 80, NULL) == 0)
        check_file("classic 512 lossy", path, false, 0.5);
    snprintf(path, sizeof(path), "%s/ht-256.j2c", tmpdir);
    if (write_htj2k(path, 256, true) == 0)
        check_file("HTJ2K 256 lossless", path, true, 0.01);
    else
        T_CHECK(0, "write HTJ2K");
    snprintf(path, sizeof(path), "%s/ht-512.j2c", tmpdir);
    if (write_htj2k(path, 512, false) == 0)
        check_file("HTJ2K 512 lossy", path, true, 0.5);
    test_parse_junk();

    g_object_unref(grid);
    g_object_unref(png);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", tmpdir);
    ts_image_shutdown();
    return t_done();
}
