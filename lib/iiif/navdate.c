/*
 * navdate.c: navDate text to xsd:dateTime in UTC (navdate.h).
 */
#include "iiif/navdate.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int digits(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 0;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int iiif_navdate(const char *in, char out[32])
{
    int y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0, zone = 0; /* zone: minutes east of UTC */
    size_t n = strlen(in);
    if (n < 4 || digits(in, 4, &y) != 0)
        return -1;
    const char *p = in + 4;
    if (*p == '-') {
        if (digits(p + 1, 2, &mo) != 0)
            return -1;
        p += 3;
        if (*p == '-') {
            if (digits(p + 1, 2, &d) != 0)
                return -1;
            p += 3;
            if (*p == 'T' || *p == ' ') {
                if (digits(p + 1, 2, &h) != 0 || p[3] != ':' || digits(p + 4, 2, &mi) != 0)
                    return -1;
                p += 6;
                if (*p == ':') {
                    if (digits(p + 1, 2, &s) != 0)
                        return -1;
                    p += 3;
                    if (*p == '.') /* fractions of a second are dropped */
                        for (p++; *p >= '0' && *p <= '9'; p++)
                            ;
                }
                if (*p == 'Z') {
                    p++;
                } else if (*p == '+' || *p == '-') {
                    int zh, zm;
                    if (digits(p + 1, 2, &zh) != 0 || p[3] != ':' || digits(p + 4, 2, &zm) != 0 || zh > 14 || zm > 59)
                        return -1;
                    zone = (zh * 60 + zm) * (*p == '-' ? -1 : 1);
                    p += 6;
                }
            }
        }
    }
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 || mi > 59 ||
        s > 60)
        return -1;
    /* to UTC */
    int64_t minutes = (int64_t)h * 60 + mi - zone;
    while (minutes < 0) {
        minutes += 24 * 60;
        if (--d < 1) {
            if (--mo < 1) {
                mo = 12;
                y--;
            }
            d = mdays[mo - 1] + (mo == 2 && leap(y));
        }
    }
    while (minutes >= 24 * 60) {
        minutes -= 24 * 60;
        if (++d > mdays[mo - 1] + (mo == 2 && leap(y))) {
            d = 1;
            if (++mo > 12) {
                mo = 1;
                y++;
            }
        }
    }
    if (y < 0 || y > 9999)
        return -1;
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, (int)(minutes / 60), (int)(minutes % 60), s > 59 ? 59 : s);
    return 0;
}

