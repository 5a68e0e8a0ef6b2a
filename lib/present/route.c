/*
 * route.c: Presentation API URLs, read from the end.
 */
#include "present/route.h"

#include "core/pct.h"

#include <stdbool.h>
#include <string.h>

#include "core/buf.h"
#include "iiif/ident.h"

#define MAX_SEGS 64

struct seg {
    const char *p;
    size_t n;
};

static bool is(const struct seg *s, const char *word)
{
    return s->n == strlen(word) && memcmp(s->p, word, s->n) == 0;
}

/* Decodes one segment into `dst`; refuses empty, ".", "..", hidden, NUL, "/" and "\". */
static int decode_seg(const struct seg *s, char *dst, size_t cap, size_t *len, struct ts_error *err)
{
    if (iiif_percent_decode(s->p, s->n, dst, cap, len, err) != 0)
        return -1;
    if (*len == 0 || dst[0] == '.')
        return ts_error_set(err, 400, "a path with an empty, '.', '..' or hidden part");
    for (size_t i = 0; i < *len; i++) {
        if (dst[i] == '\0' || dst[i] == '\\' || dst[i] == '/')
            return ts_error_set(err, 400, "a path segment with a NUL, '/' or '\\' in it");
    }
    return 0;
}

int ts_proute_parse(const char *s, size_t n, struct ts_proute *out, struct ts_error *err)
{
    memset(out, 0, sizeof(*out));
    if (n == 0 || (n == 1 && s[0] == '/')) {
        out->kind = TS_PR_FOLDER; /* the root */
        return 0;
    }
    if (s[0] != '/')
        return ts_error_set(err, 404, "expected /iiif/presentation/collection or /iiif/presentation/{path}/manifest");
    if (s[n - 1] == '/')
        n--; /* a folder's URL may end in a slash */
    struct seg segs[MAX_SEGS];
    int k = 0;
    for (size_t i = 1; i <= n;) {
        size_t j = i;
        while (j < n && s[j] != '/')
            j++;
        if (k == MAX_SEGS)
            return ts_error_set(err, 414, "the path has more than %d parts", MAX_SEGS);
        segs[k++] = (struct seg){s + i, j - i};
        i = j + 1;
    }
    /* what the end of the URL asks for */
    int path_end; /* segments [0, path_end) are the folder path */
    const struct seg *part = NULL;
    if (k >= 1 && is(&segs[k - 1], "collection")) {
        out->kind = TS_PR_COLLECTION;
        path_end = k - 1;
    } else if (k >= 2 && is(&segs[k - 1], "manifest")) {
        out->kind = TS_PR_MANIFEST;
        path_end = k - 1;
    } else if (k >= 4 && (is(&segs[k - 1], "page") || is(&segs[k - 1], "annotation")) && is(&segs[k - 3], "canvas")) {
        out->kind = is(&segs[k - 1], "page") ? TS_PR_PAGE : TS_PR_ANNOTATION;
        part = &segs[k - 2];
        path_end = k - 3;
    } else if (k >= 3 && is(&segs[k - 2], "canvas")) {
        out->kind = TS_PR_CANVAS;
        part = &segs[k - 1];
        path_end = k - 2;
    } else if (k >= 3 && is(&segs[k - 2], "range")) {
        out->kind = TS_PR_RANGE;
        part = &segs[k - 1];
        path_end = k - 2;
        /* 1, 2-1, 3-1-2 */
        bool ok = part->n > 0 && part->n < sizeof(out->part);
        for (size_t i = 0; ok && i < part->n; i++) {
            char c = part->p[i];
            bool digit = c >= '0' && c <= '9';
            ok = digit || (c == '-' && i > 0 && i + 1 < part->n && part->p[i - 1] != '-');
        }
        if (!ok)
            return ts_error_set(err, 404, "a range is numbered like 1 or 2-1");
    } else {
        out->kind = TS_PR_FOLDER; /* just a path */
        path_end = k;
    }
    if (out->kind != TS_PR_COLLECTION && out->kind != TS_PR_FOLDER && path_end == 0)
        return ts_error_set(err, 404, "a manifest needs a folder or image path before it");
    size_t at = 0;
    for (int i = 0; i < path_end; i++) {
        if (i > 0) {
            if (at + 1 >= sizeof(out->path))
                return ts_error_set(err, 414, "the path is too long");
            out->path[at++] = '/';
        }
        size_t len;
        if (decode_seg(&segs[i], out->path + at, sizeof(out->path) - at, &len, err) != 0)
            return -1;
        at += len;
    }
    out->path[at] = '\0';
    if (part != NULL && out->kind != TS_PR_RANGE) {
        size_t len;
        if (decode_seg(part, out->part, sizeof(out->part), &len, err) != 0)
            return -1;
        out->part[len] = '\0';
    } else if (part != NULL) {
        memcpy(out->part, part->p, part->n);
        out->part[part->n] = '\0';
    }
    return 0;
}

int ts_present_path_encode(const char *rel, struct ts_buf *out)
{
    return ts_pct_encode(rel, "/", out);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int ts_query_param(const char *qs, size_t n, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && qs[e] != '&' && qs[e] != ';')
            e++;
        if (e - i >= nl && memcmp(qs + i, name, nl) == 0 && (e - i == nl || qs[i + nl] == '=')) {
            size_t at = 0;
            for (size_t k = i + nl + (e - i > nl ? 1 : 0); k < e; k++) {
                char c = qs[k];
                if (c == '+') {
                    c = ' ';
                } else if (c == '%') {
                    int h = k + 2 < e ? hexval(qs[k + 1]) : -1, l = k + 2 < e ? hexval(qs[k + 2]) : -1;
                    if (h < 0 || l < 0)
                        return -1;
                    c = (char)(h * 16 + l);
                    k += 2;
                }
                if (c == '\0' || at + 1 >= cap)
                    return -1;
                out[at++] = c;
            }
            out[at] = '\0';
            return 1;
        }
        i = e + 1;
    }
    return 0;
}
