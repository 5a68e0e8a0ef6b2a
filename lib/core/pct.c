/*
 * pct.c: percent-encoding (pct.h).
 */
#include "core/pct.h"

#include <stdbool.h>
#include <string.h>

int ts_pct_encode(const char *s, const char *keep, struct ts_buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        unsigned char c = *p;
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                     c == '.' || c == '_' || c == '~' || (keep[0] != '\0' && strchr(keep, c) != NULL);
        char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
        if ((plain ? ts_buf_add(out, (const char *)p, 1) : ts_buf_add(out, esc, 3)) != 0)
            return -1;
    }
    return 0;
}
