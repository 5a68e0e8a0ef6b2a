/*
 * test_buf.c: unit tests for lib/core/buf.c, the size-capped buffer.
 *
 * Checks the invariants promised in buf.h after every operation (data is a C
 * string, len + 1 <= cap, len <= max) and that a failed append leaves the
 * buffer exactly as it was.
 */
#include "core/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

/* The invariants of buf.h; `ctx` names the step for the failure message. */
static void check_invariants(const struct ts_buf *b, const char *ctx)
{
    if (b->data == NULL) {
        T_CHECK(b->len == 0 && b->cap == 0, "%s: empty buffer has len %zu cap %zu", ctx, b->len, b->cap);
        return;
    }
    T_CHECK(b->len + 1 <= b->cap, "%s: len %zu + 1 > cap %zu", ctx, b->len, b->cap);
    T_CHECK(b->len <= b->max, "%s: len %zu > max %zu", ctx, b->len, b->max);
    T_CHECK(b->data[b->len] == '\0', "%s: not NUL-terminated", ctx);
}

/* Expects the buffer to hold exactly `want` (`n` bytes). */
static void check_content(const struct ts_buf *b, const char *want, size_t n, const char *ctx)
{
    check_invariants(b, ctx);
    T_CHECK(b->len == n, "%s: len %zu, want %zu", ctx, b->len, n);
    T_CHECK(n == 0 || (b->data != NULL && memcmp(b->data, want, n) == 0), "%s: wrong bytes '%s'", ctx,
            b->data ? b->data : "(null)");
}

static void test_init_release(void)
{
    struct ts_buf b;
    memset(&b, 0x5a, sizeof(b));
    ts_buf_init(&b, 100);
    T_CHECK(b.data == NULL && b.len == 0 && b.cap == 0 && b.max == 100, "init: fields not reset");
    T_CHECK(ts_buf_adds(&b, "abc") == 0, "init: first append failed");
    check_content(&b, "abc", 3, "first append");
    ts_buf_release(&b);
    T_CHECK(b.data == NULL && b.len == 0 && b.cap == 0, "release: not empty");
    T_CHECK(b.max == 100, "release: lost max (%zu)", b.max);
    /* Reusable after release. */
    T_CHECK(ts_buf_adds(&b, "xy") == 0, "reuse after release failed");
    check_content(&b, "xy", 2, "reuse after release");
    ts_buf_release(&b);
    ts_buf_release(NULL); /* must not crash */
}

/* A sequence of appends against a small cap: {text, expected rc, content after}. */
static void test_cap(void)
{
    static const struct {
        const char *add;
        int rc;
        const char *after;
    } steps[] = {
        {"abc", 0, "abc"},    {"def", -1, "abc"},  {"de", 0, "abcde"}, {"", 0, "abcde"},
        {"x", -1, "abcde"},   {"xyz", -1, "abcde"},
    };
    struct ts_buf b;
    ts_buf_init(&b, 5);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        char ctx[64];
        snprintf(ctx, sizeof(ctx), "cap step %zu ('%s')", i, steps[i].add);
        int rc = ts_buf_adds(&b, steps[i].add);
        T_CHECK(rc == steps[i].rc, "%s: rc %d, want %d", ctx, rc, steps[i].rc);
        check_content(&b, steps[i].after, strlen(steps[i].after), ctx);
    }
    ts_buf_release(&b);

    /* max 0: only empty appends succeed. */
    ts_buf_init(&b, 0);
    T_CHECK(ts_buf_add(&b, "", 0) == 0, "max 0: empty append failed");
    check_content(&b, "", 0, "max 0 empty");
    T_CHECK(ts_buf_add(&b, "a", 1) == -1, "max 0: one byte accepted");
    check_content(&b, "", 0, "max 0 after refusal");
    ts_buf_release(&b);

    /* A single append larger than the cap, on a fresh buffer. */
    ts_buf_init(&b, 3);
    T_CHECK(ts_buf_add(&b, "abcd", 4) == -1, "oversized first append accepted");
    T_CHECK(b.data == NULL && b.len == 0, "oversized first append allocated or changed len");
    ts_buf_release(&b);

    /* Sizes near SIZE_MAX must be refused, not wrap around. */
    ts_buf_init(&b, 16);
    T_CHECK(ts_buf_adds(&b, "ab") == 0, "near SIZE_MAX: setup");
    T_CHECK(ts_buf_add(&b, "x", SIZE_MAX) == -1, "SIZE_MAX-byte append accepted");
    T_CHECK(ts_buf_add(&b, "x", SIZE_MAX - 1) == -1, "SIZE_MAX-1-byte append accepted");
    check_content(&b, "ab", 2, "after huge appends");
    ts_buf_release(&b);
}

/* An "unlimited" buffer (max = SIZE_MAX) must still allocate room for its bytes. */
static void test_unbounded(void)
{
    struct ts_buf b;
    ts_buf_init(&b, SIZE_MAX);
    T_CHECK(ts_buf_adds(&b, "hello, world") == 0, "SIZE_MAX max: append failed");
    check_content(&b, "hello, world", 12, "SIZE_MAX max");
    T_CHECK(b.cap >= 13, "SIZE_MAX max: cap %zu cannot hold 13 bytes", b.cap);
    ts_buf_release(&b);
}

/* Many small appends: growth keeps the content and the invariants. */
static void test_growth(void)
{
    struct ts_buf b;
    ts_buf_init(&b, 1 << 20);
    char want[10000];
    for (size_t i = 0; i < sizeof(want); i++) {
        char c = (char)('a' + i % 26);
        want[i] = c;
        if (ts_buf_add(&b, &c, 1) != 0) {
            T_CHECK(0, "growth: append %zu failed", i);
            break;
        }
    }
    check_content(&b, want, sizeof(want), "growth");
    ts_buf_release(&b);

    /* Binary data with NUL bytes is kept as is. */
    ts_buf_init(&b, 64);
    T_CHECK(ts_buf_add(&b, "a\0b", 3) == 0, "binary append failed");
    check_content(&b, "a\0b", 3, "binary");
    ts_buf_release(&b);
}

static void test_addf(void)
{
    struct ts_buf b;
    ts_buf_init(&b, 4096);
    T_CHECK(ts_buf_addf(&b, "%d,%s,%u", -12, "x", 7u) == 0, "addf small failed");
    check_content(&b, "-12,x,7", 7, "addf small");

    /* Past the 256-byte stack buffer of the implementation. */
    char big[1001];
    memset(big, 'q', 1000);
    big[1000] = '\0';
    T_CHECK(ts_buf_addf(&b, "[%s]", big) == 0, "addf large failed");
    T_CHECK(b.len == 7 + 1002, "addf large: len %zu", b.len);
    T_CHECK(b.data[7] == '[' && b.data[8] == 'q' && b.data[1007] == 'q' && b.data[1008] == ']',
            "addf large: wrong bytes");
    check_invariants(&b, "addf large");
    ts_buf_release(&b);

    /* Over the cap, small and large: refused, buffer unchanged. */
    ts_buf_init(&b, 10);
    T_CHECK(ts_buf_adds(&b, "12345") == 0, "addf cap setup");
    T_CHECK(ts_buf_addf(&b, "%s", "678901") == -1, "addf small over cap accepted");
    check_content(&b, "12345", 5, "addf small over cap");
    T_CHECK(ts_buf_addf(&b, "%s", big) == -1, "addf large over cap accepted");
    check_content(&b, "12345", 5, "addf large over cap");
    T_CHECK(ts_buf_addf(&b, "%05d", 42) == 0, "addf exact fit refused");
    check_content(&b, "1234500042", 10, "addf exact fit");
    ts_buf_release(&b);
}

static void test_html(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"", ""},
        {"plain text", "plain text"},
        {"a<b>&\"'", "a&lt;b&gt;&amp;&quot;&#39;"},
        {"&amp;", "&amp;amp;"},
        {"<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"},
        {"caf\xc3\xa9", "caf\xc3\xa9"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_buf b;
        ts_buf_init(&b, 1024);
        T_CHECK(ts_buf_add_html(&b, cases[i].in) == 0, "html '%s': failed", cases[i].in);
        check_content(&b, cases[i].want, strlen(cases[i].want), cases[i].in);
        ts_buf_release(&b);
    }
    /* Over the cap: fails and never passes the cap. */
    struct ts_buf b;
    ts_buf_init(&b, 6);
    T_CHECK(ts_buf_add_html(&b, "<<<") == -1, "html over cap accepted");
    check_invariants(&b, "html over cap");
    ts_buf_release(&b);
}

static void test_take(void)
{
    struct ts_buf b;
    size_t len = 99;
    ts_buf_init(&b, 100);
    char *s = ts_buf_take(&b, &len);
    T_CHECK(s != NULL && s[0] == '\0' && len == 0, "take of empty buffer: '%s' len %zu", s ? s : "(null)", len);
    free(s);

    T_CHECK(ts_buf_adds(&b, "owned") == 0, "take setup");
    s = ts_buf_take(&b, &len);
    T_STREQ(s, "owned", "take");
    T_CHECK(len == 5, "take: len %zu", len);
    T_CHECK(b.data == NULL && b.len == 0 && b.cap == 0 && b.max == 100, "take: buffer not emptied");
    free(s);

    /* The buffer is reusable, and len may be NULL. */
    T_CHECK(ts_buf_adds(&b, "again") == 0, "append after take failed");
    s = ts_buf_take(&b, NULL);
    T_STREQ(s, "again", "take without len");
    free(s);
    ts_buf_release(&b);
}

int main(void)
{
    test_init_release();
    test_cap();
    test_unbounded();
    test_growth();
    test_addf();
    test_html();
    test_take();
    return t_done();
}
