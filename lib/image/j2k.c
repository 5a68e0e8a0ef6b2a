/*
 * j2k.c: indexing JPEG 2000 code-streams and serving sub-code-streams.
 *
 * Indexing costs one read of the main header and one 12-byte read per
 * tile-part (about a millisecond for a 12000 x 9000 image in 256-px tiles);
 * it is done once per file and kept in the metadata cache.
 */
#include "image/j2k.h"
#include "source/bytes.h"

#include <stdlib.h>
#include <string.h>

#define MAX_TILES (1u << 20)
#define MAX_PARTS (1u << 22)
#define MAX_HEADER (16u << 20)

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

long ts_j2k_parse_main(const uint8_t *p, size_t n, struct ts_j2k_index *ix, struct ts_error *err)
{
    bool have_siz = false, have_cod = false, ppm = false, uniform = true;
    if (n < 4 || be16(p) != 0xFF4F || be16(p + 2) != 0xFF51)
        return ts_error_set(err, 415, "not a JPEG 2000 code-stream");
    /* pass 1: find the end of the main header and check it */
    size_t pos = 2;
    for (;;) {
        if (pos + 4 > n)
            return ts_error_set(err, 415, "the JPEG 2000 main header is truncated");
        uint16_t m = be16(p + pos);
        if (m == 0xFF90)
            break;
        if (m < 0xFF30)
            return ts_error_set(err, 415, "bad marker in the JPEG 2000 main header");
        uint16_t len = be16(p + pos + 2);
        if (len < 2 || pos + 2 + len > n)
            return ts_error_set(err, 415, "the JPEG 2000 main header is truncated");
        const uint8_t *s = p + pos;
        if (m == 0xFF51) {
            if (len < 41 || have_siz)
                return ts_error_set(err, 415, "bad SIZ marker");
            uint16_t rsiz = be16(s + 4);
            ix->ht = (rsiz & 0x4000) != 0;
            ix->xsiz = be32(s + 6);
            ix->ysiz = be32(s + 10);
            ix->xosiz = be32(s + 14);
            ix->yosiz = be32(s + 18);
            ix->xtsiz = be32(s + 22);
            ix->ytsiz = be32(s + 26);
            ix->xtosiz = be32(s + 30);
            ix->ytosiz = be32(s + 34);
            ix->ncomp = be16(s + 38);
            if (ix->ncomp == 0 || len != 38 + 3u * ix->ncomp)
                return ts_error_set(err, 415, "bad SIZ marker");
            for (uint32_t c = 0; c < ix->ncomp; c++) {
                uint8_t ssiz = s[40 + 3 * c], xr = s[41 + 3 * c], yr = s[42 + 3 * c];
                if (c == 0) {
                    ix->precision = (uint8_t)((ssiz & 0x7F) + 1);
                    ix->is_signed = (ssiz & 0x80) != 0;
                }
                if (ssiz != s[40] || xr != 1 || yr != 1)
                    uniform = false;
            }
            if (ix->xsiz <= ix->xosiz || ix->ysiz <= ix->yosiz || ix->xtsiz == 0 || ix->ytsiz == 0 ||
                ix->xtosiz > ix->xosiz || ix->ytosiz > ix->yosiz || ix->xtosiz + (uint64_t)ix->xtsiz <= ix->xosiz ||
                ix->ytosiz + (uint64_t)ix->ytsiz <= ix->yosiz)
                return ts_error_set(err, 415, "impossible JPEG 2000 image geometry");
            ix->tiles_x = (uint32_t)(((uint64_t)ix->xsiz - ix->xtosiz + ix->xtsiz - 1) / ix->xtsiz);
            ix->tiles_y = (uint32_t)(((uint64_t)ix->ysiz - ix->ytosiz + ix->ytsiz - 1) / ix->ytsiz);
            have_siz = true;
        } else if (m == 0xFF52) {
            if (len < 12)
                return ts_error_set(err, 415, "bad COD marker");
            ix->ndecomp = s[9];
            have_cod = true;
        } else if (m == 0xFF60) {
            ppm = true;
        }
        pos += 2 + len;
    }
    if (!have_siz || !have_cod)
        return ts_error_set(err, 415, "the JPEG 2000 main header lacks SIZ or COD");
    /* pass 2: keep every segment but TLM and PLM, which describe the whole code-stream */
    ix->header = malloc(pos);
    if (ix->header == NULL)
        return ts_error_set(err, 500, "out of memory");
    uint32_t h = 0;
    for (size_t q = 2; q < pos;) {
        uint16_t m = be16(p + q), len = be16(p + q + 2);
        if (m != 0xFF55 && m != 0xFF57) {
            if (m == 0xFF51)
                ix->siz_at = h;
            memcpy(ix->header + h, p + q, 2u + len);
            h += 2u + len;
        }
        q += 2u + len;
    }
    ix->header_len = h;
    uint64_t tiles = (uint64_t)ix->tiles_x * ix->tiles_y;
    ix->direct = uniform && !ppm && ix->ncomp <= 4 && ix->precision <= 16 && !ix->is_signed && tiles <= MAX_TILES &&
                 ix->ndecomp <= 32;
    return (long)pos;
}

/* Finds the code-stream in a JP2 file: the jp2c box, and the ICC profile of the colr box. */
static int find_codestream(struct ts_bytes *in, uint64_t size, uint64_t *cs_off, uint64_t *cs_len, struct ts_j2k_index *ix)
{
    uint8_t b[16];
    if (ts_bytes_pread(in, b, 12, 0) != 12)
        return -1;
    if (be16(b) == 0xFF4F && be16(b + 2) == 0xFF51) {
        *cs_off = 0;
        *cs_len = size;
        return 0;
    }
    static const uint8_t sig[12] = {0, 0, 0, 12, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A};
    if (memcmp(b, sig, 12) != 0)
        return -1;
    /* boxes: top level, descending into jp2h for colr */
    uint64_t pos = 12, end = size;
    uint64_t jp2h_end = 0;
    while (pos + 8 <= end) {
        if (ts_bytes_pread(in, b, 16, (uint64_t)pos) < 8)
            return -1;
        uint64_t len = be32(b), hdr = 8;
        uint32_t type = be32(b + 4);
        if (len == 1) {
            len = (uint64_t)be32(b + 8) << 32 | be32(b + 12);
            hdr = 16;
        } else if (len == 0) {
            len = (jp2h_end ? jp2h_end : size) - pos;
        }
        if (len < hdr || pos + len > size)
            return -1;
        if (type == 0x6A703263) { /* jp2c */
            *cs_off = pos + hdr;
            *cs_len = len - hdr;
            return 0;
        }
        if (type == 0x6A703268) { /* jp2h: a superbox */
            jp2h_end = pos + len;
            pos += hdr;
            continue;
        }
        if (type == 0x636F6C72 && ix->icc == NULL && len >= hdr + 3) { /* colr */
            uint8_t meth;
            if (ts_bytes_pread(in, &meth, 1, (uint64_t)(pos + hdr)) == 1 && meth == 2 && len > hdr + 3 &&
                len - hdr - 3 < (1u << 24)) {
                uint32_t n = (uint32_t)(len - hdr - 3);
                ix->icc = malloc(n);
                if (ix->icc != NULL && ts_bytes_pread(in, ix->icc, n, (uint64_t)(pos + hdr + 3)) == (ssize_t)n) {
                    ix->icc_len = n;
                } else {
                    free(ix->icc);
                    ix->icc = NULL;
                }
            }
        }
        pos += len;
        if (jp2h_end && pos >= jp2h_end)
            jp2h_end = 0;
    }
    return -1;
}

int ts_j2k_index_read(struct ts_bytes *in, struct ts_j2k_index *ix, struct ts_error *err)
{
    uint64_t size = (uint64_t)ts_bytes_size(in);
    memset(ix, 0, sizeof(*ix));
    uint64_t cs_off, cs_len;
    if (find_codestream(in, size, &cs_off, &cs_len, ix) != 0) {
        ts_j2k_index_release(ix);
        return ts_error_set(err, 415, "no JPEG 2000 code-stream found");
    }
    /* the main header: read 64 KiB, more if it is longer */
    size_t want = 64 * 1024;
    uint8_t *buf = NULL;
    long sot = -1;
    for (;;) {
        size_t n = cs_len < want ? (size_t)cs_len : want;
        uint8_t *nb = realloc(buf, n);
        if (nb == NULL)
            break;
        buf = nb;
        if (ts_bytes_pread(in, buf, n, (uint64_t)cs_off) != (ssize_t)n)
            break;
        struct ts_error e;
        free(ix->header);
        ix->header = NULL;
        sot = ts_j2k_parse_main(buf, n, ix, &e);
        if (sot >= 0 || n == cs_len || want >= MAX_HEADER || strstr(e.msg, "truncated") == NULL) {
            if (sot < 0)
                ts_error_set(err, 415, "%s", e.msg);
            break;
        }
        want *= 4;
    }
    free(buf);
    if (sot < 0) {
        ts_j2k_index_release(ix);
        return -1;
    }
    if (!ix->direct)
        return 0;
    /* the tile-parts, in file order */
    uint32_t n_tiles = ix->tiles_x * ix->tiles_y, cap = n_tiles + 16, n = 0;
    struct ts_j2k_part *parts = malloc(cap * sizeof(*parts));
    uint32_t *tile_of = malloc(cap * sizeof(*tile_of));
    uint64_t pos = cs_off + (uint64_t)sot, end = cs_off + cs_len;
    bool ok = parts != NULL && tile_of != NULL;
    while (ok && pos + 12 <= end) {
        uint8_t b[12];
        if (ts_bytes_pread(in, b, 12, (uint64_t)pos) != 12) {
            ok = false;
            break;
        }
        if (be16(b) == 0xFFD9)
            break;
        uint32_t psot = be32(b + 6), isot = be16(b + 4);
        if (be16(b) != 0xFF90 || be16(b + 2) != 10 || isot >= n_tiles) {
            ok = false;
            break;
        }
        if (psot == 0) /* the last tile-part runs to the EOC marker */
            psot = (uint32_t)(end - pos >= 2 && end - pos - 2 < UINT32_MAX ? end - pos - 2 : 0);
        if (psot < 14 || pos + psot > end || n >= MAX_PARTS) {
            ok = false;
            break;
        }
        if (n == cap) {
            cap *= 2;
            struct ts_j2k_part *np = realloc(parts, cap * sizeof(*parts));
            uint32_t *nt = realloc(tile_of, cap * sizeof(*tile_of));
            if (np != NULL)
                parts = np;
            if (nt != NULL)
                tile_of = nt;
            if (np == NULL || nt == NULL) {
                ok = false;
                break;
            }
        }
        parts[n] = (struct ts_j2k_part){pos, psot};
        tile_of[n++] = isot;
        pos += psot;
    }
    /* group by tile, keeping file order within a tile */
    if (ok) {
        ix->first_part = calloc(n_tiles, sizeof(uint32_t));
        ix->n_parts = calloc(n_tiles, sizeof(uint16_t));
        ix->parts = malloc((n ? n : 1) * sizeof(*ix->parts));
        ok = ix->first_part != NULL && ix->n_parts != NULL && ix->parts != NULL;
    }
    for (uint32_t i = 0; ok && i < n; i++) {
        if (ix->n_parts[tile_of[i]] == UINT16_MAX)
            ok = false;
        else
            ix->n_parts[tile_of[i]]++;
    }
    if (ok) {
        uint32_t at = 0;
        for (uint32_t t = 0; t < n_tiles; t++) {
            ix->first_part[t] = at;
            at += ix->n_parts[t];
            if (ix->n_parts[t] == 0)
                ok = false; /* a tile without data: leave the file to libvips */
        }
        uint32_t *fill = calloc(n_tiles, sizeof(uint32_t));
        for (uint32_t i = 0; ok && fill != NULL && i < n; i++)
            ix->parts[ix->first_part[tile_of[i]] + fill[tile_of[i]]++] = parts[i];
        if (fill == NULL)
            ok = false;
        free(fill);
        ix->total_parts = n;
    }
    free(parts);
    free(tile_of);
    if (!ok) {
        /* not indexable as expected: still served, through libvips */
        free(ix->first_part);
        free(ix->n_parts);
        free(ix->parts);
        ix->first_part = NULL;
        ix->n_parts = NULL;
        ix->parts = NULL;
        ix->direct = false;
    }
    return 0;
}

void ts_j2k_index_release(struct ts_j2k_index *ix)
{
    if (ix == NULL)
        return;
    free(ix->header);
    free(ix->first_part);
    free(ix->n_parts);
    free(ix->parts);
    free(ix->icc);
    memset(ix, 0, sizeof(*ix));
}

size_t ts_j2k_index_bytes(const struct ts_j2k_index *ix)
{
    size_t tiles = (size_t)ix->tiles_x * ix->tiles_y;
    return ix->header_len + ix->icc_len +
           (ix->parts != NULL ? tiles * (sizeof(uint32_t) + sizeof(uint16_t)) + ix->total_parts * sizeof(*ix->parts)
                              : 0);
}

void ts_j2k_tiles_for(const struct ts_j2k_index *ix, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1,
                      uint32_t *tx0, uint32_t *ty0, uint32_t *tx1, uint32_t *ty1)
{
    uint64_t ax0 = (uint64_t)x0 + ix->xosiz - ix->xtosiz, ax1 = (uint64_t)x1 + ix->xosiz - ix->xtosiz;
    uint64_t ay0 = (uint64_t)y0 + ix->yosiz - ix->ytosiz, ay1 = (uint64_t)y1 + ix->yosiz - ix->ytosiz;
    *tx0 = (uint32_t)(ax0 / ix->xtsiz);
    *ty0 = (uint32_t)(ay0 / ix->ytsiz);
    *tx1 = (uint32_t)((ax1 + ix->xtsiz - 1) / ix->xtsiz);
    *ty1 = (uint32_t)((ay1 + ix->ytsiz - 1) / ix->ytsiz);
    if (*tx1 > ix->tiles_x)
        *tx1 = ix->tiles_x;
    if (*ty1 > ix->tiles_y)
        *ty1 = ix->tiles_y;
    if (*tx0 >= *tx1)
        *tx0 = *tx1 - 1;
    if (*ty0 >= *ty1)
        *ty0 = *ty1 - 1;
}

int ts_j2k_stream_open(struct ts_j2k_stream *s, const struct ts_j2k_index *ix, struct ts_bytes *in, uint32_t tx0, uint32_t ty0,
                       uint32_t tx1, uint32_t ty1, struct ts_error *err)
{
    memset(s, 0, sizeof(*s));
    s->b = in;
    uint32_t n_parts = 0;
    for (uint32_t ty = ty0; ty < ty1; ty++)
        for (uint32_t tx = tx0; tx < tx1; tx++)
            n_parts += ix->n_parts[ty * ix->tiles_x + tx];
    size_t scratch = 2 + (size_t)ix->header_len + 12u * n_parts + 2;
    s->scratch = malloc(scratch);
    s->segs = malloc((2 + 2 * (size_t)n_parts + 1) * sizeof(*s->segs));
    if (s->scratch == NULL || s->segs == NULL) {
        ts_j2k_stream_close(s);
        return ts_error_set(err, 500, "out of memory");
    }
    /* SOC and the main header, with SIZ narrowed to the tile range */
    uint8_t *w = s->scratch;
    put16(w, 0xFF4F);
    memcpy(w + 2, ix->header, ix->header_len);
    uint8_t *siz = w + 2 + ix->siz_at;
    uint64_t x0 = ix->xtosiz + (uint64_t)tx0 * ix->xtsiz, x1 = ix->xtosiz + (uint64_t)tx1 * ix->xtsiz;
    uint64_t y0 = ix->ytosiz + (uint64_t)ty0 * ix->ytsiz, y1 = ix->ytosiz + (uint64_t)ty1 * ix->ytsiz;
    s->x0 = (uint32_t)(x0 > ix->xosiz ? x0 : ix->xosiz);
    s->y0 = (uint32_t)(y0 > ix->yosiz ? y0 : ix->yosiz);
    s->x1 = (uint32_t)(x1 < ix->xsiz ? x1 : ix->xsiz);
    s->y1 = (uint32_t)(y1 < ix->ysiz ? y1 : ix->ysiz);
    put32(siz + 6, s->x1);
    put32(siz + 10, s->y1);
    put32(siz + 14, s->x0);
    put32(siz + 18, s->y0);
    put32(siz + 30, (uint32_t)x0);
    put32(siz + 34, (uint32_t)y0);
    s->segs[s->n_segs++] = (struct ts_j2k_seg){w, 0, 2u + ix->header_len};
    w += 2 + ix->header_len;
    /* the tiles' tile-parts, renumbered in raster order of the range */
    uint32_t k = 0;
    for (uint32_t ty = ty0; ty < ty1; ty++) {
        for (uint32_t tx = tx0; tx < tx1; tx++, k++) {
            uint32_t t = ty * ix->tiles_x + tx;
            for (uint32_t i = 0; i < ix->n_parts[t]; i++) {
                const struct ts_j2k_part *p = &ix->parts[ix->first_part[t] + i];
                if (ts_bytes_pread(in, w, 12, (uint64_t)p->off) != 12) {
                    ts_j2k_stream_close(s);
                    return ts_error_set(err, 415, "the JPEG 2000 file is shorter than its index");
                }
                put16(w + 4, k);
                s->segs[s->n_segs++] = (struct ts_j2k_seg){w, 0, 12};
                s->segs[s->n_segs++] = (struct ts_j2k_seg){NULL, p->off + 12, p->len - 12};
                w += 12;
            }
        }
    }
    put16(w, 0xFFD9);
    s->segs[s->n_segs++] = (struct ts_j2k_seg){w, 0, 2};
    for (size_t i = 0; i < s->n_segs; i++)
        s->len += s->segs[i].len;
    return 0;
}

void ts_j2k_stream_close(struct ts_j2k_stream *s)
{
    free(s->scratch);
    free(s->segs);
    s->scratch = NULL;
    s->segs = NULL;
}

void ts_j2k_stream_seek(struct ts_j2k_stream *s, uint64_t pos)
{
    if (pos > s->len)
        pos = s->len;
    if (pos < s->seg_start) {
        s->seg = 0;
        s->seg_start = 0;
    }
    while (s->seg < s->n_segs && pos >= s->seg_start + s->segs[s->seg].len) {
        s->seg_start += s->segs[s->seg].len;
        s->seg++;
    }
    s->pos = pos;
}

ssize_t ts_j2k_stream_read(struct ts_j2k_stream *s, void *buf, size_t n)
{
    uint8_t *out = buf;
    size_t done = 0;
    while (done < n && s->seg < s->n_segs) {
        const struct ts_j2k_seg *g = &s->segs[s->seg];
        uint64_t in = s->pos - s->seg_start, left = g->len - in;
        size_t take = n - done < left ? n - done : (size_t)left;
        if (g->mem != NULL) {
            memcpy(out + done, g->mem + in, take);
        } else {
            ssize_t r = ts_bytes_pread(s->b, out + done, take, (uint64_t)(g->off + in));
            if (r < 0)
                return -1;
            if ((size_t)r < take)
                take = (size_t)r; /* the file shrank: a short read */
            if (r == 0)
                return (ssize_t)done;
        }
        done += take;
        ts_j2k_stream_seek(s, s->pos + take);
    }
    return (ssize_t)done;
}
