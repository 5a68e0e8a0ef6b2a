/*
 * fuzz_conditional.c: libFuzzer target for the conditional-request parsers
 * (http/conditional.h): If-None-Match lists and HTTP dates.
 *
 * The input is a header value. Invariants: a date that parses formats back
 * to an IMF-fixdate that parses to the same time; If-Modified-Since matches
 * exactly when its date parses and the resource is not newer; an
 * If-None-Match never matches unless it holds the ETag's hex digits or a
 * `*`, and a list with the ETag added (strong or weak, first or last)
 * always matches.
 */
#include "fuzz.h"

#include <string.h>

#include "http/conditional.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    time_t t;
    if (ts_http_date_parse(s, size, &t) == 0) {
        char out[30];
        ts_http_date_format(t, out);
        time_t back;
        FUZZ_CHECK(ts_http_date_parse(out, strlen(out), &back) == 0);
        FUZZ_CHECK(back == t);
        FUZZ_CHECK(ts_not_modified(NULL, 0, s, size, "\"0\"", t) == true);
        FUZZ_CHECK(ts_not_modified(NULL, 0, s, size, "\"0\"", t + 1) == false);
    } else {
        FUZZ_CHECK(ts_not_modified(NULL, 0, s, size, "\"0\"", 0) == false);
    }

    char etag[19];
    ts_etag_format(0x0123456789abcdefULL, etag);
    bool m = ts_not_modified(s, size, NULL, 0, etag, 0);
    if (m)
        FUZZ_CHECK(memchr(s, '*', size) != NULL || (size >= 16 && memmem(s, size, etag + 1, 16) != NULL));
    if (size > 4096)
        return 0;
    /* a value that opens a quoted string may swallow what follows: only for inputs without quotes */
    if (memchr(s, '"', size) != NULL)
        return 0;
    for (int i = 0; i < 4; i++) {
        char list[4200];
        const char *weak = i >= 2 ? "W/" : "";
        int n = i % 2 == 0 ? snprintf(list, sizeof(list), "%s%s, %.*s", weak, etag, (int)size, s)
                           : snprintf(list, sizeof(list), "%.*s, %s%s", (int)size, s, weak, etag);
        FUZZ_CHECK(n > 0 && (size_t)n < sizeof(list));
        FUZZ_CHECK(ts_not_modified(list, (size_t)n, NULL, 0, etag, 0) == true);
    }
    return 0;
}
