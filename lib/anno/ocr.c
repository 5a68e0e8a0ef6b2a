/*
 * ocr.c: ALTO and hOCR pages with libxml2.
 */
#include "anno/ocr.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static bool is(const xmlNode *n, const char *local)
{
    return n->type == XML_ELEMENT_NODE && n->name != NULL && strcmp((const char *)n->name, local) == 0;
}

/* A numeric attribute: its value, or NAN when absent or not a number. */
static double num_attr(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (v == NULL)
        return NAN;
    char *end;
    double d = strtod((const char *)v, &end);
    bool ok = end != (char *)v && *end == '\0' && isfinite(d);
    xmlFree(v);
    return ok ? d : NAN;
}

struct reader {
    struct ts_ocr_page *p;
    size_t cap_lines, cap_words;
    struct ts_error *err;
    bool failed;
};

/* Keeps box `b` inside the page; false when it is not a box at all. */
static bool fit(const struct ts_ocr_page *p, struct ts_ocr_box *b)
{
    if (!isfinite(b->x) || !isfinite(b->y) || !isfinite(b->w) || !isfinite(b->h) || b->w < 0 || b->h < 0)
        return false;
    double x1 = fmin(b->x + b->w, p->width), y1 = fmin(b->y + b->h, p->height);
    b->x = fmin(fmax(b->x, 0), p->width);
    b->y = fmin(fmax(b->y, 0), p->height);
    b->w = fmax(x1 - b->x, 0);
    b->h = fmax(y1 - b->y, 0);
    return true;
}

static int add_word(struct reader *r, const char *text, struct ts_ocr_box b, int line)
{
    struct ts_ocr_page *p = r->p;
    if (p->n_words >= TS_OCR_MAX_WORDS) {
        r->failed = true;
        return ts_error_set(r->err, 400, "line %d: more than %d words on a page", line, TS_OCR_MAX_WORDS);
    }
    if (p->n_words == r->cap_words) {
        size_t cap = r->cap_words ? r->cap_words * 2 : 256;
        struct ts_ocr_word *w = realloc(p->words, cap * sizeof(*w));
        if (w == NULL) {
            r->failed = true;
            return ts_error_set(r->err, 500, "out of memory");
        }
        p->words = w;
        r->cap_words = cap;
    }
    char *t = strdup(text);
    if (t == NULL) {
        r->failed = true;
        return ts_error_set(r->err, 500, "out of memory");
    }
    p->words[p->n_words++] = (struct ts_ocr_word){t, b};
    return 0;
}

/* Ends a line made of words [first, n_words): its text, and its box (`b`, or the words' union when it has none). */
static int add_line(struct reader *r, size_t first, const struct ts_ocr_box *b, int src_line, const char *text)
{
    struct ts_ocr_page *p = r->p;
    if (p->n_words == first && (text == NULL || text[0] == '\0'))
        return 0; /* nothing on it */
    if (p->n_lines >= TS_OCR_MAX_LINES) {
        r->failed = true;
        return ts_error_set(r->err, 400, "line %d: more than %d lines on a page", src_line, TS_OCR_MAX_LINES);
    }
    if (p->n_lines == r->cap_lines) {
        size_t cap = r->cap_lines ? r->cap_lines * 2 : 64;
        struct ts_ocr_line *l = realloc(p->lines, cap * sizeof(*l));
        if (l == NULL) {
            r->failed = true;
            return ts_error_set(r->err, 500, "out of memory");
        }
        p->lines = l;
        r->cap_lines = cap;
    }
    struct ts_ocr_box box;
    if (b != NULL) {
        box = *b;
    } else {
        double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
        for (size_t i = first; i < p->n_words; i++) {
            const struct ts_ocr_box *w = &p->words[i].box;
            x0 = fmin(x0, w->x), y0 = fmin(y0, w->y), x1 = fmax(x1, w->x + w->w), y1 = fmax(y1, w->y + w->h);
        }
        if (!(x1 >= x0 && y1 >= y0))
            return 0; /* no box anywhere: not a line that can be shown */
        box = (struct ts_ocr_box){x0, y0, x1 - x0, y1 - y0};
    }
    struct ts_buf t;
    ts_buf_init(&t, 1 << 20);
    if (text != NULL) {
        ts_buf_adds(&t, text);
    } else {
        for (size_t i = first; i < p->n_words; i++) {
            if (i > first)
                ts_buf_adds(&t, " ");
            ts_buf_adds(&t, p->words[i].text);
        }
    }
    char *s = ts_buf_take(&t, NULL);
    if (s == NULL)
        s = strdup("");
    if (s == NULL) {
        r->failed = true;
        return ts_error_set(r->err, 500, "out of memory");
    }
    p->lines[p->n_lines++] = (struct ts_ocr_line){s, box, first, p->n_words - first, src_line};
    return 0;
}

/* The box of an ALTO element's HPOS, VPOS, WIDTH and HEIGHT. */
static bool alto_box(const xmlNode *n, struct ts_ocr_box *b)
{
    *b = (struct ts_ocr_box){num_attr(n, "HPOS"), num_attr(n, "VPOS"), num_attr(n, "WIDTH"), num_attr(n, "HEIGHT")};
    return !isnan(b->x) && !isnan(b->y) && !isnan(b->w) && !isnan(b->h);
}

static void alto_line(struct reader *r, const xmlNode *line)
{
    size_t first = r->p->n_words;
    for (const xmlNode *c = line->children; c != NULL && !r->failed; c = c->next) {
        bool str = is(c, "String"), hyp = is(c, "HYP");
        if (!str && !hyp)
            continue;
        xmlChar *content = xmlGetProp(c, (const xmlChar *)"CONTENT");
        if (content == NULL || content[0] == '\0') {
            xmlFree(content);
            continue;
        }
        struct ts_ocr_box b;
        if (hyp && r->p->n_words > first) {
            /* a hyphen at the line's end belongs to the word before it */
            struct ts_ocr_word *w = &r->p->words[r->p->n_words - 1];
            size_t a = strlen(w->text), n = strlen((const char *)content);
            char *t = realloc(w->text, a + n + 1);
            if (t != NULL) {
                memcpy(t + a, content, n + 1);
                w->text = t;
            }
        } else if (str && alto_box(c, &b) && fit(r->p, &b)) {
            add_word(r, (const char *)content, b, (int)xmlGetLineNo(c));
        }
        xmlFree(content);
    }
    struct ts_ocr_box lb;
    bool has = alto_box(line, &lb) && fit(r->p, &lb);
    if (!r->failed)
        add_line(r, first, has ? &lb : NULL, (int)xmlGetLineNo(line), NULL);
}

static void alto_walk(struct reader *r, const xmlNode *n)
{
    for (; n != NULL && !r->failed; n = n->next) {
        if (is(n, "TextLine"))
            alto_line(r, n);
        else if (n->type == XML_ELEMENT_NODE)
            alto_walk(r, n->children);
    }
}

static const xmlNode *find(const xmlNode *n, const char *local)
{
    for (; n != NULL; n = n->next) {
        if (is(n, local))
            return n;
        const xmlNode *f = n->type == XML_ELEMENT_NODE ? find(n->children, local) : NULL;
        if (f != NULL)
            return f;
    }
    return NULL;
}

static int read_alto(struct reader *r, xmlDoc *doc)
{
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (root == NULL || !is(root, "alto"))
        return ts_error_set(r->err, 400, "line 1: not an ALTO document (its root is not <alto>)");
    const xmlNode *page = find(root->children, "Page");
    if (page == NULL)
        return ts_error_set(r->err, 400, "line %d: the ALTO document has no <Page>", (int)xmlGetLineNo(root));
    r->p->width = num_attr(page, "WIDTH");
    r->p->height = num_attr(page, "HEIGHT");
    if (!(r->p->width > 0) || !(r->p->height > 0))
        return ts_error_set(r->err, 400, "line %d: the <Page> has no WIDTH and HEIGHT", (int)xmlGetLineNo(page));
    /* only this page: a multi-page ALTO file's other pages belong to other canvases */
    alto_walk(r, page->children);
    return r->failed ? -1 : 0;
}

/* Whether the class attribute of `n` holds the word `want`. */
static bool has_class(const xmlNode *n, const char *want)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)"class");
    if (v == NULL)
        return false;
    bool found = false;
    size_t wl = strlen(want);
    for (const char *p = (const char *)v; *p != '\0' && !found;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *e = p;
        while (*e != '\0' && *e != ' ' && *e != '\t')
            e++;
        found = (size_t)(e - p) == wl && strncmp(p, want, wl) == 0;
        p = e;
    }
    xmlFree(v);
    return found;
}

static bool title_box(const xmlNode *n, struct ts_ocr_box *b)
{
    xmlChar *t = xmlGetProp(n, (const xmlChar *)"title");
    bool ok = t != NULL && ts_ocr_title_bbox((const char *)t, b) == 0;
    xmlFree(t);
    return ok;
}

static bool is_line(const xmlNode *n)
{
    return has_class(n, "ocr_line") || has_class(n, "ocr_textfloat") || has_class(n, "ocr_header") ||
           has_class(n, "ocr_caption");
}

static void hocr_words(struct reader *r, const xmlNode *n)
{
    for (; n != NULL && !r->failed; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (has_class(n, "ocrx_word")) {
            struct ts_ocr_box b;
            xmlChar *text = xmlNodeGetContent(n);
            /* collapse the word's whitespace: a word is one token */
            char *s = (char *)text, *o = s;
            for (char *q = s; q != NULL && *q != '\0'; q++) {
                if (*q != ' ' && *q != '\n' && *q != '\t' && *q != '\r')
                    *o++ = *q;
            }
            if (o != NULL)
                *o = '\0';
            if (s != NULL && s[0] != '\0' && title_box(n, &b) && fit(r->p, &b))
                add_word(r, s, b, (int)xmlGetLineNo(n));
            xmlFree(text);
        } else {
            hocr_words(r, n->children);
        }
    }
}

static void hocr_walk(struct reader *r, const xmlNode *n)
{
    for (; n != NULL && !r->failed; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is_line(n)) {
            size_t first = r->p->n_words;
            hocr_words(r, n->children);
            struct ts_ocr_box b;
            bool has = title_box(n, &b) && fit(r->p, &b);
            if (!r->failed)
                add_line(r, first, has ? &b : NULL, (int)xmlGetLineNo(n), NULL);
        } else if (has_class(n, "ocr_page") && r->p->width > 0) {
            return; /* the first page only */
        } else {
            hocr_walk(r, n->children);
        }
    }
}

static const xmlNode *find_class(const xmlNode *n, const char *cls)
{
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (has_class(n, cls))
            return n;
        const xmlNode *f = find_class(n->children, cls);
        if (f != NULL)
            return f;
    }
    return NULL;
}

static int read_hocr(struct reader *r, xmlDoc *doc)
{
    const xmlNode *page = find_class(xmlDocGetRootElement(doc), "ocr_page");
    struct ts_ocr_box b;
    if (page == NULL || !title_box(page, &b) || !(b.w > 0) || !(b.h > 0))
        return ts_error_set(r->err, 400, "line %d: the hOCR document has no ocr_page with a bbox",
                            page != NULL ? (int)xmlGetLineNo(page) : 1);
    r->p->width = b.x + b.w;
    r->p->height = b.y + b.h;
    hocr_walk(r, page->children);
    return r->failed ? -1 : 0;
}

static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

int ts_ocr_parse(const char *data, size_t len, struct ts_ocr_page *out, struct ts_error *err)
{
    memset(out, 0, sizeof(*out));
    pthread_once(&xml_once, xml_init);
    if (len > (size_t)INT32_MAX)
        return ts_error_set(err, 400, "the OCR file is too large");
    bool alto = memmem(data, len, "<alto", 5) != NULL;
    bool hocr = !alto && (memmem(data, len, "ocr_page", 8) != NULL || memmem(data, len, "ocrx_word", 9) != NULL);
    if (!alto && !hocr)
        return ts_error_set(err, 400, "line 1: neither ALTO (<alto>) nor hOCR (ocr_page)");
    xmlSetGenericErrorFunc(NULL, quiet);
    xmlDoc *doc;
    /* never the network, never a DTD from elsewhere, entities left unexpanded (and refused below) */
    if (alto)
        doc = xmlReadMemory(data, (int)len, "ocr.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    else
        doc = htmlReadMemory(data, (int)len, "ocr.hocr", "UTF-8",
                             HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    if (doc == NULL) {
        const xmlError *e = xmlGetLastError();
        int line = e != NULL ? e->line : 0;
        char msg[160];
        snprintf(msg, sizeof(msg), "%s", e != NULL && e->message != NULL ? e->message : "malformed");
        msg[strcspn(msg, "\n")] = '\0';
        xmlResetLastError();
        ts_error_set(err, 400, "line %d: not well-formed XML: %s", line, msg);
        return ts_error_scrub(err);
    }
    if (doc->intSubset != NULL && (doc->intSubset->entities != NULL || doc->intSubset->pentities != NULL)) {
        xmlFreeDoc(doc);
        return ts_error_set(err, 400, "line 1: the file declares entities, which tessera does not expand");
    }
    out->kind = alto ? TS_OCR_ALTO : TS_OCR_HOCR;
    struct reader r = {out, 0, 0, err, false};
    int rc = alto ? read_alto(&r, doc) : read_hocr(&r, doc);
    xmlFreeDoc(doc);
    if (rc != 0) {
        ts_ocr_release(out);
        return ts_error_scrub(err);
    }
    return 0;
}

void ts_ocr_release(struct ts_ocr_page *p)
{
    for (size_t i = 0; i < p->n_lines; i++)
        free(p->lines[i].text);
    for (size_t i = 0; i < p->n_words; i++)
        free(p->words[i].text);
    free(p->lines);
    free(p->words);
    memset(p, 0, sizeof(*p));
}

int ts_ocr_title_bbox(const char *title, struct ts_ocr_box *out)
{
    for (const char *p = title; (p = strstr(p, "bbox")) != NULL; p += 4) {
        if (p != title && p[-1] != ' ' && p[-1] != ';' && p[-1] != '\t')
            continue;
        const char *q = p + 4;
        double v[4];
        int i;
        for (i = 0; i < 4; i++) {
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q < '0' || *q > '9')
                break;
            char *end;
            v[i] = strtod(q, &end);
            if (!isfinite(v[i]))
                break;
            q = end;
        }
        if (i == 4 && (*q == '\0' || *q == ';' || *q == ' ') && v[2] >= v[0] && v[3] >= v[1]) {
            *out = (struct ts_ocr_box){v[0], v[1], v[2] - v[0], v[3] - v[1]};
            return 0;
        }
    }
    return -1;
}

void ts_ocr_scale(const struct ts_ocr_page *p, const struct ts_ocr_box *b, uint32_t cw, uint32_t ch, uint32_t *x,
                  uint32_t *y, uint32_t *w, uint32_t *h)
{
    double sx = p->width > 0 ? cw / p->width : 0, sy = p->height > 0 ? ch / p->height : 0;
    double x0 = fmin(fmax(floor(b->x * sx), 0), cw > 0 ? cw - 1 : 0);
    double y0 = fmin(fmax(floor(b->y * sy), 0), ch > 0 ? ch - 1 : 0);
    double x1 = fmin(ceil((b->x + b->w) * sx), cw), y1 = fmin(ceil((b->y + b->h) * sy), ch);
    *x = (uint32_t)x0;
    *y = (uint32_t)y0;
    *w = (uint32_t)fmax(x1 - x0, 1);
    *h = (uint32_t)fmax(y1 - y0, 1);
}
