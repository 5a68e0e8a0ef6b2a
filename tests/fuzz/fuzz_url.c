/*
 * fuzz_url.c: libFuzzer target for splitting Image API paths.
 *
 * The input is the path after the version prefix. iiif_url_split never
 * fails; what it returns must describe the input exactly: an identifier at
 * the start, followed by nothing or "/" (base), "/info.json" (information),
 * or "/" and four parameters (image). The pieces are then handed to the
 * identifier decoder and the request parser, as the server does.
 */
#include "fuzz.h"

#include "iiif/ident.h"
#include "iiif/request.h"
#include "iiif/url.h"

#include <string.h>

static size_t count_slashes(const char *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] == '/';
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = (const char *)data;
    struct iiif_url u;
    iiif_url_split(path, size, &u);
    switch (u.kind) {
    case IIIF_URL_BASE:
        FUZZ_CHECK(u.id == path && u.id_len > 0);
        FUZZ_CHECK(u.id_len == size || (u.id_len + 1 == size && path[size - 1] == '/'));
        FUZZ_CHECK(memchr(u.id, '/', u.id_len) == NULL);
        FUZZ_CHECK(u.params == NULL && u.params_len == 0);
        break;
    case IIIF_URL_INFO:
        FUZZ_CHECK(u.id == path && u.id_len > 0);
        FUZZ_CHECK(size == u.id_len + 10 && memcmp(path + u.id_len, "/info.json", 10) == 0);
        FUZZ_CHECK(u.params == NULL && u.params_len == 0);
        break;
    case IIIF_URL_IMAGE:
        FUZZ_CHECK(u.id == path && u.id_len > 0 && path[u.id_len] == '/');
        FUZZ_CHECK(u.params == path + u.id_len + 1 && u.params_len == size - u.id_len - 1);
        FUZZ_CHECK(count_slashes(u.params, u.params_len) == 3);
        FUZZ_CHECK(u.params_len > 0 && path[size - 1] != '/');
        break;
    case IIIF_URL_OTHER:
        FUZZ_CHECK(u.id == NULL && u.id_len == 0 && u.params == NULL && u.params_len == 0);
        /* Every path with an identifier and four parameters is an image request. */
        FUZZ_CHECK(count_slashes(path, size) < 4 || path[0] == '/' || path[size - 1] == '/' ||
                   (size >= 10 && memcmp(path + size - 10, "/info.json", 10) == 0));
        break;
    default:
        FUZZ_CHECK(0);
    }

    if (u.kind != IIIF_URL_OTHER) {
        char id[IIIF_IDENT_MAX + 1];
        struct ts_error err;
        ts_error_clear(&err);
        if (iiif_ident_decode(u.id, u.id_len, id, sizeof(id), &err) != 0) {
            FUZZ_CHECK(err.status == 400 || err.status == 404);
            /* A raw slash in the identifier is always the Image API's 404. */
            if (memchr(u.id, '/', u.id_len) != NULL)
                FUZZ_CHECK(err.status == 404);
        }
    }
    if (u.kind == IIIF_URL_IMAGE) {
        for (int v = IIIF_V2; v <= IIIF_V3; v++) {
            struct iiif_req r;
            struct ts_error err;
            ts_error_clear(&err);
            if (iiif_req_parse((enum iiif_version)v, u.params, u.params_len, &r, &err) != 0)
                FUZZ_CHECK(err.status == 400 && fuzz_msg_ok(err.msg));
        }
    }
    return 0;
}
