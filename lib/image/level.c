/*
 * level.c: the level an answer decodes from, and its region there.
 */
#include "image/level.h"

#include <math.h>

int ts_level_pick(const struct ts_source *s, double need)
{
    int best = 0;
    for (int i = 1; i < s->n_levels; i++) {
        if (s->levels[i].width == 0 || s->levels[i].height == 0)
            continue;
        double r = fmin((double)s->levels[0].width / s->levels[i].width,
                        (double)s->levels[0].height / s->levels[i].height);
        if (r <= need * 1.001)
            best = i;
    }
    return best;
}

/* Along one axis: level pixels [*a, *b) of a level `l` long that meet [x, x + w) of `f`. */
static void axis(uint32_t x, uint32_t w, uint32_t f, uint32_t l, uint32_t *a, uint32_t *b)
{
    if (f == 0 || l == 0) {
        *a = 0;
        *b = l > 0 ? 1 : 0;
        return;
    }
    /* pixel i meets the region when i * f < (x + w) * l and (i + 1) * f > x * l */
    uint64_t lo = (uint64_t)x * l / f;                                  /* floor(x * l / f) */
    uint64_t hi = ((uint64_t)x + w) * l;
    hi = hi / f + (hi % f != 0);                                         /* ceil((x + w) * l / f) */
    if (hi > l)
        hi = l;
    if (lo >= hi)
        lo = hi > 0 ? hi - 1 : 0;
    if (hi == lo)
        hi = lo + 1;
    *a = (uint32_t)lo;
    *b = (uint32_t)hi;
}

void ts_level_region(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t fw, uint32_t fh, uint32_t lw,
                     uint32_t lh, struct ts_rect *out)
{
    axis(x, w, fw, lw, &out->x0, &out->x1);
    axis(y, h, fh, lh, &out->y0, &out->y1);
}

void ts_level_of(const struct ts_source *src, const struct iiif_plan *p, struct ts_at_level *out)
{
    double need = p->width > 0 && p->height > 0 ? fmin((double)p->w / p->width, (double)p->h / p->height) : 1;
    out->level = ts_level_pick(src, need);
    const struct ts_level *l = &src->levels[out->level];
    bool swap = ts_orientation_swaps(src->orientation);
    out->lw = swap ? l->height : l->width;
    out->lh = swap ? l->width : l->height;
    ts_level_region(p->x, p->y, p->w, p->h, src->width, src->height, out->lw, out->lh, &out->r);
}
