/*
 * fuzz_squery.c: libFuzzer target for Content Search requests
 * (anno/query.h) and their FTS5 form (store/fts.h).
 *
 * Input: a query string.
 *
 * Invariants: a refusal is a 400 with a one-line printable reason; a
 * parsed request has a term or a motivation, a page from 1, date ranges in
 * order, printable ignored names; its FTS5 query holds only double-quoted
 * runs of word bytes and spaces, each optionally followed by '*', so no
 * operator or stray quote reaches SQLite.
 */
#include "fuzz.h"

#include "anno/query.h"
#include "store/fts.h"

#include <string.h>

static void check_fts(const char *s)
{
    bool in = false;
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            in = !in;
            if (!in && p[1] == '*')
                p++;
            if (!in && p[1] != '\0')
                FUZZ_CHECK(p[1] == ' ');
            continue;
        }
        if (in)
            FUZZ_CHECK(c == ' ' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c >= 0x80);
        else
            FUZZ_CHECK(c == ' ');
    }
    FUZZ_CHECK(!in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ts_squery q;
    struct ts_error err = {0};
    if (ts_squery_parse((const char *)data, size, &q, &err) != 0) {
        FUZZ_CHECK(err.status == 400 && fuzz_msg_ok(err.msg));
        return 0;
    }
    FUZZ_CHECK(q.n_terms > 0 || q.n_motivations > 0);
    FUZZ_CHECK(q.page >= 1);
    for (int i = 0; i < q.n_dates; i++)
        FUZZ_CHECK(q.date_from_ms[i] <= q.date_to_ms[i]);
    for (int i = 0; i < q.n_ignored; i++)
        FUZZ_CHECK(fuzz_msg_ok(q.ignored[i]));
    for (int i = 0; i < q.n_terms; i++)
        FUZZ_CHECK(q.terms[i].text[0] != '\0' && strlen(q.terms[i].text) < TS_SQ_MAX_TERM);
    struct ts_buf b;
    ts_buf_init(&b, 1 << 16);
    int n = ts_fts_terms(q.terms, q.n_terms, &b);
    FUZZ_CHECK(n >= 0 && n <= q.n_terms);
    if (b.data != NULL)
        check_fts(b.data);
    ts_buf_release(&b);
    return 0;
}
