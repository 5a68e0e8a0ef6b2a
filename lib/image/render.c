/*
 * render.c: the libvips pipeline for one image request.
 *
 * Workload: mostly tiles (256-1024 px) from pyramids, plus thumbnails and
 * the occasional full-size view. The pipeline is built lazily and runs once,
 * in the encoder, so only the source tiles that the crop touches are decoded.
 * Intermediate images live in a small array that is released on every exit.
 */
#include "image/render.h"
#include "image/bytes_io.h"
#include "core/clock.h"
#include "image/cost.h"
#include "image/colour.h"
#include "image/direct.h"
#include "image/j2k_decode.h"
#include "image/jpeg_area.h"
#include "image/level.h"
#include "image/passthrough.h"
#include "image/ojph.h"
#include "image/vipserr.h"

#include <math.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <vips/vector.h>
#include <vips/vips.h>

#define MAX_STEPS 24

int ts_image_init(const char *argv0, int vips_threads, struct ts_error *err)
{
    if (VIPS_INIT(argv0) != 0)
        return ts_error_set(err, 500, "libvips failed to start: %s", vips_error_buffer());
    ts_ojph_init();
    vips_vector_set_enabled(FALSE);
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
    if (vips_threads > 0) /* else libvips picks one thread per core */
        vips_concurrency_set(vips_threads);
    return 0;
}

void ts_render_limits(const struct ts_config *cfg, struct iiif_limits *out)
{
    out->max_width = (uint32_t)cfg->max_width;
    out->max_height = (uint32_t)(cfg->max_height > 0 ? cfg->max_height : cfg->max_width);
    out->max_area = (uint64_t)cfg->max_area;
    out->confined_strict = cfg->confined_size_strict;
    out->upscale_max_to_limits = cfg->upscale_max_to_limits;
}

void ts_render_opts_init(struct ts_render_opts *o, const struct ts_config *cfg)
{
    o->jpeg_quality = (int)cfg->jpeg_quality;
    o->webp_quality = (int)cfg->webp_quality;
    o->webp_effort = (int)cfg->webp_effort;
    o->avif_quality = (int)cfg->avif_quality;
    o->jp2_quality = (int)cfg->jp2_quality;
    o->png_compression = (int)cfg->png_compression;
    static const struct {
        const char *name;
        VipsKernel kernel;
    } kernels[] = {{"nearest", VIPS_KERNEL_NEAREST}, {"linear", VIPS_KERNEL_LINEAR},     {"cubic", VIPS_KERNEL_CUBIC},
                   {"mitchell", VIPS_KERNEL_MITCHELL}, {"lanczos2", VIPS_KERNEL_LANCZOS2}, {"lanczos3", VIPS_KERNEL_LANCZOS3}};
    o->timeout_ms = cfg->request_timeout > 0 ? (int)(cfg->request_timeout * 1000) : 0;
    o->kernel = VIPS_KERNEL_LANCZOS3;
    for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++) {
        if (cfg->resample != NULL && strcmp(cfg->resample, kernels[i].name) == 0)
            o->kernel = kernels[i].kernel;
    }
}

void ts_image_set_simd(bool on)
{
    vips_vector_set_enabled(on ? TRUE : FALSE);
}

void ts_image_shutdown(void)
{
    vips_shutdown();
}

void ts_image_thread_done(void)
{
    vips_thread_shutdown();
}


/*
 * Opens level `li` of the source. Truncated or damaged data is an error
 * rather than grey pixels, so a broken file is reported, not served.
 */
static int load_level(const struct ts_source *s, struct ts_bytes *b, int li, VipsAccess access, VipsImage **out)
{
    const struct ts_level *l = &s->levels[li];
    const VipsFailOn fail = VIPS_FAIL_ON_TRUNCATED;
    VipsSource *vs = ts_bytes_io_vips(b);
    if (vs == NULL)
        return -1;
    int rc;
    switch (s->kind) {
    case TS_SRC_TIFF:
        if (li > 0 && s->tiff_subifd)
            rc = vips_tiffload_source(vs, out, "subifd", l->index, "access", access, "fail_on", fail, NULL);
        else
            rc = vips_tiffload_source(vs, out, "page", l->index, "access", access, "fail_on", fail, NULL);
        break;
    case TS_SRC_JP2:
        rc = vips_jp2kload_source(vs, out, "page", l->index, "access", access, "fail_on", fail, NULL);
        break;
    case TS_SRC_JPEG:
        rc = vips_jpegload_source(vs, out, "shrink", li > 0 ? l->index : 1, "access", access, "fail_on", fail, NULL);
        break;
    default:
        *out = vips_image_new_from_source(vs, "", "access", access, "fail_on", fail, NULL);
        rc = *out == NULL ? -1 : 0;
        break;
    }
    g_object_unref(vs); /* the image holds the source while it reads */
    return rc;
}

/*
 * Sources that are not tiled (JPEG, PNG, WebP, GIF) are read top to bottom
 * in one pass when nothing in the pipeline needs to jump around, so a large
 * answer never holds the whole decoded image; rotation and EXIF orientation
 * need random access.
 */
static VipsAccess access_for(const struct ts_source *s, const struct iiif_plan *p)
{
    bool streamable = s->kind == TS_SRC_JPEG || s->kind == TS_SRC_PNG || s->kind == TS_SRC_WEBP ||
                      s->kind == TS_SRC_GIF;
    return streamable && p->degrees == 0 && s->orientation == 1 ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM;
}

/*
 * Decoding happens lazily inside the encoder, so a failure there may be the
 * source's fault (truncated, corrupt: 415) or ours (500). libvips prefixes
 * messages with the failing operation's name: savers are ours.
 */
static int render_status(void)
{
    static const char *const savers[] = {"jpegsave", "pngsave", "webpsave", "vips2webp", "tiffsave",
                                         "vips2tiff", "gifsave", "cgif", "jp2ksave", "heifsave", "vips2jpeg",
                                         "VipsForeignSave"};
    const char *e = vips_error_buffer();
    for (size_t i = 0; i < sizeof(savers) / sizeof(savers[0]); i++) {
        if (strncmp(e, savers[i], strlen(savers[i])) == 0)
            return 500;
    }
    return 415;
}

/*
 * Whether to read a JPEG 2000 source through sub-code-streams of the tiles
 * the region touches (j2k_decode.h), rather than through libvips.
 */
static bool use_j2k_tiles(const struct ts_source *src, const struct iiif_plan *p)
{
    const struct ts_j2k_index *ix = src->j2k;
    if (src->kind != TS_SRC_JP2 || ix == NULL || !ix->direct || src->orientation != 1)
        return false;
    uint32_t tx0, ty0, tx1, ty1;
    ts_j2k_tiles_for(ix, p->x, p->y, p->x + p->w, p->y + p->h, &tx0, &ty0, &tx1, &ty1);
    return (uint64_t)(tx1 - tx0) * (ty1 - ty0) <= 65535;
}

static void free_buffer(VipsImage *im, void *data)
{
    (void)im;
    free(data);
}

/*
 * When the part of level `li` that plan `p` needs lies inside one stored
 * JPEG tile of a TIFF, decodes just that tile from its bytes (the ones tile
 * passthrough sends) instead of opening the TIFF through libvips: edge
 * tiles, other formats and qualities of grid tiles, small regions.
 * Returns 0 (the tile, at (*ox, *oy) in the level), TS_DECLINED when it
 * does not apply, or -1 (error).
 */
static int stored_tile(const struct ts_source *src, struct ts_bytes *b, int li, const struct iiif_plan *p,
                       VipsImage **out, uint32_t *ox, uint32_t *oy, struct ts_error *err)
{
    const struct ts_stored_tiles *st = &src->jpeg[li];
    if (src->kind != TS_SRC_TIFF || st->offsets == NULL || src->tile_w == 0 || src->tile_h == 0)
        return TS_DECLINED;
    const struct ts_level *l = &src->levels[li];
    struct ts_rect r;
    ts_level_region(p->x, p->y, p->w, p->h, src->width, src->height, l->width, l->height, &r);
    uint32_t x0 = r.x0, y0 = r.y0, x1 = r.x1, y1 = r.y1;
    uint32_t tx = x0 / src->tile_w, ty = y0 / src->tile_h;
    if ((x1 - 1) / src->tile_w != tx || (y1 - 1) / src->tile_h != ty || tx >= st->across || ty >= st->down ||
        st->sizes[(size_t)ty * st->across + tx] == 0)
        return TS_DECLINED;
    struct ts_tile_ref ref = {li, tx, ty, src->tile_w, src->tile_h};
    void *data = NULL;
    size_t len = 0;
    if (ts_passthrough_read(src, b, &ref, false, &data, &len, err) != 0)
        return -1;
    VipsImage *im = vips_image_new_from_buffer(data, len, "", "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
    if (im == NULL) {
        free(data);
        ts_vips_error(err, 415, "a stored tile could not be decoded", src->locator);
        return -1;
    }
    g_signal_connect(im, "postclose", G_CALLBACK(free_buffer), data);
    *out = im;
    *ox = tx * src->tile_w;
    *oy = ty * src->tile_h;
    return 0;
}

/* Plain JPEGs, upright, are read with libjpeg-turbo's skip and crop (jpeg_area.h). */
static bool use_jpeg_area(const struct ts_source *src)
{
    return src->kind == TS_SRC_JPEG && src->orientation == 1 && src->bands != 4;
}

/*
 * The part of level `li` that plan `p` needs, through jpeg_area.h. Returns
 * 0, TS_DECLINED for a JPEG it leaves to libvips, or -1 (error in `err`).
 */
static int jpeg_area(const struct ts_source *src, struct ts_bytes *b, int li, const struct iiif_plan *p,
                     VipsImage **out, uint32_t *ox, uint32_t *oy, struct ts_error *err)
{
    int shrink = li > 0 ? src->levels[li].index : 1;
    struct ts_rect r;
    ts_level_region(p->x, p->y, p->w, p->h, src->width, src->height, src->levels[li].width, src->levels[li].height,
                    &r);
    return ts_jpeg_decode_area(b, shrink, r.x0, r.y0, r.x1, r.y1, out, ox, oy, err);
}

/* Resizes to exactly w x h with `kernel`, premultiplying alpha so edges do not darken. */
static int resize_exact(VipsImage *in, int w, int h, VipsKernel kernel, VipsImage **t, int *n)
{
    VipsImage *cur = in;
    double hs = (double)w / cur->Xsize, vs = (double)h / cur->Ysize;
    if (cur->Xsize == w && cur->Ysize == h)
        return 0;
    bool alpha = vips_image_hasalpha(cur) != 0;
    VipsBandFormat fmt = cur->BandFmt;
    if (alpha) {
        if (vips_premultiply(cur, &t[*n], NULL) != 0)
            return -1;
        cur = t[(*n)++];
    }
    if (vips_resize(cur, &t[*n], hs, "vscale", vs, "kernel", kernel, NULL) != 0)
        return -1;
    cur = t[(*n)++];
    if (alpha) {
        if (vips_unpremultiply(cur, &t[*n], NULL) != 0)
            return -1;
        cur = t[(*n)++];
        if (vips_cast(cur, &t[*n], fmt, NULL) != 0)
            return -1;
        cur = t[(*n)++];
    }
    /* vips rounds sizes its own way: pad by copying edges, then trim. */
    if (cur->Xsize != w || cur->Ysize != h) {
        int ew = cur->Xsize > w ? cur->Xsize : w, eh = cur->Ysize > h ? cur->Ysize : h;
        if (ew != cur->Xsize || eh != cur->Ysize) {
            if (vips_embed(cur, &t[*n], 0, 0, ew, eh, "extend", VIPS_EXTEND_COPY, NULL) != 0)
                return -1;
            cur = t[(*n)++];
        }
        if (vips_extract_area(cur, &t[*n], 0, 0, w, h, NULL) != 0)
            return -1;
        (*n)++;
    }
    return 0;
}

/* The newest image in the step array. */
#define CUR (t[n - 1])

/* Converts the newest step to display colour (see colour.h) as one more step. */
static int to_display(VipsImage **t, int *np, bool grey)
{
    VipsImage *out = NULL;
    if (ts_image_to_display(t[*np - 1], &out, grey) != 0)
        return -1;
    t[(*np)++] = out;
    return 0;
}

static bool format_has_alpha(enum iiif_format f)
{
    return f == IIIF_FORMAT_PNG || f == IIIF_FORMAT_WEBP || f == IIIF_FORMAT_TIF || f == IIIF_FORMAT_GIF ||
           f == IIIF_FORMAT_AVIF || f == IIIF_FORMAT_JP2;
}

/* The clock a render runs against; `eval` stops the pipeline once it is past. */
struct deadline {
    int64_t at_us; /* CLOCK_MONOTONIC; 0: no limit */
    bool hit;      /* stopped for the time limit */
    bool aborted;  /* stopped by ts_render_abort_all */
};

static atomic_bool abort_all;

void ts_render_abort_all(void)
{
    atomic_store(&abort_all, true);
}

/* libvips calls this between tiles of a computation: past the deadline, set its kill flag. */
static void on_eval(VipsImage *image, VipsProgress *progress, void *user)
{
    (void)progress;
    struct deadline *d = user;
    if (d->hit || d->aborted)
        return;
    if (atomic_load(&abort_all)) {
        d->aborted = true;
        vips_image_set_kill(image, TRUE);
    } else if (d->at_us > 0 && ts_now_us() > d->at_us) {
        d->hit = true;
        vips_image_set_kill(image, TRUE);
    }
}

static int encode(VipsImage *im, enum iiif_format f, const struct ts_render_opts *o, bool bitonal, VipsTarget *t)
{
    switch (f) {
    case IIIF_FORMAT_JPG:
        return vips_jpegsave_target(im, t, "Q", o->jpeg_quality, "strip", TRUE, NULL);
    case IIIF_FORMAT_PNG:
        if (bitonal && !vips_image_hasalpha(im))
            return vips_pngsave_target(im, t, "compression", o->png_compression, "strip", TRUE, "bitdepth", 1, NULL);
        return vips_pngsave_target(im, t, "compression", o->png_compression, "strip", TRUE, NULL);
    case IIIF_FORMAT_WEBP:
        return vips_webpsave_target(im, t, "Q", o->webp_quality, "effort", o->webp_effort, "strip", TRUE, NULL);
    case IIIF_FORMAT_TIF:
        return vips_tiffsave_target(im, t, "compression", VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE, "predictor",
                                    VIPS_FOREIGN_TIFF_PREDICTOR_HORIZONTAL, "strip", TRUE, NULL);
    case IIIF_FORMAT_GIF:
        return vips_gifsave_target(im, t, "strip", TRUE, NULL);
    case IIIF_FORMAT_JP2:
        return vips_jp2ksave_target(im, t, "Q", o->jp2_quality, "strip", TRUE, NULL);
    case IIIF_FORMAT_AVIF:
        return vips_heifsave_target(im, t, "Q", o->avif_quality, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1,
                                    "effort", 0, "strip", TRUE, NULL);
    default:
        vips_error("tessera", "format %s cannot be written", iiif_format_ext(f));
        return -1;
    }
}

/*
 * Takes the bytes out of a memory target without copying them (what
 * vips_*save_buffer do): the blob gives up its data, which is g_malloc'd.
 */
static void take_memory(VipsTarget *t, struct ts_output *out)
{
    VipsBlob *blob = NULL;
    g_object_get(t, "blob", &blob, NULL);
    if (blob == NULL)
        return;
    VipsArea *a = VIPS_AREA(blob);
    out->data = a->data;
    out->len = a->length;
    a->free_fn = NULL;
    vips_area_unref(a);
}

/*
 * Renders into `target` (a memory target when `out->data` is wanted, else a
 * file descriptor target for spooling).
 */
static int render_into(const struct ts_source *src, struct ts_bytes *b, const struct iiif_plan *p,
                       const struct ts_render_opts *opts, VipsTarget *target, struct ts_output *out,
                       struct ts_error *err)
{
    VipsImage *t[MAX_STEPS] = {0};
    int n = 0, rc = -1;
    struct deadline deadline = {0, false, false};
    int64_t started = ts_now_us();

    /* Region and size: decode the cheapest level, crop, scale exactly. */
    double need = fmin((double)p->w / p->width, (double)p->h / p->height);
    int li = ts_level_pick(src, need);
    out->level = li;
    /*
     * The level as a whole (lw x lh pixels), and the part of it we hold:
     * everything for the libvips loaders (which decode lazily), or just the
     * tiles around the region for JPEG 2000 read by sub-code-streams,
     * placed at (ox, oy) within the level.
     */
    double lw, lh;
    uint32_t ox = 0, oy = 0;
    int way; /* each way of reading the level: 0 answered, TS_DECLINED, -1 failed */
    if (use_j2k_tiles(src, p)) {
        const struct ts_j2k_index *ix = src->j2k;
        unsigned r = (unsigned)src->levels[li].index;
        if (ts_j2k_decode_area(src, b, r, p->x, p->y, p->x + p->w, p->y + p->h, &t[n], &ox, &oy, err) != 0)
            goto out;
        n++;
        lw = (double)(((uint64_t)ix->xsiz + (1u << r) - 1) >> r) - (double)(((uint64_t)ix->xosiz + (1u << r) - 1) >> r);
        lh = (double)(((uint64_t)ix->ysiz + (1u << r) - 1) >> r) - (double)(((uint64_t)ix->yosiz + (1u << r) - 1) >> r);
    } else if ((way = stored_tile(src, b, li, p, &t[n], &ox, &oy, err)) != TS_DECLINED) {
        if (way < 0)
            goto out;
        n++;
        lw = src->levels[li].width;
        lh = src->levels[li].height;
    } else if (use_jpeg_area(src) && (way = jpeg_area(src, b, li, p, &t[n], &ox, &oy, err)) != TS_DECLINED) {
        if (way < 0)
            goto out;
        n++;
        lw = src->levels[li].width;
        lh = src->levels[li].height;
    } else {
        if (load_level(src, b, li, access_for(src, p), &t[n]) != 0) {
            ts_vips_error(err, 415, "the image could not be decoded", src->locator);
            goto out;
        }
        n++;
        if (src->orientation != 1) {
            if (vips_autorot(CUR, &t[n], NULL) != 0)
                goto fail;
            n++;
        }
        lw = CUR->Xsize;
        lh = CUR->Ysize;
    }
    /* the region at this level (image/level.h), within what is held of it */
    struct ts_rect r;
    ts_level_region(p->x, p->y, p->w, p->h, src->width, src->height, (uint32_t)lw, (uint32_t)lh, &r);
    int x0 = (int)r.x0 - (int)ox, y0 = (int)r.y0 - (int)oy, x1 = (int)r.x1 - (int)ox, y1 = (int)r.y1 - (int)oy;
    if (x0 < 0)
        x0 = 0;
    if (y0 < 0)
        y0 = 0;
    if (x1 > CUR->Xsize)
        x1 = CUR->Xsize;
    if (y1 > CUR->Ysize)
        y1 = CUR->Ysize;
    if (x0 >= x1)
        x0 = x1 - 1;
    if (y0 >= y1)
        y0 = y1 - 1;
    if (x0 != 0 || y0 != 0 || x1 != CUR->Xsize || y1 != CUR->Ysize) {
        if (vips_extract_area(CUR, &t[n], x0, y0, x1 - x0, y1 - y0, NULL) != 0)
            goto fail;
        n++;
    }
    if (resize_exact(CUR, (int)p->width, (int)p->height, (VipsKernel)opts->kernel, t, &n) != 0)
        goto fail;
    if (to_display(t, &n, src->is_grey) != 0)
        goto fail;

    /* Mirror, then rotate clockwise. */
    if (p->mirror) {
        if (vips_flip(CUR, &t[n], VIPS_DIRECTION_HORIZONTAL, NULL) != 0)
            goto fail;
        n++;
    }
    if (p->degrees != 0) {
        VipsAngle right = p->degrees == 90 ? VIPS_ANGLE_D90 : p->degrees == 180 ? VIPS_ANGLE_D180
                                                           : p->degrees == 270 ? VIPS_ANGLE_D270
                                                                               : VIPS_ANGLE_D0;
        if (right != VIPS_ANGLE_D0) {
            if (vips_rot(CUR, &t[n], right, NULL) != 0)
                goto fail;
            n++;
        } else {
            /* Transparent corners where the format has alpha, white elsewhere. */
            bool clear = format_has_alpha(p->format);
            if (clear && !vips_image_hasalpha(CUR)) {
                if (vips_addalpha(CUR, &t[n], NULL) != 0)
                    goto fail;
                n++;
            }
            double bg[4];
            int nb = CUR->Bands > 4 ? 4 : CUR->Bands;
            for (int i = 0; i < nb; i++)
                bg[i] = clear ? 0 : 255;
            VipsArrayDouble *background = vips_array_double_new(bg, nb);
            int r = vips_rotate(CUR, &t[n], p->degrees, "background", background, NULL);
            vips_area_unref(VIPS_AREA(background));
            if (r != 0)
                goto fail;
            n++;
        }
    }

    /* Quality. */
    bool bitonal = p->quality == IIIF_QUALITY_BITONAL;
    if ((p->quality == IIIF_QUALITY_GRAY || bitonal) && vips_image_get_interpretation(CUR) != VIPS_INTERPRETATION_B_W) {
        if (vips_colourspace(CUR, &t[n], VIPS_INTERPRETATION_B_W, NULL) != 0)
            goto fail;
        n++;
    }
    if (bitonal) {
        VipsImage *grey = CUR, *lum = CUR;
        bool alpha = vips_image_hasalpha(grey) != 0;
        if (alpha) {
            if (vips_extract_band(grey, &t[n], 0, NULL) != 0)
                goto fail;
            lum = t[n++];
        }
        if (vips_moreeq_const1(lum, &t[n], 128, NULL) != 0)
            goto fail;
        VipsImage *bw = t[n++];
        if (alpha) {
            if (vips_extract_band(grey, &t[n], 1, NULL) != 0)
                goto fail;
            VipsImage *a = t[n++];
            if (vips_bandjoin2(bw, a, &t[n], NULL) != 0)
                goto fail;
            n++;
        }
        if (vips_copy(CUR, &t[n], "interpretation", VIPS_INTERPRETATION_B_W, NULL) != 0)
            goto fail;
        n++;
    }

    /* Formats without alpha get a white background, not libvips's black. */
    if (!format_has_alpha(p->format) && vips_image_hasalpha(CUR)) {
        double white[1] = {255};
        VipsArrayDouble *background = vips_array_double_new(white, 1);
        int r = vips_flatten(CUR, &t[n], "background", background, NULL);
        vips_area_unref(VIPS_AREA(background));
        if (r != 0)
            goto fail;
        n++;
    }
    /* AVIF (libheif) wants colour. */
    if (p->format == IIIF_FORMAT_AVIF && vips_image_get_interpretation(CUR) == VIPS_INTERPRETATION_B_W) {
        if (vips_colourspace(CUR, &t[n], VIPS_INTERPRETATION_sRGB, NULL) != 0)
            goto fail;
        n++;
    }

    /* watched between tiles: for the time limit, and so a shutdown past its grace period stops it */
    if (opts->timeout_ms > 0)
        deadline.at_us = started + (int64_t)opts->timeout_ms * 1000;
    VipsImage *watched = CUR;
    vips_image_set_progress(watched, TRUE);
    gulong eval_id = g_signal_connect(watched, "eval", G_CALLBACK(on_eval), &deadline);
    int erc = encode(CUR, p->format, opts, bitonal, target);
    g_signal_handler_disconnect(watched, eval_id);
    if (erc != 0)
        goto fail;
    out->width = (uint32_t)CUR->Xsize;
    out->height = (uint32_t)CUR->Ysize;
    rc = 0;
    goto out;
fail:
    if (deadline.aborted) {
        vips_error_clear();
        ts_error_set(err, 503, "the server is shutting down");
    } else if (deadline.hit) {
        vips_error_clear();
        ts_error_set(err, 503, "making this image took longer than the %d s limit (request_timeout); ask for a smaller size or region",
                     (opts->timeout_ms + 999) / 1000);
    } else if (render_status() == 415)
        ts_vips_error(err, 415, "the image could not be decoded", src->locator);
    else
        ts_vips_error(err, 500, "image processing failed", src->locator);
out:
    for (int i = 0; i < n; i++)
        g_object_unref(t[i]);
    return rc;
}

int ts_render(const struct ts_source *src, const struct iiif_plan *p, const struct ts_render_opts *opts,
              struct ts_output *out, struct ts_error *err)
{
    memset(out, 0, sizeof(*out));
    struct ts_bytes *b;
    if (ts_source_bytes(src, &b, err) != 0)
        return -1;
    int rc = ts_direct_tile(src, b, p, opts, out, err);
    if (rc == TS_DECLINED) {
        VipsTarget *target = vips_target_new_to_memory();
        rc = render_into(src, b, p, opts, target, out, err);
        if (rc == 0) {
            take_memory(target, out);
            if (out->data == NULL)
                rc = ts_error_set(err, 500, "the encoder produced nothing");
        }
        g_object_unref(target);
    }
    ts_bytes_close(b);
    return rc;
}

int ts_render_to_fd(const struct ts_source *src, const struct iiif_plan *p, const struct ts_render_opts *opts, int fd,
                    struct ts_output *out, struct ts_error *err)
{
    memset(out, 0, sizeof(*out));
    struct ts_bytes *b;
    if (ts_source_bytes(src, &b, err) != 0)
        return -1;
    VipsTarget *target = vips_target_new_to_descriptor(fd);
    if (target == NULL) {
        ts_bytes_close(b);
        return ts_vips_error(err, 500, "cannot write the answer", NULL);
    }
    int rc = render_into(src, b, p, opts, target, out, err);
    g_object_unref(target);
    ts_bytes_close(b);
    return rc;
}

void ts_formats_probe(struct ts_formats *f)
{
    memset(f, 0, sizeof(*f));
    VipsImage *im = NULL;
    if (vips_black(&im, 8, 8, "bands", 3, NULL) != 0) {
        vips_error_clear();
        return;
    }
    VipsImage *rgb = NULL;
    if (vips_copy(im, &rgb, "interpretation", VIPS_INTERPRETATION_sRGB, NULL) != 0) {
        g_object_unref(im);
        vips_error_clear();
        return;
    }
    struct ts_render_opts o = {.jpeg_quality = 80, .webp_quality = 80, .avif_quality = 50, .jp2_quality = 48,
                               .png_compression = 6, .kernel = VIPS_KERNEL_LANCZOS3};
    for (int i = 0; i < IIIF_FORMAT_COUNT; i++) {
        VipsTarget *t = vips_target_new_to_memory();
        struct ts_output out = {0};
        if (encode(rgb, (enum iiif_format)i, &o, false, t) == 0) {
            take_memory(t, &out);
            f->ok[i] = out.len > 0;
        }
        g_free(out.data);
        g_object_unref(t);
        vips_error_clear();
    }
    g_object_unref(rgb);
    g_object_unref(im);
}
