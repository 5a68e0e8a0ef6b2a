/*
 * output.c: freeing encoded answers (their bytes come from GLib's allocator,
 * libvips's and the direct paths' alike).
 */
#include "image/output.h"

#include <glib.h>

void ts_output_release(struct ts_output *out)
{
    if (out == NULL)
        return;
    g_free(out->data);
    out->data = NULL;
    out->len = 0;
}
