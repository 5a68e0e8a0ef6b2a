/*
 * fuzz_jpeg_crop.c: libFuzzer target for the entropy-level JPEG cropper
 * (image/jpeg_crop.h).
 *
 * The input is the width and height to keep (two bytes each, big-endian),
 * then a JPEG stream. Invariants: the answer is 0 or 1; a crop is SOI ...
 * EOI, no more than twice the input's size plus a little; and cropping the
 * crop again to the same size gives exactly the same bytes (every block the
 * writer copied or coded again reads back with the same boundaries).
 */
#include "fuzz.h"

#include <string.h>

#include "image/jpeg_crop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint32_t w = (uint32_t)data[0] << 8 | data[1], h = (uint32_t)data[2] << 8 | data[3];
    const uint8_t *in = data + 4;
    size_t len = size - 4;
    uint8_t *out = NULL;
    size_t out_len = 0;
    int rc = ts_jpeg_crop(in, len, 0, 0, w, h, &out, &out_len);
    FUZZ_CHECK(rc == 0 || rc == 1);
    if (rc != 0) {
        FUZZ_CHECK(out == NULL);
        return 0;
    }
    FUZZ_CHECK(out_len >= 4 && out[0] == 0xFF && out[1] == 0xD8 && out[out_len - 2] == 0xFF &&
               out[out_len - 1] == 0xD9);
    FUZZ_CHECK(out_len <= 2 * len + 64 + 16 * (size_t)h);
    uint8_t *again = NULL;
    size_t again_len = 0;
    FUZZ_CHECK(ts_jpeg_crop(out, out_len, w, h, w, h, &again, &again_len) == 0);
    FUZZ_CHECK(again_len == out_len && memcmp(again, out, out_len) == 0);
    free(again);
    free(out);
    return 0;
}
