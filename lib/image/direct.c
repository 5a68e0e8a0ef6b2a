/*
 * direct.c: stored JPEG tile -> libjpeg-turbo -> libwebp.
 */
#include "image/direct.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <webp/encode.h>

#include "image/jpegerr.h"
#include "image/passthrough.h"

/* Everything a longjmp must find as it was: on the heap. */
struct dec {
    struct jpeg_decompress_struct c;
    struct ts_jpeg_err e;
    bool made;
    uint8_t *rgb;
    uint32_t w, h;
};

static int decode(struct dec *d, const void *jpg, size_t len, struct ts_error *err)
{
    d->c.err = ts_jpeg_err_init(&d->e);
    if (setjmp(d->e.jump))
        return ts_error_set(err, 415, "a stored tile could not be decoded: %s", d->e.msg);
    jpeg_create_decompress(&d->c);
    d->made = true;
    jpeg_mem_src(&d->c, jpg, (unsigned long)len);
    jpeg_read_header(&d->c, TRUE);
    d->c.out_color_space = JCS_RGB; /* grey, YCbCr and RGB-coded tiles alike */
    jpeg_start_decompress(&d->c);
    d->w = d->c.output_width;
    d->h = d->c.output_height;
    size_t stride = (size_t)d->w * 3;
    d->rgb = malloc(stride * d->h + 1);
    if (d->rgb == NULL)
        return ts_error_set(err, 500, "out of memory");
    while (d->c.output_scanline < d->h) {
        JSAMPROW row = d->rgb + (size_t)d->c.output_scanline * stride;
        if (jpeg_read_scanlines(&d->c, &row, 1) != 1)
            return ts_error_set(err, 415, "a stored tile ends early");
    }
    jpeg_finish_decompress(&d->c);
    return 0;
}

static int encode_webp(const uint8_t *rgb, uint32_t w, uint32_t h, const struct ts_render_opts *o, struct ts_output *out,
                       struct ts_error *err)
{
    WebPConfig config;
    WebPPicture pic;
    WebPMemoryWriter wr;
    if (!WebPConfigInit(&config) || !WebPPictureInit(&pic))
        return ts_error_set(err, 500, "libwebp does not match its headers");
    config.quality = (float)o->webp_quality;
    config.method = o->webp_effort;
    pic.width = (int)w;
    pic.height = (int)h;
    if (!WebPPictureImportRGB(&pic, rgb, (int)w * 3))
        return ts_error_set(err, 500, "out of memory");
    WebPMemoryWriterInit(&wr);
    pic.writer = WebPMemoryWrite;
    pic.custom_ptr = &wr;
    int ok = WebPEncode(&config, &pic);
    WebPPictureFree(&pic);
    if (!ok) {
        WebPMemoryWriterClear(&wr);
        return ts_error_set(err, 500, "the WebP encoder failed (%d)", pic.error_code);
    }
    /* the answer is g_malloc'd like libvips's (ts_output_release) */
    out->data = g_malloc(wr.size);
    memcpy(out->data, wr.mem, wr.size);
    out->len = wr.size;
    WebPMemoryWriterClear(&wr);
    return 0;
}

int ts_direct_tile(const struct ts_source *src, struct ts_bytes *b, const struct iiif_plan *p,
                   const struct ts_render_opts *opts, struct ts_output *out, struct ts_error *err)
{
    /* WebP of the stored colours: default or color (gray only for grey sources) */
    if (p->format != IIIF_FORMAT_WEBP || p->mirror || p->degrees != 0)
        return TS_DECLINED;
    if (p->quality == IIIF_QUALITY_BITONAL || (p->quality == IIIF_QUALITY_GRAY && !src->is_grey))
        return TS_DECLINED;
    /* the same tiles passthrough would send (it checks the rest: scale, grid, colour profile) */
    struct iiif_plan as_jpg = *p;
    as_jpg.format = IIIF_FORMAT_JPG;
    struct ts_tile_ref t;
    if (!ts_passthrough_match(src, &as_jpg, &t))
        return TS_DECLINED;
    void *jpg = NULL;
    size_t len = 0;
    if (ts_passthrough_read(src, b, &t, false, &jpg, &len, err) != 0)
        return -1;
    struct dec *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        free(jpg);
        return ts_error_set(err, 500, "out of memory");
    }
    int rc = decode(d, jpg, len, err);
    if (d->made)
        jpeg_destroy_decompress(&d->c);
    free(jpg);
    if (rc == 0 && (d->w != p->width || d->h != p->height))
        rc = ts_error_set(err, 500, "a stored tile is %ux%u, not the %ux%u planned", d->w, d->h, p->width, p->height);
    if (rc == 0)
        rc = encode_webp(d->rgb, d->w, d->h, opts, out, err);
    if (rc == 0) {
        out->width = d->w;
        out->height = d->h;
        out->level = t.level;
        out->direct = true;
    }
    free(d->rgb);
    free(d);
    return rc;
}
