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

#include "image/colour.h"
#include "image/vipserr.h"

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
    if (o->format == TS_CONVERT_HTJ2K)
        return ts_error_set(err, 501, "HTJ2K output is not available in this build");
    VipsImage *t[4] = {0};
    int n = 0, rc = -1;
    /* EXIF orientation needs random access; everything else streams */
    VipsImage *probe = vips_image_new_from_file(in, NULL);
    if (probe == NULL)
        return ts_vips_error(err, 415, "cannot read the input image", NULL);
    int orientation = 1;
    if (vips_image_get_typeof(probe, VIPS_META_ORIENTATION) != 0)
        vips_image_get_int(probe, VIPS_META_ORIENTATION, &orientation);
    VipsInterpretation interp = vips_image_get_interpretation(probe);
    int bands = vips_image_get_bands(probe);
    bool alpha = vips_image_hasalpha(probe) != 0;
    g_object_unref(probe);
    VipsAccess access = orientation > 1 ? VIPS_ACCESS_RANDOM : VIPS_ACCESS_SEQUENTIAL;
    t[n] = vips_image_new_from_file(in, "access", access, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
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
        /* JPEG tiles pass through to clients unchanged; alpha needs a lossless codec */
        bool jpeg = !alpha && !o->lossless;
        r = vips_tiffsave(img, out, "tile", TRUE, "pyramid", TRUE, "tile_width", o->tile, "tile_height", o->tile,
                          "compression", jpeg ? VIPS_FOREIGN_TIFF_COMPRESSION_JPEG : VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE,
                          "predictor", VIPS_FOREIGN_TIFF_PREDICTOR_HORIZONTAL, "Q", o->quality, "bigtiff",
                          (guint64)img->Xsize * img->Ysize * img->Bands > (3u << 30), "strip", TRUE, NULL);
    } else {
        r = vips_jp2ksave(img, out, "tile_width", o->tile, "tile_height", o->tile, "Q", o->quality, "lossless",
                          o->lossless, NULL);
    }
    if (r != 0)
        goto fail;
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
