/*
 * conneg.c: a small Accept parser, enough for JSON versus JSON-LD.
 */
#include "http/conneg.h"

#include <string.h>
#include <strings.h>

static double parse_q(const char *p, const char *end)
{
    /* p points after "q=" */
    double v = 0, scale = 1;
    int dot = 0, digits = 0;
    for (; p < end && ((*p >= '0' && *p <= '9') || *p == '.'); p++) {
        if (*p == '.') {
            dot = 1;
            continue;
        }
        digits++;
        if (dot) {
            scale /= 10;
            v += (*p - '0') * scale;
        } else {
            v = v * 10 + (*p - '0');
        }
    }
    if (digits == 0 || v > 1)
        return 1;
    return v;
}

/*
 * The quality the client gives `type`: from its own media range if listed,
 * else from application/x, else from x/x (RFC 9110 12.5.1: the most specific
 * range wins). -1 when nothing matches.
 */
struct accept_q {
    double exact, app_any, any;
};

bool ts_conneg_ld(const char *accept, size_t len, bool prefer_ld)
{
    if (accept == NULL || len == 0)
        return prefer_ld;
    struct accept_q ld = {-1, -1, -1}, json = {-1, -1, -1};
    double app_any = -1, any = -1;
    size_t i = 0;
    while (i < len) {
        /* one media range: [i, ie) */
        size_t ie = i;
        while (ie < len && accept[ie] != ',')
            ie++;
        size_t ts = i;
        while (ts < ie && (accept[ts] == ' ' || accept[ts] == '\t'))
            ts++;
        size_t te = ts;
        while (te < ie && accept[te] != ';')
            te++;
        size_t tn = te;
        while (tn > ts && (accept[tn - 1] == ' ' || accept[tn - 1] == '\t'))
            tn--;
        double q = 1;
        /* parameters ";name=value": look for q */
        for (size_t k = te; k < ie; k++) {
            if (accept[k] != ';')
                continue;
            size_t v = k + 1;
            while (v < ie && accept[v] == ' ')
                v++;
            if (v + 1 < ie && (accept[v] == 'q' || accept[v] == 'Q') && accept[v + 1] == '=')
                q = parse_q(accept + v + 2, accept + ie);
        }
        size_t n = tn - ts;
        const char *t = accept + ts;
        if (n == 19 && strncasecmp(t, "application/ld+json", 19) == 0)
            ld.exact = q > ld.exact ? q : ld.exact;
        else if (n == 16 && strncasecmp(t, "application/json", 16) == 0)
            json.exact = q > json.exact ? q : json.exact;
        else if (n == 13 && strncasecmp(t, "application/*", 13) == 0)
            app_any = q > app_any ? q : app_any;
        else if (n == 3 && strncmp(t, "*/*", 3) == 0)
            any = q > any ? q : any;
        i = ie + 1;
    }
    double q_ld = ld.exact >= 0 ? ld.exact : app_any >= 0 ? app_any : any;
    double q_json = json.exact >= 0 ? json.exact : app_any >= 0 ? app_any : any;
    /* q=0 refuses a type: send the other one unless it was refused too. */
    if (q_ld == 0 && q_json != 0)
        return false;
    if (q_json == 0 && q_ld != 0)
        return true;
    /* Neither acceptable, or nothing said about either: never 406, use the default. */
    if (q_ld <= 0 && q_json <= 0)
        return prefer_ld;
    if (q_ld > q_json)
        return true;
    if (q_json > q_ld)
        return false;
    return prefer_ld;
}
