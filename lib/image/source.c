/*
 * source.c: probing image files for size, levels and tiles.
 *
 * A "level" is a resolution the decoder can produce without touching the
 * full-resolution pixels: a page or SubIFD of a pyramidal TIFF, a resolution
 * of a JPEG 2000 code-stream, or a DCT shrink factor of a JPEG. Rendering
 * picks the smallest level that still has enough pixels for the answer.
 */
#include "image/source.h"
#include "image/bytes_io.h"
#include "image/vipserr.h"
#include "source/origin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>
#include <vips/vips.h>

const char *ts_source_kind_name(enum ts_src_kind k)
{
    static const char *const names[] = {"tiff", "jp2", "jpeg", "webp", "png", "gif", "heif", "other"};
    return names[k];
}

static enum ts_src_kind kind_of_loader(const char *loader)
{
    if (loader == NULL)
        return TS_SRC_OTHER;
    if (strncmp(loader, "tiffload", 8) == 0)
        return TS_SRC_TIFF;
    if (strncmp(loader, "jp2kload", 8) == 0)
        return TS_SRC_JP2;
    if (strncmp(loader, "jpegload", 8) == 0)
        return TS_SRC_JPEG;
    if (strncmp(loader, "webpload", 8) == 0)
        return TS_SRC_WEBP;
    if (strncmp(loader, "pngload", 7) == 0)
        return TS_SRC_PNG;
    if (strncmp(loader, "gifload", 7) == 0)
        return TS_SRC_GIF;
    if (strncmp(loader, "heifload", 8) == 0)
        return TS_SRC_HEIF;
    return TS_SRC_OTHER;
}

/*
 * Whether (w,h) is a reduction of the previous level (pw,ph) with the aspect
 * ratio of the full image (W,H), allowing each side a pixel of rounding.
 */
static bool is_reduction(uint32_t w, uint32_t h, uint32_t pw, uint32_t ph, uint32_t W, uint32_t H)
{
    if (w == 0 || h == 0 || w >= pw || h >= ph)
        return false;
    int64_t diff = (int64_t)w * H - (int64_t)h * W;
    if (diff < 0)
        diff = -diff;
    return diff <= (int64_t)(W > H ? W : H);
}

static int tiff_quiet(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    (void)user;
    (void)module;
    (void)fmt;
    (void)ap;
    return 1;
}

/* Tile tables larger than this are not kept (a 250000 x 250000 image in 256-px tiles has about 1M). */
#define MAX_STORED_TILES (1u << 20)

/* Whether an ICC profile looks like sRGB (its description says so). */
static bool icc_is_srgb(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i + 4 <= n; i++) {
        if (memcmp(p + i, "sRGB", 4) == 0)
            return true;
    }
    return false;
}

/*
 * Records the JPEG tiles of the current directory as level `li`, if they can
 * be sent unchanged: 8-bit JPEG-in-TIFF, one plane, YCbCr, RGB or grey, no alpha,
 * no colour profile other than sRGB (answers are sRGB).
 */
static void read_stored_tiles(TIFF *tif, struct ts_source *s, int li)
{
    uint16_t compression = 0, photometric = 0, bps = 0, spp = 0, planar = PLANARCONFIG_CONTIG, extra = 0;
    uint16_t *extra_types = NULL;
    uint32_t icc_len = 0;
    void *icc = NULL;
    TIFFGetField(tif, TIFFTAG_COMPRESSION, &compression);
    TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
    TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &extra, &extra_types);
    bool colour_ok = (photometric == PHOTOMETRIC_YCBCR && spp == 3) || (photometric == PHOTOMETRIC_RGB && spp == 3) ||
                     (photometric == PHOTOMETRIC_MINISBLACK && spp == 1);
    if (!TIFFIsTiled(tif) || compression != COMPRESSION_JPEG || bps != 8 || planar != PLANARCONFIG_CONTIG ||
        extra != 0 || !colour_ok)
        return;
    if (TIFFGetField(tif, TIFFTAG_ICCPROFILE, &icc_len, &icc) && !icc_is_srgb(icc, icc_len))
        return;
    uint32_t tw = 0, th = 0, w = 0, h = 0;
    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
    if (tw == 0 || th == 0 || tw != s->tile_w || th != s->tile_h)
        return;
    uint32_t across = (w + tw - 1) / tw, down = (h + th - 1) / th;
    uint64_t *offs = NULL, *counts = NULL;
    if ((uint64_t)across * down > MAX_STORED_TILES || TIFFNumberOfTiles(tif) != across * down ||
        !TIFFGetField(tif, TIFFTAG_TILEOFFSETS, &offs) || !TIFFGetField(tif, TIFFTAG_TILEBYTECOUNTS, &counts))
        return;
    uint32_t n_tables = 0;
    void *tables = NULL;
    TIFFGetField(tif, TIFFTAG_JPEGTABLES, &n_tables, &tables);
    struct ts_stored_tiles *st = &s->jpeg[li];
    size_t n = (size_t)across * down;
    st->offsets = malloc(n * sizeof(*st->offsets));
    st->sizes = malloc(n * sizeof(*st->sizes));
    if (tables != NULL && n_tables >= 4)
        st->tables = malloc(n_tables);
    if (st->offsets == NULL || st->sizes == NULL || (tables != NULL && n_tables >= 4 && st->tables == NULL)) {
        free(st->offsets);
        free(st->sizes);
        free(st->tables);
        memset(st, 0, sizeof(*st));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        st->offsets[i] = offs[i];
        st->sizes[i] = counts[i] > UINT32_MAX ? 0 : (uint32_t)counts[i];
    }
    if (st->tables != NULL) {
        memcpy(st->tables, tables, n_tables);
        st->tables_len = n_tables;
    }
    st->across = across;
    st->down = down;
    st->rgb = photometric == PHOTOMETRIC_RGB;
}

/* Finds tile size and pyramid levels (pages or SubIFDs) of a TIFF. */
static void probe_tiff(struct ts_source *s, struct ts_bytes *b)
{
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    TIFFOpenOptionsSetErrorHandlerExtR(opts, tiff_quiet, NULL);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, tiff_quiet, NULL);
    TIFF *tif = ts_bytes_io_tiff(b, "rm", opts);
    TIFFOpenOptionsFree(opts);
    if (tif == NULL)
        return;
    uint32_t W = 0, H = 0, tw = 0, th = 0;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &W);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &H);
    if (TIFFIsTiled(tif)) {
        TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
        TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
    }
    if (W != s->levels[0].width || H != s->levels[0].height) {
        TIFFClose(tif);
        return;
    }
    s->tile_w = tw;
    s->tile_h = th;
    read_stored_tiles(tif, s, 0);

    /* SubIFD pyramids (vips tiffsave --subifd, OME-TIFF) */
    uint16_t n_sub = 0;
    uint64_t *subs = NULL;
    if (TIFFGetField(tif, TIFFTAG_SUBIFD, &n_sub, &subs) && n_sub > 0) {
        uint64_t offs[TS_MAX_LEVELS];
        int n = n_sub < TS_MAX_LEVELS - 1 ? n_sub : TS_MAX_LEVELS - 1;
        memcpy(offs, subs, (size_t)n * sizeof(uint64_t));
        for (int i = 0; i < n; i++) {
            if (!TIFFSetSubDirectory(tif, offs[i]))
                break;
            uint32_t w = 0, h = 0;
            TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
            TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
            struct ts_level *prev = &s->levels[s->n_levels - 1];
            if (!is_reduction(w, h, prev->width, prev->height, W, H))
                break;
            read_stored_tiles(tif, s, s->n_levels);
            s->levels[s->n_levels++] = (struct ts_level){w, h, i};
        }
        if (s->n_levels > 1) {
            s->tiff_subifd = true;
            TIFFClose(tif);
            return;
        }
    }
    /* Page pyramids (vips tiffsave --pyramid, classic pyramidal TIFF) */
    int page = 1;
    while (s->n_levels < TS_MAX_LEVELS && TIFFSetDirectory(tif, (tdir_t)page)) {
        uint32_t w = 0, h = 0;
        TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
        TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
        struct ts_level *prev = &s->levels[s->n_levels - 1];
        if (!is_reduction(w, h, prev->width, prev->height, W, H))
            break;
        read_stored_tiles(tif, s, s->n_levels);
        s->levels[s->n_levels++] = (struct ts_level){w, h, page};
        page++;
    }
    TIFFClose(tif);
}

/*
 * Indexes a JPEG 2000 file for tile decoding (see j2k.h) and derives its
 * tile size and resolution levels from the code-stream.
 */
static void probe_jp2(struct ts_source *s, int n_res_vips, struct ts_bytes *b)
{
    int n_res = n_res_vips;
    struct ts_j2k_index *ix = calloc(1, sizeof(*ix));
    if (ix != NULL && ts_j2k_index_read(b, ix, NULL) == 0) {
        if (ix->tiles_x * ix->tiles_y > 1) {
            s->tile_w = ix->xtsiz;
            s->tile_h = ix->ytsiz;
        }
        n_res = ix->ndecomp + 1;
        if (ix->direct) {
            s->j2k = ix;
            ix = NULL;
        }
    }
    if (ix != NULL) {
        ts_j2k_index_release(ix);
        free(ix);
    }
    uint32_t W = s->levels[0].width, H = s->levels[0].height;
    for (int r = 1; r < n_res && s->n_levels < TS_MAX_LEVELS; r++) {
        uint32_t w = (W + (1u << r) - 1) >> r, h = (H + (1u << r) - 1) >> r;
        if (w == 0 || h == 0)
            break;
        s->levels[s->n_levels++] = (struct ts_level){w, h, r};
    }
}

static void probe_jpeg(struct ts_source *s)
{
    uint32_t W = s->levels[0].width, H = s->levels[0].height;
    for (int shrink = 2; shrink <= 8; shrink *= 2) {
        uint32_t w = (W + (uint32_t)shrink - 1) / (uint32_t)shrink;
        uint32_t h = (H + (uint32_t)shrink - 1) / (uint32_t)shrink;
        s->levels[s->n_levels++] = (struct ts_level){w, h, shrink};
    }
}

/* The raw value of EXIF field `name` of `im`, or false. */
static bool exif_field(VipsImage *im, const char *name, char *out, size_t cap)
{
    const char *v = NULL;
    if (vips_image_get_typeof(im, name) == 0 || vips_image_get_string(im, name, &v) != 0 || v == NULL)
        return false;
    return ts_exif_raw(v, out, cap) == 0 && out[0] != '\0';
}

static void read_exif(VipsImage *im, struct ts_exif *x)
{
    char v[256], ref[8];
    if (exif_field(im, "exif-ifd2-DateTimeOriginal", v, sizeof(v)) && ts_exif_date(v, x->date) == 0) {
        /* taken */
    } else if (exif_field(im, "exif-ifd0-DateTime", v, sizeof(v)) && ts_exif_date(v, x->date) == 0) {
        /* last changed: the best there is */
    } else {
        x->date[0] = '\0';
    }
    double lat, lon;
    if (exif_field(im, "exif-ifd3-GPSLatitude", v, sizeof(v)) && exif_field(im, "exif-ifd3-GPSLatitudeRef", ref, sizeof(ref)) &&
        ts_exif_degrees(v, ref, &lat) == 0 && exif_field(im, "exif-ifd3-GPSLongitude", v, sizeof(v)) &&
        exif_field(im, "exif-ifd3-GPSLongitudeRef", ref, sizeof(ref)) && ts_exif_degrees(v, ref, &lon) == 0 &&
        lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
        x->has_gps = true;
        x->lat = lat;
        x->lon = lon;
    }
    if (!exif_field(im, "exif-ifd0-Copyright", x->copyright, sizeof(x->copyright)))
        x->copyright[0] = '\0';
}

/* A metadata integer of `im`, or 0. */
static int meta_int(VipsImage *im, const char *name)
{
    int v = 0;
    if (vips_image_get_typeof(im, name) == 0 || vips_image_get_int(im, name, &v) != 0)
        return 0;
    return v;
}

/*
 * What a decoder of `im` holds for the whole image (struct ts_source's
 * whole_bytes). A multi-scan JPEG keeps every DCT coefficient: 64 of two
 * bytes per 8x8 block of each component, at full resolution whatever the
 * shrink (libjpeg's whole-image coefficient buffer), with chroma as the file
 * subsamples it; an interlaced (Adam7) PNG is decoded whole.
 */
static uint64_t whole_bytes(VipsImage *im, const struct ts_source *s)
{
    uint64_t W = s->levels[0].width, H = s->levels[0].height;
    if (s->kind == TS_SRC_JPEG && meta_int(im, "jpeg-multiscan")) {
        uint64_t w16 = (W + 15) / 16 * 16, h16 = (H + 15) / 16 * 16;
        uint64_t luma = w16 * h16 * 2;
        int comps = s->bands;
        if (comps <= 1)
            return luma;
        const char *sub = NULL;
        if (vips_image_get_typeof(im, "jpeg-chroma-subsample") == 0 ||
            vips_image_get_string(im, "jpeg-chroma-subsample", &sub) != 0)
            sub = NULL;
        /* chroma planes as a fraction of luma, in quarters: 4:4:4 4, 4:2:2 2, 4:2:0 1 */
        uint64_t q = sub != NULL && strcmp(sub, "4:2:0") == 0 ? 1 : sub != NULL && strcmp(sub, "4:2:2") == 0 ? 2 : 4;
        return luma + (uint64_t)(comps - 1) * luma * q / 4;
    }
    if (s->kind == TS_SRC_PNG && meta_int(im, "interlaced"))
        return W * H * (uint64_t)s->bands * (uint64_t)s->sample_bytes;
    return 0;
}

int ts_source_open(const char *locator, struct ts_source *s, struct ts_error *err)
{
    memset(s, 0, sizeof(*s));
    s->orientation = 1;
    struct ts_bytes *b;
    if (ts_origin_open(locator, &b, err) != 0)
        return -1;
    if (ts_bytes_size(b) == 0) {
        ts_bytes_close(b);
        return ts_error_set(err, 415, "the file for this identifier is not a readable image: it is empty");
    }
    VipsSource *vs = ts_bytes_io_vips(b);
    if (vs == NULL) {
        /* not the file's fault: out of descriptors (the dup) or memory */
        ts_bytes_close(b);
        return ts_vips_error(err, 503, "the image cannot be read now; try again", locator);
    }
    VipsImage *im = vips_image_new_from_source(vs, "", "access", VIPS_ACCESS_RANDOM, "fail_on", VIPS_FAIL_ON_TRUNCATED,
                                               NULL);
    g_object_unref(vs);
    if (im == NULL) {
        ts_bytes_close(b);
        return ts_vips_error(err, 415, "the file for this identifier is not a readable image", locator);
    }
    s->locator = strdup(locator);
    if (s->locator == NULL) {
        g_object_unref(im);
        ts_bytes_close(b);
        return ts_error_set(err, 500, "out of memory");
    }
    s->version = b->version;
    const char *loader = NULL;
    if (vips_image_get_typeof(im, VIPS_META_LOADER) != 0 && vips_image_get_string(im, VIPS_META_LOADER, &loader) != 0)
        loader = NULL;
    s->kind = kind_of_loader(loader);
    s->levels[0] = (struct ts_level){(uint32_t)vips_image_get_width(im), (uint32_t)vips_image_get_height(im), 0};
    s->n_levels = 1;
    s->bands = vips_image_get_bands(im);
    s->has_alpha = vips_image_hasalpha(im) != 0;
    VipsInterpretation interp = vips_image_get_interpretation(im);
    s->is_grey = interp == VIPS_INTERPRETATION_B_W || interp == VIPS_INTERPRETATION_GREY16 ||
                 (s->bands - (s->has_alpha ? 1 : 0)) == 1;
    int n_pages = 1;
    if (vips_image_get_typeof(im, VIPS_META_N_PAGES) != 0 && vips_image_get_int(im, VIPS_META_N_PAGES, &n_pages) != 0)
        n_pages = 1;
    int orientation = 1;
    if (s->kind != TS_SRC_TIFF && vips_image_get_typeof(im, VIPS_META_ORIENTATION) != 0 &&
        vips_image_get_int(im, VIPS_META_ORIENTATION, &orientation) == 0 && orientation >= 1 && orientation <= 8)
        s->orientation = orientation;
    read_exif(im, &s->exif);
    VipsBandFormat fmt = vips_image_get_format(im);
    s->sample_bytes = fmt == VIPS_FORMAT_USHORT || fmt == VIPS_FORMAT_SHORT ? 2 : 1;
    s->whole_bytes = whole_bytes(im, s);
    g_object_unref(im);

    switch (s->kind) {
    case TS_SRC_TIFF: probe_tiff(s, b); break;
    case TS_SRC_JP2: probe_jp2(s, n_pages, b); break;
    case TS_SRC_JPEG: probe_jpeg(s); break;
    default: break;
    }
    ts_bytes_close(b);
    bool swap = ts_orientation_swaps(s->orientation);
    s->width = swap ? s->levels[0].height : s->levels[0].width;
    s->height = swap ? s->levels[0].width : s->levels[0].height;
    if (swap) {
        uint32_t t = s->tile_w;
        s->tile_w = s->tile_h;
        s->tile_h = t;
    }
    return 0;
}

void ts_source_release(struct ts_source *s)
{
    if (s == NULL)
        return;
    free(s->locator);
    s->locator = NULL;
    if (s->j2k != NULL) {
        ts_j2k_index_release(s->j2k);
        free(s->j2k);
        s->j2k = NULL;
    }
    for (int i = 0; i < TS_MAX_LEVELS; i++) {
        free(s->jpeg[i].offsets);
        free(s->jpeg[i].sizes);
        free(s->jpeg[i].tables);
        memset(&s->jpeg[i], 0, sizeof(s->jpeg[i]));
    }
}

size_t ts_source_extra_bytes(const struct ts_source *s)
{
    size_t n = s->locator != NULL ? strlen(s->locator) + 1 : 0;
    if (s->j2k != NULL)
        n += sizeof(*s->j2k) + ts_j2k_index_bytes(s->j2k);
    for (int i = 0; i < TS_MAX_LEVELS; i++) {
        if (s->jpeg[i].offsets != NULL)
            n += (size_t)s->jpeg[i].across * s->jpeg[i].down * (sizeof(uint64_t) + sizeof(uint32_t)) +
                 s->jpeg[i].tables_len;
    }
    return n;
}

int ts_source_bytes(const struct ts_source *src, struct ts_bytes **out, struct ts_error *err)
{
    if (ts_origin_open(src->locator, out, err) != 0)
        return -1;
    if (!ts_version_same(&(*out)->version, &src->version)) {
        ts_bytes_close(*out);
        *out = NULL;
        return ts_error_set(err, 503, "the file changed while it was being read; try again");
    }
    return 0;
}
