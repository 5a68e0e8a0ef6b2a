/*
 * fuzz_route.c: libFuzzer target for Presentation API URLs (present/route.h).
 *
 * Invariants: a refusal is a 400, 404 or 414 with a one-line message; a
 * parsed path has no empty, ".", ".." or hidden segment and no NUL or
 * backslash; a range number is digits separated by single dashes; and the
 * URL rebuilt from the parse (segments percent-encoded) parses to the same.
 */
#include "fuzz.h"

#include <string.h>

#include "core/buf.h"
#include "present/route.h"

static const char *const suffix[] = {"/collection", "/manifest", "/canvas/", "/canvas/", "/canvas/", "/range/", ""};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ts_proute r;
    struct ts_error err;
    if (ts_proute_parse((const char *)data, size, &r, &err) != 0) {
        FUZZ_CHECK((err.status == 400 || err.status == 404 || err.status == 414) && fuzz_msg_ok(err.msg));
        return 0;
    }
    /* the path: segments that are safe to join to the root */
    const char *p = r.path;
    FUZZ_CHECK(p[0] != '/');
    for (const char *seg = p; *seg != '\0';) {
        FUZZ_CHECK(seg[0] != '.' && seg[0] != '/');
        const char *slash = strchr(seg, '/');
        if (slash == NULL)
            break;
        seg = slash + 1;
        FUZZ_CHECK(*seg != '\0');
    }
    FUZZ_CHECK(strchr(p, '\\') == NULL);
    FUZZ_CHECK(r.kind == TS_PR_COLLECTION || r.kind == TS_PR_FOLDER || p[0] != '\0');
    if (r.kind == TS_PR_RANGE) {
        size_t n = strlen(r.part);
        FUZZ_CHECK(n > 0 && r.part[0] != '-' && r.part[n - 1] != '-' && strstr(r.part, "--") == NULL);
        FUZZ_CHECK(strspn(r.part, "0123456789-") == n);
    }
    if (r.kind == TS_PR_CANVAS || r.kind == TS_PR_PAGE || r.kind == TS_PR_ANNOTATION)
        FUZZ_CHECK(r.part[0] != '\0' && r.part[0] != '.' && strchr(r.part, '/') == NULL);
    /* rebuild and parse again */
    struct ts_buf b;
    ts_buf_init(&b, 1 << 16);
    if (p[0] != '\0') {
        ts_buf_adds(&b, "/");
        ts_present_path_encode(p, &b);
    }
    ts_buf_adds(&b, suffix[r.kind]);
    if (r.kind == TS_PR_CANVAS || r.kind == TS_PR_PAGE || r.kind == TS_PR_ANNOTATION)
        ts_present_path_encode(r.part, &b);
    if (r.kind == TS_PR_RANGE)
        ts_buf_adds(&b, r.part);
    if (r.kind == TS_PR_PAGE)
        ts_buf_adds(&b, "/page");
    if (r.kind == TS_PR_ANNOTATION)
        ts_buf_adds(&b, "/annotation");
    struct ts_proute again;
    FUZZ_CHECK(b.data != NULL && ts_proute_parse(b.data, b.len, &again, &err) == 0);
    FUZZ_CHECK(again.kind == r.kind && strcmp(again.path, r.path) == 0 && strcmp(again.part, r.part) == 0);
    ts_buf_release(&b);
    return 0;
}
