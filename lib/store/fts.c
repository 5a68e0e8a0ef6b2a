/*
 * fts.c: search-box text to FTS5.
 */
#include "store/fts.h"

#include <stdbool.h>
#include <string.h>

/* ASCII letters and digits, and every byte of a multi-byte UTF-8 sequence, are word bytes. */
static bool word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

int ts_fts_query(const char *text, struct ts_buf *out)
{
    int terms = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p != '\0' && terms < TS_FTS_MAX_TERMS) {
        while (*p != '\0' && !word_byte(*p))
            p++;
        const unsigned char *w = p;
        while (*p != '\0' && word_byte(*p))
            p++;
        if (p == w)
            break;
        /* a word of word bytes holds no quote: it can be quoted as it is */
        if ((terms > 0 && ts_buf_adds(out, " ") != 0) || ts_buf_adds(out, "\"") != 0 ||
            ts_buf_add(out, (const char *)w, (size_t)(p - w)) != 0 || ts_buf_adds(out, "\"*") != 0)
            return -1;
        terms++;
    }
    return terms;
}

int ts_fts_terms(const struct ts_sq_term *terms, int n, struct ts_buf *out)
{
    int written = 0;
    for (int i = 0; i < n; i++) {
        const unsigned char *p = (const unsigned char *)terms[i].text;
        int words = 0;
        while (*p != '\0') {
            while (*p != '\0' && !word_byte(*p))
                p++;
            const unsigned char *w = p;
            while (*p != '\0' && word_byte(*p))
                p++;
            if (p == w)
                break;
            const char *lead = words == 0 ? (written > 0 ? " \"" : "\"") : " ";
            if (ts_buf_adds(out, lead) != 0 || ts_buf_add(out, (const char *)w, (size_t)(p - w)) != 0)
                return -1;
            words++;
        }
        if (words == 0)
            continue;
        if (ts_buf_adds(out, terms[i].prefix && words == 1 ? "\"*" : "\"") != 0)
            return -1;
        written++;
    }
    return written;
}
