/*
 * fuzz_anno.c: libFuzzer target for the annotation checks (anno/model.h).
 *
 * Input: JSON text, checked as an annotation against three fixed canvases
 * (two images, one with a duration only); and the same bytes as a media
 * fragment against each canvas.
 *
 * Invariants: a refusal is a 400 with a one-line reason; an accepted
 * annotation has one to TS_ANNO_MAX_TARGETS targets, each on a canvas
 * given, each box inside its canvas with a width and a height, each time
 * range inside its canvas's duration and in order.
 */
#include "fuzz.h"

#include "anno/model.h"

#include <string.h>

static const struct ts_anno_canvas canvases[] = {
    {"http://h/iiif/presentation/b/canvas/p1", 1000, 800, 0},
    {"http://h/iiif/presentation/b/canvas/p2", 7, 3, 0},
    {"http://h/iiif/presentation/av/canvas/1", 0, 0, 90.5},
};

static void check_target(const struct ts_anno_target *t)
{
    FUZZ_CHECK(t->canvas < 3);
    const struct ts_anno_canvas *c = &canvases[t->canvas];
    if (t->has_box)
        FUZZ_CHECK(t->w >= 1 && t->h >= 1 && (uint64_t)t->x + t->w <= c->width && (uint64_t)t->y + t->h <= c->height);
    if (t->has_time)
        FUZZ_CHECK(t->t0 >= 0 && t->t0 <= t->t1 && t->t1 <= c->duration + 1e-6);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *a = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
    if (a != NULL) {
        struct ts_anno_target t[TS_ANNO_MAX_TARGETS];
        size_t n = 0;
        struct ts_error err = {0};
        if (ts_anno_check(a, canvases, 3, t, &n, &err) == 0) {
            FUZZ_CHECK(n >= 1 && n <= TS_ANNO_MAX_TARGETS);
            for (size_t i = 0; i < n; i++)
                check_target(&t[i]);
        } else {
            FUZZ_CHECK(err.status == 400 && fuzz_msg_ok(err.msg));
        }
        json_decref(a);
    }
    for (size_t c = 0; c < 3; c++) {
        struct ts_anno_target t;
        memset(&t, 0, sizeof(t));
        t.canvas = c;
        struct ts_error err = {0};
        if (ts_anno_fragment((const char *)data, size, &canvases[c], &t, &err) == 0)
            check_target(&t);
        else
            FUZZ_CHECK(err.status == 400 && fuzz_msg_ok(err.msg));
    }
    return 0;
}
