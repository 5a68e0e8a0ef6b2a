/*
 * test_router.c: the route table (matching, order, methods as sets and as
 * text) and the release of handlers' state.
 */
#include "http/router.h"
#include "t.h"

static int handled(void *state, h2o_req_t *req, const char *rest, size_t n)
{
    (void)state, (void)req, (void)rest, (void)n;
    return 0;
}

static int freed[8], n_freed;

static void note_free(void *state)
{
    freed[n_freed++] = *(int *)state;
}

int main(void)
{
    struct ts_router *r = ts_router_new();
    T_CHECK(r != NULL, "a router");
    static int tags[] = {1, 2, 3, 4, 5, 6};
    const struct ts_route rows[] = {
        {"/iiif/3/", false, TS_M_READ, TS_R_ACCESS, handled, &tags[0]},
        {"/iiif/presentation", false, TS_M_READ, 0, handled, &tags[1]},
        {"/iiif/collections/search", true, TS_M_READ, 0, handled, &tags[2]},
        {"/annotations/", false, TS_M_READ | TS_M_POST | TS_M_PUT | TS_M_DELETE, TS_R_BODY, handled, &tags[3]},
        {"/iiif/3", true, TS_M_READ, 0, handled, &tags[4]},
        {"/", true, TS_M_READ, 0, handled, &tags[5]},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        T_CHECK(ts_router_add(r, &rows[i]) == 0, "add %s", rows[i].path);

    static const struct {
        const char *path;
        int tag; /* 0: no route */
    } finds[] = {
        {"/iiif/3/abc/info.json", 1},
        {"/iiif/3/", 1},          /* a prefix matches itself */
        {"/iiif/3", 5},           /* the exact row, not the prefix "/iiif/3/" */
        {"/iiif/3x", 0},
        {"/iiif/presentation", 2},
        {"/iiif/presentation/a/manifest", 2},
        {"/iiif/collections/search", 3},
        {"/iiif/collections/search/more", 0}, /* exact rows match only themselves */
        {"/iiif/collections/searc", 0},
        {"/annotations/x", 4},
        {"/", 6},
        {"", 0},
        {"/health", 0},
        {"/IIIF/3/abc/info.json", 0}, /* paths are case-sensitive */
    };
    for (size_t i = 0; i < sizeof(finds) / sizeof(finds[0]); i++) {
        const struct ts_route *got = ts_router_find(r, finds[i].path, strlen(finds[i].path));
        int tag = got != NULL ? *(int *)got->state : 0;
        T_CHECK(tag == finds[i].tag, "find %s: route %d, want %d", finds[i].path, tag, finds[i].tag);
    }
    /* the length given, not the string's: a query is not part of the path */
    const char *q = "/iiif/collections/search?q=x";
    const struct ts_route *sr = ts_router_find(r, q, strlen("/iiif/collections/search"));
    T_CHECK(sr != NULL && *(int *)sr->state == 3, "find with a length that ends before the query");

    static const struct {
        const char *m;
        unsigned bit;
    } methods[] = {
        {"GET", TS_M_GET}, {"HEAD", TS_M_HEAD}, {"OPTIONS", TS_M_OPTIONS}, {"POST", TS_M_POST},
        {"PUT", TS_M_PUT}, {"DELETE", TS_M_DELETE}, {"PATCH", 0}, {"get", 0}, {"GETS", 0}, {"GE", 0}, {"", 0},
    };
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        T_CHECK(ts_method_of(methods[i].m, strlen(methods[i].m)) == methods[i].bit, "method %s", methods[i].m);

    static const struct {
        unsigned set;
        const char *text;
    } texts[] = {
        {TS_M_READ, "GET, HEAD, OPTIONS"},
        {0, "OPTIONS"},
        {TS_M_READ | TS_M_POST, "GET, HEAD, POST, OPTIONS"},
        {TS_M_GET | TS_M_PUT | TS_M_DELETE, "GET, PUT, DELETE, OPTIONS"},
        {TS_M_READ | TS_M_OPTIONS, "GET, HEAD, OPTIONS"},
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        char out[64];
        ts_methods_text(texts[i].set, out, sizeof(out));
        T_STREQ(out, texts[i].text, "methods text");
    }
    char small[8];
    ts_methods_text(TS_M_READ | TS_M_POST, small, sizeof(small));
    T_CHECK(strlen(small) < sizeof(small), "a short buffer stays terminated: '%s'", small);

    /* handlers' state is released last registered first */
    static int a = 1, b = 2, c = 3;
    T_CHECK(ts_router_on_free(r, note_free, &a) == 0, "on_free a");
    T_CHECK(ts_router_on_free(r, note_free, &b) == 0, "on_free b");
    T_CHECK(ts_router_on_free(r, note_free, &c) == 0, "on_free c");
    ts_router_free(r);
    T_CHECK(n_freed == 3 && freed[0] == 3 && freed[1] == 2 && freed[2] == 1, "released in reverse order (%d)", n_freed);

    /* a full table says so */
    r = ts_router_new();
    int added = 0;
    while (added < 1000 && ts_router_add(r, &rows[0]) == 0)
        added++;
    T_CHECK(added > 8 && added < 1000, "the table holds a bounded number of routes (%d)", added);
    ts_router_free(r);
    return t_done();
}
