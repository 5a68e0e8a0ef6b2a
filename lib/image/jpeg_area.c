/*
 * jpeg_area.c: JPEG areas with libjpeg-turbo's skip and crop.
 */
#include "image/jpeg_area.h"

#include <stdlib.h>
#include <string.h>

#include "image/jpegerr.h"

#include <jerror.h>

/*
 * A libjpeg source reading a byte source in 64 KiB reads at an offset;
 * skipped data (large APP segments) is never read. Like libjpeg's stdio
 * source, a file that ends early gets a warning (an error, to jpegerr.h)
 * and an EOI marker.
 */
#define SRC_BUF (64 * 1024)

struct bytes_src {
    struct jpeg_source_mgr pub;
    struct ts_bytes *b;
    uint64_t pos;   /* where the next read starts */
    JOCTET *buf;
};

static void src_init(j_decompress_ptr c)
{
    (void)c;
}

static boolean src_fill(j_decompress_ptr c)
{
    static const JOCTET eoi[2] = {0xFF, JPEG_EOI};
    struct bytes_src *s = (struct bytes_src *)c->src;
    ssize_t got = ts_bytes_pread(s->b, s->buf, SRC_BUF, s->pos);
    if (got <= 0) {
        WARNMS(c, JWRN_JPEG_EOF);
        s->pub.next_input_byte = eoi;
        s->pub.bytes_in_buffer = 2;
        return TRUE;
    }
    s->pos += (uint64_t)got;
    s->pub.next_input_byte = s->buf;
    s->pub.bytes_in_buffer = (size_t)got;
    return TRUE;
}

static void src_skip(j_decompress_ptr c, long n)
{
    struct bytes_src *s = (struct bytes_src *)c->src;
    if (n <= 0)
        return;
    if ((size_t)n <= s->pub.bytes_in_buffer) {
        s->pub.next_input_byte += n;
        s->pub.bytes_in_buffer -= (size_t)n;
        return;
    }
    s->pos += (uint64_t)n - s->pub.bytes_in_buffer;
    s->pub.bytes_in_buffer = 0;
}

static void src_term(j_decompress_ptr c)
{
    (void)c;
}

static void bytes_src(j_decompress_ptr c, struct ts_bytes *b)
{
    struct bytes_src *s = (*c->mem->alloc_small)((j_common_ptr)c, JPOOL_PERMANENT, sizeof(*s));
    s->buf = (*c->mem->alloc_large)((j_common_ptr)c, JPOOL_PERMANENT, SRC_BUF);
    s->b = b;
    s->pos = 0;
    s->pub.init_source = src_init;
    s->pub.fill_input_buffer = src_fill;
    s->pub.skip_input_data = src_skip;
    s->pub.resync_to_restart = jpeg_resync_to_restart;
    s->pub.term_source = src_term;
    s->pub.next_input_byte = NULL;
    s->pub.bytes_in_buffer = 0;
    c->src = &s->pub;
}

static void free_pixels(VipsImage *im, void *data)
{
    (void)im;
    free(data);
}

/* The area, kept in memory so that a longjmp from libjpeg cannot leave stale register copies. */
struct area {
    uint32_t x0, y0, x1, y1;
};

static int decode_area(struct ts_bytes *b, int shrink, struct area *ap, VipsImage **out, uint32_t *ox, uint32_t *oy,
                       struct ts_error *err)
{
#define a (*ap)
    struct jpeg_decompress_struct c;
    struct ts_jpeg_err e;
    /* volatile: these change between setjmp and a possible longjmp */
    uint8_t *volatile pixels = NULL;
    JOCTET *volatile icc = NULL;
    c.err = ts_jpeg_err_init(&e);
    if (setjmp(e.jump)) {
        jpeg_destroy_decompress(&c);
        free(pixels);
        free(icc);
        return ts_error_set(err, 415, "the image could not be decoded: %s", e.msg);
    }
    jpeg_create_decompress(&c);
    bytes_src(&c, b);
    jpeg_save_markers(&c, JPEG_APP0 + 2, 0xFFFF); /* ICC profile */
    jpeg_read_header(&c, TRUE);
    int bands;
    if (c.num_components == 3 && (c.jpeg_color_space == JCS_YCbCr || c.jpeg_color_space == JCS_RGB)) {
        c.out_color_space = JCS_RGB;
        bands = 3;
    } else if (c.num_components == 1) {
        c.out_color_space = JCS_GRAYSCALE;
        bands = 1;
    } else {
        jpeg_destroy_decompress(&c);
        return TS_DECLINED; /* CMYK and the like: libvips converts them */
    }
    c.scale_num = 1;
    c.scale_denom = (unsigned)shrink;
    jpeg_start_decompress(&c);
    uint32_t w = c.output_width, h = c.output_height;
    if (a.x1 > w)
        a.x1 = w;
    if (a.y1 > h)
        a.y1 = h;
    if (a.x0 >= a.x1)
        a.x0 = a.x1 > 0 ? a.x1 - 1 : 0;
    if (a.y0 >= a.y1)
        a.y0 = a.y1 > 0 ? a.y1 - 1 : 0;
    /* crop_scanline widens to whole iMCUs: it gives back the real start and width */
    JDIMENSION xoff = a.x0, cw = a.x1 - a.x0;
    if (xoff != 0 || cw != w)
        jpeg_crop_scanline(&c, &xoff, &cw);
    if (a.y0 > 0 && jpeg_skip_scanlines(&c, a.y0) != a.y0)
        ts_jpeg_err_exit((j_common_ptr)&c);
    uint32_t rows = a.y1 - a.y0;
    size_t stride = (size_t)cw * bands;
    pixels = malloc(stride * rows + 1);
    if (pixels == NULL) {
        snprintf(e.msg, sizeof(e.msg), "out of memory");
        longjmp(e.jump, 1);
    }
    for (uint32_t y = 0; y < rows;) {
        JSAMPROW row = pixels + (size_t)y * stride;
        JDIMENSION got = jpeg_read_scanlines(&c, &row, 1);
        if (got == 0) {
            snprintf(e.msg, sizeof(e.msg), "the image ends early");
            longjmp(e.jump, 1);
        }
        y += got;
    }
    JOCTET *icc_data = NULL;
    unsigned icc_len = 0;
    if (jpeg_read_icc_profile(&c, &icc_data, &icc_len))
        icc = icc_data;
    /* the rest of the file is not needed */
    jpeg_abort_decompress(&c);
    jpeg_destroy_decompress(&c);

    VipsImage *im = vips_image_new_from_memory(pixels, stride * rows, (int)cw, (int)rows, bands, VIPS_FORMAT_UCHAR);
    if (im == NULL) {
        free(pixels);
        free(icc);
        vips_error_clear();
        return ts_error_set(err, 500, "out of memory");
    }
    g_signal_connect(im, "postclose", G_CALLBACK(free_pixels), pixels);
    im->Type = bands == 1 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;
    if (icc != NULL) {
        vips_image_set_blob_copy(im, VIPS_META_ICC_NAME, icc, icc_len);
        free(icc);
    }
    *out = im;
    *ox = xoff;
    *oy = a.y0;
    return 0;
#undef a
}

int ts_jpeg_decode_area(struct ts_bytes *b, int shrink, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1,
                        VipsImage **out, uint32_t *ox, uint32_t *oy, struct ts_error *err)
{
    struct area a = {x0, y0, x1, y1};
    return decode_area(b, shrink, &a, out, ox, oy, err);
}
