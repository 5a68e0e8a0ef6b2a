/*
 * natsort.c: natural order of names.
 */
#include "present/natsort.h"

#include <string.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

int ts_natcmp(const char *a, const char *b)
{
    const char *p = a, *q = b;
    int zeros = 0; /* the first difference in leading zeros, as a tie-break */
    while (*p != '\0' && *q != '\0') {
        if (is_digit(*p) && is_digit(*q)) {
            const char *p0 = p, *q0 = q;
            while (*p == '0')
                p++;
            while (*q == '0')
                q++;
            const char *ps = p, *qs = q;
            while (is_digit(*p))
                p++;
            while (is_digit(*q))
                q++;
            size_t pl = (size_t)(p - ps), ql = (size_t)(q - qs);
            if (pl != ql)
                return pl < ql ? -1 : 1;
            int c = memcmp(ps, qs, pl);
            if (c != 0)
                return c;
            if (zeros == 0 && (ps - p0) != (qs - q0))
                zeros = (ps - p0) > (qs - q0) ? -1 : 1; /* more zeros first */
            continue;
        }
        unsigned char x = fold((unsigned char)*p), y = fold((unsigned char)*q);
        if (x != y)
            return x < y ? -1 : 1;
        p++;
        q++;
    }
    if (*p != '\0' || *q != '\0')
        return *p == '\0' ? -1 : 1;
    if (zeros != 0)
        return zeros;
    return strcmp(a, b);
}

int ts_natcmp_qsort(const void *a, const void *b)
{
    return ts_natcmp(*(const char *const *)a, *(const char *const *)b);
}
