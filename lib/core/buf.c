/*
 * buf.c: growable byte buffer with a cap. Growth doubles the allocation so
 * appends are amortised O(1); the cap is checked before any allocation.
 */
#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ts_buf_init(struct ts_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void ts_buf_release(struct ts_buf *b)
{
    if (b == NULL)
        return;
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

/* Makes room for `n` more bytes plus the NUL. */
static int grow(struct ts_buf *b, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return -1;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap - 1 > b->max) /* not `cap > max + 1`, which wraps when max is SIZE_MAX */
        cap = b->max + 1;
    char *p = realloc(b->data, cap);
    if (p == NULL)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int ts_buf_add(struct ts_buf *b, const void *p, size_t n)
{
    if (grow(b, n) != 0)
        return -1;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int ts_buf_adds(struct ts_buf *b, const char *s)
{
    return ts_buf_add(b, s, strlen(s));
}

int ts_buf_addf(struct ts_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof(small))
        return ts_buf_add(b, small, (size_t)n);
    if (grow(b, (size_t)n) != 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int ts_buf_add_html(struct ts_buf *b, const char *s)
{
    for (; *s != '\0'; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        }
        int rc = rep ? ts_buf_adds(b, rep) : ts_buf_add(b, s, 1);
        if (rc != 0)
            return -1;
    }
    return 0;
}

char *ts_buf_take(struct ts_buf *b, size_t *len)
{
    char *p = b->data;
    if (p == NULL)
        p = calloc(1, 1);
    if (len != NULL)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
