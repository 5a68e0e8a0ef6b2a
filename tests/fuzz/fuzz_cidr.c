/*
 * fuzz_cidr.c: libFuzzer target for address lists (trusted_proxies).
 *
 * Input layout: the list's text up to the first NUL, then 16 bytes of an
 * address to match.
 *
 * Invariants: a list that parses has at most TS_CIDR_MAX entries, each with
 * a prefix of at most 128 bits and no bit set past it; every entry matches
 * its own address (as 16 bytes, and as 4 for an IPv4-mapped one); a refusal
 * is a 400 with a one-line message; matching any address never fails.
 */
#include "fuzz.h"

#include "core/cidr.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[1024];
    size_t n = strnlen((const char *)data, size < sizeof(text) - 1 ? size : sizeof(text) - 1);
    memcpy(text, data, n);
    text[n] = '\0';
    struct ts_cidr_list l;
    struct ts_error err;
    if (ts_cidr_parse(text, &l, &err) != 0) {
        FUZZ_CHECK(err.status == 400 && err.msg[0] != '\0' && strchr(err.msg, '\n') == NULL);
        return 0;
    }
    FUZZ_CHECK(l.n >= 0 && l.n <= TS_CIDR_MAX);
    for (int i = 0; i < l.n; i++) {
        const struct ts_cidr *c = &l.v[i];
        FUZZ_CHECK(c->bits >= 0 && c->bits <= 128);
        for (int b = c->bits; b < 128; b++)
            FUZZ_CHECK((c->addr[b / 8] & (0x80 >> (b % 8))) == 0);
        FUZZ_CHECK(ts_cidr_match(&l, c->addr, 16));
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (c->bits >= 96 && memcmp(c->addr, mapped, 12) == 0)
            FUZZ_CHECK(ts_cidr_match(&l, c->addr + 12, 4));
    }
    if (size >= n + 1 + 16) {
        (void)ts_cidr_match(&l, data + n + 1, 16);
        (void)ts_cidr_match(&l, data + n + 1, 4);
    }
    return 0;
}
