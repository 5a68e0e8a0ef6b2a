/*
 * pages.h: the HTML of the viewer pages, for the server (http/viewer.c)
 * and for static exports (present/export.c). Pure.
 */
#ifndef TS_PRESENT_PAGES_H
#define TS_PRESENT_PAGES_H

#include "core/buf.h"

/** An OpenSeadragon page on `info_url`; assets under `assets` ("{base}/viewer/assets"). */
void ts_page_osd(struct ts_buf *b, const char *title, const char *assets, const char *osd_version,
                 const char *info_url, const char *home);

/** A Mirador page on the Manifest or Collection at `doc_url`. */
void ts_page_mirador(struct ts_buf *b, const char *title, const char *assets, const char *mirador_version,
                     const char *doc_url, const char *home);

/**
 * The version in `modules`/`pkg`/package.json (a node_modules folder), for
 * the versioned asset URLs; "" when the package is missing or odd.
 */
void ts_package_version(const char *modules, const char *pkg, char out[32]);

/** A string as a JavaScript literal inside <script> (JSON, with "<" escaped). */
void ts_page_js_string(struct ts_buf *b, const char *s);

#endif
