/*
 * answer.c: the size of an answer as sent, and the limits on it.
 */
#include "image/answer.h"

#include <math.h>

void ts_answer_size(const struct iiif_plan *p, uint32_t *w, uint32_t *h)
{
    double d = p->degrees;
    if (d == 0 || d == 180) {
        *w = p->width;
        *h = p->height;
        return;
    }
    if (d == 90 || d == 270) {
        *w = p->height;
        *h = p->width;
        return;
    }
    double r = d * M_PI / 180.0, c = fabs(cos(r)), s = fabs(sin(r));
    double bw = rint((double)p->width * c + (double)p->height * s);
    double bh = rint((double)p->width * s + (double)p->height * c);
    *w = bw < 1 ? 1 : bw > UINT32_MAX ? UINT32_MAX : (uint32_t)bw;
    *h = bh < 1 ? 1 : bh > UINT32_MAX ? UINT32_MAX : (uint32_t)bh;
}

uint32_t ts_encoder_max_side(enum iiif_format f)
{
    switch (f) {
    case IIIF_FORMAT_JPG:
        return 65500;
    case IIIF_FORMAT_WEBP:
        return 16383;
    case IIIF_FORMAT_GIF:
        return 65535;
    case IIIF_FORMAT_AVIF:
        return 16384;
    default:
        return 0;
    }
}

static const char *format_name(enum iiif_format f)
{
    switch (f) {
    case IIIF_FORMAT_JPG:
        return "JPEG";
    case IIIF_FORMAT_WEBP:
        return "WebP";
    case IIIF_FORMAT_GIF:
        return "GIF";
    case IIIF_FORMAT_AVIF:
        return "AVIF";
    default:
        return "this format's";
    }
}

int ts_answer_check(const struct iiif_plan *p, const struct iiif_limits *lim, struct ts_error *err)
{
    uint32_t w, h;
    ts_answer_size(p, &w, &h);
    uint32_t side = ts_encoder_max_side(p->format);
    bool turned = p->degrees != 0 && p->degrees != 90 && p->degrees != 180 && p->degrees != 270;
    if (side != 0 && (w > side || h > side))
        return ts_error_set(err, 400,
                            "%s images are at most %u pixels a side, and this answer would be %ux%u%s: ask for a "
                            "smaller size or another format",
                            format_name(p->format), side, w, h, turned ? " once rotated" : "");
    if (!turned)
        return 0; /* the plan already holds the size asked for within the limits */
    if (w > lim->max_width || h > lim->max_height || (uint64_t)w * h > lim->max_area)
        return ts_error_set(err, 400,
                            "rotated by %g degrees this answer would be %ux%u pixels, over this server's limits "
                            "(max_width %u, max_height %u, max_area %llu): ask for a smaller size",
                            p->degrees, w, h, lim->max_width, lim->max_height, (unsigned long long)lim->max_area);
    return 0;
}
