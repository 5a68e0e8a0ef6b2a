/*
 * jpegerr.h: the libjpeg error manager tessera uses: errors and warnings
 * (a truncated file, corrupt data) both jump back to the caller's setjmp
 * with the message, so a damaged file is reported rather than served grey.
 *
 *     struct ts_jpeg_err e;
 *     c.err = ts_jpeg_err_init(&e);
 *     if (setjmp(e.jump)) { ...destroy, report e.msg... }
 */
#ifndef TS_IMAGE_JPEGERR_H
#define TS_IMAGE_JPEGERR_H

#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE and size_t first */

#include <jpeglib.h>

struct ts_jpeg_err {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
};

/** Sets `e` up and returns the pointer to store in the codec's `err`. */
struct jpeg_error_mgr *ts_jpeg_err_init(struct ts_jpeg_err *e);

/** Formats the codec's current message into e->msg and jumps (the error_exit). */
void ts_jpeg_err_exit(j_common_ptr c) __attribute__((noreturn));

#endif
