/*
 * fuzz_ocr.c: libFuzzer target for the ALTO and hOCR readers (anno/ocr.h).
 *
 * Input: a file's bytes.
 *
 * Invariants: a refusal is a 400 (or 500 when out of memory) with a
 * one-line printable reason; a page read has a positive size, and every
 * line and word box lies inside it; each line's words are its own, in
 * order; a box scaled onto a canvas lies inside the canvas.
 */
#include "fuzz.h"

#include "anno/ocr.h"

static void inside(const struct ts_ocr_page *p, const struct ts_ocr_box *b)
{
    FUZZ_CHECK(b->x >= 0 && b->y >= 0 && b->w >= 0 && b->h >= 0);
    FUZZ_CHECK(b->x + b->w <= p->width + 1e-6 && b->y + b->h <= p->height + 1e-6);
    uint32_t x, y, w, h;
    ts_ocr_scale(p, b, 640, 480, &x, &y, &w, &h);
    FUZZ_CHECK(w >= 1 && h >= 1 && (uint64_t)x + w <= 640 && (uint64_t)y + h <= 480);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ts_ocr_page p;
    struct ts_error err = {0};
    if (ts_ocr_parse((const char *)data, size, &p, &err) != 0) {
        FUZZ_CHECK((err.status == 400 || err.status == 500) && fuzz_msg_ok(err.msg));
        return 0;
    }
    FUZZ_CHECK(p.width > 0 && p.height > 0);
    size_t next = 0;
    for (size_t i = 0; i < p.n_lines; i++) {
        const struct ts_ocr_line *l = &p.lines[i];
        FUZZ_CHECK(l->text != NULL && l->first_word == next && l->first_word + l->n_words <= p.n_words);
        next = l->first_word + l->n_words;
        inside(&p, &l->box);
    }
    for (size_t i = 0; i < p.n_words; i++) {
        FUZZ_CHECK(p.words[i].text != NULL && p.words[i].text[0] != '\0');
        inside(&p, &p.words[i].box);
    }
    ts_ocr_release(&p);
    return 0;
}
