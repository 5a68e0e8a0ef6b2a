/*
 * test_anno.c: annotations checked against the data model and a
 * manifest's canvases (anno/model.h), table-driven.
 */
#include <string.h>

#include "anno/model.h"
#include "t.h"

#define C1 "http://127.0.0.1:8182/iiif/presentation/books/herbal/canvas/p1"
#define C2 "http://127.0.0.1:8182/iiif/presentation/books/herbal/canvas/p2"
#define AV "http://127.0.0.1:8182/iiif/presentation/media/talk/canvas/1"

static const struct ts_anno_canvas canvases[] = {{C1, 1000, 800, 0}, {C2, 640, 480, 0}, {AV, 0, 0, 90.5}};

static void test_fragments(void)
{
    static const struct {
        const char *frag;
        int canvas;
        int rc;
        uint32_t x, y, w, h;
        double t0, t1;
    } cases[] = {
        {"xywh=10,20,30,40", 0, 0, 10, 20, 30, 40, 0, 0},
        {"xywh=pixel:0,0,1000,800", 0, 0, 0, 0, 1000, 800, 0, 0},
        {"xywh=percent:50,50,50,50", 0, 0, 500, 400, 500, 400, 0, 0},
        {"xywh=10.5,20.25,1,1", 0, 0, 10, 20, 2, 2, 0, 0},
        {"xywh=0,0,1001,800", 0, -1, 0, 0, 0, 0, 0, 0},
        {"xywh=999,0,2,1", 0, -1, 0, 0, 0, 0, 0, 0},
        {"xywh=10,20,0,40", 0, -1, 0, 0, 0, 0, 0, 0},
        {"xywh=-1,0,5,5", 0, -1, 0, 0, 0, 0, 0, 0},
        {"xywh=1,2,3", 0, -1, 0, 0, 0, 0, 0, 0},
        {"xywh=1,2,3,4,5", 0, -1, 0, 0, 0, 0, 0, 0},
        {"xywh=1,2,3,4x", 0, -1, 0, 0, 0, 0, 0, 0},
        {"xywh=1e3,2,3,4", 0, -1, 0, 0, 0, 0, 0, 0},
        {"xywh=percent:0,0,101,10", 0, -1, 0, 0, 0, 0, 0, 0},
        {"t=10,20", 2, 0, 0, 0, 0, 0, 10, 20},
        {"t=npt:10", 2, 0, 0, 0, 0, 0, 10, 90.5},
        {"t=,30", 2, 0, 0, 0, 0, 0, 0, 30},
        {"t=20,10", 2, -1, 0, 0, 0, 0, 0, 0},
        {"t=10,91", 2, -1, 0, 0, 0, 0, 0, 0},
        {"t=10,20", 0, -1, 0, 0, 0, 0, 0, 0},
        {"xywh=1,1,1,1", 2, -1, 0, 0, 0, 0, 0, 0},
        {"xywh=1,1,2,2&xywh=1,1,2,2", 0, -1, 0, 0, 0, 0, 0, 0},
        {"page=2", 0, -1, 0, 0, 0, 0, 0, 0},
        {"", 0, -1, 0, 0, 0, 0, 0, 0},
        {"t=", 2, -1, 0, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_anno_target t;
        memset(&t, 0, sizeof(t));
        struct ts_error err;
        int rc = ts_anno_fragment(cases[i].frag, strlen(cases[i].frag), &canvases[cases[i].canvas], &t, &err);
        T_CHECK(rc == cases[i].rc, "'%s': rc %d, want %d (%s)", cases[i].frag, rc, cases[i].rc, rc ? err.msg : "");
        if (rc != 0) {
            T_CHECK(err.status == 400 && err.msg[0] != '\0', "'%s': a 400 with a reason", cases[i].frag);
            continue;
        }
        if (cases[i].w != 0)
            T_CHECK(t.has_box && t.x == cases[i].x && t.y == cases[i].y && t.w == cases[i].w && t.h == cases[i].h,
                    "'%s': box %u,%u,%u,%u", cases[i].frag, t.x, t.y, t.w, t.h);
        if (cases[i].t1 != 0)
            T_CHECK(t.has_time && t.t0 == cases[i].t0 && t.t1 == cases[i].t1, "'%s': time %g,%g", cases[i].frag, t.t0,
                    t.t1);
    }
}

static void test_annotations(void)
{
    static const struct {
        const char *json;
        int rc;
        size_t targets;
        const char *says; /* in the reason, for refusals */
    } cases[] = {
        /* accepted */
        {"{\"type\":\"Annotation\",\"target\":\"" C1 "\"}", 0, 1, NULL},
        {"{\"@context\":\"http://www.w3.org/ns/anno.jsonld\",\"type\":\"Annotation\",\"motivation\":\"commenting\","
         "\"body\":{\"type\":\"TextualBody\",\"value\":\"a rose\",\"format\":\"text/plain\",\"language\":\"en\"},"
         "\"target\":\"" C1 "#xywh=10,10,100,100\"}",
         0, 1, NULL},
        {"{\"@context\":[\"http://iiif.io/api/presentation/3/context.json\"],\"type\":\"Annotation\","
         "\"motivation\":[\"tagging\",\"oa:commenting\"],\"body\":[{\"type\":\"TextualBody\",\"value\":\"rose\","
         "\"purpose\":\"tagging\"},\"http://example.org/thing\"],"
         "\"target\":{\"type\":\"SpecificResource\",\"source\":{\"id\":\"" C2 "\",\"type\":\"Canvas\"},"
         "\"selector\":{\"type\":\"FragmentSelector\",\"value\":\"xywh=0,0,640,480\"}}}",
         0, 1, NULL},
        {"{\"type\":\"Annotation\",\"target\":{\"type\":\"SpecificResource\",\"source\":\"" C1 "\",\"selector\":"
         "{\"type\":\"SvgSelector\",\"value\":\"<svg xmlns='http://www.w3.org/2000/svg'><path d=\\\"M10,10 L200,10 "
         "L100,300z\\\"/></svg>\"}}}",
         0, 1, NULL},
        {"{\"type\":\"Annotation\",\"target\":{\"type\":\"SpecificResource\",\"source\":\"" C1 "\",\"selector\":["
         "{\"type\":\"FragmentSelector\",\"value\":\"xywh=10,10,190,290\"},{\"type\":\"SvgSelector\",\"value\":"
         "\"<svg><polygon points=\\\"10,10 200,10 100,300\\\"/></svg>\"}]}}",
         0, 1, NULL},
        {"{\"type\":\"Annotation\",\"target\":{\"type\":\"SpecificResource\",\"source\":\"" C1 "\",\"selector\":"
         "{\"type\":\"PointSelector\",\"x\":500,\"y\":400}}}",
         0, 1, NULL},
        {"{\"type\":\"Annotation\",\"target\":[\"" C1 "\",{\"id\":\"" C2 "\",\"type\":\"Canvas\"},\"" AV "#t=1,2\"]}", 0,
         3, NULL},
        {"{\"type\":[\"Annotation\",\"Other\"],\"target\":\"" C1 "\"}", 0, 1, NULL},
        {"{\"type\":\"Annotation\",\"motivation\":\"supplementing\",\"body\":{\"type\":\"Choice\",\"items\":["
         "{\"type\":\"TextualBody\",\"value\":\"a\"},{\"type\":\"Image\",\"id\":\"http://x/i.png\"}]},"
         "\"target\":\"" C1 "\"}",
         0, 1, NULL},
        /* refused */
        {"[]", -1, 0, "JSON object"},
        {"{\"target\":\"" C1 "\"}", -1, 0, "not an Annotation"},
        {"{\"type\":\"Note\",\"target\":\"" C1 "\"}", -1, 0, "not an Annotation"},
        {"{\"type\":\"Annotation\"}", -1, 0, "needs a target"},
        {"{\"type\":\"Annotation\",\"target\":[]}", -1, 0, "one to 16 targets"},
        {"{\"type\":\"Annotation\",\"target\":\"http://elsewhere.example/canvas/1\"}", -1, 0, "not a canvas"},
        {"{\"type\":\"Annotation\",\"target\":\"" C1 "x\"}", -1, 0, "not a canvas"},
        {"{\"type\":\"Annotation\",\"target\":\"" C1 "#xywh=900,700,200,200\"}", -1, 0, "outside the canvas"},
        {"{\"type\":\"Annotation\",\"target\":42}", -1, 0, "an IRI or an object"},
        {"{\"type\":\"Annotation\",\"target\":{\"type\":\"SpecificResource\"}}", -1, 0, "names no canvas"},
        {"{\"type\":\"Annotation\",\"target\":{\"source\":\"" C1 "\",\"selector\":{\"type\":\"CssSelector\","
         "\"value\":\"#x\"}}}",
         -1, 0, "CssSelector"},
        {"{\"type\":\"Annotation\",\"target\":{\"source\":\"" C1 "\",\"selector\":{\"type\":\"SvgSelector\","
         "\"value\":\"<svg><path d=\\\"M10,10 L2000,10\\\"/></svg>\"}}}",
         -1, 0, "outside the canvas"},
        {"{\"type\":\"Annotation\",\"target\":{\"source\":\"" C1 "\",\"selector\":{\"type\":\"SvgSelector\","
         "\"value\":\"<div/>\"}}}",
         -1, 0, "<svg>"},
        {"{\"type\":\"Annotation\",\"target\":{\"source\":\"" C1 "\",\"selector\":{\"type\":\"PointSelector\","
         "\"x\":5000,\"y\":1}}}",
         -1, 0, "outside the canvas"},
        {"{\"type\":\"Annotation\",\"motivation\":\"liking\",\"target\":\"" C1 "\"}", -1, 0, "unknown motivation"},
        {"{\"type\":\"Annotation\",\"motivation\":[],\"target\":\"" C1 "\"}", -1, 0, "motivation is a string"},
        {"{\"type\":\"Annotation\",\"body\":{\"type\":\"TextualBody\"},\"target\":\"" C1 "\"}", -1, 0,
         "TextualBody needs"},
        {"{\"type\":\"Annotation\",\"body\":{\"type\":\"TextualBody\",\"value\":\"x\",\"purpose\":\"liking\"},"
         "\"target\":\"" C1 "\"}",
         -1, 0, "unknown purpose"},
        {"{\"type\":\"Annotation\",\"body\":{\"type\":\"Image\"},\"target\":\"" C1 "\"}", -1, 0, "names its resource"},
        {"{\"type\":\"Annotation\",\"body\":7,\"target\":\"" C1 "\"}", -1, 0, "IRI or an object"},
        {"{\"@context\":\"http://example.org/ctx\",\"type\":\"Annotation\",\"target\":\"" C1 "\"}", -1, 0,
         "@context"},
        {"{\"type\":\"Annotation\",\"target\":\"" C1 "#t=1,2\"}", -1, 0, "no duration"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_error_t je;
        json_t *a = json_loads(cases[i].json, 0, &je);
        T_CHECK(a != NULL, "case %zu parses: %s", i, je.text);
        if (a == NULL)
            continue;
        struct ts_anno_target t[TS_ANNO_MAX_TARGETS];
        size_t n = 99;
        struct ts_error err;
        memset(&err, 0, sizeof(err));
        int rc = ts_anno_check(a, canvases, 3, t, &n, &err);
        T_CHECK(rc == cases[i].rc, "case %zu: rc %d, want %d (%s)", i, rc, cases[i].rc, rc ? err.msg : "");
        if (rc == 0)
            T_CHECK(n == cases[i].targets, "case %zu: %zu targets", i, n);
        else
            T_CHECK(err.status == 400 && strstr(err.msg, cases[i].says) != NULL, "case %zu: the reason says '%s': %s",
                    i, cases[i].says, err.msg);
        json_decref(a);
    }
    /* where the targets point */
    json_t *a = json_loads("{\"type\":\"Annotation\",\"target\":[\"" C2 "#xywh=percent:0,0,50,50\",{\"source\":\"" C1
                           "\",\"selector\":{\"type\":\"SvgSelector\",\"value\":\"<svg><polygon points=\\\"10,20 110,20 "
                           "60,220\\\"/></svg>\"}}]}",
                           0, NULL);
    struct ts_anno_target t[TS_ANNO_MAX_TARGETS];
    size_t n = 0;
    struct ts_error err;
    T_CHECK(a != NULL && ts_anno_check(a, canvases, 3, t, &n, &err) == 0 && n == 2, "two targets");
    T_CHECK(n == 2 && t[0].canvas == 1 && t[0].has_box && t[0].w == 320 && t[0].h == 240, "a percentage region in pixels");
    T_CHECK(n == 2 && t[1].canvas == 0 && t[1].x == 10 && t[1].y == 20 && t[1].w == 100 && t[1].h == 200,
            "an SVG polygon's box (%u,%u,%u,%u)", t[1].x, t[1].y, t[1].w, t[1].h);
    json_decref(a);
    /* edges: a point on the far corner marks the last pixel; a point needs a canvas with an extent */
    a = json_loads("{\"type\":\"Annotation\",\"target\":{\"source\":\"" C1 "\",\"selector\":{\"type\":"
                   "\"PointSelector\",\"x\":1000,\"y\":800}}}",
                   0, NULL);
    T_CHECK(a != NULL && ts_anno_check(a, canvases, 3, t, &n, &err) == 0 && t[0].x == 999 && t[0].y == 799 &&
                t[0].w == 1 && t[0].h == 1,
            "a point on the corner is the last pixel");
    json_decref(a);
    a = json_loads("{\"type\":\"Annotation\",\"target\":{\"source\":\"" AV "\",\"selector\":{\"type\":"
                   "\"PointSelector\",\"x\":0,\"y\":0}}}",
                   0, NULL);
    T_CHECK(a != NULL && ts_anno_check(a, canvases, 3, t, &n, &err) != 0 && n == 0 && strstr(err.msg, "no width"),
            "a point on a canvas without an extent: %s", err.msg);
    json_decref(a);
    const char bad[] = "x\x01\xfa=1";
    T_CHECK(ts_anno_fragment(bad, sizeof(bad) - 1, &canvases[0], &t[0], &err) != 0 && strchr(err.msg, 1) == NULL &&
                strchr(err.msg, '\xfa') == NULL,
            "a reason quoting unprintable bytes is printable: %s", err.msg);
    T_CHECK(ts_anno_motivation_known("painting") && ts_anno_motivation_known("sc:painting") &&
                !ts_anno_motivation_known("xx:painting") && !ts_anno_motivation_known(""),
            "motivations, prefixed or not");
}

int main(void)
{
    test_fragments();
    test_annotations();
    return t_done();
}
