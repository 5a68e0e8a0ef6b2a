/*
 * colour.c: conversion to display colour, shared by rendering and `convert`.
 */
#include "image/colour.h"

int ts_image_to_display(VipsImage *in, VipsImage **out, bool grey)
{
    VipsImage *t[4] = {0};
    int n = 0, rc = -1;
    VipsImage *cur = in;
    if (!grey && vips_image_get_typeof(cur, VIPS_META_ICC_NAME) != 0) {
        if (vips_icc_transform(cur, &t[n], "srgb", "embedded", TRUE, "depth", 8, NULL) == 0)
            cur = t[n++];
        else
            vips_error_clear(); /* a broken profile: fall back to the interpretation */
    }
    VipsInterpretation want = grey ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;
    if (vips_image_get_interpretation(cur) != want) {
        if (vips_colourspace(cur, &t[n], want, NULL) != 0) {
            vips_error_clear();
            if (vips_copy(cur, &t[n], "interpretation", want, NULL) != 0)
                goto out;
        }
        cur = t[n++];
    }
    if (cur->BandFmt != VIPS_FORMAT_UCHAR) {
        int r = cur->BandFmt == VIPS_FORMAT_USHORT ? vips_cast(cur, &t[n], VIPS_FORMAT_UCHAR, "shift", TRUE, NULL)
                                                   : vips_cast(cur, &t[n], VIPS_FORMAT_UCHAR, NULL);
        if (r != 0)
            goto out;
        cur = t[n++];
    }
    g_object_ref(cur);
    *out = cur;
    rc = 0;
out:
    for (int i = 0; i < n; i++)
        g_object_unref(t[i]);
    return rc;
}
