/*
 * fuzz_fts.c: libFuzzer target for the search box (store/fts.h)
 * and query-string parameters (ts_query_param in present/route.h).
 *
 * Invariants: the FTS5 query is at most 16 terms, each a double-quoted run
 * of letters, digits and UTF-8 bytes followed by "*", separated by single
 * spaces, so no FTS5 operator or stray quote can reach SQLite; and a
 * decoded parameter holds no NUL and is never longer than its encoding.
 */
#include "fuzz.h"

#include <string.h>

#include "core/buf.h"
#include "store/fts.h"
#include "present/route.h"

static int word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct ts_buf b;
    ts_buf_init(&b, 1 << 20);
    int terms = ts_fts_query(text, &b);
    FUZZ_CHECK(terms >= 0 && terms <= TS_FTS_MAX_TERMS);
    const char *p = b.data != NULL ? b.data : "";
    for (int k = 0; k < terms; k++) {
        if (k > 0)
            FUZZ_CHECK(*p++ == ' ');
        FUZZ_CHECK(*p++ == '"');
        const char *w = p;
        while (word_byte((unsigned char)*p))
            p++;
        FUZZ_CHECK(p > w);
        FUZZ_CHECK(*p++ == '"');
        FUZZ_CHECK(*p++ == '*');
    }
    FUZZ_CHECK(*p == '\0');
    ts_buf_release(&b);
    char out[256];
    int rc = ts_query_param(text, size, "q", out, sizeof(out));
    FUZZ_CHECK(rc >= -1 && rc <= 1);
    if (rc == 1)
        FUZZ_CHECK(strlen(out) <= size);
    free(text);
    return 0;
}
