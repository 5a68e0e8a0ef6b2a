/*
 * conditional.c: ETags, HTTP dates and the 304 decision.
 */
#include "http/conditional.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void ts_etag_format(uint64_t h, char out[19])
{
    snprintf(out, 19, "\"%016llx\"", (unsigned long long)h);
}

void ts_http_date_format(time_t t, char out[30])
{
    struct tm tm;
    char tmp[96];
    gmtime_r(&t, &tm);
    snprintf(tmp, sizeof(tmp), "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    snprintf(out, 30, "%.29s", tmp);
}

static int month_of(const char *s)
{
    for (int i = 0; i < 12; i++) {
        if (strncmp(s, months[i], 3) == 0)
            return i;
    }
    return -1;
}

int ts_http_date_parse(const char *s, size_t n, time_t *out)
{
    char buf[64];
    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    char wd[16], mon[4] = {0};
    int day, year, hh, mm, ss, used = 0;
    /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
    if (sscanf(buf, "%3s, %2d %3s %4d %2d:%2d:%2d GMT%n", wd, &day, mon, &year, &hh, &mm, &ss, &used) == 7 &&
        used == (int)n) {
        /* fine */
    } else if (used = 0, sscanf(buf, "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT%n", wd, &day, mon, &year, &hh, &mm,
                                &ss, &used) == 7 &&
               used == (int)n) {
        /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT; two-digit years are 1970-2069 */
        year += year < 70 ? 2000 : 1900;
    } else if (used = 0, sscanf(buf, "%3s %3s %2d %2d:%2d:%2d %4d%n", wd, mon, &day, &hh, &mm, &ss, &year, &used) ==
                                 7 &&
               used == (int)n) {
        /* asctime: Sun Nov  6 08:49:37 1994 */
    } else {
        return -1;
    }
    int m = month_of(mon);
    if (m < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || year < 1900)
        return -1;
    tm.tm_year = year - 1900;
    tm.tm_mon = m;
    tm.tm_mday = day;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    *out = timegm(&tm);
    /* a leap second or day 31 can carry 31 Dec 9999 past the last date with four digits */
    if (*out > (time_t)253402300799) /* 9999-12-31T23:59:59Z */
        return -1;
    return 0;
}

/* Compares two entity tags weakly: W/ prefixes are ignored. */
static bool etag_eq(const char *a, size_t an, const char *b, size_t bn)
{
    if (an >= 2 && a[0] == 'W' && a[1] == '/') {
        a += 2;
        an -= 2;
    }
    if (bn >= 2 && b[0] == 'W' && b[1] == '/') {
        b += 2;
        bn -= 2;
    }
    return an == bn && memcmp(a, b, an) == 0;
}

bool ts_not_modified(const char *inm, size_t inm_len, const char *ims, size_t ims_len, const char *etag,
                     time_t mtime)
{
    if (inm != NULL) {
        size_t en = strlen(etag), i = 0;
        while (i < inm_len) {
            while (i < inm_len && (inm[i] == ' ' || inm[i] == '\t' || inm[i] == ','))
                i++;
            size_t start = i;
            if (i < inm_len && inm[i] == '*')
                return true;
            if (i + 1 < inm_len && inm[i] == 'W' && inm[i + 1] == '/')
                i += 2;
            if (i < inm_len && inm[i] == '"') {
                i++;
                while (i < inm_len && inm[i] != '"')
                    i++;
                if (i < inm_len)
                    i++; /* closing quote */
            } else {
                while (i < inm_len && inm[i] != ',' && inm[i] != ' ')
                    i++;
            }
            if (etag_eq(inm + start, i - start, etag, en))
                return true;
        }
        return false;
    }
    if (ims != NULL) {
        time_t since;
        if (ts_http_date_parse(ims, ims_len, &since) != 0)
            return false;
        return mtime <= since;
    }
    return false;
}
