/*
 * convert.c: image -> serving-ready pyramid.
 *
 * The input is read in one sequential pass and written as it goes, so memory
 * stays small whatever the image size (libvips builds the pyramid levels
 * while it writes the full-resolution tiles).
 */
#include "image/convert.h"

#include <string.h>
#include <strings.h>
#include <vips/vips.h>

#include <errno.h>
#include <math.h>
#include <openjpeg.h>
#include <stdio.h>
#include <stdlib.h>

#include "image/bytes_io.h"
#include "image/colour.h"
#include "image/ojph.h"
#include "image/vipserr.h"
#include "source/origin.h"

/*
 * Quality 1-100 to JPEG 2000 settings, anchored where each codec matches a
 * JPEG at quality 90 (about 39 dB on photographs, measured): a compression
 * ratio of 20 for classic JPEG 2000, a quantisation step of 0.018 for HTJ2K.
 * Ten quality points more or less halve or double them.
 */
static double j2k_rate(int q)
{
    return 20.0 * pow(2.0, (90.0 - q) / 10.0);
}

static float ht_qstep(int q)
{
    return (float)(0.018 * pow(2.0, (90.0 - q) / 10.0));
}

/* Decomposition levels: 5, or fewer when the tile or the image is small. */
static unsigned decompositions(uint32_t tile, uint32_t w, uint32_t h)
{
    unsigned d = 5;
    uint32_t m = tile < w ? tile : w;
    m = m < h ? m : h;
    while (d > 0 && (m >> d) < 1)
        d--;
    return d;
}

/* Reads rows of an 8-bit image top to bottom, a strip at a time. */
struct row_reader {
    VipsImage *im;
    VipsRegion *reg;
    const struct ts_convert_opts *o;
    int percent;
};

static int read_row(void *arg, uint32_t y, uint8_t *row)
{
    struct row_reader *r = arg;
    VipsRect rect = {0, (int)y, r->im->Xsize, 1};
    if (vips_region_prepare(r->reg, &rect) != 0)
        return -1;
    memcpy(row, VIPS_REGION_ADDR(r->reg, 0, (int)y), (size_t)r->im->Xsize * r->im->Bands);
    if (r->o->progress != NULL) {
        int pc = (int)((uint64_t)(y + 1) * 100 / (uint64_t)r->im->Ysize);
        if (pc != r->percent) {
            r->percent = pc;
            r->o->progress(pc, 0, r->o->arg);
        }
    }
    return 0;
}

static void be32w(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/*
 * Writes an HTJ2K code-stream, raw (.j2c, .jhc) or in the boxes of a JPH
 * file (.jph: signature, ftyp "jph ", jp2h with ihdr and colr, jp2c).
 */
static int write_htj2k(VipsImage *img, const char *out, const struct ts_convert_opts *o, struct ts_error *err)
{
    struct ts_ojph_encode_opts eo = {(uint32_t)img->Xsize, (uint32_t)img->Ysize, img->Bands, (uint32_t)o->tile,
                                     decompositions((uint32_t)o->tile, (uint32_t)img->Xsize, (uint32_t)img->Ysize),
                                     o->lossless, ht_qstep(o->quality)};
    struct row_reader rr = {img, vips_region_new(img), o, -1};
    uint8_t *cs = NULL;
    size_t cs_len = 0;
    char msg[200];
    int rc = ts_ojph_encode(&eo, read_row, &rr, &cs, &cs_len, msg, sizeof(msg));
    g_object_unref(rr.reg);
    if (rc != 0)
        return ts_error_set(err, 500, "HTJ2K encoding failed: %s", msg);
    const char *dot = strrchr(out, '.');
    bool boxes = dot != NULL && strcasecmp(dot, ".jph") == 0;
    FILE *f = fopen(out, "wb");
    if (f == NULL) {
        free(cs);
        return ts_error_set(err, 500, "conversion failed: cannot write %s: %s", out, strerror(errno));
    }
    bool ok = true;
    if (boxes) {
        uint8_t h[12 + 20 + 8 + 22 + 15 + 8] = {0, 0, 0, 12, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A};
        uint8_t *p = h + 12;
        be32w(p, 20);
        memcpy(p + 4, "ftypjph \0\0\0\0jph ", 16);
        p += 20;
        be32w(p, 8 + 22 + 15);
        memcpy(p + 4, "jp2h", 4);
        p += 8;
        be32w(p, 22);
        memcpy(p + 4, "ihdr", 4);
        be32w(p + 8, (uint32_t)img->Ysize);
        be32w(p + 12, (uint32_t)img->Xsize);
        p[16] = 0;
        p[17] = (uint8_t)img->Bands;
        p[18] = 7; /* 8 bits, unsigned */
        p[19] = 7; /* compression: JPEG 2000 */
        p[20] = 0;
        p[21] = 0;
        p += 22;
        be32w(p, 15);
        memcpy(p + 4, "colr", 4);
        p[8] = 1; /* enumerated colour space */
        p[9] = 0;
        p[10] = 0;
        be32w(p + 11, img->Bands >= 3 ? 16 : 17); /* sRGB or greyscale */
        p += 15;
        be32w(p, (uint32_t)(8 + cs_len));
        memcpy(p + 4, "jp2c", 4);
        ok = cs_len + 8 <= UINT32_MAX && fwrite(h, 1, sizeof(h), f) == sizeof(h);
    }
    ok = ok && fwrite(cs, 1, cs_len, f) == cs_len;
    ok = fclose(f) == 0 && ok;
    free(cs);
    if (!ok) {
        remove(out);
        return ts_error_set(err, 500, "conversion failed: cannot write %s", out);
    }
    return 0;
}

static void opj_quiet_cb(const char *msg, void *data)
{
    (void)msg;
    (void)data;
}

/*
 * Writes classic JPEG 2000 with OpenJPEG, one row of tiles at a time:
 * square tiles, RPCL order, 64x64 code-blocks, and PLT and TLM markers so
 * readers can find any tile or packet without scanning.
 */
static int write_jp2(VipsImage *img, const char *out, const struct ts_convert_opts *o, struct ts_error *err)
{
    uint32_t w = (uint32_t)img->Xsize, h = (uint32_t)img->Ysize, t = (uint32_t)o->tile;
    int nb = img->Bands;
    opj_cparameters_t p;
    opj_set_default_encoder_parameters(&p);
    p.tcp_numlayers = 1;
    p.cp_disto_alloc = 1;
    p.tcp_rates[0] = o->lossless ? 0 : (float)j2k_rate(o->quality);
    p.irreversible = o->lossless ? 0 : 1;
    p.numresolution = (int)decompositions(t, w, h) + 1;
    p.tile_size_on = OPJ_TRUE;
    p.cp_tdx = (int)t;
    p.cp_tdy = (int)t;
    p.prog_order = OPJ_RPCL;
    p.cblockw_init = 64;
    p.cblockh_init = 64;
    p.tcp_mct = nb >= 3 ? 1 : 0;
    opj_image_cmptparm_t cp[3];
    memset(cp, 0, sizeof(cp));
    for (int c = 0; c < nb; c++)
        cp[c] = (opj_image_cmptparm_t){.dx = 1, .dy = 1, .w = w, .h = h, .prec = 8, .sgnd = 0};
    opj_image_t *image = opj_image_tile_create((OPJ_UINT32)nb, cp, nb >= 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY);
    opj_codec_t *codec = opj_create_compress(OPJ_CODEC_JP2);
    opj_stream_t *st = NULL;
    VipsRegion *reg = vips_region_new(img);
    uint8_t *tile = malloc((size_t)t * t * nb);
    int rc = -1;
    if (image == NULL || codec == NULL || reg == NULL || tile == NULL) {
        ts_error_set(err, 500, "out of memory");
        goto out;
    }
    image->x0 = image->y0 = 0;
    image->x1 = w;
    image->y1 = h;
    opj_set_info_handler(codec, opj_quiet_cb, NULL);
    opj_set_warning_handler(codec, opj_quiet_cb, NULL);
    opj_set_error_handler(codec, opj_quiet_cb, NULL);
    const char *extra[] = {"PLT=YES", "TLM=YES", NULL};
    if (!opj_setup_encoder(codec, &p, image) || !opj_encoder_set_extra_options(codec, extra)) {
        ts_error_set(err, 500, "JPEG 2000 encoder setup failed");
        goto out;
    }
    st = opj_stream_create_default_file_stream(out, OPJ_FALSE);
    if (st == NULL) {
        ts_error_set(err, 500, "conversion failed: cannot write %s: %s", out, strerror(errno));
        goto out;
    }
    if (!opj_start_compress(codec, image, st)) {
        ts_error_set(err, 500, "JPEG 2000 encoding failed to start");
        goto out;
    }
    uint32_t tiles_x = (w + t - 1) / t, tiles_y = (h + t - 1) / t;
    for (uint32_t ty = 0; ty < tiles_y; ty++) {
        uint32_t th = h - ty * t < t ? h - ty * t : t;
        VipsRect band = {0, (int)(ty * t), (int)w, (int)th};
        if (vips_region_prepare(reg, &band) != 0) {
            ts_vips_error(err, 415, "cannot read the input image", NULL);
            goto out;
        }
        for (uint32_t tx = 0; tx < tiles_x; tx++) {
            uint32_t tw = w - tx * t < t ? w - tx * t : t;
            /* planar: all of component 0, then 1, then 2 */
            for (int c = 0; c < nb; c++) {
                uint8_t *dst = tile + (size_t)c * tw * th;
                for (uint32_t y = 0; y < th; y++) {
                    const uint8_t *src = VIPS_REGION_ADDR(reg, (int)(tx * t), (int)(ty * t + y));
                    for (uint32_t x = 0; x < tw; x++)
                        dst[(size_t)y * tw + x] = src[(size_t)x * nb + c];
                }
            }
            if (!opj_write_tile(codec, ty * tiles_x + tx, tile, (OPJ_UINT32)((size_t)tw * th * nb), st)) {
                ts_error_set(err, 500, "JPEG 2000 encoding failed at tile %u", ty * tiles_x + tx);
                goto out;
            }
        }
        if (o->progress != NULL)
            o->progress((int)((ty + 1) * 100 / tiles_y), 0, o->arg);
    }
    if (!opj_end_compress(codec, st)) {
        ts_error_set(err, 500, "JPEG 2000 encoding failed to finish");
        goto out;
    }
    rc = 0;
out:
    if (st != NULL)
        opj_stream_destroy(st);
    if (codec != NULL)
        opj_destroy_codec(codec);
    if (image != NULL)
        opj_image_destroy(image);
    if (reg != NULL)
        g_object_unref(reg);
    free(tile);
    if (rc != 0)
        remove(out);
    return rc;
}

int ts_convert_format_parse(const char *s, enum ts_convert_format *out)
{
    if (strcasecmp(s, "tiff") == 0 || strcasecmp(s, "tif") == 0)
        *out = TS_CONVERT_TIFF;
    else if (strcasecmp(s, "jp2") == 0)
        *out = TS_CONVERT_JP2;
    else if (strcasecmp(s, "htj2k") == 0)
        *out = TS_CONVERT_HTJ2K;
    else
        return -1;
    return 0;
}

int ts_convert_format_of_name(const char *name, enum ts_convert_format *out)
{
    const char *dot = strrchr(name, '.');
    if (dot == NULL)
        return -1;
    dot++;
    if (strcasecmp(dot, "tif") == 0 || strcasecmp(dot, "tiff") == 0 || strcasecmp(dot, "ptif") == 0)
        *out = TS_CONVERT_TIFF;
    else if (strcasecmp(dot, "jp2") == 0 || strcasecmp(dot, "jpx") == 0)
        *out = TS_CONVERT_JP2;
    else if (strcasecmp(dot, "jph") == 0 || strcasecmp(dot, "jhc") == 0 || strcasecmp(dot, "j2c") == 0)
        *out = TS_CONVERT_HTJ2K;
    else
        return -1;
    return 0;
}

struct progress {
    const struct ts_convert_opts *o;
    int last;
};

static void on_eval(VipsImage *image, VipsProgress *p, void *data)
{
    (void)image;
    struct progress *pr = data;
    if (p->percent != pr->last) {
        pr->last = p->percent;
        pr->o->progress(p->percent, p->eta, pr->o->arg);
    }
}

int ts_convert(const char *in, const char *out, const struct ts_convert_opts *o, struct ts_error *err)
{
    if (o->tile < 16 || o->tile > 8192 || (o->tile & 15) != 0)
        return ts_error_set(err, 400, "tile size must be a multiple of 16 from 16 to 8192");
    if (o->quality < 1 || o->quality > 100)
        return ts_error_set(err, 400, "quality must be from 1 to 100");
    VipsImage *t[4] = {0};
    int n = 0, rc = -1;
    struct ts_bytes *b;
    struct ts_error oe;
    if (ts_origin_open(in, &b, &oe) != 0)
        return ts_error_set(err, oe.status == 503 ? 503 : 415, "cannot read the input image %s: %s", in, oe.msg);
    if (ts_bytes_size(b) == 0) {
        ts_bytes_close(b);
        return ts_error_set(err, 415, "cannot read the input image %s: it is empty", in);
    }
    VipsSource *vs = ts_bytes_io_vips(b);
    if (vs == NULL) {
        ts_bytes_close(b);
        return ts_vips_error(err, 500, "cannot read the input image", NULL);
    }
    /* EXIF orientation needs random access; everything else streams */
    VipsImage *probe = vips_image_new_from_source(vs, "", NULL);
    g_object_unref(vs);
    if (probe == NULL) {
        ts_bytes_close(b);
        return ts_vips_error(err, 415, "cannot read the input image", NULL);
    }
    int orientation = 1;
    if (vips_image_get_typeof(probe, VIPS_META_ORIENTATION) != 0)
        vips_image_get_int(probe, VIPS_META_ORIENTATION, &orientation);
    VipsInterpretation interp = vips_image_get_interpretation(probe);
    int bands = vips_image_get_bands(probe);
    bool alpha = vips_image_hasalpha(probe) != 0;
    g_object_unref(probe);
    VipsAccess access = orientation > 1 ? VIPS_ACCESS_RANDOM : VIPS_ACCESS_SEQUENTIAL;
    vs = ts_bytes_io_vips(b);
    ts_bytes_close(b); /* the source holds what it reads */
    t[n] = vs != NULL ? vips_image_new_from_source(vs, "", "access", access, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL)
                      : NULL;
    if (vs != NULL)
        g_object_unref(vs);
    if (t[n] == NULL) {
        ts_vips_error(err, 415, "cannot read the input image", NULL);
        goto out;
    }
    VipsImage *src = t[n++];
    if (orientation > 1) {
        if (vips_autorot(src, &t[n], NULL) != 0)
            goto fail;
        src = t[n++];
    }
    bool grey = interp == VIPS_INTERPRETATION_B_W || interp == VIPS_INTERPRETATION_GREY16 || bands - (alpha ? 1 : 0) == 1;
    if (ts_image_to_display(src, &t[n], grey) != 0)
        goto fail;
    VipsImage *img = t[n++];

    struct progress pr = {o, -1};
    if (o->progress != NULL) {
        vips_image_set_progress(img, TRUE);
        g_signal_connect(img, "eval", G_CALLBACK(on_eval), &pr);
    }
    int r;
    if (o->format == TS_CONVERT_TIFF) {
        /* libvips reports progress as it pulls pixels */
        /* JPEG tiles pass through to clients unchanged; alpha needs a lossless codec */
        bool jpeg = !alpha && !o->lossless;
        r = vips_tiffsave(img, out, "tile", TRUE, "pyramid", TRUE, "tile_width", o->tile, "tile_height", o->tile,
                          "compression", jpeg ? VIPS_FOREIGN_TIFF_COMPRESSION_JPEG : VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE,
                          "predictor", VIPS_FOREIGN_TIFF_PREDICTOR_HORIZONTAL, "Q", o->quality, "bigtiff",
                          (guint64)img->Xsize * img->Ysize * img->Bands > (3u << 30), "strip", TRUE, NULL);
        if (r != 0)
            goto fail;
    } else {
        if (alpha) {
            ts_error_set(err, 400, "JPEG 2000 output keeps no transparency here; use --format tiff for this image");
            goto out;
        }
        r = o->format == TS_CONVERT_JP2 ? write_jp2(img, out, o, err) : write_htj2k(img, out, o, err);
        if (r != 0)
            goto out;
    }
    if (o->progress != NULL && pr.last != 100)
        o->progress(100, 0, o->arg);
    rc = 0;
    goto out;
fail:
    ts_vips_error(err, 500, "conversion failed", NULL);
out:
    for (int i = n - 1; i >= 0; i--)
        g_object_unref(t[i]);
    return rc;
}
