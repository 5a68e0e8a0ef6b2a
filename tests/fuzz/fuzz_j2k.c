/*
 * fuzz_j2k.c: libFuzzer target for the JPEG 2000 indexer (image/j2k.h).
 *
 * The input is a file (JP2 boxes or a raw code-stream), put in a memory
 * file and indexed as tessera indexes files on disk. Invariants: a refusal
 * is a 415 with a one-line message; an index that allows direct decoding
 * has every tile-part inside the file and at least one part per tile; and
 * the sub-code-stream of the first tile, of the whole image and of a
 * middle range reads back exactly its length, from SOC to EOC, with SIZ
 * narrowed to the range, through reads and seeks of any size.
 */
#include "fuzz.h"

#include "image/j2k.h"

#include <string.h>

#include "source/memory.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void check_stream(const struct ts_j2k_index *ix, struct ts_bytes *fd, uint32_t tx0, uint32_t ty0, uint32_t tx1,
                         uint32_t ty1)
{
    struct ts_j2k_stream s;
    struct ts_error err;
    if (ts_j2k_stream_open(&s, ix, fd, tx0, ty0, tx1, ty1, &err) != 0) {
        FUZZ_CHECK(err.status == 500);
        return;
    }
    FUZZ_CHECK(s.x0 < s.x1 && s.y0 < s.y1);
    uint8_t *all = malloc(s.len + 1);
    FUZZ_CHECK(all != NULL);
    /* read in uneven pieces */
    uint64_t got = 0;
    size_t step = 1;
    for (;;) {
        ssize_t r = ts_j2k_stream_read(&s, all + got, step);
        FUZZ_CHECK(r >= 0 && (uint64_t)r <= step);
        if (r == 0)
            break;
        got += (uint64_t)r;
        FUZZ_CHECK(got <= s.len);
        step = step * 3 % 1021 + 1;
    }
    FUZZ_CHECK(got == s.len);
    FUZZ_CHECK(s.len >= 4 + 38);
    FUZZ_CHECK(all[0] == 0xFF && all[1] == 0x4F && all[s.len - 2] == 0xFF && all[s.len - 1] == 0xD9);
    /* SIZ: the narrowed image */
    const uint8_t *siz = all + 2 + ix->siz_at;
    FUZZ_CHECK(siz[0] == 0xFF && siz[1] == 0x51);
    FUZZ_CHECK(be32(siz + 6) == s.x1 && be32(siz + 10) == s.y1 && be32(siz + 14) == s.x0 && be32(siz + 18) == s.y0);
    /* seeking back gives the same bytes again */
    if (s.len > 8) {
        uint64_t at = s.len / 2;
        uint8_t again[8];
        ts_j2k_stream_seek(&s, at);
        FUZZ_CHECK(ts_j2k_stream_read(&s, again, 8) == (ssize_t)(s.len - at < 8 ? s.len - at : 8));
        FUZZ_CHECK(memcmp(again, all + at, s.len - at < 8 ? (size_t)(s.len - at) : 8) == 0);
    }
    ts_j2k_stream_seek(&s, s.len + 100);
    uint8_t one;
    FUZZ_CHECK(ts_j2k_stream_read(&s, &one, 1) == 0);
    free(all);
    ts_j2k_stream_close(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ts_bytes *fd = ts_memory_wrap(data, size, "fuzz_j2k");
    if (fd == NULL)
        return 0;
    struct ts_j2k_index ix;
    struct ts_error err;
    memset(&ix, 0, sizeof(ix));
    if (ts_j2k_index_read(fd, &ix, &err) != 0) {
        FUZZ_CHECK(err.status == 415 && fuzz_msg_ok(err.msg));
        ts_bytes_close(fd);
        return 0;
    }
    FUZZ_CHECK(ix.header != NULL && ix.header_len >= ix.siz_at + 38);
    FUZZ_CHECK(ts_j2k_index_bytes(&ix) >= ix.header_len);
    if (ix.direct && ix.parts != NULL) {
        FUZZ_CHECK(ix.tiles_x >= 1 && ix.tiles_y >= 1);
        uint64_t n_tiles = (uint64_t)ix.tiles_x * ix.tiles_y;
        uint64_t parts = 0;
        for (uint64_t t = 0; t < n_tiles; t++) {
            FUZZ_CHECK(ix.n_parts[t] >= 1 && ix.first_part[t] == parts);
            parts += ix.n_parts[t];
        }
        FUZZ_CHECK(parts == ix.total_parts);
        for (uint32_t i = 0; i < ix.total_parts; i++)
            FUZZ_CHECK(ix.parts[i].len >= 14 && ix.parts[i].off + ix.parts[i].len <= size);
        check_stream(&ix, fd, 0, 0, 1, 1);
        if (n_tiles <= 64)
            check_stream(&ix, fd, 0, 0, ix.tiles_x, ix.tiles_y);
        check_stream(&ix, fd, ix.tiles_x / 2, ix.tiles_y / 2, ix.tiles_x / 2 + 1, ix.tiles_y / 2 + 1);
        /* the tiles for any area lie inside the grid and are not empty */
        uint32_t tx0, ty0, tx1, ty1;
        uint32_t w = ix.xsiz - ix.xosiz, h = ix.ysiz - ix.yosiz;
        ts_j2k_tiles_for(&ix, w / 3, h / 3, w / 3 + 1, h / 3 + 1, &tx0, &ty0, &tx1, &ty1);
        FUZZ_CHECK(tx0 < tx1 && tx1 <= ix.tiles_x && ty0 < ty1 && ty1 <= ix.tiles_y);
    }
    ts_j2k_index_release(&ix);
    ts_bytes_close(fd);
    return 0;
}
