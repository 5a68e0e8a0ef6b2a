/*
 * exif.c: libvips EXIF strings to dates, places and names.
 */
#include "image/exif.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "iiif/navdate.h"

int ts_exif_raw(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s);
    if (n < 2 || s[n - 1] != ')')
        return -1;
    /* ASCII values: the trailer gives the length ("15 components" = 14 bytes and a NUL) */
    const char *ascii = strstr(s, ", ASCII, ");
    size_t len = 0;
    if (ascii != NULL) {
        long comps = strtol(ascii + 9, NULL, 10);
        if (comps >= 1 && (size_t)comps - 1 <= n)
            len = (size_t)comps - 1;
        while (len > 0 && s[len - 1] == '\0')
            len--;
        if (len + 2 > n || s[len] != ' ' || s[len + 1] != '(')
            ascii = NULL; /* not the layout expected: match parentheses instead */
    }
    if (ascii == NULL) {
        /* the parenthesis that opens the trailer: match from the end */
        int depth = 0;
        size_t i = n;
        while (i > 0) {
            i--;
            if (s[i] == ')')
                depth++;
            else if (s[i] == '(' && --depth == 0)
                break;
        }
        if (depth != 0 || i == 0 || s[i - 1] != ' ')
            return -1;
        len = i - 1;
    }
    if (len + 1 > cap)
        len = cap - 1;
    memcpy(out, s, len);
    out[len] = '\0';
    /* trailing spaces (ASCII fields are often padded) */
    while (len > 0 && out[len - 1] == ' ')
        out[--len] = '\0';
    return 0;
}

int ts_exif_date(const char *raw, char out[32])
{
    /* YYYY:MM:DD HH:MM:SS */
    if (strlen(raw) < 19 || raw[4] != ':' || raw[7] != ':' || raw[10] != ' ' || raw[13] != ':' || raw[16] != ':')
        return -1;
    char iso[20];
    memcpy(iso, raw, 19);
    iso[4] = iso[7] = '-';
    iso[10] = 'T';
    iso[19] = '\0';
    if (strncmp(iso, "0000", 4) == 0)
        return -1; /* "0000:00:00 00:00:00": no date */
    return iiif_navdate(iso, out);
}

/* One rational "a/b"; advances *p. */
static int rational(const char **p, double *out)
{
    char *end;
    double a = strtod(*p, &end);
    if (end == *p || *end != '/')
        return -1;
    const char *q = end + 1;
    double b = strtod(q, &end);
    if (end == q || b == 0 || !isfinite(a) || !isfinite(b))
        return -1;
    *out = a / b;
    *p = end;
    return 0;
}

int ts_exif_degrees(const char *raw, const char *ref, double *out)
{
    const char *p = raw;
    double d, m, s;
    if (rational(&p, &d) != 0)
        return -1;
    while (*p == ' ')
        p++;
    if (rational(&p, &m) != 0)
        return -1;
    while (*p == ' ')
        p++;
    if (rational(&p, &s) != 0)
        return -1;
    if (d < 0 || m < 0 || s < 0 || m >= 60 || s >= 60)
        return -1;
    double v = d + m / 60 + s / 3600;
    if (ref[0] == 'S' || ref[0] == 'W')
        v = -v;
    else if (ref[0] != 'N' && ref[0] != 'E')
        return -1;
    *out = v;
    return 0;
}
