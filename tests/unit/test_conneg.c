/*
 * test_conneg.c: unit tests for lib/http/conneg.c (JSON versus JSON-LD).
 *
 * Each case runs with both preferences, so a case whose answer does not
 * depend on the preference shows that the header decided it.
 */
#include "http/conneg.h"

#include <string.h>

#include "t.h"

/* Expected answers: LD / JSON whatever the preference, or PREF (follows prefer_ld). */
enum want { LD, JSON, PREF };

static const struct {
    const char *accept; /* NULL: no header */
    enum want want;
} cases[] = {
    /* absent or empty */
    {NULL, PREF},
    {"", PREF},
    /* one type */
    {"application/ld+json", LD},
    {"application/json", JSON},
    {"application/ld+json;profile=\"http://iiif.io/api/image/3/context.json\"", LD},
    {"application/json; charset=utf-8", JSON},
    /* q-values */
    {"application/json, application/ld+json;q=0.9", JSON},
    {"application/json;q=0.5, application/ld+json", LD},
    {"application/ld+json;q=0.4,application/json;q=0.5", JSON},
    {"application/ld+json ; q=0.6 , application/json ; q=0.5", LD},
    {"application/ld+json;q=1.0, application/json;q=0.999", LD},
    {"application/ld+json;q=0.001, application/json;q=0", LD},
    {"application/json;profile=x;q=0.2, application/ld+json;q=0.3", LD},
    /* the best q of a type counts when it is listed twice */
    {"application/json;q=0.1, application/ld+json;q=0.5, application/json;q=0.9", JSON},
    /* ties */
    {"application/json, application/ld+json", PREF},
    {"application/ld+json;q=0.5, application/json;q=0.5", PREF},
    {"application/ld+json;q=0.50, application/json;q=.5", PREF},
    /* q=0 means "not acceptable": the other type is sent */
    {"application/ld+json;q=0", JSON},
    {"application/json;q=0", LD},
    {"application/json;q=0.0, */*", LD},
    {"application/ld+json;q=0, application/json;q=0", PREF},
    /* wildcards: the most specific range gives a type its quality (RFC 9110 12.5.1) */
    {"*/*", PREF},
    {"application/ld+json;q=0.5, */*", JSON},
    {"application/json;q=0.5, */*", LD},
    {"application/json;q=0.5, application/*;q=0.4, */*", JSON}, /* the application range (0.4) beats any for ld+json */
    {"application/*;q=0, */*", PREF},
    {"application/*", PREF},
    {"*/*;q=0.1, application/json", JSON},
    {"application/*;q=0.9, application/ld+json;q=0.1", JSON}, /* JSON matches the application range at 0.9 */
    {"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", PREF},
    /* case */
    {"Application/LD+JSON", LD},
    {"APPLICATION/JSON", JSON},
    {"application/ld+json;Q=0.1, application/json", JSON},
    {"application/json;Q=0.1, application/ld+json", LD},
    /* whitespace */
    {"  application/json  ", JSON},
    {"\tapplication/ld+json\t", LD},
    {"application/json ,\tapplication/ld+json;q=0.2", JSON},
    /* garbage q values count as 1 (and never above 1) */
    {"application/ld+json;q=abc, application/json;q=0.9", LD},
    {"application/json;q=2, application/ld+json;q=0.9", JSON},
    {"application/ld+json;q=, application/json;q=0.5", LD},
    {"application/json;q=-1, application/ld+json;q=0.5", JSON},
    /* garbage */
    {",,,", PREF},
    {";;;", PREF},
    {";q=0.1", PREF},
    {"application", PREF},
    {"json", PREF},
    {"application/ld+json/extra", PREF},
    {"application/ld+jsonx", PREF},
    {"application/jsonld", PREF},
    {"application/ json", PREF},
    {"\"application/json\"", PREF},
    {"application/ld+json\r\n", PREF},
    {"application/json,", JSON},
    {",application/ld+json", LD},
    {"\xff\xfe\x00", PREF},
};

static const char *name(enum want w)
{
    return w == LD ? "LD" : w == JSON ? "JSON" : "PREF";
}

int main(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *a = cases[i].accept;
        size_t n = a ? strlen(a) : 0;
        for (int pref = 0; pref <= 1; pref++) {
            bool got = ts_conneg_ld(a, n, pref);
            bool want = cases[i].want == LD ? true : cases[i].want == JSON ? false : (bool)pref;
            T_CHECK(got == want, "Accept '%s' prefer_ld=%d: got %s, want %s", a ? a : "(none)", pref,
                    got ? "LD" : "JSON", name(cases[i].want));
        }
    }

    /* Only `len` bytes are read: the rest of the buffer must not matter. */
    static const char tail[] = "application/json, application/ld+json;q=0.1";
    T_CHECK(ts_conneg_ld(tail, 16, true) == false, "len 16 of '%s' is application/json", tail);
    T_CHECK(ts_conneg_ld(tail, 10, false) == false && ts_conneg_ld(tail, 10, true) == true,
            "len 10 is 'applicatio', which decides nothing");
    T_CHECK(ts_conneg_ld(tail, sizeof(tail) - 1, true) == false, "whole '%s'", tail);
    static const char ld_then[] = "application/ld+json;q=0.5, application/json";
    T_CHECK(ts_conneg_ld(ld_then, 25, false) == true, "first range only: ld at q=0.5");
    /* A non-NULL pointer with length 0 is no header. */
    T_CHECK(ts_conneg_ld("application/json", 0, true) == true, "length 0 must be treated as absent");
    /* at equal quality, a named type beats one a wildcard lets in (found by fuzz_conneg) */
    T_CHECK(ts_conneg_ld("application/json, */*", 21, true) == false, "json named beside */*: json");
    T_CHECK(ts_conneg_ld("application/ld+json, */*", 24, false) == true, "ld named beside */*: ld");
    T_CHECK(ts_conneg_ld("application/ld+json;q=0.9, */*", 30, false) == false, "a wildcard at a higher q wins");
    T_CHECK(ts_conneg_ld("text/html, */*", 14, true) == true, "nothing named: the default");
    /* Presentation 2.1 or 3.0 (recipe 0057) */
    static const struct {
        const char *accept;
        int want;
    } pres[] = {
        {"", 3},
        {"application/ld+json", 3},
        {"*/*", 3},
        {"application/ld+json;profile=\"http://iiif.io/api/presentation/2/context.json\"", 2},
        {"application/ld+json; profile=\"http://iiif.io/api/presentation/2/context.json\"", 2},
        {"application/json;profile=http://iiif.io/api/presentation/2/context.json", 2},
        {"application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\"", 3},
        {"application/ld+json;profile=\"http://iiif.io/api/presentation/2/context.json\";q=0", 3},
        {"application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\";q=0.9, "
         "application/ld+json;profile=\"http://iiif.io/api/presentation/2/context.json\";q=0.5",
         3},
        {"application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\";q=0.4, "
         "application/ld+json;profile=\"http://iiif.io/api/presentation/2/context.json\"",
         2},
        {"text/html;profile=\"http://iiif.io/api/presentation/2/context.json\"", 3}, /* not JSON */
        {"application/ld+json;profile=\"http://iiif.io/api/presentation/2/context.json http://example.org/x\"", 2},
        {"application/ld+json;profile=\"http://iiif.io/api/presentation/2/context.json", 2}, /* unclosed quote */
        {"application/ld+json;profile=\"http://iiif.io/api/presentation/2/context.jsonx\"", 3},
    };
    for (size_t k = 0; k < sizeof(pres) / sizeof(pres[0]); k++) {
        int got = ts_conneg_presentation(pres[k].accept, strlen(pres[k].accept));
        T_CHECK(got == pres[k].want, "presentation version for '%s': %d, want %d", pres[k].accept, got, pres[k].want);
    }
    T_CHECK(ts_conneg_presentation(NULL, 0) == 3, "no header: 3.0");
    return t_done();
}
