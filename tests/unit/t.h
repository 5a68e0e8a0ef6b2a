/*
 * t.h: the unit-test harness. Include once per test program.
 *
 * T_CHECK counts a check and prints "not ok" with the location and a message
 * when it fails; t_done prints "# passed N failed M" (the line the test
 * runner adds up) and returns the exit status.
 */
#ifndef TS_TEST_T_H
#define TS_TEST_T_H

#include <stdio.h>
#include <string.h>

static int t_passed, t_failed;

#define T_CHECK(cond, ...)                                                                                              \
    do {                                                                                                               \
        if (cond) {                                                                                                    \
            t_passed++;                                                                                                \
        } else {                                                                                                       \
            t_failed++;                                                                                                \
            printf("not ok %s:%d: ", __FILE__, __LINE__);                                                             \
            printf(__VA_ARGS__);                                                                                       \
            printf("\n");                                                                                              \
        }                                                                                                              \
    } while (0)

#define T_STREQ(got, want, ctx)                                                                                        \
    do {                                                                                                               \
        const char *t_g_ = (got), *t_w_ = (want);                                                                      \
        T_CHECK(t_g_ != NULL && strcmp(t_g_, t_w_) == 0, "%s: got '%s', want '%s'", (ctx), t_g_ ? t_g_ : "(null)", t_w_); \
    } while (0)

static inline int t_done(void)
{
    printf("# passed %d failed %d\n", t_passed, t_failed);
    return t_failed ? 1 : 0;
}

#endif
