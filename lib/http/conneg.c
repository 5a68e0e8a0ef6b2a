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

/* One media range of an Accept header: its type, quality and parameters. */
struct range {
    const char *type;
    size_t type_len;
    double q;
    const char *params;   /* from the first ';' to the end of the range */
    size_t params_len;
};

/*
 * Reads the media range that starts at `i` in `accept` into `r`; returns
 * where the next one starts (past the comma), or `len` at the end.
 */
static size_t next_range(const char *accept, size_t len, size_t i, struct range *r)
{
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
    r->type = accept + ts;
    r->type_len = tn - ts;
    r->params = accept + te;
    r->params_len = ie - te;
    r->q = 1;
    /* parameters ";name=value": look for q */
    for (size_t k = te; k < ie; k++) {
        if (accept[k] != ';')
            continue;
        size_t v = k + 1;
        while (v < ie && accept[v] == ' ')
            v++;
        if (v + 1 < ie && (accept[v] == 'q' || accept[v] == 'Q') && accept[v + 1] == '=')
            r->q = parse_q(accept + v + 2, accept + ie);
    }
    return ie < len ? ie + 1 : len;
}

static bool type_is(const struct range *r, const char *t)
{
    size_t n = strlen(t);
    return r->type_len == n && strncasecmp(r->type, t, n) == 0;
}

bool ts_conneg_ld(const char *accept, size_t len, bool prefer_ld)
{
    if (accept == NULL || len == 0)
        return prefer_ld;
    /* the most specific range that matches wins (RFC 9110 12.5.1): exact, then application/x, then x/x */
    double ld = -1, json = -1, app_any = -1, any = -1;
    for (size_t i = 0; i < len;) {
        struct range r;
        i = next_range(accept, len, i, &r);
        double *slot = type_is(&r, "application/ld+json") ? &ld
                       : type_is(&r, "application/json")  ? &json
                       : type_is(&r, "application/*")     ? &app_any
                       : (r.type_len == 3 && strncmp(r.type, "*/*", 3) == 0) ? &any
                                                                             : NULL;
        if (slot != NULL && r.q > *slot)
            *slot = r.q;
    }
    double q_ld = ld >= 0 ? ld : app_any >= 0 ? app_any : any;
    double q_json = json >= 0 ? json : app_any >= 0 ? app_any : any;
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
    /* a tie: a type the client named beats one only a wildcard lets in (application/json beside a full wildcard) */
    if ((ld >= 0) != (json >= 0))
        return ld >= 0;
    return prefer_ld;
}

#define P2_CONTEXT "http://iiif.io/api/presentation/2/context.json"
#define P3_CONTEXT "http://iiif.io/api/presentation/3/context.json"

/* The Presentation version a range's profile parameter names (2 or 3), or 0. */
static int profile_version(const struct range *r)
{
    const char *e = r->params + r->params_len;
    for (const char *k = r->params; k < e; k++) {
        if (*k != ';')
            continue;
        const char *v = k + 1;
        while (v < e && *v == ' ')
            v++;
        if (e - v <= 8 || strncasecmp(v, "profile=", 8) != 0)
            continue;
        const char *p = v + 8;
        size_t pn = 0;
        if (*p == '"') {
            p++;
            while (p + pn < e && p[pn] != '"')
                pn++;
        } else {
            while (p + pn < e && p[pn] != ';' && p[pn] != ' ')
                pn++;
        }
        /* a profile may list several URIs separated by spaces: the first known one counts */
        for (size_t a = 0; a < pn;) {
            size_t b = a;
            while (b < pn && p[b] != ' ')
                b++;
            if (b - a == strlen(P2_CONTEXT) && strncmp(p + a, P2_CONTEXT, b - a) == 0)
                return 2;
            if (b - a == strlen(P3_CONTEXT) && strncmp(p + a, P3_CONTEXT, b - a) == 0)
                return 3;
            a = b + 1;
        }
    }
    return 0;
}

int ts_conneg_presentation(const char *accept, size_t len)
{
    if (accept == NULL || len == 0)
        return 3;
    double q2 = -1, q3 = -1;
    for (size_t i = 0; i < len;) {
        struct range r;
        i = next_range(accept, len, i, &r);
        if (!type_is(&r, "application/ld+json") && !type_is(&r, "application/json"))
            continue;
        int version = profile_version(&r);
        if (version == 2 && r.q > q2)
            q2 = r.q;
        if (version == 3 && r.q > q3)
            q3 = r.q;
    }
    return q2 > 0 && q2 > q3 ? 2 : 3;
}
