/*
 * url.c: Image API URL shapes, parsed from the right.
 */
#include "iiif/url.h"

#include <string.h>

void iiif_url_split(const char *path, size_t len, struct iiif_url *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = IIIF_URL_OTHER;
    if (len == 0)
        return;
    /* {id}/ is the base URI too */
    size_t n = len;
    if (path[n - 1] == '/') {
        n--;
        if (n == 0 || memchr(path, '/', n) != NULL)
            return;
        out->kind = IIIF_URL_BASE;
        out->id = path;
        out->id_len = n;
        return;
    }
    /* Positions of the last four slashes, right to left. */
    size_t slash[4];
    int found = 0;
    for (size_t i = len; i > 0 && found < 4; i--) {
        if (path[i - 1] == '/')
            slash[found++] = i - 1;
    }
    if (found == 0) {
        out->kind = IIIF_URL_BASE;
        out->id = path;
        out->id_len = len;
        return;
    }
    const char *last = path + slash[0] + 1;
    size_t last_len = len - slash[0] - 1;
    if (last_len == 9 && memcmp(last, "info.json", 9) == 0) {
        if (slash[0] == 0)
            return;
        out->kind = IIIF_URL_INFO;
        out->id = path;
        out->id_len = slash[0];
        return;
    }
    if (found == 4 && slash[3] > 0) {
        out->kind = IIIF_URL_IMAGE;
        out->id = path;
        out->id_len = slash[3];
        out->params = path + slash[3] + 1;
        out->params_len = len - slash[3] - 1;
    }
}
