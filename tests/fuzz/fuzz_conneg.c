/*
 * fuzz_conneg.c: libFuzzer target for the Accept parser (JSON versus JSON-LD).
 *
 * The input is an Accept header value. Invariants: the header only decides
 * against the server's preference when it names application/json or
 * application/ld+json; a header that picks JSON-LD when JSON is preferred
 * also picks it when JSON-LD is preferred; and media ranges are
 * independent, so adding a range for other types before or after the
 * header changes nothing. (A wildcard is not such a range: "*" + "/*" at a
 * higher quality than a named type rightly changes the answer.)
 */
#include "fuzz.h"

#include "http/conneg.h"

#include <string.h>
#include <strings.h>

/* Case-insensitive search for `needle` in `n` bytes at `hay`. */
static int contains(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) {
        if (strncasecmp(hay + i, needle, k) == 0)
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *a = (const char *)data;
    bool json_pref = ts_conneg_ld(a, size, false);
    bool ld_pref = ts_conneg_ld(a, size, true);
    /* Overriding the preference needs one of the two types by name: the other one asked
     * for, or the preferred one refused with q=0. */
    int named = contains(a, size, "application/ld+json") || contains(a, size, "application/json");
    if (json_pref || !ld_pref)
        FUZZ_CHECK(named);
    /* The header can only choose a type, never turn the preference upside down. */
    FUZZ_CHECK(!(json_pref && !ld_pref));

    static const char *const extra[] = {"text/html", "image/*;q=0.5", "text/*", " ", ""};
    char *buf = malloc(size + 32);
    FUZZ_CHECK(buf != NULL);
    for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
        size_t e = strlen(extra[i]);
        /* header + "," + extra */
        memcpy(buf, a, size);
        buf[size] = ',';
        memcpy(buf + size + 1, extra[i], e);
        FUZZ_CHECK(ts_conneg_ld(buf, size + 1 + e, false) == json_pref);
        FUZZ_CHECK(ts_conneg_ld(buf, size + 1 + e, true) == ld_pref);
        /* extra + "," + header */
        memcpy(buf, extra[i], e);
        buf[e] = ',';
        memcpy(buf + e + 1, a, size);
        FUZZ_CHECK(ts_conneg_ld(buf, size + 1 + e, false) == json_pref);
        FUZZ_CHECK(ts_conneg_ld(buf, size + 1 + e, true) == ld_pref);
    }
    free(buf);
    return 0;
}
