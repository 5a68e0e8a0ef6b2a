/*
 * test_ocr.c: ALTO 2, 3 and 4 and hOCR pages (anno/ocr.h), on documents
 * typeset here: text, boxes, hyphens, units, the first page only, bad files
 * with their line, refused entities, and scaling onto a canvas.
 */
#include <stdio.h>
#include <string.h>

#include "anno/ocr.h"
#include "t.h"

#define ALTO(ns, unit, body)                                                                                          \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                                  \
    "<alto xmlns=\"" ns "\">\n"                                                                                       \
    "<Description><MeasurementUnit>" unit "</MeasurementUnit></Description>\n"                                        \
    "<Layout><Page ID=\"p1\" WIDTH=\"2000\" HEIGHT=\"1000\"><PrintSpace>\n" body                                    \
    "</PrintSpace></Page></Layout></alto>\n"

#define LINES                                                                                                          \
    "<TextBlock><TextLine HPOS=\"100\" VPOS=\"100\" WIDTH=\"800\" HEIGHT=\"40\">\n"                                \
    "<String CONTENT=\"Of\" HPOS=\"100\" VPOS=\"100\" WIDTH=\"60\" HEIGHT=\"40\"/><SP/>"                              \
    "<String CONTENT=\"Roſes\" HPOS=\"180\" VPOS=\"100\" WIDTH=\"200\" HEIGHT=\"40\"/><SP/>"                          \
    "<String CONTENT=\"and\" HPOS=\"400\" VPOS=\"100\" WIDTH=\"100\" HEIGHT=\"40\"/><SP/>"                            \
    "<String CONTENT=\"Gilli\" SUBS_CONTENT=\"Gilliflowers\" HPOS=\"520\" VPOS=\"100\" WIDTH=\"300\" HEIGHT=\"40\"/>" \
    "<HYP CONTENT=\"-\"/>\n"                                                                                           \
    "</TextLine>\n"                                                                                                    \
    "<TextLine><String CONTENT=\"flowers.\" HPOS=\"100\" VPOS=\"160\" WIDTH=\"250\" HEIGHT=\"40\"/></TextLine>\n"      \
    "<TextLine HPOS=\"1\" VPOS=\"1\" WIDTH=\"1\" HEIGHT=\"1\"></TextLine>\n"                                           \
    "<TextLine><String CONTENT=\"Edge\" HPOS=\"1900\" VPOS=\"950\" WIDTH=\"300\" HEIGHT=\"100\"/></TextLine>\n"         \
    "</TextBlock>\n"

static const char *alto2 = ALTO("http://www.loc.gov/standards/alto/ns-v2#", "pixel", LINES);
static const char *alto3 = ALTO("http://www.loc.gov/standards/alto/ns-v3#", "pixel", LINES);
static const char *alto4 = ALTO("http://www.loc.gov/standards/alto/ns-v4#", "mm10", LINES);

static const char *hocr =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
    "    \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
    " <head><title></title><meta name='ocr-system' content='tesseract 5.3.0' /></head>\n"
    " <body>\n"
    "  <div class='ocr_page' id='page_1' title='image \"p1.png\"; bbox 0 0 2000 1000; ppageno 0'>\n"
    "   <div class='ocr_carea' id='block_1_1' title=\"bbox 100 100 900 200\">\n"
    "    <p class='ocr_par' id='par_1_1' lang='eng' title=\"bbox 100 100 900 200\">\n"
    "     <span class='ocr_line' id='line_1_1' title=\"bbox 100 100 900 140; baseline 0 -8; x_size 40\">\n"
    "      <span class='ocrx_word' id='word_1_1' title='bbox 100 100 160 140; x_wconf 96'>Of</span>\n"
    "      <span class='ocrx_word' id='word_1_2' title='bbox 180 100 380 140; x_wconf 91'><strong>Ro&amp;ses</strong></span>\n"
    "      <span class='ocrx_word' id='word_1_3' title='bbox 400 100 500 140; x_wconf 95'>and</span>\n"
    "     </span>\n"
    "     <span class='ocr_textfloat' id='line_1_2' title=\"bbox 100 160 350 200\">\n"
    "      <span class='ocrx_word' id='word_1_4' title='bbox 100 160 350 200; x_wconf 90'>Caf\xc3\xa9</span>\n"
    "     </span>\n"
    "    </p>\n"
    "   </div>\n"
    "  </div>\n"
    "  <div class='ocr_page' id='page_2' title='bbox 0 0 10 10'><span class='ocr_line' title='bbox 0 0 5 5'>"
    "<span class='ocrx_word' title='bbox 0 0 5 5'>second</span></span></div>\n"
    " </body>\n"
    "</html>\n";

static void check_alto(const char *doc, const char *label)
{
    struct ts_ocr_page p;
    struct ts_error err;
    int rc = ts_ocr_parse(doc, strlen(doc), &p, &err);
    T_CHECK(rc == 0 && p.kind == TS_OCR_ALTO, "%s: parsed (%s)", label, rc ? err.msg : "");
    if (rc != 0)
        return;
    T_CHECK(p.width == 2000 && p.height == 1000, "%s: page size", label);
    T_CHECK(p.n_lines == 3 && p.n_words == 6, "%s: 3 lines, 6 words (%zu, %zu)", label, p.n_lines, p.n_words);
    if (p.n_lines == 3) {
        T_STREQ(p.lines[0].text, "Of Roſes and Gilli-", "line 1 as printed, hyphen kept");
        T_CHECK(p.lines[0].box.x == 100 && p.lines[0].box.w == 800 && p.lines[0].n_words == 4 &&
                    p.lines[0].src_line == 5,
                "%s: line 1 box and words (line %d)", label, p.lines[0].src_line);
        T_STREQ(p.lines[1].text, "flowers.", "line 2");
        T_CHECK(p.lines[1].box.x == 100 && p.lines[1].box.y == 160 && p.lines[1].box.w == 250,
                "%s: a line without a box gets its words' union", label);
        T_CHECK(p.lines[2].box.x == 1900 && p.lines[2].box.w == 100 && p.lines[2].box.h == 50,
                "%s: a box past the page is cut at its edge", label);
        T_STREQ(p.words[1].text, "Roſes", "a word, in UTF-8");
        T_CHECK(p.words[1].box.x == 180 && p.words[1].box.y == 100 && p.words[1].box.w == 200 && p.words[1].box.h == 40,
                "%s: a word's box", label);
    }
    ts_ocr_release(&p);
}

static void test_hocr(void)
{
    struct ts_ocr_page p;
    struct ts_error err;
    int rc = ts_ocr_parse(hocr, strlen(hocr), &p, &err);
    T_CHECK(rc == 0 && p.kind == TS_OCR_HOCR, "hOCR parsed (%s)", rc ? err.msg : "");
    if (rc != 0)
        return;
    T_CHECK(p.width == 2000 && p.height == 1000, "hOCR page size");
    T_CHECK(p.n_lines == 2 && p.n_words == 4, "the first page only: 2 lines, 4 words (%zu, %zu)", p.n_lines,
            p.n_words);
    if (p.n_lines == 2) {
        T_STREQ(p.lines[0].text, "Of Ro&ses and", "a line's text, entities of HTML read");
        T_STREQ(p.lines[1].text, "Caf\xc3\xa9", "an ocr_textfloat is a line");
        T_CHECK(p.lines[0].box.w == 800 && p.lines[0].box.h == 40 && p.lines[0].src_line == 10,
                "the line's bbox (line %d)", p.lines[0].src_line);
        T_CHECK(p.words[1].box.x == 180 && p.words[1].box.w == 200, "a word's bbox");
    }
    ts_ocr_release(&p);
}

static void test_bad(void)
{
    static const struct {
        const char *doc, *says;
    } cases[] = {
        {"hello", "neither ALTO"},
        {"<alto><Layout><Page WIDTH=\"10\" HEIGHT=\"10\">\n<TextLine>\n</Page></alto>", "line 3: not well-formed"},
        {"<alto><Layout></Layout></alto>", "no <Page>"},
        {"<alto><Layout><Page ID=\"x\"></Page></Layout></alto>", "no WIDTH and HEIGHT"},
        {"<?xml version=\"1.0\"?>\n<!DOCTYPE alto [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>\n"
         "<alto><Layout><Page WIDTH=\"9\" HEIGHT=\"9\"><TextLine><String CONTENT=\"&b;\" HPOS=\"0\" VPOS=\"0\" "
         "WIDTH=\"1\" HEIGHT=\"1\"/></TextLine></Page></Layout></alto>",
         "declares entities"},
        {"<?xml version=\"1.0\"?>\n<!DOCTYPE alto SYSTEM \"http://example.org/evil.dtd\">\n<alto><Layout><Page "
         "WIDTH=\"9\" HEIGHT=\"9\"/></Layout></alto>",
         NULL},
        {"<html><body><div class='ocr_page'>no bbox</div></body></html>", "no ocr_page with a bbox"},
        {"<html><body><span class='ocrx_word' title='bbox 1 2 3 4'>x</span></body></html>", "no ocr_page"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_ocr_page p;
        struct ts_error err;
        int rc = ts_ocr_parse(cases[i].doc, strlen(cases[i].doc), &p, &err);
        if (cases[i].says == NULL) {
            /* an external DTD is neither fetched nor needed: the page is read */
            T_CHECK(rc == 0 && p.width == 9, "case %zu: read without fetching its DTD (%s)", i, rc ? err.msg : "");
            if (rc == 0)
                ts_ocr_release(&p);
            continue;
        }
        T_CHECK(rc != 0 && err.status == 400 && strstr(err.msg, cases[i].says) != NULL, "case %zu: '%s': %s", i,
                cases[i].says, rc ? err.msg : "accepted");
        if (rc == 0)
            ts_ocr_release(&p);
    }
}

static void test_bbox_and_scale(void)
{
    static const struct {
        const char *title;
        int rc;
        double x, y, w, h;
    } cases[] = {
        {"bbox 10 20 110 40; x_wconf 95", 0, 10, 20, 100, 20},
        {"image \"a.png\"; bbox 0 0 2000 1000; ppageno 0", 0, 0, 0, 2000, 1000},
        {"x_bboxes 1 2 3 4; bbox 5 6 7 8", 0, 5, 6, 2, 2},
        {"bbox 10 20 5 40", -1, 0, 0, 0, 0},
        {"bbox 1 2 3", -1, 0, 0, 0, 0},
        {"bbox a b c d", -1, 0, 0, 0, 0},
        {"nobbox 1 2 3 4", -1, 0, 0, 0, 0},
        {"", -1, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_ocr_box b;
        int rc = ts_ocr_title_bbox(cases[i].title, &b);
        T_CHECK(rc == cases[i].rc && (rc != 0 || (b.x == cases[i].x && b.y == cases[i].y && b.w == cases[i].w &&
                                                  b.h == cases[i].h)),
                "title '%s': %d", cases[i].title, rc);
    }
    struct ts_ocr_page p = {TS_OCR_ALTO, 2000, 1000, NULL, 0, NULL, 0};
    uint32_t x, y, w, h;
    struct ts_ocr_box b = {100, 100, 800, 40};
    ts_ocr_scale(&p, &b, 1000, 500, &x, &y, &w, &h);
    T_CHECK(x == 50 && y == 50 && w == 400 && h == 20, "scaled to half: %u,%u,%u,%u", x, y, w, h);
    b = (struct ts_ocr_box){1999.5, 999.5, 0.2, 0.2};
    ts_ocr_scale(&p, &b, 1000, 500, &x, &y, &w, &h);
    T_CHECK(x == 999 && y == 499 && w == 1 && h == 1, "a speck in the corner stays on the canvas");
}

int main(void)
{
    check_alto(alto2, "ALTO 2");
    check_alto(alto3, "ALTO 3");
    check_alto(alto4, "ALTO 4 in mm10");
    test_hocr();
    test_bad();
    test_bbox_and_scale();
    return t_done();
}
