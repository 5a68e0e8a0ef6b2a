/*
 * test_fts.c: search-box text to FTS5 queries.
 */
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
    struct ts_buf small;
    ts_buf_init(&small, 4);
    T_CHECK(ts_fts_query("longword", &small) == -1, "a full buffer is an error");
    ts_buf_release(&small);
    return t_done();
}
