/*
 * jpegerr.c: libjpeg errors as a longjmp with the message.
 */
#include "image/jpegerr.h"

#include <string.h>

void ts_jpeg_err_exit(j_common_ptr c)
{
    struct ts_jpeg_err *e = (struct ts_jpeg_err *)c->err;
    c->err->format_message(c, e->msg);
    longjmp(e->jump, 1);
}

/* Warnings (level -1) are errors; trace messages (level >= 0) are dropped. */
static void on_message(j_common_ptr c, int level)
{
    if (level < 0)
        ts_jpeg_err_exit(c);
}

struct jpeg_error_mgr *ts_jpeg_err_init(struct ts_jpeg_err *e)
{
    memset(e, 0, sizeof(*e));
    struct jpeg_error_mgr *m = jpeg_std_error(&e->pub);
    m->error_exit = ts_jpeg_err_exit;
    m->emit_message = on_message;
    return m;
}
