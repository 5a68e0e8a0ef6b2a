/*
 * pages.c: viewer pages.
 */
#include "present/pages.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ts_page_js_string(struct ts_buf *b, const char *s)
{
    json_t *j = json_string(s);
    char *d = j != NULL ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    for (const char *p = d != NULL ? d : "\"\""; *p != '\0'; p++) {
        if (*p == '<')
            ts_buf_adds(b, "\\u003c");
        else
            ts_buf_add(b, p, 1);
    }
    free(d);
    json_decref(j);
}

static void head(struct ts_buf *b, const char *title, const char *home)
{
    ts_buf_adds(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    ts_buf_add_html(b, title);
    ts_buf_adds(b, " - tessera</title><style>html,body{margin:0;height:100%;font-family:system-ui,sans-serif}"
                   "#v{position:absolute;top:2.2rem;left:0;right:0;bottom:0}header{height:2.2rem;line-height:2.2rem;"
                   "padding:0 .8rem;background:#222;color:#eee}header a{color:#9cf}</style></head><body>\n"
                   "<header><a href=\"");
    ts_buf_add_html(b, home);
    ts_buf_adds(b, "\">tessera</a> &middot; ");
    ts_buf_add_html(b, title);
    ts_buf_adds(b, "</header>\n<div id=\"v\"></div>\n");
}

static void script_src(struct ts_buf *b, const char *assets, const char *pkg, const char *version, const char *file)
{
    ts_buf_adds(b, "<script src=\"");
    ts_buf_add_html(b, assets);
    ts_buf_addf(b, "/%s-", pkg);
    ts_buf_add_html(b, version);
    ts_buf_addf(b, "/%s\"></script>\n", file);
}

void ts_page_osd(struct ts_buf *b, const char *title, const char *assets, const char *osd_version,
                 const char *info_url, const char *home)
{
    head(b, title, home);
    script_src(b, assets, "openseadragon", osd_version, "openseadragon.min.js");
    ts_buf_adds(b, "<script>\nwindow.viewer = OpenSeadragon({id: \"v\", prefixUrl: ");
    struct ts_buf prefix;
    ts_buf_init(&prefix, 8192);
    ts_buf_addf(&prefix, "%s/openseadragon-%s/images/", assets, osd_version);
    ts_page_js_string(b, prefix.data != NULL ? prefix.data : "");
    ts_buf_release(&prefix);
    ts_buf_adds(b, ", showNavigator: true, drawer: \"canvas\", crossOriginPolicy: \"Anonymous\", tileSources: [");
    ts_page_js_string(b, info_url);
    ts_buf_adds(b, "]});\n</script>\n</body></html>\n");
}

void ts_page_mirador(struct ts_buf *b, const char *title, const char *assets, const char *mirador_version,
                     const char *doc_url, const char *home)
{
    head(b, title, home);
    script_src(b, assets, "mirador", mirador_version, "mirador.min.js");
    ts_buf_adds(b, "<script>\nwindow.miradorInstance = Mirador.viewer({id: \"v\", windows: [{manifestId: ");
    ts_page_js_string(b, doc_url);
    ts_buf_adds(b, "}], window: {allowClose: false}, workspaceControlPanel: {enabled: false}});\n"
                   "</script>\n</body></html>\n");
}

void ts_package_version(const char *dir, const char *pkg, char out[32])
{
    char path[PATH_MAX];
    out[0] = '\0';
    snprintf(path, sizeof(path), "%s/%s/package.json", dir, pkg);
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    const char *v = json_string_value(json_object_get(j, "version"));
    if (v != NULL && strlen(v) < 32 && strspn(v, "0123456789.-abcdefghijklmnopqrstuvwxyz") == strlen(v))
        snprintf(out, 32, "%s", v);
    json_decref(j);
}
