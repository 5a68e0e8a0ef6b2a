/*
 * test_route.c: Presentation API URLs below /iiif/presentation.
 */
#include "present/route.h"
#include "t.h"

int main(void)
{
    static const struct {
        const char *url;
        int status;                 /* 0: parses */
        enum ts_proute_kind kind;
        const char *path, *part;
    } cases[] = {
        {"/collection", 0, TS_PR_COLLECTION, "", ""},
        {"/books/collection", 0, TS_PR_COLLECTION, "books", ""},
        {"/books/diary/manifest", 0, TS_PR_MANIFEST, "books/diary", ""},
        {"/maps/paris.tif/manifest", 0, TS_PR_MANIFEST, "maps/paris.tif", ""},
        {"/books/diary/canvas/p001.tif", 0, TS_PR_CANVAS, "books/diary", "p001.tif"},
        {"/books/diary/canvas/p001.tif/page", 0, TS_PR_PAGE, "books/diary", "p001.tif"},
        {"/books/diary/canvas/p001.tif/annotation", 0, TS_PR_ANNOTATION, "books/diary", "p001.tif"},
        {"/books/diary/range/1", 0, TS_PR_RANGE, "books/diary", "1"},
        {"/books/diary/range/2-10-1", 0, TS_PR_RANGE, "books/diary", "2-10-1"},
        /* folders may be called like the words of the scheme: the URL is read from its end */
        {"/canvas/manifest", 0, TS_PR_MANIFEST, "canvas", ""},
        {"/manifest/canvas/x.tif", 0, TS_PR_CANVAS, "manifest", "x.tif"},
        {"/a/canvas/b/manifest", 0, TS_PR_MANIFEST, "a/canvas/b", ""},
        /* percent-decoding */
        {"/my%20books/caf%C3%A9/manifest", 0, TS_PR_MANIFEST, "my books/caf\xc3\xa9", ""},
        {"/books%2Fdiary/manifest", 400, 0, "", ""}, /* a / inside a segment */
        {"/books/diary/canvas/p%201.tif", 0, TS_PR_CANVAS, "books/diary", "p 1.tif"},
        /* refused */
        /* a path alone: the folder or image, whatever it is (answered with a redirect) */
        {"", 0, TS_PR_FOLDER, "", ""},
        {"/", 0, TS_PR_FOLDER, "", ""},
        {"/manifest", 0, TS_PR_FOLDER, "manifest", ""},
        {"/books/diary", 0, TS_PR_FOLDER, "books/diary", ""},
        {"/books/diary/", 0, TS_PR_FOLDER, "books/diary", ""},
        {"/books/diary/manifest/", 0, TS_PR_MANIFEST, "books/diary", ""},
        {"/books//manifest", 400, 0, "", ""},
        {"/../etc/manifest", 400, 0, "", ""},
        {"/books/./manifest", 400, 0, "", ""},
        {"/.hidden/manifest", 400, 0, "", ""},
        {"/books/%2e%2e/manifest", 400, 0, "", ""},
        {"/books/a%00b/manifest", 400, 0, "", ""},
        {"/books/a%5Cb/manifest", 400, 0, "", ""},
        {"/books/a%zzb/manifest", 400, 0, "", ""},
        {"/books/canvas/.x/page", 400, 0, "", ""},
        {"/books/range/", 0, TS_PR_FOLDER, "books/range", ""},
        {"/books/range/1-", 404, 0, "", ""},
        {"/books/range/-1", 404, 0, "", ""},
        {"/books/range/1--2", 404, 0, "", ""},
        {"/books/range/a", 404, 0, "", ""},
        {"/canvas/x.tif", 0, TS_PR_FOLDER, "canvas/x.tif", ""},
        {"/range/1", 0, TS_PR_FOLDER, "range/1", ""},
        {"//", 400, 0, "", ""},
        {"/books//", 400, 0, "", ""},
        {"/books/diary/canvas/page", 0, TS_PR_CANVAS, "books/diary", "page"}, /* a file called "page" */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_proute r;
        struct ts_error err = {0};
        int rc = ts_proute_parse(cases[i].url, strlen(cases[i].url), &r, &err);
        if (cases[i].status != 0) {
            T_CHECK(rc == -1 && err.status == cases[i].status, "'%s': got %d/%d '%s', want %d", cases[i].url, rc,
                    err.status, err.msg, cases[i].status);
            continue;
        }
        T_CHECK(rc == 0, "'%s' parses: %s", cases[i].url, err.msg);
        if (rc != 0)
            continue;
        T_CHECK(r.kind == cases[i].kind, "'%s': kind %d, want %d", cases[i].url, r.kind, cases[i].kind);
        T_STREQ(r.path, cases[i].path, cases[i].url);
        T_STREQ(r.part, cases[i].part, cases[i].url);
    }
    /* 64 parts at most; long paths do not overflow */
    char big[4000];
    size_t n = 0;
    for (int i = 0; i < 70; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "/d%d", i);
    snprintf(big + n, sizeof(big) - n, "/manifest");
    struct ts_proute r;
    struct ts_error err;
    T_CHECK(ts_proute_parse(big, strlen(big), &r, &err) == -1 && err.status == 414, "too many parts: %d", err.status);
    n = 0;
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "/%040d", i);
    snprintf(big + n, sizeof(big) - n, "/manifest");
    T_CHECK(ts_proute_parse(big, strlen(big), &r, &err) == -1 && (err.status == 414 || err.status == 400),
            "a path longer than the buffer: %d", err.status);
    /* query parameters */
    static const struct {
        const char *qs, *name;
        int rc;
        const char *value;
    } params[] = {
        {"q=diary", "q", 1, "diary"},
        {"q=jane+doe&page=2", "q", 1, "jane doe"},
        {"q=jane+doe&page=2", "page", 1, "2"},
        {"page=2&q=caf%C3%A9", "q", 1, "caf\xc3\xa9"},
        {"qq=1&q=x", "q", 1, "x"},
        {"q", "q", 1, ""},
        {"q=", "q", 1, ""},
        {"x=1", "q", 0, ""},
        {"", "q", 0, ""},
        {"q=%zz", "q", -1, ""},
        {"q=%4", "q", -1, ""},
        {"q=a%00b", "q", -1, ""},
        {"q=a;page=3", "page", 1, "3"},
    };
    for (size_t k = 0; k < sizeof(params) / sizeof(params[0]); k++) {
        char out[64] = "";
        int rc = ts_query_param(params[k].qs, strlen(params[k].qs), params[k].name, out, sizeof(out));
        T_CHECK(rc == params[k].rc, "param %s in '%s': %d, want %d", params[k].name, params[k].qs, rc, params[k].rc);
        if (rc == 1)
            T_STREQ(out, params[k].value, params[k].qs);
    }
    char tiny[4];
    T_CHECK(ts_query_param("q=toolong", 9, "q", tiny, sizeof(tiny)) == -1, "a value too long for the buffer");
    return t_done();
}
