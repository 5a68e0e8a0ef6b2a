/*
 * test_navdate.c: navDate text to xsd:dateTime in UTC (iiif/navdate.h).
 */
#include <string.h>

#include "iiif/navdate.h"
#include "t.h"

int main(void)
{
    static const struct {
        const char *in, *out;
    } dates[] = {{"2020", "2020-01-01T00:00:00Z"},
                 {"2020-02", "2020-02-01T00:00:00Z"},
                 {"2020-02-29", "2020-02-29T00:00:00Z"},
                 {"2020-02-29T23:59", "2020-02-29T23:59:00Z"},
                 {"2020-03-01T01:00:00+02:00", "2020-02-29T23:00:00Z"},
                 {"1999-12-31T23:30:00-01:00", "2000-01-01T00:30:00Z"},
                 {"2020-01-01 12:00:00.125Z", "2020-01-01T12:00:00Z"},
                 {"2019-02-29", NULL},
                 {"2020-13", NULL},
                 {"2020-1-1", NULL},
                 {"20", NULL},
                 {"2020-01-01T25:00", NULL},
                 {"2020-01-01T10:00:00+15:00", NULL},
                 {"2020-01-01junk", NULL}};
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        char out[32];
        int rc = iiif_navdate(dates[i].in, out);
        if (dates[i].out == NULL)
            T_CHECK(rc == -1, "navDate '%s' refused", dates[i].in);
        else
            T_CHECK(rc == 0 && strcmp(out, dates[i].out) == 0, "navDate '%s' -> '%s', want '%s'", dates[i].in,
                    rc == 0 ? out : "(refused)", dates[i].out);
    }
    return t_done();
}
