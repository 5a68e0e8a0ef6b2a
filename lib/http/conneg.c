/*
 * conneg.c: a small Accept parser, enough for JSON versus JSON-LD.
 */
#include "http/conneg.h"

#include <stdbool.h>
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

#define P2_CONTEXT "http://iiif.io/api/presentation/2/context.json"
#define P3_CONTEXT "http://iiif.io/api/presentation/3/context.json"

int ts_conneg_presentation(const char *accept, size_t len)
{
    if (accept == NULL || len == 0)
        return 3;
    double q2 = -1, q3 = -1;
    size_t i = 0;
    while (i < len) {
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
        bool jsonld = (tn - ts == 19 && strncasecmp(accept + ts, "application/ld+json", 19) == 0) ||
                      (tn - ts == 16 && strncasecmp(accept + ts, "application/json", 16) == 0);
        double q = 1;
        int version = 0;
        for (size_t k = te; k < ie; k++) {
            if (accept[k] != ';')
                continue;
            size_t v = k + 1;
            while (v < ie && accept[v] == ' ')
                v++;
            if (v + 1 < ie && (accept[v] == 'q' || accept[v] == 'Q') && accept[v + 1] == '=') {
                q = parse_q(accept + v + 2, accept + ie);
            } else if (ie - v > 8 && strncasecmp(accept + v, "profile=", 8) == 0) {
                const char *p = accept + v + 8;
                size_t pn = 0;
                if (*p == '"') {
                    p++;
                    while (p + pn < accept + ie && p[pn] != '"')
                        pn++;
                } else {
                    while (p + pn < accept + ie && p[pn] != ';' && p[pn] != ' ')
                        pn++;
                }
                /* a profile may list several URIs separated by spaces */
                for (size_t a = 0; a < pn;) {
                    size_t b = a;
                    while (b < pn && p[b] != ' ')
                        b++;
                    if (b - a == strlen(P2_CONTEXT) && strncmp(p + a, P2_CONTEXT, b - a) == 0)
                        version = version ? version : 2;
                    else if (b - a == strlen(P3_CONTEXT) && strncmp(p + a, P3_CONTEXT, b - a) == 0)
                        version = version ? version : 3;
                    a = b + 1;
                }
            }
        }
        if (jsonld && version == 2 && q > q2)
            q2 = q;
        if (jsonld && version == 3 && q > q3)
            q3 = q;
        i = ie + 1;
    }
    return q2 > 0 && q2 > q3 ? 2 : 3;
}
