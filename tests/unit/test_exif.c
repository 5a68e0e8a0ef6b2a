/*
 * test_exif.c: EXIF strings from libvips to dates, places and names.
 */
#include "image/exif.h"
#include "t.h"

int main(void)
{
    static const struct {
        const char *in, *raw;
    } raws[] = {
        {"2019:03:01 10:20:30 (2019:03:01 10:20:30, ASCII, 20 components, 20 bytes)", "2019:03:01 10:20:30"},
        {"Jane Doe (CC0) (Jane Doe (CC0) (Photographer) - [None] (Editor), ASCII, 15 components, 15 bytes)",
         "Jane Doe (CC0)"},
        {"48/1 51/1 1167/50 (48, 51, 23.34, Rational, 3 components, 24 bytes)", "48/1 51/1 1167/50"},
        {"N (N, ASCII, 2 components, 2 bytes)", "N"},
        {"a ) b (a ) b, ASCII, 6 components, 6 bytes)", "a ) b"}, /* unbalanced: the ASCII length decides */
        {"padded    (padded    , ASCII, 11 components, 11 bytes)", "padded"},
        {"72/1 (72, Rational, 1 components, 8 bytes)", "72/1"},
    };
    for (size_t i = 0; i < sizeof(raws) / sizeof(raws[0]); i++) {
        char out[100];
        T_CHECK(ts_exif_raw(raws[i].in, out, sizeof(out)) == 0, "raw of '%s'", raws[i].in);
        T_STREQ(out, raws[i].raw, raws[i].in);
    }
    static const char *bad_raw[] = {"", "no trailer", "(", "x)", "(a)", "x(a)"};
    for (size_t i = 0; i < sizeof(bad_raw) / sizeof(bad_raw[0]); i++) {
        char out[100];
        T_CHECK(ts_exif_raw(bad_raw[i], out, sizeof(out)) == -1, "'%s' refused", bad_raw[i]);
    }
    char small[5];
    T_CHECK(ts_exif_raw("Jane Doe (Jane Doe, ASCII, 9 components, 9 bytes)", small, sizeof(small)) == 0 &&
                strcmp(small, "Jane") == 0,
            "cut to the buffer: '%s'", small);

    char d[32];
    T_CHECK(ts_exif_date("2018:07:14 09:08:07", d) == 0 && strcmp(d, "2018-07-14T09:08:07Z") == 0, "date: %s", d);
    T_CHECK(ts_exif_date("0000:00:00 00:00:00", d) == -1, "an empty EXIF date");
    T_CHECK(ts_exif_date("2018:02:30 09:08:07", d) == -1, "no 30 February");
    T_CHECK(ts_exif_date("2018-07-14 09:08:07", d) == -1, "not the EXIF layout");
    T_CHECK(ts_exif_date("2018:07:14", d) == -1, "too short");

    static const struct {
        const char *raw, *ref;
        int rc;
        double want;
    } deg[] = {
        {"48/1 51/1 1167/50", "N", 0, 48.85648333},
        {"2/1 21/1 198/25", "W", 0, -2.3522},
        {"33/1 52/1 0/1", "S", 0, -33.86666667},
        {"151/1 12/1 3000/100", "E", 0, 151.20833333},
        {"48/1 51/1 1167/50", "X", -1, 0},
        {"48/1 51/0 1/1", "N", -1, 0},
        {"48/1 61/1 0/1", "N", -1, 0},
        {"48 51 23", "N", -1, 0},
        {"", "N", -1, 0},
    };
    for (size_t i = 0; i < sizeof(deg) / sizeof(deg[0]); i++) {
        double v = 0;
        int rc = ts_exif_degrees(deg[i].raw, deg[i].ref, &v);
        T_CHECK(rc == deg[i].rc && (rc != 0 || (v - deg[i].want < 1e-6 && deg[i].want - v < 1e-6)),
                "degrees '%s' %s: %d %.8f", deg[i].raw, deg[i].ref, rc, v);
    }
    return t_done();
}
