/*
 * answer.h: the image an answer will be, and whether it may be made, known
 * before any pixel is decoded. Pure.
 *
 * The plan (iiif/plan.h) gives the size before rotation; the answer sent is
 * that size turned by the rotation. Limits (max_width, max_height,
 * max_area) and the encoders' own limits bind on what is sent, so a
 * request whose rotated answer cannot be made is refused at once (400),
 * rather than after a decode that cannot end in an image.
 */
#ifndef TS_IMAGE_ANSWER_H
#define TS_IMAGE_ANSWER_H

#include <stdint.h>

#include "core/error.h"
#include "iiif/plan.h"

/**
 * The size of the answer to `p` as sent: the plan's size, its sides swapped
 * by a quarter or three-quarter turn, and for other angles the bounding box
 * of the turned image as libvips makes it (each side rounded to the nearest
 * pixel, at least 1; an oracle test in tests/unit/test_answer.c checks it
 * against libvips).
 */
void ts_answer_size(const struct iiif_plan *p, uint32_t *w, uint32_t *h);

/**
 * The longest side the encoder of format `f` writes, or 0 when it binds
 * after the server's own limits. JPEG 65500 (libjpeg-turbo), WebP 16383
 * (the format's 14-bit sizes), GIF 65535 (16-bit sizes), AVIF 16384 (libheif
 * reads no larger, and libaom writes a broken file past 65536); PNG, TIFF
 * and JPEG 2000 hold sizes far past any max_width.
 */
uint32_t ts_encoder_max_side(enum iiif_format f);

/**
 * Whether the answer to `p` may be made: its size as sent within the
 * encoder's sides, and within `lim` (max_width, max_height, max_area: a
 * right-angle turn is weighed unturned, as the size was asked for; other
 * angles by the bounding box sent). Returns 0, or -1 with `err` (400 and
 * what to ask for instead).
 */
int ts_answer_check(const struct iiif_plan *p, const struct iiif_limits *lim, struct ts_error *err);

#endif
