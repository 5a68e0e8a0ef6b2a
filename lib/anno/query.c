/*
 * query.c: Content Search requests.
 */
#include "anno/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anno/model.h"
#include "present/route.h"

#define MAX_VALUE 2048

static const char *const honoured[] = {"q", "motivation", "date", "page"};

static bool known_name(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof(honoured) / sizeof(honoured[0]); i++) {
        if (strlen(honoured[i]) == n && memcmp(honoured[i], name, n) == 0)
            return true;
    }
    return false;
}

/* Lists every parameter name that is not honoured, once each (names are listed as sent, up to 31 bytes). */
static void note_ignored(const char *qs, size_t n, struct ts_squery *q)
{
    const char *p = qs, *end = qs + n;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp != NULL ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        size_t nl = (size_t)((eq != NULL ? eq : stop) - p);
        if (nl > 0 && !known_name(p, nl)) {
            char name[32];
            size_t k = 0;
            for (size_t i = 0; i < nl && k < sizeof(name) - 1; i++) {
                unsigned char c = (unsigned char)p[i];
                name[k++] = c >= 0x21 && c < 0x7f && c != '"' && c != '\\' ? (char)c : '?';
            }
            name[k] = '\0';
            bool seen = false;
            for (int i = 0; i < q->n_ignored; i++)
                seen |= strcmp(q->ignored[i], name) == 0;
            if (!seen && q->n_ignored < TS_SQ_MAX_IGNORED)
                snprintf(q->ignored[q->n_ignored++], sizeof(q->ignored[0]), "%s", name);
        }
        p = amp != NULL ? amp + 1 : end;
    }
}

static int add_term(struct ts_squery *q, const char *s, size_t n, bool phrase, struct ts_error *err)
{
    bool prefix = false;
    if (!phrase && n > 0 && s[n - 1] == '*') {
        prefix = true;
        while (n > 0 && s[n - 1] == '*')
            n--;
    }
    /* a phrase's words: single spaces, none at the ends */
    char t[TS_SQ_MAX_TERM];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i] == '\t' ? ' ' : s[i];
        if (c == ' ' && (k == 0 || t[k - 1] == ' '))
            continue;
        if (k >= sizeof(t) - 1)
            return ts_error_set(err, 400, "a search term is longer than %d bytes", TS_SQ_MAX_TERM - 1);
        t[k++] = c;
    }
    while (k > 0 && t[k - 1] == ' ')
        k--;
    if (k == 0)
        return 0;
    if (q->n_terms >= TS_SQ_MAX_TERMS)
        return ts_error_set(err, 400, "a search has at most %d terms", TS_SQ_MAX_TERMS);
    struct ts_sq_term *term = &q->terms[q->n_terms++];
    memcpy(term->text, t, k);
    term->text[k] = '\0';
    term->phrase = phrase && strchr(term->text, ' ') != NULL;
    term->prefix = prefix;
    return 0;
}

static int parse_q(const char *v, struct ts_squery *q, struct ts_error *err)
{
    const char *p = v;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        if (*p == '"') {
            const char *close = strchr(p + 1, '"');
            if (close == NULL)
                return ts_error_set(err, 400, "a phrase in q is not closed with a double quote");
            if (add_term(q, p + 1, (size_t)(close - p - 1), true, err) != 0)
                return -1;
            p = close + 1;
        } else {
            const char *e = p;
            while (*e != '\0' && *e != ' ' && *e != '\t' && *e != '"')
                e++;
            if (add_term(q, p, (size_t)(e - p), false, err) != 0)
                return -1;
            p = e;
        }
    }
    return 0;
}

int64_t ts_squery_date(const char *s, size_t n)
{
    /* YYYY-MM-DDThh:mm:ssZ */
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    if (n != sizeof(shape) - 1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return -1;
    }
    int Y = atoi(s), M = (s[5] - '0') * 10 + (s[6] - '0'), D = (s[8] - '0') * 10 + (s[9] - '0');
    int h = (s[11] - '0') * 10 + (s[12] - '0'), mi = (s[14] - '0') * 10 + (s[15] - '0'),
        se = (s[17] - '0') * 10 + (s[18] - '0');
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || mi > 59 || se > 60)
        return -1;
    bool leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
    if (M == 2 && D == 29 && !leap)
        return -1;
    /* days from the civil date (proleptic Gregorian), 1970-01-01 = 0 */
    int y = M <= 2 ? Y - 1 : Y;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    return ((days * 86400) + h * 3600 + mi * 60 + se) * 1000;
}

static int parse_dates(const char *v, struct ts_squery *q, struct ts_error *err)
{
    for (const char *p = v; *p != '\0';) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        const char *e = strchr(p, ' ');
        size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
        const char *slash = memchr(p, '/', len);
        int64_t a = slash != NULL ? ts_squery_date(p, (size_t)(slash - p)) : -1;
        int64_t b = slash != NULL ? ts_squery_date(slash + 1, len - (size_t)(slash - p) - 1) : -1;
        if (a == -1 || b == -1 || b < a)
            return ts_error_set(err, 400, "a date range is YYYY-MM-DDThh:mm:ssZ/YYYY-MM-DDThh:mm:ssZ, earliest first");
        if (q->n_dates >= TS_SQ_MAX_DATES)
            return ts_error_set(err, 400, "a search has at most %d date ranges", TS_SQ_MAX_DATES);
        q->date_from_ms[q->n_dates] = a;
        q->date_to_ms[q->n_dates++] = b;
        p += len;
    }
    return 0;
}

static int parse_motivations(const char *v, struct ts_squery *q, struct ts_error *err)
{
    for (const char *p = v; *p != '\0';) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        size_t len = strcspn(p, " ");
        char m[32];
        if (len >= sizeof(m))
            return ts_error_set(err, 400, "an unknown motivation");
        memcpy(m, p, len);
        m[len] = '\0';
        if (!ts_anno_motivation_known(m))
            return ts_error_set(err, 400, "an unknown motivation '%s'", m);
        if (q->n_motivations >= TS_SQ_MAX_MOTIVATIONS)
            return ts_error_set(err, 400, "a search has at most %d motivations", TS_SQ_MAX_MOTIVATIONS);
        snprintf(q->motivations[q->n_motivations++], sizeof(q->motivations[0]), "%s", m);
        p += len;
    }
    return 0;
}

static int parse(const char *qs, size_t n, struct ts_squery *q, struct ts_error *err)
{
    memset(q, 0, sizeof(*q));
    q->page = 1;
    char v[MAX_VALUE];
    int rc = ts_query_param(qs, n, "q", v, sizeof(v));
    if (rc < 0)
        return ts_error_set(err, 400, "the q parameter is malformed or over %d bytes", MAX_VALUE - 1);
    if (rc == 1 && parse_q(v, q, err) != 0)
        return -1;
    rc = ts_query_param(qs, n, "motivation", v, sizeof(v));
    if (rc < 0)
        return ts_error_set(err, 400, "the motivation parameter is malformed");
    if (rc == 1 && parse_motivations(v, q, err) != 0)
        return -1;
    rc = ts_query_param(qs, n, "date", v, sizeof(v));
    if (rc < 0)
        return ts_error_set(err, 400, "the date parameter is malformed");
    if (rc == 1 && parse_dates(v, q, err) != 0)
        return -1;
    rc = ts_query_param(qs, n, "page", v, sizeof(v));
    if (rc < 0)
        return ts_error_set(err, 400, "the page parameter is malformed");
    if (rc == 1) {
        char *end;
        long pg = strtol(v, &end, 10);
        if (v[0] < '0' || v[0] > '9' || *end != '\0' || pg < 1 || pg > 1000000)
            return ts_error_set(err, 400, "page is a number from 1");
        q->page = pg;
    }
    if (q->n_terms == 0 && q->n_motivations == 0)
        return ts_error_set(err, 400, "a search needs words to look for (q) or a motivation");
    note_ignored(qs, n, q);
    return 0;
}

int ts_squery_parse(const char *qs, size_t n, struct ts_squery *out, struct ts_error *err)
{
    int rc = parse(qs, n, out, err);
    if (rc != 0 && err != NULL)
        ts_error_scrub(err);
    return rc;
}
