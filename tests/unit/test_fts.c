/*
 * test_fts.c: search-box text to FTS5 queries.
 */
#include <string.h>

#include "store/fts.h"
#include "t.h"

int main(void)
{
    static const struct {
        const char *in, *out;
        int terms;
    } cases[] = {
        {"", "", 0},
        {"   ", "", 0},
        {"diary", "\"diary\"*", 1},
        {"Jane Doe", "\"Jane\"* \"Doe\"*", 2},
        {"  paris,1856; ", "\"paris\"* \"1856\"*", 2},
        {"caf\xc3\xa9", "\"caf\xc3\xa9\"*", 1},
        /* FTS5 syntax is only ever text */
        {"a OR b", "\"a\"* \"OR\"* \"b\"*", 3},
        {"\"quoted\" NEAR(x y)", "\"quoted\"* \"NEAR\"* \"x\"* \"y\"*", 4},
        {"title:diary -secret ^start col*", "\"title\"* \"diary\"* \"secret\"* \"start\"* \"col\"*", 5},
        {"a\"b", "\"a\"* \"b\"*", 2},
        {"''--;DROP TABLE items", "\"DROP\"* \"TABLE\"* \"items\"*", 3},
        {"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18",
         "\"1\"* \"2\"* \"3\"* \"4\"* \"5\"* \"6\"* \"7\"* \"8\"* \"9\"* \"10\"* \"11\"* \"12\"* \"13\"* \"14\"* \"15\"* \"16\"*", 16},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_buf b;
        ts_buf_init(&b, 4096);
        int n = ts_fts_query(cases[i].in, &b);
        T_CHECK(n == cases[i].terms, "'%s': %d terms, want %d", cases[i].in, n, cases[i].terms);
        T_STREQ(b.data ? b.data : "", cases[i].out, cases[i].in);
        ts_buf_release(&b);
    }
    /* Content Search terms */
    static const struct {
        const char *q, *out;
        int terms;
    } sq[] = {
        {"q=bird", "\"bird\"", 1},
        {"q=bird*", "\"bird\"*", 1},
        {"q=%22two+birds%22", "\"two birds\"", 1},
        {"q=%22two  birds%22+hand*", "\"two birds\" \"hand\"*", 2},
        {"q=Gilli-flowers", "\"Gilli flowers\"", 1},
        {"q=Gilli-flo*", "\"Gilli flo\"", 1},
        {"q=caf%C3%A9", "\"caf\xc3\xa9\"", 1},
        {"q=a+OR+b+NEAR%28x%29", "\"a\" \"OR\" \"b\" \"NEAR x\"", 4},
        {"q=%22%22+---+bird", "\"bird\"", 1},
        {"q=%5E*+col%3Ax", "\"col x\"", 1},
    };
    for (size_t i = 0; i < sizeof(sq) / sizeof(sq[0]); i++) {
        struct ts_squery q;
        struct ts_error err;
        int rc = ts_squery_parse(sq[i].q, strlen(sq[i].q), &q, &err);
        T_CHECK(rc == 0, "'%s' parses (%s)", sq[i].q, rc ? err.msg : "");
        if (rc != 0)
            continue;
        struct ts_buf b;
        ts_buf_init(&b, 4096);
        int n = ts_fts_terms(q.terms, q.n_terms, &b);
        T_CHECK(n == sq[i].terms, "'%s': %d terms, want %d", sq[i].q, n, sq[i].terms);
        T_STREQ(b.data ? b.data : "", sq[i].out, sq[i].q);
        ts_buf_release(&b);
    }
    struct ts_buf small;
    ts_buf_init(&small, 4);
    T_CHECK(ts_fts_query("longword", &small) == -1, "a full buffer is an error");
    ts_buf_release(&small);
    return t_done();
}
