/*
 * buf.h: a growable byte buffer with a size cap (after curl's dynbuf and
 * git's strbuf).
 *
 * Invariants: `data` is NULL or points to `cap` bytes of which `len` are used
 * and data[len] == '\0' (the buffer is always a valid C string when data is
 * not NULL). `len + 1 <= cap`. A buffer never grows past `max` bytes: an
 * append that would do so fails and leaves the buffer as it was, so a hostile
 * input can only make an operation fail, never exhaust memory.
 */
#ifndef TS_CORE_BUF_H
#define TS_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct ts_buf {
    char *data;  /* NULL until the first append */
    size_t len;  /* bytes used, not counting the terminating NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* the most `len` may ever reach */
};

/** Initialises an empty buffer that may hold up to `max` bytes. Allocates nothing. */
void ts_buf_init(struct ts_buf *b, size_t max);

/** Frees the contents; `b` is then empty and may be reused. Accepts NULL. */
void ts_buf_release(struct ts_buf *b);

/** Appends `n` bytes. Returns 0, or -1 (buffer unchanged) past the cap. */
int ts_buf_add(struct ts_buf *b, const void *p, size_t n);

/** Appends a NUL-terminated string. Returns 0 or -1 as ts_buf_add. */
int ts_buf_adds(struct ts_buf *b, const char *s);

/** Appends printf-style output. Returns 0 or -1 as ts_buf_add. */
int ts_buf_addf(struct ts_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Appends `s` with the HTML special characters &<>"' escaped. */
int ts_buf_add_html(struct ts_buf *b, const char *s);

/**
 * Hands the storage to the caller, who must free() it; `b` becomes empty.
 * Returns an empty allocated string if nothing was appended, or NULL when out
 * of memory. `len` (may be NULL) gets the length.
 */
char *ts_buf_take(struct ts_buf *b, size_t *len);

#endif
