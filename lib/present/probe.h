/*
 * probe.h: what a Canvas needs to know about an image (struct ts_pimage),
 * from a probed source, or straight from the file for the command line
 * (`tessera manifest`, `tessera export`; the server goes through its
 * metadata cache, http/present_routes.c).
 */
#ifndef TS_PRESENT_PROBE_H
#define TS_PRESENT_PROBE_H

#include "iiif/plan.h"
#include "image/source.h"
#include "present/manifest.h"
#include "resolve/fs.h"

/** Fills `out` from `src`: size, an advertised thumbnail size of at least `thumb_px`, EXIF facts. */
void ts_pimage_of(const struct ts_source *src, uint32_t tile_size, const struct iiif_limits *lim, uint32_t thumb_px,
                  struct ts_pimage *out);

struct ts_file_probe {
    const struct ts_resolver *resolver;
    uint32_t tile_size;
    struct iiif_limits limits;
};

/** A ts_probe_fn reading the file each time; `ctx` is a struct ts_file_probe. */
int ts_file_probe(void *ctx, const char *rel, uint32_t thumb_px, struct ts_pimage *out, struct ts_error *err);

#endif
