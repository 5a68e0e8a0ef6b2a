/*
 * vipserr.h: turning the libvips error buffer into a struct ts_error.
 */
#ifndef TS_IMAGE_VIPSERR_H
#define TS_IMAGE_VIPSERR_H

#include "core/error.h"

/**
 * Fills `err` with "`what`: <first line of the libvips error buffer>", with
 * every mention of `path` (may be NULL) replaced by "(source)" so that no
 * server path reaches a client, then clears the buffer. The buffer is shared
 * by the whole process, so call this right after the failing call.
 * Always returns -1.
 */
int ts_vips_error(struct ts_error *err, int status, const char *what, const char *path);

#endif
