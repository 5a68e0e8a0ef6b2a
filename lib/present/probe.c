/*
 * probe.c: images as Canvases see them.
 */
#include "present/probe.h"

#include "json/info.h"

void ts_pimage_of(const struct ts_source *src, uint32_t tile_size, const struct iiif_limits *lim, uint32_t thumb_px,
                  struct ts_pimage *out)
{
    out->width = src->width;
    out->height = src->height;
    ts_info_thumb_size(src, tile_size, lim, thumb_px, &out->thumb_w, &out->thumb_h);
    out->exif = src->exif;
}

int ts_file_probe(void *ctx, const char *rel, uint32_t thumb_px, struct ts_pimage *out, struct ts_error *err)
{
    const struct ts_file_probe *p = ctx;
    struct ts_resolved file;
    struct ts_source src;
    if (ts_resolve(p->resolver, rel, &file, err) != 0 || ts_source_open(file.path, &src, err) != 0)
        return -1;
    ts_pimage_of(&src, p->tile_size, &p->limits, thumb_px, out);
    ts_source_release(&src);
    return 0;
}
