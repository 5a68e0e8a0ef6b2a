/*
 * ocr.h: OCR text with its boxes, from ALTO (2, 3 and 4) and hOCR files.
 *
 * A page of OCR is its size and its lines, each with its text, its box and
 * its words (text and box), in the coordinates of the OCR's page (pixels,
 * or ALTO's mm10 or inch1200: ts_ocr_scale maps any of them onto a canvas,
 * since the page's size is in the same unit). libxml2 parses, never over the
 * network and never expanding entities: a file that declares any is
 * refused, so no file can grow in memory past its size. Elements are
 * matched by local name, so every ALTO namespace reads alike. The reason
 * for a refusal carries the line of the file it was found at.
 */
#ifndef TS_ANNO_OCR_H
#define TS_ANNO_OCR_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_OCR_MAX_LINES 100000
#define TS_OCR_MAX_WORDS 1000000

struct ts_ocr_box {
    double x, y, w, h;
};

struct ts_ocr_word {
    char *text;
    struct ts_ocr_box box;
};

struct ts_ocr_line {
    char *text;                 /* the words joined by single spaces, as printed (hyphens kept) */
    struct ts_ocr_box box;
    size_t first_word, n_words; /* into the page's words */
    int src_line;               /* the line of the file it came from */
};

enum ts_ocr_kind { TS_OCR_ALTO = 1, TS_OCR_HOCR };

struct ts_ocr_page {
    enum ts_ocr_kind kind;
    double width, height;       /* the page, in the OCR's unit */
    struct ts_ocr_line *lines;
    size_t n_lines;
    struct ts_ocr_word *words;
    size_t n_words;
};

/**
 * Reads the first page of an ALTO or hOCR document (`len` bytes, told
 * apart by their content). Boxes are kept inside the page. 0, or -1 with a
 * 400 in `err` ("line N: ..."): not XML, neither ALTO nor hOCR, no page
 * size, entities declared, too many lines or words.
 */
int ts_ocr_parse(const char *data, size_t len, struct ts_ocr_page *out, struct ts_error *err);

/** Frees what ts_ocr_parse filled. Accepts a zeroed page. */
void ts_ocr_release(struct ts_ocr_page *p);

/**
 * The hOCR `title` property bbox ("bbox 10 20 110 40; x_wconf 95"): 0 with
 * the box (x0 y0 x1 y1 as x, y, w, h), or -1 when there is none.
 */
int ts_ocr_title_bbox(const char *title, struct ts_ocr_box *out);

/**
 * Maps box `b` of page `p` onto a canvas of `cw` x `ch` pixels, in whole
 * pixels inside the canvas (at least 1 x 1).
 */
void ts_ocr_scale(const struct ts_ocr_page *p, const struct ts_ocr_box *b, uint32_t cw, uint32_t ch, uint32_t *x,
                  uint32_t *y, uint32_t *w, uint32_t *h);

#endif
