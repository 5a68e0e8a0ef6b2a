/*
 * j2k_decode.c: JPEG 2000 areas through sub-code-streams.
 */
#include "image/j2k_decode.h"

#include <openjpeg.h>
#include <stdlib.h>
#include <string.h>

#include "image/j2k.h"
#include "image/ojph.h"

static uint32_t ceil_shift(uint64_t v, unsigned r)
{
    return (uint32_t)((v + (1ull << r) - 1) >> r);
}

/* ---- OpenJPEG over a sub-code-stream ---- */

static OPJ_SIZE_T opj_read(void *buf, OPJ_SIZE_T n, void *user)
{
    ssize_t r = ts_j2k_stream_read(user, buf, n);
    return r <= 0 ? (OPJ_SIZE_T)-1 : (OPJ_SIZE_T)r;
}

static OPJ_OFF_T opj_skip(OPJ_OFF_T n, void *user)
{
    struct ts_j2k_stream *s = user;
    uint64_t to = n < 0 && (uint64_t)(-n) > s->pos ? 0 : s->pos + (uint64_t)n;
    ts_j2k_stream_seek(s, to);
    return n;
}

static OPJ_BOOL opj_seek(OPJ_OFF_T n, void *user)
{
    ts_j2k_stream_seek(user, n < 0 ? 0 : (uint64_t)n);
    return OPJ_TRUE;
}

static void opj_quiet(const char *msg, void *data)
{
    (void)msg;
    (void)data;
}

static void opj_error(const char *msg, void *data)
{
    char *buf = data;
    if (buf[0] == '\0') {
        snprintf(buf, 200, "%s", msg);
        char *nl = strchr(buf, '\n');
        if (nl != NULL)
            *nl = '\0';
    }
}

static int decode_opj(struct ts_j2k_stream *s, unsigned reduce, uint64_t ax0, uint64_t ay0, uint64_t ax1,
                      uint64_t ay1, struct ts_pixels *px, char *msg)
{
    int rc = -1;
    opj_stream_t *st = opj_stream_create(64 * 1024, OPJ_TRUE);
    opj_codec_t *codec = opj_create_decompress(OPJ_CODEC_J2K);
    opj_image_t *image = NULL;
    if (st == NULL || codec == NULL) {
        snprintf(msg, 200, "out of memory");
        goto out;
    }
    opj_stream_set_user_data(st, s, NULL);
    opj_stream_set_user_data_length(st, s->len);
    opj_stream_set_read_function(st, opj_read);
    opj_stream_set_skip_function(st, opj_skip);
    opj_stream_set_seek_function(st, opj_seek);
    opj_set_info_handler(codec, opj_quiet, NULL);
    opj_set_warning_handler(codec, opj_quiet, NULL);
    opj_set_error_handler(codec, opj_error, msg);
    opj_dparameters_t p;
    opj_set_default_decoder_parameters(&p);
    p.cp_reduce = reduce;
    if (!opj_setup_decoder(codec, &p) || !opj_read_header(st, codec, &image) ||
        !opj_set_decode_area(codec, image, (OPJ_INT32)ax0, (OPJ_INT32)ay0, (OPJ_INT32)ax1, (OPJ_INT32)ay1) ||
        !opj_decode(codec, st, image) || !opj_end_decompress(codec, st))
        goto out;
    int nc = (int)image->numcomps;
    if (nc < 1 || nc > 4) {
        snprintf(msg, 200, "unsupported number of components");
        goto out;
    }
    uint32_t w = image->comps[0].w, h = image->comps[0].h;
    for (int c = 1; c < nc; c++) {
        if (image->comps[c].w != w || image->comps[c].h != h) {
            snprintf(msg, 200, "components of different sizes");
            goto out;
        }
    }
    px->data = malloc((size_t)w * h * nc + 1);
    if (px->data == NULL) {
        snprintf(msg, 200, "out of memory");
        goto out;
    }
    int prec = (int)image->comps[0].prec;
    int down = prec > 8 ? prec - 8 : 0, up = prec < 8 ? 8 - prec : 0;
    for (int c = 0; c < nc; c++) {
        const OPJ_INT32 *src = image->comps[c].data;
        uint8_t *dst = px->data + c;
        for (size_t i = 0; i < (size_t)w * h; i++, dst += nc) {
            int32_t v = src[i];
            v = v < 0 ? 0 : down ? v >> down : v << up;
            *dst = (uint8_t)(v > 255 ? 255 : v);
        }
    }
    px->width = w;
    px->height = h;
    px->bands = nc;
    /* full-resolution coordinates: the caller scales them */
    px->x0 = image->comps[0].x0;
    px->y0 = image->comps[0].y0;
    rc = 0;
out:
    if (image != NULL)
        opj_image_destroy(image);
    if (codec != NULL)
        opj_destroy_codec(codec);
    if (st != NULL)
        opj_stream_destroy(st);
    if (rc != 0 && msg[0] == '\0')
        snprintf(msg, 200, "JPEG 2000 decoding failed");
    return rc;
}

static void free_pixels(VipsImage *im, void *data)
{
    (void)im;
    free(data);
}

int ts_j2k_decode_area(const struct ts_source *src, struct ts_bytes *b, unsigned reduce, uint32_t x0, uint32_t y0, uint32_t x1,
                       uint32_t y1, VipsImage **out, uint32_t *ox, uint32_t *oy, struct ts_error *err)
{
    const struct ts_j2k_index *ix = src->j2k;
    /*
     * Pixel i of the reduced image covers the reference grid from i * 2^r on:
     * widen the area to whole reduced pixels, so the answer holds every one
     * that the area touches.
     */
    uint64_t step = 1ull << reduce;
    uint64_t ax0 = ((uint64_t)x0 + ix->xosiz) / step * step, ay0 = ((uint64_t)y0 + ix->yosiz) / step * step;
    uint64_t ax1 = ((uint64_t)x1 + ix->xosiz + step - 1) / step * step;
    uint64_t ay1 = ((uint64_t)y1 + ix->yosiz + step - 1) / step * step;
    if (ax0 < ix->xosiz)
        ax0 = ix->xosiz;
    if (ay0 < ix->yosiz)
        ay0 = ix->yosiz;
    if (ax1 > ix->xsiz)
        ax1 = ix->xsiz;
    if (ay1 > ix->ysiz)
        ay1 = ix->ysiz;
    uint32_t tx0, ty0, tx1, ty1;
    ts_j2k_tiles_for(ix, (uint32_t)(ax0 - ix->xosiz), (uint32_t)(ay0 - ix->yosiz), (uint32_t)(ax1 - ix->xosiz),
                     (uint32_t)(ay1 - ix->yosiz), &tx0, &ty0, &tx1, &ty1);
    if ((uint64_t)(tx1 - tx0) * (ty1 - ty0) > 65535)
        return ts_error_set(err, 500, "too many JPEG 2000 tiles for one request");
    struct ts_j2k_stream s;
    if (ts_j2k_stream_open(&s, ix, b, tx0, ty0, tx1, ty1, err) != 0)
        return -1;
    struct ts_pixels px = {0};
    char msg[200] = "";
    int rc;
    if (ix->ht) {
        rc = ts_ojph_decode(&s, reduce, ceil_shift(ay0, reduce), ceil_shift(ay1, reduce), &px, msg, sizeof(msg));
    } else {
        rc = decode_opj(&s, reduce, ax0, ay0, ax1, ay1, &px, msg);
        if (rc == 0) {
            /* OpenJPEG gives the area's corner in full-resolution coordinates */
            px.x0 = ceil_shift(px.x0, reduce);
            px.y0 = ceil_shift(px.y0, reduce);
        }
    }
    ts_j2k_stream_close(&s);
    if (rc != 0)
        return ts_error_set(err, 415, "the image could not be decoded: %s", msg);
    VipsImage *im = vips_image_new_from_memory(px.data, (size_t)px.width * px.height * px.bands, (int)px.width,
                                               (int)px.height, px.bands, VIPS_FORMAT_UCHAR);
    if (im == NULL) {
        free(px.data);
        vips_error_clear();
        return ts_error_set(err, 500, "out of memory");
    }
    g_signal_connect(im, "postclose", G_CALLBACK(free_pixels), px.data);
    im->Type = px.bands <= 2 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;
    if (ix->icc != NULL)
        vips_image_set_blob_copy(im, VIPS_META_ICC_NAME, ix->icc, ix->icc_len);
    *out = im;
    *ox = px.x0 - ceil_shift(ix->xosiz, reduce);
    *oy = px.y0 - ceil_shift(ix->yosiz, reduce);
    return 0;
}
