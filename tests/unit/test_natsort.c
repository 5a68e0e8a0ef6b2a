/*
 * test_natsort.c: natural order of file names.
 */
#include <stdlib.h>

#include "present/natsort.h"
#include "t.h"

static int sign(int v)
{
    return v < 0 ? -1 : v > 0 ? 1 : 0;
}

int main(void)
{
    static const struct {
        const char *a, *b;
        int want;
    } cases[] = {
        {"p2", "p10", -1},
        {"p10", "p2", 1},
        {"p2", "p2", 0},
        {"page 9.tif", "page 10.tif", -1},
        {"a", "B", -1},            /* case does not decide... */
        {"B", "a", 1},
        {"File", "file", -1},      /* ...except between otherwise equal names (byte order) */
        {"007", "7", -1},          /* equal numbers: more leading zeros first */
        {"7", "007", 1},
        {"x07y2", "x7y1", 1},      /* a later difference beats leading zeros */
        {"0", "00", 1},
        {"1.2", "1.10", -1},
        {"img", "img1", -1},
        {"", "a", -1},
        {"", "", 0},
        {"12345678901234567890123", "12345678901234567890124", -1}, /* longer than any integer type */
        {"99999999999999999999", "100000000000000000000", -1},
        {"a-1", "a_1", -1},        /* '-' (0x2D) before '_' (0x5F) */
        {"f01_v2", "f1_v10", -1},
        {"Z", "\xc3\xa9", -1},     /* non-ASCII bytes after ASCII */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = sign(ts_natcmp(cases[i].a, cases[i].b));
        T_CHECK(got == cases[i].want, "natcmp('%s', '%s') = %d, want %d", cases[i].a, cases[i].b, got, cases[i].want);
        /* antisymmetric */
        T_CHECK(sign(ts_natcmp(cases[i].b, cases[i].a)) == -got, "natcmp('%s', '%s') antisymmetric", cases[i].b,
                cases[i].a);
    }
    /* a shuffled book sorts into page order */
    const char *pages[] = {"p10.tif", "p1.tif", "p100.tif", "p9.tif", "p2.tif", "P3.tif", "p20.tif", "p11.tif"};
    const char *want[] = {"p1.tif", "p2.tif", "P3.tif", "p9.tif", "p10.tif", "p11.tif", "p20.tif", "p100.tif"};
    qsort(pages, 8, sizeof(pages[0]), ts_natcmp_qsort);
    for (int i = 0; i < 8; i++)
        T_STREQ(pages[i], want[i], "book order");
    /* transitive on a grid of awkward names */
    const char *names[] = {"a", "A", "a0", "a00", "a1", "a01", "a10", "a2", "a2b", "a2B", "b", "10", "9", "09", ""};
    int n = (int)(sizeof(names) / sizeof(names[0])), bad = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            for (int k = 0; k < n; k++)
                if (ts_natcmp(names[i], names[j]) < 0 && ts_natcmp(names[j], names[k]) < 0 &&
                    ts_natcmp(names[i], names[k]) >= 0)
                    bad++;
    T_CHECK(bad == 0, "transitive (%d violations)", bad);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (i != j)
                T_CHECK(ts_natcmp(names[i], names[j]) != 0, "total: '%s' and '%s' differ", names[i], names[j]);
    return t_done();
}
