/*
 * test_request.c: unit tests for lib/iiif/request.c, the image-request parser.
 *
 * Two tables: requests that parse (with every field of the result), and
 * requests that must be refused (with the word the message must contain, so
 * that the client learns which parameter was wrong). Every grammar branch of
 * Image API 2.1 and 3.0 appears in one or the other.
 */
#include "iiif/request.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "t.h"

#define V2 IIIF_V2
#define V3 IIIF_V3
#define ANY 0 /* both versions */

/* Region kinds */
#define RFULL IIIF_REGION_FULL
#define RSQ IIIF_REGION_SQUARE
#define RPX IIIF_REGION_PX
#define RPCT IIIF_REGION_PCT
/* Size kinds */
#define SMAX IIIF_SIZE_MAX
#define SFULL IIIF_SIZE_FULL
#define SW IIIF_SIZE_W
#define SH IIIF_SIZE_H
#define SPCT IIIF_SIZE_PCT
#define SWH IIIF_SIZE_WH
#define SCONF IIIF_SIZE_CONFINED

struct want {
    int ver;                      /* V2, V3 or ANY */
    const char *path;
    enum iiif_region_kind rk;
    double r[4];                  /* x,y,w,h: pixels or percentages */
    enum iiif_size_kind sk;
    int up;
    double s[2];                  /* w,h, or the percentage in s[0] */
    int mirror;
    double deg;
    enum iiif_quality q;
    enum iiif_format f;
};

#define DQ IIIF_QUALITY_DEFAULT
#define JPG IIIF_FORMAT_JPG

static const struct want good[] = {
    /* region */
    {ANY, "full/max/0/default.jpg", RFULL, {0}, SMAX, 0, {0}, 0, 0, DQ, JPG},
    {ANY, "square/max/0/default.jpg", RSQ, {0}, SMAX, 0, {0}, 0, 0, DQ, JPG},
    {ANY, "0,0,10,20/max/0/default.jpg", RPX, {0, 0, 10, 20}, SMAX, 0, {0}, 0, 0, DQ, JPG},
    {ANY, "10,20,30,40/max/0/default.jpg", RPX, {10, 20, 30, 40}, SMAX, 0, {0}, 0, 0, DQ, JPG},
    {ANY, "007,0,010,1/max/0/default.jpg", RPX, {7, 0, 10, 1}, SMAX, 0, {0}, 0, 0, DQ, JPG},
    {ANY, "1000000000,1000000000,1000000000,1000000000/max/0/default.jpg", RPX, {1e9, 1e9, 1e9, 1e9}, SMAX, 0, {0},
     0, 0, DQ, JPG},
    {ANY, "pct:10,20,30,40/max/0/default.jpg", RPCT, {10, 20, 30, 40}, SMAX, 0, {0}, 0, 0, DQ, JPG},
    {ANY, "pct:0,0,100,100/max/0/default.jpg", RPCT, {0, 0, 100, 100}, SMAX, 0, {0}, 0, 0, DQ, JPG},
    {ANY, "pct:0.5,1.25,50.75,99.999/max/0/default.jpg", RPCT, {0.5, 1.25, 50.75, 99.999}, SMAX, 0, {0}, 0, 0, DQ,
     JPG},
    {ANY, "pct:100,100,100,100/max/0/default.jpg", RPCT, {100, 100, 100, 100}, SMAX, 0, {0}, 0, 0, DQ, JPG},
    {ANY, "pct:100.0,0.0,0.001,1/max/0/default.jpg", RPCT, {100, 0, 0.001, 1}, SMAX, 0, {0}, 0, 0, DQ, JPG},
    /* Current behaviour: "1." and ".5" are accepted as decimals (see the report). */
    {ANY, "pct:1.,.5,10,10/max/0/default.jpg", RPCT, {1, 0.5, 10, 10}, SMAX, 0, {0}, 0, 0, DQ, JPG},
    /* size, both versions */
    {ANY, "full/100,/0/default.jpg", RFULL, {0}, SW, 0, {100, 0}, 0, 0, DQ, JPG},
    {ANY, "full/,100/0/default.jpg", RFULL, {0}, SH, 0, {0, 100}, 0, 0, DQ, JPG},
    {ANY, "full/pct:50/0/default.jpg", RFULL, {0}, SPCT, 0, {50, 0}, 0, 0, DQ, JPG},
    {ANY, "full/pct:0.5/0/default.jpg", RFULL, {0}, SPCT, 0, {0.5, 0}, 0, 0, DQ, JPG},
    {ANY, "full/pct:150/0/default.jpg", RFULL, {0}, SPCT, 0, {150, 0}, 0, 0, DQ, JPG}, /* the plan decides */
    {ANY, "full/pct:0/0/default.jpg", RFULL, {0}, SPCT, 0, {0, 0}, 0, 0, DQ, JPG},     /* the plan decides */
    {ANY, "full/100,200/0/default.jpg", RFULL, {0}, SWH, 0, {100, 200}, 0, 0, DQ, JPG},
    {ANY, "full/!100,200/0/default.jpg", RFULL, {0}, SCONF, 0, {100, 200}, 0, 0, DQ, JPG},
    {ANY, "full/1000000000,/0/default.jpg", RFULL, {0}, SW, 0, {1e9, 0}, 0, 0, DQ, JPG},
    {ANY, "full/0100,/0/default.jpg", RFULL, {0}, SW, 0, {100, 0}, 0, 0, DQ, JPG},
    /* size, 3.0 */
    {V3, "full/^max/0/default.jpg", RFULL, {0}, SMAX, 1, {0}, 0, 0, DQ, JPG},
    {V3, "full/^100,/0/default.jpg", RFULL, {0}, SW, 1, {100, 0}, 0, 0, DQ, JPG},
    {V3, "full/^,100/0/default.jpg", RFULL, {0}, SH, 1, {0, 100}, 0, 0, DQ, JPG},
    {V3, "full/^pct:150/0/default.jpg", RFULL, {0}, SPCT, 1, {150, 0}, 0, 0, DQ, JPG},
    {V3, "full/^100,200/0/default.jpg", RFULL, {0}, SWH, 1, {100, 200}, 0, 0, DQ, JPG},
    {V3, "full/^!100,200/0/default.jpg", RFULL, {0}, SCONF, 1, {100, 200}, 0, 0, DQ, JPG},
    /* size, 2.1 */
    {V2, "full/full/0/default.jpg", RFULL, {0}, SFULL, 0, {0}, 0, 0, DQ, JPG},
    /* rotation */
    {ANY, "full/max/90/default.jpg", RFULL, {0}, SMAX, 0, {0}, 0, 90, DQ, JPG},
    {ANY, "full/max/180/default.jpg", RFULL, {0}, SMAX, 0, {0}, 0, 180, DQ, JPG},
    {ANY, "full/max/270/default.jpg", RFULL, {0}, SMAX, 0, {0}, 0, 270, DQ, JPG},
    {ANY, "full/max/360/default.jpg", RFULL, {0}, SMAX, 0, {0}, 0, 360, DQ, JPG},
    {ANY, "full/max/22.5/default.jpg", RFULL, {0}, SMAX, 0, {0}, 0, 22.5, DQ, JPG},
    {ANY, "full/max/0.0001/default.jpg", RFULL, {0}, SMAX, 0, {0}, 0, 0.0001, DQ, JPG},
    {ANY, "full/max/359.999/default.jpg", RFULL, {0}, SMAX, 0, {0}, 0, 359.999, DQ, JPG},
    {ANY, "full/max/0090/default.jpg", RFULL, {0}, SMAX, 0, {0}, 0, 90, DQ, JPG},
    {ANY, "full/max/360.000/default.jpg", RFULL, {0}, SMAX, 0, {0}, 0, 360, DQ, JPG},
    {ANY, "full/max/!0/default.jpg", RFULL, {0}, SMAX, 0, {0}, 1, 0, DQ, JPG},
    {ANY, "full/max/!90/default.jpg", RFULL, {0}, SMAX, 0, {0}, 1, 90, DQ, JPG},
    {ANY, "full/max/!22.5/default.jpg", RFULL, {0}, SMAX, 0, {0}, 1, 22.5, DQ, JPG},
    /* quality and format */
    {ANY, "full/max/0/color.png", RFULL, {0}, SMAX, 0, {0}, 0, 0, IIIF_QUALITY_COLOR, IIIF_FORMAT_PNG},
    {ANY, "full/max/0/gray.webp", RFULL, {0}, SMAX, 0, {0}, 0, 0, IIIF_QUALITY_GRAY, IIIF_FORMAT_WEBP},
    {ANY, "full/max/0/bitonal.tif", RFULL, {0}, SMAX, 0, {0}, 0, 0, IIIF_QUALITY_BITONAL, IIIF_FORMAT_TIF},
    {ANY, "full/max/0/default.gif", RFULL, {0}, SMAX, 0, {0}, 0, 0, DQ, IIIF_FORMAT_GIF},
    {ANY, "full/max/0/default.jp2", RFULL, {0}, SMAX, 0, {0}, 0, 0, DQ, IIIF_FORMAT_JP2},
    {ANY, "full/max/0/default.avif", RFULL, {0}, SMAX, 0, {0}, 0, 0, DQ, IIIF_FORMAT_AVIF},
    {ANY, "full/max/0/default.pdf", RFULL, {0}, SMAX, 0, {0}, 0, 0, DQ, IIIF_FORMAT_PDF},
    /* percent-encoded parameters decode before parsing */
    {ANY, "full/%21100,200/0/default.jpg", RFULL, {0}, SCONF, 0, {100, 200}, 0, 0, DQ, JPG},
    {V3, "full/%5Emax/0/default.jpg", RFULL, {0}, SMAX, 1, {0}, 0, 0, DQ, JPG},
    {V3, "full/%5e%21100,200/0/default.jpg", RFULL, {0}, SCONF, 1, {100, 200}, 0, 0, DQ, JPG},
    {ANY, "0%2C0%2C10%2C10/max/0/default.jpg", RPX, {0, 0, 10, 10}, SMAX, 0, {0}, 0, 0, DQ, JPG},
    {ANY, "pct%3A10%2c20%2c30%2c40/max/0/default.jpg", RPCT, {10, 20, 30, 40}, SMAX, 0, {0}, 0, 0, DQ, JPG},
    {ANY, "full/100%2C/0/default.jpg", RFULL, {0}, SW, 0, {100, 0}, 0, 0, DQ, JPG},
    {ANY, "full/max/%2190/default.jpg", RFULL, {0}, SMAX, 0, {0}, 1, 90, DQ, JPG},
    {ANY, "full/max/22%2E5/default.jpg", RFULL, {0}, SMAX, 0, {0}, 0, 22.5, DQ, JPG},
    {ANY, "full/max/0/default%2Ejpg", RFULL, {0}, SMAX, 0, {0}, 0, 0, DQ, JPG},
    {ANY, "%66ull/m%61x/%30/%64efault.jpg", RFULL, {0}, SMAX, 0, {0}, 0, 0, DQ, JPG},
};

/* Requests that must fail with status 400 and a message containing `word`. */
static const struct {
    int ver;
    const char *path;
    const char *word;
} bad[] = {
    /* region */
    {ANY, "0,0,0,10/max/0/default.jpg", "region"},
    {ANY, "0,0,10,0/max/0/default.jpg", "region"},
    {ANY, "1000000001,0,1,1/max/0/default.jpg", "region"},
    {ANY, "0,0,1,4294967296/max/0/default.jpg", "region"},
    {ANY, "99999999999,0,10,10/max/0/default.jpg", "region"},
    {ANY, "0,0,99999999999999999999999999999999,1/max/0/default.jpg", "region"},
    {ANY, "-1,0,10,10/max/0/default.jpg", "region"},
    {ANY, "+1,0,10,10/max/0/default.jpg", "region"},
    {ANY, "1e2,0,10,10/max/0/default.jpg", "region"},
    {ANY, "1.5,0,10,10/max/0/default.jpg", "region"},
    {ANY, "0x10,0,10,10/max/0/default.jpg", "region"},
    {ANY, "0,0,10/max/0/default.jpg", "region"},
    {ANY, "0,0,10,10,10/max/0/default.jpg", "region"},
    {ANY, "0,0,,10/max/0/default.jpg", "region"},
    {ANY, ",0,10,10/max/0/default.jpg", "region"},
    {ANY, "0,0,10,10,/max/0/default.jpg", "region"},
    {ANY, ",,,/max/0/default.jpg", "region"},
    {ANY, "0, 0,10,10/max/0/default.jpg", "region"},
    {ANY, "0,0,10,10 /max/0/default.jpg", "region"},
    {ANY, "0%2C0%2C0%2C10/max/0/default.jpg", "region"},
    {ANY, "pct:0,0,0,10/max/0/default.jpg", "region"},
    {ANY, "pct:0,0,10,0/max/0/default.jpg", "region"},
    {ANY, "pct:0,0,0.0,10/max/0/default.jpg", "region"},
    {ANY, "pct:-1,0,10,10/max/0/default.jpg", "region"},
    {ANY, "pct:+1,0,10,10/max/0/default.jpg", "region"},
    {ANY, "pct:1e2,0,10,10/max/0/default.jpg", "region"},
    {ANY, "pct:1..2,0,10,10/max/0/default.jpg", "region"},
    {ANY, "pct:1.2.3,0,10,10/max/0/default.jpg", "region"},
    {ANY, "pct:.,0,10,10/max/0/default.jpg", "region"},
    {ANY, "pct: 1,0,10,10/max/0/default.jpg", "region"},
    {ANY, "pct:1,2,3/max/0/default.jpg", "region"},
    {ANY, "pct:1,2,3,4,5/max/0/default.jpg", "region"},
    {ANY, "pct:1,2,3,4,/max/0/default.jpg", "region"},
    {ANY, "pct:/max/0/default.jpg", "region"},
    {ANY, "pct:0000000000000000000000001,0,1,1/max/0/default.jpg", "region"},
    {ANY, "PCT:1,2,3,4/max/0/default.jpg", "region"},
    {ANY, "pct1,2,3,4/max/0/default.jpg", "region"},
    {ANY, "Full/max/0/default.jpg", "region"},
    {ANY, "FULL/max/0/default.jpg", "region"},
    {ANY, " full/max/0/default.jpg", "region"},
    {ANY, "full /max/0/default.jpg", "region"},
    {ANY, "full%20/max/0/default.jpg", "region"},
    {ANY, "squared/max/0/default.jpg", "region"},
    {ANY, "max/max/0/default.jpg", "region"},
    {ANY, "!full/max/0/default.jpg", "region"},
    {ANY, "^full/max/0/default.jpg", "region"},
    /* size */
    {V3, "full/full/0/default.jpg", "size"},
    {V3, "full/^full/0/default.jpg", "size"},
    {V2, "full/^full/0/default.jpg", "size"},
    {V2, "full/^max/0/default.jpg", "size"},
    {V2, "full/^100,/0/default.jpg", "size"},
    {V2, "full/^,100/0/default.jpg", "size"},
    {V2, "full/^pct:50/0/default.jpg", "size"},
    {V2, "full/^100,100/0/default.jpg", "size"},
    {V2, "full/^!100,100/0/default.jpg", "size"},
    {V2, "full/%5Emax/0/default.jpg", "size"},
    {ANY, "full/0,/0/default.jpg", "size"},
    {ANY, "full/,0/0/default.jpg", "size"},
    {ANY, "full/0,0/0/default.jpg", "size"},
    {ANY, "full/0,10/0/default.jpg", "size"},
    {ANY, "full/!0,10/0/default.jpg", "size"},
    {ANY, "full/!10,0/0/default.jpg", "size"},
    {ANY, "full/!10,/0/default.jpg", "size"},
    {ANY, "full/!,10/0/default.jpg", "size"},
    {ANY, "full/!,/0/default.jpg", "size"},
    {ANY, "full/!/0/default.jpg", "size"},
    {ANY, "full/!max/0/default.jpg", "size"},
    {ANY, "full/!pct:50/0/default.jpg", "size"},
    {ANY, "full/!!10,10/0/default.jpg", "size"},
    {V3, "full/^/0/default.jpg", "size"},
    {V3, "full/^^max/0/default.jpg", "size"},
    {V3, "full/!^10,10/0/default.jpg", "size"},
    {V3, "full/^!,10/0/default.jpg", "size"},
    {ANY, "full/,/0/default.jpg", "size"},
    {ANY, "full/10/0/default.jpg", "size"},
    {ANY, "full/10,10,10/0/default.jpg", "size"},
    {ANY, "full/10,,/0/default.jpg", "size"},
    {ANY, "full/-10,/0/default.jpg", "size"},
    {ANY, "full/+10,/0/default.jpg", "size"},
    {ANY, "full/1e2,/0/default.jpg", "size"},
    {ANY, "full/10.5,/0/default.jpg", "size"},
    {ANY, "full/,10.0/0/default.jpg", "size"},
    {ANY, "full/99999999999,/0/default.jpg", "size"},
    {ANY, "full/1000000001,/0/default.jpg", "size"},
    {ANY, "full/,99999999999/0/default.jpg", "size"},
    {ANY, "full/!99999999999,1/0/default.jpg", "size"},
    {ANY, "full/10 ,/0/default.jpg", "size"},
    {ANY, "full/pct:/0/default.jpg", "size"},
    {ANY, "full/pct:-5/0/default.jpg", "size"},
    {ANY, "full/pct:+5/0/default.jpg", "size"},
    {ANY, "full/pct:1e2/0/default.jpg", "size"},
    {ANY, "full/pct:abc/0/default.jpg", "size"},
    {ANY, "full/pct:50%25/0/default.jpg", "size"},
    {ANY, "full/pct:./0/default.jpg", "size"},
    {ANY, "full/pct:1.2.3/0/default.jpg", "size"},
    {ANY, "full/pct:50,50/0/default.jpg", "size"},
    {ANY, "full/pct:9999999999999999999999999/0/default.jpg", "size"},
    {ANY, "full/pct50/0/default.jpg", "size"},
    {ANY, "full/Max/0/default.jpg", "size"},
    {ANY, "full/MAX/0/default.jpg", "size"},
    {ANY, "full/max /0/default.jpg", "size"},
    {ANY, "full/square/0/default.jpg", "size"},
    {V2, "full/Full/0/default.jpg", "size"},
    /* rotation */
    {ANY, "full/max/-90/default.jpg", "rotation"},
    {ANY, "full/max/+90/default.jpg", "rotation"},
    {ANY, "full/max/361/default.jpg", "rotation"},
    {ANY, "full/max/360.1/default.jpg", "rotation"},
    {ANY, "full/max/360.0000001/default.jpg", "rotation"},
    {ANY, "full/max/99999999999/default.jpg", "rotation"},
    {ANY, "full/max/9999999999999999999999999/default.jpg", "rotation"},
    {ANY, "full/max/1e2/default.jpg", "rotation"},
    {ANY, "full/max/!/default.jpg", "rotation"},
    {ANY, "full/max/!!90/default.jpg", "rotation"},
    {ANY, "full/max/90!/default.jpg", "rotation"},
    {ANY, "full/max/!-1/default.jpg", "rotation"},
    {ANY, "full/max/abc/default.jpg", "rotation"},
    {ANY, "full/max/9 0/default.jpg", "rotation"},
    {ANY, "full/max/90%20/default.jpg", "rotation"},
    {ANY, "full/max/1..2/default.jpg", "rotation"},
    {ANY, "full/max/./default.jpg", "rotation"},
    {ANY, "full/max/90,0/default.jpg", "rotation"},
    {ANY, "full/max/0x10/default.jpg", "rotation"},
    {ANY, "full/max/NaN/default.jpg", "rotation"},
    {ANY, "full/max/inf/default.jpg", "rotation"},
    /* quality and format */
    {ANY, "full/max/0/default", "quality"},
    {ANY, "full/max/0/default.", "format"},
    {ANY, "full/max/0/.jpg", "quality"},
    {ANY, "full/max/0/native.jpg", "quality"},
    {ANY, "full/max/0/grey.jpg", "quality"},
    {ANY, "full/max/0/Default.jpg", "quality"},
    {ANY, "full/max/0/default..jpg", "quality"},
    {ANY, "full/max/0/default.jpg.png", "quality"},
    {ANY, "full/max/0/default.jpeg", "format"},
    {ANY, "full/max/0/default.JPG", "format"},
    {ANY, "full/max/0/default.bmp", "format"},
    {ANY, "full/max/0/default.jpg ", "format"},
    {ANY, "full/max/0/default.jp", "format"},
    {ANY, "full/max/0/default.jpgg", "format"},
    /* %2F, %00 and bad escapes inside parameters */
    {ANY, "full%2Fmax/max/0/default.jpg", "region"},
    {ANY, "full/max%2F/0/default.jpg", "size"},
    {ANY, "full/max/0%2F/default.jpg", "rotation"},
    {ANY, "full/max/0/default%2F.jpg", "quality"},
    {ANY, "full%00/max/0/default.jpg", "region"},
    {ANY, "full/max/0%00/default.jpg", "rotation"},
    {ANY, "full/max/0/default.jpg%00", "quality"},
    {ANY, "%ZZ/max/0/default.jpg", "region"},
    {ANY, "full/max%/0/default.jpg", "size"},
    {ANY, "full/max/%2/default.jpg", "rotation"},
    {ANY, "full/max/0/default.jp%", "quality"},
    /* control characters are never echoed into the one-line message */
    {ANY, "full%0A/max/0/default.jpg", "region"},
    {ANY, "full/max%0D%0AX-Evil:%201/0/default.jpg", "size"},
    {ANY, "full/max/0%09/default.jpg", "rotation"},
    {ANY, "full/max/0/default.jpg%0A", "quality"},
    {ANY, "pct:%7F/max/0/default.jpg", "region"},
    {ANY, "full/%FF%FE/0/default.jpg", "size"},
    /* segments */
    {ANY, "", "region"},
    {ANY, "/max/0/default.jpg", "region"},
    {ANY, "full//0/default.jpg", "size"},
    {ANY, "full/max//default.jpg", "rotation"},
    {ANY, "full/max/0/", "quality"},
    {ANY, "full/max/0", "expected"},
    {ANY, "full/max", "expected"},
    {ANY, "full", "expected"},
    {ANY, "full/max/0/default.jpg/", "too many"},
    {ANY, "full/max/0/default.jpg/extra", "too many"},
    {ANY, "abc/full/max/0/default.jpg", "too many"},
    {ANY, "////", "region"},
};

/* The message must be one line of printable ASCII: it becomes the body of the 400. */
static int one_line(const char *m)
{
    for (const unsigned char *p = (const unsigned char *)m; *p != '\0'; p++) {
        if (*p < 0x20 || *p >= 0x7f)
            return 0;
    }
    return 1;
}

static int close_to(double a, double b)
{
    return fabs(a - b) <= 1e-9 * (1 + fabs(b));
}

static void check_good(int ver, const struct want *w)
{
    struct iiif_req r;
    struct ts_error err;
    ts_error_clear(&err);
    int rc = iiif_req_parse((enum iiif_version)ver, w->path, strlen(w->path), &r, &err);
    T_CHECK(rc == 0, "v%d '%s': refused: %s", ver, w->path, err.msg);
    if (rc != 0)
        return;
    T_CHECK(r.version == (enum iiif_version)ver, "v%d '%s': version %d", ver, w->path, r.version);
    T_CHECK(r.region.kind == w->rk, "v%d '%s': region kind %d, want %d", ver, w->path, r.region.kind, w->rk);
    if (w->rk == RPX) {
        T_CHECK(r.region.x == w->r[0] && r.region.y == w->r[1] && r.region.w == w->r[2] && r.region.h == w->r[3],
                "v%d '%s': region %u,%u,%u,%u", ver, w->path, r.region.x, r.region.y, r.region.w, r.region.h);
    } else if (w->rk == RPCT) {
        T_CHECK(close_to(r.region.px, w->r[0]) && close_to(r.region.py, w->r[1]) && close_to(r.region.pw, w->r[2]) &&
                    close_to(r.region.ph, w->r[3]),
                "v%d '%s': region pct %g,%g,%g,%g", ver, w->path, r.region.px, r.region.py, r.region.pw, r.region.ph);
    }
    T_CHECK(r.size.kind == w->sk, "v%d '%s': size kind %d, want %d", ver, w->path, r.size.kind, w->sk);
    T_CHECK(r.size.upscale == (w->up != 0), "v%d '%s': upscale %d", ver, w->path, r.size.upscale);
    if (w->sk == SPCT) {
        T_CHECK(close_to(r.size.pct, w->s[0]), "v%d '%s': size pct %g", ver, w->path, r.size.pct);
    } else {
        T_CHECK(r.size.w == w->s[0] && r.size.h == w->s[1], "v%d '%s': size %u,%u", ver, w->path, r.size.w,
                r.size.h);
    }
    T_CHECK(r.rotation.mirror == (w->mirror != 0), "v%d '%s': mirror %d", ver, w->path, r.rotation.mirror);
    T_CHECK(close_to(r.rotation.degrees, w->deg), "v%d '%s': degrees %g, want %g", ver, w->path, r.rotation.degrees,
            w->deg);
    T_CHECK(r.quality == w->q, "v%d '%s': quality %d", ver, w->path, r.quality);
    T_CHECK(r.format == w->f, "v%d '%s': format %d", ver, w->path, r.format);
}

static void check_bad(int ver, const char *path, size_t len, const char *word)
{
    struct iiif_req r;
    struct ts_error err;
    ts_error_clear(&err);
    int rc = iiif_req_parse((enum iiif_version)ver, path, len, &r, &err);
    T_CHECK(rc == -1, "v%d '%s': accepted", ver, path);
    if (rc != -1)
        return;
    T_CHECK(err.status == 400, "v%d '%s': status %d", ver, path, err.status);
    T_CHECK(err.msg[0] != '\0', "v%d '%s': empty message", ver, path);
    T_CHECK(strstr(err.msg, word) != NULL, "v%d '%s': message '%s' does not name '%s'", ver, path, err.msg, word);
    T_CHECK(one_line(err.msg), "v%d '%s': message has control characters", ver, path);
}

static void test_tables(void)
{
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (good[i].ver == ANY || good[i].ver == V2)
            check_good(V2, &good[i]);
        if (good[i].ver == ANY || good[i].ver == V3)
            check_good(V3, &good[i]);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t len = strlen(bad[i].path);
        if (bad[i].ver == ANY || bad[i].ver == V2)
            check_bad(V2, bad[i].path, len, bad[i].word);
        if (bad[i].ver == ANY || bad[i].ver == V3)
            check_bad(V3, bad[i].path, len, bad[i].word);
    }
}

/* Raw bytes the tables cannot hold, and length handling. */
static void test_raw(void)
{
    static const char nul[] = "fu\0ll/max/0/default.jpg";
    check_bad(V3, nul, sizeof(nul) - 1, "region");
    static const char nul2[] = "full/max/0/default.jpg\0";
    check_bad(V3, nul2, sizeof(nul2) - 1, "quality");

    /* Only `len` bytes are read. */
    static const char longer[] = "full/max/0/default.jpgXYZ";
    struct iiif_req r;
    T_CHECK(iiif_req_parse(V3, longer, 22, &r, NULL) == 0 && r.format == JPG, "len 22 of '%s' refused", longer);
    T_CHECK(iiif_req_parse(V3, longer, 21, &r, NULL) == -1, "len 21 ('default.jp') accepted");

    /* Long parameters: 128 bytes after decoding is the limit, 3x that before. */
    char buf[2048];
    char seg[600];
    memset(seg, '1', 128);
    seg[128] = '\0';
    snprintf(buf, sizeof(buf), "full/%s,/0/default.jpg", seg);
    check_bad(V3, buf, strlen(buf), "size"); /* 129 bytes: too long */
    seg[127] = '\0';
    snprintf(buf, sizeof(buf), "full/%s,/0/default.jpg", seg);
    check_bad(V3, buf, strlen(buf), "size"); /* 128 bytes, but far over IIIF_MAX_PIXELS_PARAM */
    memset(seg, '0', 127);
    seg[126] = '5';
    seg[127] = '\0';
    snprintf(buf, sizeof(buf), "full/max/%s/default.jpg", seg);
    check_bad(V3, buf, strlen(buf), "rotation"); /* 127 digits: longer than any decimal we take */
    for (int i = 0; i < 130; i++)
        memcpy(seg + 3 * i, "%30", 3);
    seg[390] = '\0';
    snprintf(buf, sizeof(buf), "%s/max/0/default.jpg", seg);
    check_bad(V3, buf, strlen(buf), "region");
    /* The error even holds when NULL is passed for err. */
    T_CHECK(iiif_req_parse(V3, "full/full/0/default.jpg", 23, &r, NULL) == -1, "v3 full with NULL err");
}

static void test_names(void)
{
    /* quality names, format extensions and media types */
    static const char *const q[] = {"default", "color", "gray", "bitonal"};
    for (int i = 0; i < 4; i++)
        T_STREQ(iiif_quality_name((enum iiif_quality)i), q[i], "quality name");
    static const struct {
        enum iiif_format f;
        const char *ext, *mime;
    } f[] = {
        {IIIF_FORMAT_JPG, "jpg", "image/jpeg"},  {IIIF_FORMAT_PNG, "png", "image/png"},
        {IIIF_FORMAT_WEBP, "webp", "image/webp"}, {IIIF_FORMAT_TIF, "tif", "image/tiff"},
        {IIIF_FORMAT_GIF, "gif", "image/gif"},  {IIIF_FORMAT_JP2, "jp2", "image/jp2"},
        {IIIF_FORMAT_AVIF, "avif", "image/avif"}, {IIIF_FORMAT_PDF, "pdf", "application/pdf"},
    };
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        T_STREQ(iiif_format_ext(f[i].f), f[i].ext, "format ext");
        T_STREQ(iiif_format_mime(f[i].f), f[i].mime, f[i].ext);
        enum iiif_format got = IIIF_FORMAT_COUNT;
        T_CHECK(iiif_format_from_ext(f[i].ext, strlen(f[i].ext), &got) == 0 && got == f[i].f, "from_ext %s",
                f[i].ext);
    }
    enum iiif_format got;
    T_CHECK(iiif_format_from_ext("jpeg", 4, &got) == -1, "from_ext jpeg accepted");
    T_CHECK(iiif_format_from_ext("jp", 2, &got) == -1, "from_ext jp accepted");
    T_CHECK(iiif_format_from_ext("", 0, &got) == -1, "from_ext '' accepted");
    T_CHECK(iiif_format_from_ext("pngx", 3, &got) == 0 && got == IIIF_FORMAT_PNG, "from_ext reads only len bytes");
}

int main(void)
{
    test_tables();
    test_raw();
    test_names();
    return t_done();
}
