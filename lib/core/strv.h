/*
 * strv.h: a view of bytes that someone else owns (a header value, a slice
 * of a URL): a pointer and a length, not NUL-terminated.
 */
#ifndef TS_CORE_STRV_H
#define TS_CORE_STRV_H

#include <stddef.h>

struct ts_strv {
    const char *p;  /* NULL when absent */
    size_t n;
};

#endif
