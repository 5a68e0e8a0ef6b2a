/*
 * passthrough.c: stored JPEG tiles sent as they are.
 *
 * Cost: one open, one pread of the tile, one copy to prepend the tables:
 * a few microseconds, against a millisecond or more to decode and encode.
 * Edge tiles add a cut in the entropy-coded data: 30 to 200 microseconds
 * for a 256-px tile of quality 90.
 */
#include "image/passthrough.h"

#include <stdlib.h>
#include <string.h>

#include "image/jpeg_crop.h"
#include "image/jpeg_trim.h"

#define MAX_TILE_BYTES (16u << 20)

/*
 * The largest stored tile (with the TIFF's JPEG tables) cut on an event
 * loop (`quick`): the cropper reads Huffman codes at about 7 us per
 * kilobyte, so 64 KiB (a 256-px tile of quality 90 is 20-45 KiB) keeps a
 * loop busy 0.5 ms at most. Larger ones (512- or 1024-px tiles) are cut on
 * a worker.
 */
#define QUICK_CROP_BYTES (64u << 10)

/* APP14 "Adobe", version 100, no flags, transform 0: the components are RGB */
static const uint8_t adobe_rgb[16] = {0xFF, 0xEE, 0x00, 0x0E, 'A', 'd', 'o', 'b', 'e', 0x00, 0x64,
                                      0x00, 0x00, 0x00, 0x00, 0x00};

/*
 * Along one axis: whether the region [x, x + w) of an image `full` pixels
 * long, scaled to `out` pixels, is tile `*t` of a level `lw` pixels long
 * that is the image divided by `sf`, in tiles of `tw`. A whole tile must be
 * asked for at its size; an edge tile (padded in the file) must reach the
 * image's edge and be asked for at the size the level has of it, `*keep`.
 */
static bool axis_match(uint32_t x, uint32_t w, uint32_t out, uint32_t full, uint64_t lw, uint32_t tw, uint32_t sf,
                       uint32_t n_tiles, uint32_t *t, uint32_t *keep)
{
    uint64_t span = (uint64_t)tw * sf;
    if (x % span != 0 || x / span >= n_tiles)
        return false;
    uint64_t start = x / span * tw;
    if (start >= lw)
        return false;
    if (lw - start >= tw) {
        if (w != span || out != tw)
            return false;
    } else if ((uint64_t)x + w != full || out != lw - start) {
        return false;
    }
    *t = (uint32_t)(x / span);
    *keep = out;
    return true;
}

bool ts_passthrough_match(const struct ts_source *src, const struct iiif_plan *p, struct ts_tile_ref *out)
{
    if (src->kind != TS_SRC_TIFF || p->format != IIIF_FORMAT_JPG || p->mirror || p->degrees != 0)
        return false;
    if (p->quality == IIIF_QUALITY_BITONAL || (p->quality == IIIF_QUALITY_GRAY && !src->is_grey))
        return false;
    uint32_t tw = src->tile_w, th = src->tile_h;
    if (tw == 0 || th == 0 || p->width > tw || p->height > th)
        return false;
    for (int li = 0; li < src->n_levels; li++) {
        const struct ts_stored_tiles *st = &src->jpeg[li];
        const struct ts_level *l = &src->levels[li];
        if (st->offsets == NULL || l->width == 0 || l->height == 0)
            continue;
        /* this level must be the full image divided by a whole sf, give or take its rounding */
        uint64_t lw = l->width, lh = l->height;
        uint64_t sf = (src->width + lw / 2) / lw;
        if (sf == 0 || sf > UINT32_MAX / tw || sf > UINT32_MAX / th || lw * sf > (uint64_t)src->width + sf - 1 ||
            lw * sf + sf - 1 < src->width || lh * sf > (uint64_t)src->height + sf - 1 || lh * sf + sf - 1 < src->height)
            continue;
        struct ts_tile_ref r = {li, 0, 0, 0, 0};
        if (!axis_match(p->x, p->w, p->width, src->width, lw, tw, (uint32_t)sf, st->across, &r.tx, &r.w) ||
            !axis_match(p->y, p->h, p->height, src->height, lh, th, (uint32_t)sf, st->down, &r.ty, &r.h))
            continue;
        if (st->sizes[(size_t)r.ty * st->across + r.tx] == 0)
            return false;
        *out = r;
        return true;
    }
    return false;
}

int ts_passthrough_read(const struct ts_source *src, struct ts_bytes *b, const struct ts_tile_ref *t, bool quick,
                        void **data, size_t *len, struct ts_error *err)
{
    const struct ts_stored_tiles *st = &src->jpeg[t->level];
    size_t i = (size_t)t->ty * st->across + t->tx;
    uint32_t n = st->sizes[i];
    const uint8_t *tables = st->tables;
    uint32_t tl = st->tables_len;
    /* tables: SOI, DQT/DHT segments, EOI; the tile: SOI, its own segments and data, EOI */
    if (tables != NULL && (tl < 4 || tables[0] != 0xFF || tables[1] != 0xD8 || tables[tl - 2] != 0xFF ||
                           tables[tl - 1] != 0xD9))
        return ts_error_set(err, 415, "the TIFF's JPEG tables are damaged");
    if (n < 4 || n > MAX_TILE_BYTES)
        return ts_error_set(err, 415, "a stored tile has an impossible size");
    bool whole = t->w == src->tile_w && t->h == src->tile_h;
    if (quick && !whole && (uint64_t)n + tl > QUICK_CROP_BYTES)
        return TS_DECLINED;
    /*
     * The answer is SOI, an Adobe marker for RGB-coded tiles (decoders would
     * otherwise assume YCbCr), the tables' segments, then the tile after its
     * own SOI. The tile is read so that its SOI falls on the last two bytes
     * of that prefix, which are then written over it: no second copy.
     */
    size_t adobe_len = st->rgb ? sizeof(adobe_rgb) : 0;
    size_t prefix = 2 + adobe_len + (tables != NULL ? tl - 4 : 0);
    uint8_t *buf = malloc(prefix - 2 + n);
    if (buf == NULL)
        return ts_error_set(err, 500, "out of memory");
    uint8_t *tile = buf + prefix - 2;
    if (ts_bytes_read_exact(b, tile, n, st->offsets[i], "a stored tile", err) != 0) {
        free(buf);
        return -1;
    }
    if (tile[0] != 0xFF || tile[1] != 0xD8) {
        free(buf);
        return ts_error_set(err, 415, "a stored tile is not a JPEG stream");
    }
    buf[0] = 0xFF;
    buf[1] = 0xD8;
    memcpy(buf + 2, adobe_rgb, adobe_len);
    if (tables != NULL)
        memcpy(buf + 2 + adobe_len, tables + 2, tl - 4); /* the table segments, without SOI and EOI */
    size_t buf_len = prefix - 2 + n;
    if (whole) {
        *data = buf;
        *len = buf_len;
        return 0;
    }
    uint8_t *cropped;
    if (ts_jpeg_crop(buf, buf_len, src->tile_w, src->tile_h, t->w, t->h, &cropped, len) == 0) {
        free(buf);
        *data = cropped;
        return 0;
    }
    /* a stream the cropper declines: libjpeg's transcoder, never on a loop */
    int rc = quick ? TS_DECLINED : ts_jpeg_trim(buf, buf_len, t->w, t->h, data, len, err);
    free(buf);
    return rc;
}
