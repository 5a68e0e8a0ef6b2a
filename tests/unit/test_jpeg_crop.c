/*
 * test_jpeg_crop.c: the entropy-level cropper (image/jpeg_crop.h) against
 * libjpeg's coefficient transcoder (image/jpeg_trim.h).
 *
 * Each case makes a JPEG with libjpeg (sampling, colour space, tables,
 * restart interval and progression as the case says) of a noisy picture
 * with sharp steps (so DC differences take many sizes), crops it both ways
 * and checks that the two decode to the same pixels; for 4:4:4, also that
 * they are exactly the top-left pixels of the whole image decoded. Streams
 * the cropper does not take must be declined (1), never cropped wrongly;
 * damaged streams are declined or cropped, never read outside.
 */
#include "t.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <jpeglib.h>

#include "image/jpeg_crop.h"
#include "image/jpeg_trim.h"

struct jerr {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
};

static void on_error(j_common_ptr c)
{
    longjmp(((struct jerr *)c->err)->jump, 1);
}

static void quiet(j_common_ptr c, int level)
{
    (void)c;
    (void)level;
}

enum kind { RGB444, YCC444, YCC422, YCC420, YCC411, GRAY, STEPS_GRAY };

struct make {
    enum kind kind;
    int width, height, quality;
    bool optimize, progressive;
    int restart_rows;
};

static uint8_t sample(enum kind kind, int x, int y, int c, uint32_t *rng)
{
    *rng = *rng * 1103515245u + 12345u;
    if (kind == STEPS_GRAY) {
        /* blocks flat in rows: columns 0-31 at 128, then 228; the second block row at 129 */
        if (y < 8)
            return x < 32 ? 128 : 228;
        return 129;
    }
    int base = ((x / 8 + y / 8) % 3) * 90 + (x * 3 + y * 5 + c * 40) % 50; /* steps between blocks */
    return (uint8_t)(base + (int)((*rng >> 16) % 24));
}

/* A JPEG made by libjpeg as `m` says; malloc'd. */
static uint8_t *make_jpeg(const struct make *m, size_t *len)
{
    struct jpeg_compress_struct c;
    struct jerr e;
    c.err = jpeg_std_error(&e.pub);
    e.pub.error_exit = on_error;
    unsigned char *out = NULL;
    unsigned long out_len = 0;
    if (setjmp(e.jump)) {
        jpeg_destroy_compress(&c);
        return NULL;
    }
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &out, &out_len);
    bool gray = m->kind == GRAY || m->kind == STEPS_GRAY;
    c.image_width = (JDIMENSION)m->width;
    c.image_height = (JDIMENSION)m->height;
    c.input_components = gray ? 1 : 3;
    c.in_color_space = gray ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, m->quality, TRUE);
    if (m->kind == RGB444)
        jpeg_set_colorspace(&c, JCS_RGB); /* with an Adobe marker, as TIFF tiles are sent */
    if (!gray) {
        static const int hv[][2] = {[YCC444] = {1, 1}, [YCC422] = {2, 1}, [YCC420] = {2, 2}, [YCC411] = {4, 1},
                                    [RGB444] = {1, 1}};
        c.comp_info[0].h_samp_factor = hv[m->kind][0];
        c.comp_info[0].v_samp_factor = hv[m->kind][1];
        for (int i = 1; i < 3; i++)
            c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
    }
    c.optimize_coding = m->optimize;
    c.restart_in_rows = m->restart_rows;
    if (m->progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    uint8_t *row = malloc((size_t)m->width * 3);
    uint32_t rng = 7;
    while (c.next_scanline < c.image_height) {
        int y = (int)c.next_scanline;
        for (int x = 0; x < m->width; x++) {
            for (int k = 0; k < c.input_components; k++)
                row[x * c.input_components + k] = sample(m->kind, x, y, k, &rng);
        }
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    free(row);
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    *len = out_len;
    return out;
}

/* Decoded pixels (malloc'd) and their size; NULL if libjpeg refuses the stream. */
static uint8_t *decode(const uint8_t *in, size_t len, int *w, int *h, int *comps)
{
    struct jpeg_decompress_struct d;
    struct jerr e;
    d.err = jpeg_std_error(&e.pub);
    e.pub.error_exit = on_error;
    e.pub.emit_message = quiet;
    uint8_t *px = NULL;
    if (setjmp(e.jump)) {
        jpeg_destroy_decompress(&d);
        free(px);
        return NULL;
    }
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, in, (unsigned long)len);
    jpeg_read_header(&d, TRUE);
    jpeg_start_decompress(&d);
    *w = (int)d.output_width;
    *h = (int)d.output_height;
    *comps = d.output_components;
    size_t stride = (size_t)*w * (size_t)*comps;
    px = malloc(stride * (size_t)*h);
    while (d.output_scanline < d.output_height) {
        JSAMPROW r = px + stride * d.output_scanline;
        jpeg_read_scanlines(&d, &r, 1);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    return px;
}

struct crop_case {
    const char *name;
    struct make m;
    uint32_t w, h;
    bool declined; /* the cropper must leave it to libjpeg */
};

static void check_case(const struct crop_case *tc)
{
    size_t len = 0;
    uint8_t *in = make_jpeg(&tc->m, &len);
    T_CHECK(in != NULL, "%s: libjpeg made no test image", tc->name);
    if (in == NULL)
        return;
    uint8_t *fast = NULL;
    size_t fast_len = 0;
    int rc = ts_jpeg_crop(in, len, (uint32_t)tc->m.width, (uint32_t)tc->m.height, tc->w, tc->h, &fast, &fast_len);
    T_CHECK(rc == (tc->declined ? 1 : 0), "%s: ts_jpeg_crop returned %d", tc->name, rc);
    if (rc != 0) {
        T_CHECK(fast == NULL, "%s: declined, yet an output", tc->name);
        free(in);
        return;
    }
    T_CHECK(fast_len >= 4 && fast[0] == 0xFF && fast[1] == 0xD8 && fast[fast_len - 2] == 0xFF &&
                fast[fast_len - 1] == 0xD9,
            "%s: not SOI ... EOI", tc->name);
    void *slow = NULL;
    size_t slow_len = 0;
    struct ts_error err;
    T_CHECK(ts_jpeg_trim(in, len, tc->w, tc->h, &slow, &slow_len, &err) == 0, "%s: libjpeg's trim failed", tc->name);
    int fw = 0, fh = 0, fc = 0, sw = 0, sh = 0, sc = 0, ow = 0, oh = 0, oc = 0;
    uint8_t *fp = decode(fast, fast_len, &fw, &fh, &fc);
    uint8_t *sp = decode(slow, slow_len, &sw, &sh, &sc);
    uint8_t *op = decode(in, len, &ow, &oh, &oc);
    T_CHECK(fp != NULL, "%s: libjpeg cannot decode the crop", tc->name);
    T_CHECK(sp != NULL && op != NULL, "%s: libjpeg cannot decode the reference", tc->name);
    if (fp != NULL && sp != NULL && op != NULL) {
        T_CHECK(fw == (int)tc->w && fh == (int)tc->h && fc == sc, "%s: %dx%dx%d", tc->name, fw, fh, fc);
        T_CHECK(fw == sw && fh == sh && memcmp(fp, sp, (size_t)fw * fh * fc) == 0,
                "%s: pixels differ from libjpeg's trim", tc->name);
        if (tc->m.kind == RGB444 || tc->m.kind == YCC444 || tc->m.kind == GRAY || tc->m.kind == STEPS_GRAY) {
            /* no chroma upsampling at the new edges: exactly the top-left of the whole */
            bool same = fw == (int)tc->w;
            for (int y = 0; same && y < fh; y++)
                same = memcmp(fp + (size_t)y * fw * fc, op + (size_t)y * ow * oc, (size_t)fw * fc) == 0;
            T_CHECK(same, "%s: pixels differ from the whole image's", tc->name);
        }
    }
    free(fp);
    free(sp);
    free(op);
    free(slow);
    free(fast);
    free(in);
}

/* Damaged copies of a good stream: declined or cropped, and what is cropped decodes. */
static void check_damage(void)
{
    struct make m = {YCC420, 100, 70, 90, false, false, 0};
    size_t len = 0;
    uint8_t *in = make_jpeg(&m, &len);
    int cropped = 0, declined = 0;
    for (size_t cut = 0; cut < len; cut += len / 97 + 1) {
        uint8_t *copy = malloc(cut + 1);
        memcpy(copy, in, cut);
        uint8_t *out = NULL;
        size_t out_len = 0;
        int rc = ts_jpeg_crop(copy, cut, 0, 0, 50, 30, &out, &out_len);
        T_CHECK(rc == 1, "truncated at %zu: %d", cut, rc);
        free(out);
        free(copy);
    }
    uint32_t rng = 99;
    for (int round = 0; round < 400; round++) {
        uint8_t *copy = malloc(len);
        memcpy(copy, in, len);
        for (int k = 0; k < 1 + round % 4; k++) {
            rng = rng * 1103515245u + 12345u;
            copy[(rng >> 8) % len] ^= (uint8_t)(1u << (rng % 8));
        }
        uint8_t *out = NULL;
        size_t out_len = 0;
        int rc = ts_jpeg_crop(copy, len, 0, 0, 50, 30, &out, &out_len);
        T_CHECK(rc == 0 || rc == 1, "flipped bits: %d", rc);
        if (rc == 0) {
            cropped++;
            T_CHECK(out_len >= 4 && out[0] == 0xFF && out[1] == 0xD8 && out[out_len - 1] == 0xD9,
                    "flipped bits: not SOI ... EOI");
        } else {
            declined++;
        }
        free(out);
        free(copy);
    }
    T_CHECK(cropped > 0 && declined > 0, "damage: %d cropped, %d declined (both should happen)", cropped, declined);
    free(in);
}

/* Offset of the first marker `m` (0xFF m) before the scan's data, or 0. */
static size_t find_marker(const uint8_t *b, size_t len, uint8_t m)
{
    for (size_t i = 2; i + 4 <= len && b[i] == 0xFF;) {
        if (b[i + 1] == m)
            return i;
        if (b[i + 1] == 0xDA)
            break;
        i += 2 + ((size_t)b[i + 2] << 8 | b[i + 3]);
    }
    return 0;
}

/*
 * Streams libjpeg refuses must be declined, so that the caller's fallback
 * reports them, and so must a stream of another size than the one given.
 */
static void check_refusals(void)
{
    struct make m = {YCC420, 64, 48, 90, false, false, 0};
    size_t len = 0;
    uint8_t *in = make_jpeg(&m, &len);
    uint8_t *out = NULL;
    size_t out_len = 0;
    T_CHECK(in != NULL && ts_jpeg_crop(in, len, 64, 48, 40, 40, &out, &out_len) == 0, "the stream as made: cropped");
    free(out);
    T_CHECK(ts_jpeg_crop(in, len, 64, 49, 40, 40, &out, &out_len) == 1, "another height than the tile's: declined");
    T_CHECK(ts_jpeg_crop(in, len, 65, 48, 40, 40, &out, &out_len) == 1, "another width than the tile's: declined");

    /* the scan's components in another order than the frame's (T.81 allows it, libjpeg does not) */
    uint8_t *b = malloc(len + 6);
    memcpy(b, in, len);
    size_t sos = find_marker(b, len, 0xDA);
    T_CHECK(sos != 0 && b[sos + 4] == 3, "SOS with three components");
    uint8_t cb[2] = {b[sos + 7], b[sos + 8]};
    memcpy(b + sos + 7, b + sos + 9, 2);
    memcpy(b + sos + 9, cb, 2);
    T_CHECK(ts_jpeg_crop(b, len, 0, 0, 40, 40, &out, &out_len) == 1, "scan order not the frame's: declined");

    /* a DC table holding a size above 15 (libjpeg: "Bogus Huffman table definition") */
    memcpy(b, in, len);
    size_t dht = find_marker(b, len, 0xC4);
    T_CHECK(dht != 0 && (b[dht + 4] >> 4) == 0, "the first DHT is a DC table");
    b[dht + 4 + 17] = 16;
    T_CHECK(ts_jpeg_crop(b, len, 0, 0, 40, 40, &out, &out_len) == 1, "DC symbol 16: declined");

    /* a marker libjpeg does not know (JPG0), right after SOI */
    static const uint8_t jpg0[6] = {0xFF, 0xF0, 0x00, 0x04, 0x00, 0x00};
    memcpy(b, in, 2);
    memcpy(b + 2, jpg0, 6);
    memcpy(b + 8, in + 2, len - 2);
    T_CHECK(ts_jpeg_crop(b, len + 6, 0, 0, 40, 40, &out, &out_len) == 1, "JPG0 segment: declined");
    /* while an APP15 or COM segment there is copied */
    b[3] = 0xEF;
    T_CHECK(ts_jpeg_crop(b, len + 6, 0, 0, 40, 40, &out, &out_len) == 0 && out_len > 8 && memcmp(out + 2, b + 2, 6) == 0,
            "APP15 segment: copied");
    free(out);
    free(b);
    free(in);
}

int main(void)
{
    static const struct crop_case cases[] = {
        /* as TIFF tiles are stored: 256 px, RGB (Adobe) or YCbCr, quality 90 */
        {"rgb 4:4:4, right edge", {RGB444, 256, 256, 90, false, false, 0}, 224, 256, false},
        {"rgb 4:4:4, bottom edge", {RGB444, 256, 256, 90, false, false, 0}, 256, 40, false},
        {"rgb 4:4:4, corner", {RGB444, 256, 256, 90, false, false, 0}, 224, 40, false},
        {"rgb 4:4:4, whole", {RGB444, 256, 256, 90, false, false, 0}, 256, 256, false},
        {"rgb 4:4:4, 1x1", {RGB444, 256, 256, 90, false, false, 0}, 1, 1, false},
        {"ycc 4:4:4, inside a block", {YCC444, 256, 256, 75, false, false, 0}, 13, 250, false},
        {"ycc 4:2:0, right edge", {YCC420, 256, 256, 90, false, false, 0}, 100, 256, false},
        {"ycc 4:2:0, bottom edge", {YCC420, 256, 256, 90, false, false, 0}, 256, 17, false},
        {"ycc 4:2:0, corner off the MCU grid", {YCC420, 256, 256, 85, false, false, 0}, 33, 47, false},
        {"ycc 4:2:0, one MCU", {YCC420, 256, 256, 85, false, false, 0}, 16, 16, false},
        {"ycc 4:2:0, odd source size", {YCC420, 251, 243, 90, false, false, 0}, 250, 100, false},
        {"ycc 4:2:2, corner", {YCC422, 256, 256, 90, false, false, 0}, 70, 90, false},
        {"ycc 4:1:1, corner", {YCC411, 256, 128, 90, false, false, 0}, 70, 90, false},
        {"grey, corner", {GRAY, 256, 256, 90, false, false, 0}, 130, 7, false},
        {"grey, quality 100", {GRAY, 128, 128, 100, false, false, 0}, 64, 100, false},
        {"optimised tables, bottom edge", {YCC420, 256, 256, 90, true, false, 0}, 256, 100, false},
        {"optimised tables, corner", {YCC444, 256, 256, 90, true, false, 0}, 200, 200, false},
        {"steps, standard tables: the new DC difference has a code", {STEPS_GRAY, 64, 16, 100, false, false, 0}, 32, 16,
         false},
        /* optimised tables hold only the DC sizes used: the new difference (8, size 4) has none */
        {"steps, optimised tables: no code for the new DC difference", {STEPS_GRAY, 64, 16, 100, true, false, 0}, 32,
         16, true},
        {"restart intervals", {YCC420, 256, 256, 90, false, false, 1}, 100, 100, true},
        {"progressive", {YCC420, 256, 256, 90, false, true, 0}, 100, 100, true},
        {"larger than the image", {YCC420, 64, 64, 90, false, false, 0}, 65, 64, true},
        {"zero height", {YCC420, 64, 64, 90, false, false, 0}, 64, 0, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_case(&cases[i]);
    check_damage();
    check_refusals();
    uint8_t *out = NULL;
    size_t out_len = 0;
    T_CHECK(ts_jpeg_crop((const uint8_t *)"", 0, 0, 0, 1, 1, &out, &out_len) == 1, "empty input");
    T_CHECK(ts_jpeg_crop((const uint8_t *)"\xFF\xD8\xFF\xD9", 4, 0, 0, 1, 1, &out, &out_len) == 1, "SOI EOI");
    return t_done();
}
