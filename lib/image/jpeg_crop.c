/*
 * jpeg_crop.c: right and bottom edges cut off in the entropy-coded data.
 *
 * Three passes over the input: the marker segments up to SOS (tables,
 * frame, scan); the entropy-coded segment, copied once without its stuffed
 * zero bytes so that bit positions are plain; then the MCUs of the kept
 * rows, read for their boundaries and written as bit ranges. The Huffman
 * reader follows libjpeg's decoder exactly where it matters here (an AC
 * run past the 63rd coefficient ends the block, as libjpeg's does), so both
 * agree on where every block ends.
 */
#include "image/jpeg_crop.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define DECLINE 1
#define FAST_BITS 9
#define MAX_COMPS 4
#define MAX_BLOCKS 10 /* blocks in an MCU (T.81 B.2.3) */

/* One Huffman table, ready for reading codes and, for DC tables, writing them. */
struct huff {
    bool defined;
    uint16_t fast[1 << FAST_BITS]; /* next FAST_BITS bits -> length << 8 | symbol; 0: a longer code */
    int32_t maxcode[17];           /* largest code of each length, -1 if none */
    int32_t valoff[17];            /* index in vals of the first code of each length, minus that code */
    uint8_t vals[256];
    uint16_t code[256]; /* code and length of each symbol, length 0 if it has none */
    uint8_t size[256];
};

struct comp {
    uint8_t id, hs, vs; /* component identifier and sampling factors, from SOF */
    const struct huff *dc, *ac;
};

struct jpeg {
    const uint8_t *in;
    size_t len;
    struct huff tables[2][4]; /* [class: 0 DC, 1 AC][destination] */
    size_t sof_at;            /* offset of the SOF marker */
    uint32_t width, height;
    int n_comps;
    struct comp comps[MAX_COMPS];
    int scan[MAX_COMPS]; /* the scan's components, in its order, as indexes in comps */
    size_t data_at;      /* first byte of entropy-coded data */
    /* the MCU */
    int blocks;                 /* blocks in one MCU */
    uint8_t block_comp[MAX_BLOCKS]; /* component index of each */
    uint32_t mcu_w, mcu_h, mcus_x, mcus_y;
};

static uint32_t be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

/* T.81 Annex C: canonical codes from the 16 counts; false for an over-full or empty table. */
static bool huff_build(struct huff *t, const uint8_t counts[16], const uint8_t *vals, int n)
{
    memset(t, 0, sizeof(*t));
    memcpy(t->vals, vals, (size_t)n);
    int32_t code = 0;
    int k = 0;
    for (int l = 1; l <= 16; l++) {
        /* the codes must fit in l bits, without the all-ones code (reserved; libjpeg refuses it) */
        if (code + counts[l - 1] >= (1 << l))
            return false;
        t->valoff[l] = k - code;
        t->maxcode[l] = counts[l - 1] ? code + counts[l - 1] - 1 : -1;
        for (int i = 0; i < counts[l - 1]; i++, k++, code++) {
            uint8_t s = vals[k];
            t->code[s] = (uint16_t)code;
            t->size[s] = (uint8_t)l;
            if (l <= FAST_BITS) {
                int shift = FAST_BITS - l;
                for (int f = code << shift; f < (code + 1) << shift; f++)
                    t->fast[f] = (uint16_t)(l << 8 | s);
            }
        }
        code <<= 1;
    }
    t->defined = n > 0;
    return t->defined;
}

/* DHT: one or more tables. */
static bool parse_dht(struct jpeg *j, const uint8_t *p, size_t n)
{
    while (n > 0) {
        if (n < 17)
            return false;
        int tc = p[0] >> 4, th = p[0] & 15;
        if (tc > 1 || th > 3)
            return false;
        int total = 0;
        for (int i = 0; i < 16; i++)
            total += p[1 + i];
        if (total > 256 || (size_t)total > n - 17)
            return false;
        for (int k = 0; tc == 0 && k < total; k++) {
            if (p[17 + k] > 15)
                return false; /* a DC size libjpeg refuses in a table */
        }
        if (!huff_build(&j->tables[tc][th], p + 1, p + 17, total))
            return false;
        p += 17 + total;
        n -= 17 + (size_t)total;
    }
    return true;
}

static bool parse_sof(struct jpeg *j, size_t at, const uint8_t *p, size_t n)
{
    if (j->n_comps != 0 || n < 6 || p[0] != 8)
        return false;
    j->sof_at = at;
    j->height = be16(p + 1);
    j->width = be16(p + 3);
    j->n_comps = p[5];
    if (j->width == 0 || j->height == 0 || j->n_comps < 1 || j->n_comps > MAX_COMPS || n != 6 + 3 * (size_t)j->n_comps)
        return false;
    for (int i = 0; i < j->n_comps; i++) {
        const uint8_t *c = p + 6 + 3 * i;
        j->comps[i] = (struct comp){.id = c[0], .hs = c[1] >> 4, .vs = c[1] & 15};
        if (j->comps[i].hs < 1 || j->comps[i].hs > 4 || j->comps[i].vs < 1 || j->comps[i].vs > 4)
            return false;
        for (int k = 0; k < i; k++) {
            if (j->comps[k].id == c[0])
                return false;
        }
    }
    return true;
}

/* SOS: every component of the frame in one scan (an interleaved scan, or the only component). */
static bool parse_sos(struct jpeg *j, const uint8_t *p, size_t n)
{
    if (j->n_comps == 0 || n < 1 || p[0] != j->n_comps || n != 1 + 2 * (size_t)p[0] + 3)
        return false;
    const uint8_t *tail = p + 1 + 2 * p[0];
    if (tail[0] != 0 || tail[1] != 63 || tail[2] != 0)
        return false; /* spectral selection or successive approximation: not sequential */
    bool used[MAX_COMPS] = {false};
    for (int i = 0; i < p[0]; i++) {
        /* in the frame's order: T.81 allows any, libjpeg refuses another */
        int c = i;
        if (j->comps[c].id != p[1 + 2 * i] || used[c])
            return false;
        used[c] = true;
        int td = p[2 + 2 * i] >> 4, ta = p[2 + 2 * i] & 15;
        if (td > 3 || ta > 3 || !j->tables[0][td].defined || !j->tables[1][ta].defined)
            return false;
        j->comps[c].dc = &j->tables[0][td];
        j->comps[c].ac = &j->tables[1][ta];
        j->scan[i] = c;
    }
    return true;
}

/* The MCU's layout and the grid of MCUs (T.81 A.2). */
static bool layout(struct jpeg *j)
{
    if (j->n_comps == 1) {
        j->blocks = 1;
        j->block_comp[0] = 0;
        j->mcu_w = j->mcu_h = 8;
    } else {
        int hmax = 1, vmax = 1;
        for (int i = 0; i < j->n_comps; i++) {
            hmax = j->comps[i].hs > hmax ? j->comps[i].hs : hmax;
            vmax = j->comps[i].vs > vmax ? j->comps[i].vs : vmax;
        }
        j->blocks = 0;
        for (int i = 0; i < j->n_comps; i++) {
            const struct comp *c = &j->comps[j->scan[i]];
            for (int b = 0; b < c->hs * c->vs; b++) {
                if (j->blocks == MAX_BLOCKS)
                    return false;
                j->block_comp[j->blocks++] = (uint8_t)j->scan[i];
            }
        }
        j->mcu_w = 8 * (uint32_t)hmax;
        j->mcu_h = 8 * (uint32_t)vmax;
    }
    j->mcus_x = (j->width + j->mcu_w - 1) / j->mcu_w;
    j->mcus_y = (j->height + j->mcu_h - 1) / j->mcu_h;
    return true;
}

/* The marker segments from SOI to the end of SOS. */
static bool parse_headers(struct jpeg *j)
{
    const uint8_t *in = j->in;
    size_t len = j->len;
    if (len < 4 || in[0] != 0xFF || in[1] != 0xD8)
        return false;
    size_t i = 2;
    for (;;) {
        if (i + 4 > len || in[i] != 0xFF)
            return false;
        while (i + 4 <= len && in[i + 1] == 0xFF) /* fill bytes */
            i++;
        if (i + 4 > len)
            return false;
        uint8_t m = in[i + 1];
        if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD9))
            return false; /* stuffing, TEM, RSTn, SOI or EOI before the scan */
        size_t n = be16(in + i + 2);
        if (n < 2 || n > len - i - 2)
            return false;
        const uint8_t *p = in + i + 4;
        n -= 2;
        /* what libjpeg reads; anything else (other SOFs, DAC, DNL, JPGn, reserved) is declined */
        bool ok = false;
        if (m == 0xC0 || m == 0xC1)
            ok = parse_sof(j, i, p, n);
        else if (m == 0xC4)
            ok = parse_dht(j, p, n);
        else if (m == 0xDD)
            ok = n == 2 && be16(p) == 0; /* a restart interval: declined */
        else if (m == 0xDB || m == 0xFE || (m >= 0xE0 && m <= 0xEF))
            ok = true; /* DQT, COM, APPn: copied as they are */
        else if (m == 0xDA) {
            if (!parse_sos(j, p, n) || !layout(j))
                return false;
            j->data_at = i + 4 + n;
            return true;
        }
        if (!ok)
            return false;
        i += 4 + n;
    }
}

/*
 * The entropy-coded segment without its stuffed zeros, followed by 8 zero
 * bytes (for the readers' look-ahead). Its end must be EOI, after optional
 * fill bytes: a second scan, a restart or DNL marker is declined.
 */
static uint8_t *unstuff(const struct jpeg *j, size_t *n_out)
{
    const uint8_t *p = j->in + j->data_at;
    size_t n = j->len - j->data_at;
    uint8_t *u = malloc(n + 8);
    if (u == NULL)
        return NULL;
    size_t k = 0, i = 0;
    for (;;) {
        const uint8_t *ff = i < n ? memchr(p + i, 0xFF, n - i) : NULL;
        size_t run = (ff != NULL ? (size_t)(ff - p) : n) - i;
        memcpy(u + k, p + i, run);
        k += run;
        i += run;
        if (ff == NULL || i + 1 >= n)
            break; /* no EOI */
        if (p[i + 1] == 0x00) {
            u[k++] = 0xFF;
            i += 2;
            continue;
        }
        while (i + 1 < n && p[i + 1] == 0xFF)
            i++;
        if (i + 1 < n && p[i + 1] == 0xD9) {
            memset(u + k, 0, 8);
            *n_out = k;
            return u;
        }
        break;
    }
    free(u);
    return NULL;
}

static inline uint64_t be64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return v;
#else
    return __builtin_bswap64(v);
#endif
}

/*
 * Reading the unstuffed data MSB first. `acc` holds the next `bits` bits
 * at its top; past the end of the data it fills with zeros (and the caller
 * sees, from the position, that it went too far).
 */
struct reader {
    const uint8_t *u;
    size_t n;    /* bytes of data (the buffer has 8 more, zeros) */
    size_t byte; /* next byte to load */
    uint64_t acc;
    unsigned bits;
};

static inline size_t reader_pos(const struct reader *r)
{
    return r->byte * 8 - r->bits;
}

/* At least 56 bits in acc (a code and its extra bits need 27 at most). */
static inline void refill(struct reader *r)
{
    if (r->bits > 56)
        return;
    if (r->byte <= r->n)
        r->acc |= be64(r->u + r->byte) >> r->bits;
    unsigned take = (63 - r->bits) >> 3;
    r->byte += take;
    r->bits += take * 8;
}

static inline void consume(struct reader *r, unsigned k)
{
    r->acc <<= k;
    r->bits -= k;
}

/* One Huffman symbol (refill first); -1 for a code the table does not have. */
static inline int decode(struct reader *r, const struct huff *t)
{
    uint16_t f = t->fast[r->acc >> (64 - FAST_BITS)];
    if (f != 0) {
        consume(r, f >> 8);
        return f & 0xFF;
    }
    for (unsigned l = FAST_BITS + 1; l <= 16; l++) {
        int32_t c = (int32_t)(r->acc >> (64 - l));
        if (c <= t->maxcode[l]) {
            consume(r, l);
            return t->vals[t->valoff[l] + c];
        }
    }
    return -1;
}

/* One block: its DC difference in `*diff`, the start of its AC codes in `*ac_at`. */
static bool read_block(struct reader *r, const struct comp *c, int64_t *diff, size_t *ac_at)
{
    refill(r);
    int s = decode(r, c->dc);
    if (s < 0 || s > 11)
        return false;
    int32_t v = 0;
    if (s > 0) {
        v = (int32_t)(r->acc >> (64 - s));
        if (v < 1 << (s - 1))
            v -= (1 << s) - 1;
        consume(r, (unsigned)s);
    }
    *diff = v;
    *ac_at = reader_pos(r);
    for (int k = 1; k < 64; k++) {
        refill(r); /* a code and its extra bits: 26 bits at most */
        int rs = decode(r, c->ac);
        if (rs < 0)
            return false;
        int run = rs >> 4, size = rs & 15;
        if (size != 0) {
            if (size > 10)
                return false;
            k += run;
            consume(r, (unsigned)size);
        } else if (run == 15) {
            k += 15;
        } else {
            break; /* EOB */
        }
    }
    return true;
}

/* Writing bits with byte stuffing. */
struct writer {
    uint8_t *out;
    size_t len;
    uint64_t acc;
    int n; /* bits waiting in acc, fewer than 8 between calls */
};

/* k bits (1 to 56) */
static inline void put(struct writer *w, uint64_t bits, int k)
{
    w->acc = w->acc << k | (bits & ((1ull << k) - 1));
    w->n += k;
    while (w->n >= 8) {
        w->n -= 8;
        uint8_t c = (uint8_t)(w->acc >> w->n);
        w->out[w->len++] = c;
        if (c == 0xFF)
            w->out[w->len++] = 0x00;
    }
}

/* Copies the bits [from, to) of the unstuffed data. */
static void copy_bits(struct writer *w, const uint8_t *u, size_t from, size_t to)
{
    while (from < to) {
        int k = to - from < 56 ? (int)(to - from) : 56;
        put(w, be64(u + (from >> 3)) << (from & 7) >> (64 - k), k);
        from += (size_t)k;
    }
}

/* A DC difference coded with `t`; false if the table has no code for its size. */
static bool put_dc(struct writer *w, const struct huff *t, int64_t diff)
{
    if (diff < -2047 || diff > 2047)
        return false;
    uint32_t mag = (uint32_t)(diff < 0 ? -diff : diff);
    int s = 0;
    while (mag >> s)
        s++;
    if (t->size[s] == 0)
        return false;
    put(w, t->code[s], t->size[s]);
    if (s > 0)
        put(w, (uint32_t)(diff < 0 ? diff - 1 : diff), s);
    return true;
}

/* Where the blocks of one MCU start, and what their DC is. */
struct mcu_marks {
    size_t at[MAX_BLOCKS + 1]; /* start of each block, then the end of the MCU */
    size_t ac_at[MAX_BLOCKS];
    int64_t dc[MAX_BLOCKS]; /* the block's DC value (not the difference) */
};

static bool read_mcu(const struct jpeg *j, struct reader *r, int64_t pred[MAX_COMPS], struct mcu_marks *mk)
{
    for (int b = 0; b < j->blocks; b++) {
        int c = j->block_comp[b];
        int64_t diff;
        if (mk != NULL)
            mk->at[b] = reader_pos(r);
        if (!read_block(r, &j->comps[c], &diff, mk != NULL ? &mk->ac_at[b] : &(size_t){0}))
            return false;
        pred[c] += diff;
        if (mk != NULL)
            mk->dc[b] = pred[c];
    }
    if (mk != NULL)
        mk->at[j->blocks] = reader_pos(r);
    return reader_pos(r) <= r->n * 8;
}

/* The kept MCUs, row by row, into `w`. */
static bool crop_data(const struct jpeg *j, const uint8_t *u, size_t n, uint32_t kx, uint32_t ky, struct writer *w)
{
    struct reader r = {u, n, 0, 0, 0};
    int64_t pred[MAX_COMPS] = {0}; /* DC of the last block read, per component */
    int64_t kept[MAX_COMPS] = {0}; /* DC of the last block written, per component */
    for (uint32_t y = 0; y < ky; y++) {
        struct mcu_marks first;
        if (!read_mcu(j, &r, pred, &first))
            return false;
        if (y == 0 || kx == j->mcus_x) {
            /* the previous block of each component was written: the bits stand as they are */
            copy_bits(w, u, first.at[0], first.at[j->blocks]);
        } else {
            bool seen[MAX_COMPS] = {false};
            for (int b = 0; b < j->blocks; b++) {
                int c = j->block_comp[b];
                if (seen[c]) {
                    copy_bits(w, u, first.at[b], first.at[b + 1]);
                    continue;
                }
                seen[c] = true;
                if (!put_dc(w, j->comps[c].dc, first.dc[b] - kept[c]))
                    return false;
                copy_bits(w, u, first.ac_at[b], first.at[b + 1]);
            }
        }
        size_t from = reader_pos(&r);
        for (uint32_t x = 1; x < kx; x++) {
            if (!read_mcu(j, &r, pred, NULL))
                return false;
        }
        copy_bits(w, u, from, reader_pos(&r));
        memcpy(kept, pred, sizeof(kept));
        if (y + 1 < ky) {
            for (uint32_t x = kx; x < j->mcus_x; x++) {
                if (!read_mcu(j, &r, pred, NULL))
                    return false;
            }
        }
    }
    /* pad the last byte with ones (T.81 F.1.2.3) */
    if (w->n > 0)
        put(w, 0xFF, 8 - w->n);
    return true;
}

int ts_jpeg_crop(const uint8_t *in, size_t len, uint32_t full_w, uint32_t full_h, uint32_t w, uint32_t h, uint8_t **out,
                 size_t *out_len)
{
    struct jpeg *j = calloc(1, sizeof(*j));
    if (j == NULL)
        return DECLINE;
    j->in = in;
    j->len = len;
    size_t n = 0;
    uint8_t *u = NULL, *o = NULL;
    if (!parse_headers(j) || (full_w != 0 && j->width != full_w) || (full_h != 0 && j->height != full_h) || w == 0 ||
        h == 0 || w > j->width || h > j->height || (u = unstuff(j, &n)) == NULL)
        goto decline;
    uint32_t kx = (w + j->mcu_w - 1) / j->mcu_w, ky = (h + j->mcu_h - 1) / j->mcu_h;
    /* every byte may need stuffing; each row may recode one DC per component: 4 bytes at most each */
    size_t cap = j->data_at + 2 * n + 2 * (size_t)ky * MAX_COMPS * 4 + 16;
    if ((o = malloc(cap)) == NULL)
        goto decline;
    memcpy(o, in, j->data_at);
    /* the SOF's height and width: after its marker, length and precision */
    o[j->sof_at + 5] = (uint8_t)(h >> 8);
    o[j->sof_at + 6] = (uint8_t)h;
    o[j->sof_at + 7] = (uint8_t)(w >> 8);
    o[j->sof_at + 8] = (uint8_t)w;
    struct writer wr = {o, j->data_at, 0, 0};
    if (!crop_data(j, u, n, kx, ky, &wr))
        goto decline;
    o[wr.len++] = 0xFF;
    o[wr.len++] = 0xD9;
    free(u);
    free(j);
    *out = o;
    *out_len = wr.len;
    return 0;
decline:
    free(o);
    free(u);
    free(j);
    return DECLINE;
}
