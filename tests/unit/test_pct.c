/*
 * test_pct.c: the one percent-encoder (core/pct.h).
 */
#include <string.h>

#include "core/pct.h"
#include "t.h"

int main(void)
{
    static const struct {
        const char *in, *keep, *out;
    } cases[] = {
        {"", "", ""},
        {"abcXYZ019-._~", "", "abcXYZ019-._~"},
        {"a b", "", "a%20b"},
        {"books/b1/p001.tif", "", "books%2Fb1%2Fp001.tif"},
        {"books/b1/p001.tif", "/", "books/b1/p001.tif"},
        {"caf\xc3\xa9", "", "caf%C3%A9"},
        {"%", "", "%25"},
        {"a?b#c&d=e+f", "", "a%3Fb%23c%26d%3De%2Bf"},
        {"\x01\x7f\xff", "", "%01%7F%FF"},
        {"a:b", ":", "a:b"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_buf b;
        ts_buf_init(&b, 1024);
        T_CHECK(ts_pct_encode(cases[i].in, cases[i].keep, &b) == 0, "case %zu encodes", i);
        T_STREQ(b.data != NULL ? b.data : "", cases[i].out, cases[i].in);
        ts_buf_release(&b);
    }
    /* a full buffer: -1 */
    struct ts_buf small;
    ts_buf_init(&small, 4);
    T_CHECK(ts_pct_encode("a b c d", "", &small) == -1, "over the buffer's cap");
    ts_buf_release(&small);
    return t_done();
}
