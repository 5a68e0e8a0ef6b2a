/*
 * sidecar.h: descriptive metadata for a manifest or collection, from
 * `manifest.yml` / `collection.yml` (and rows of `metadata.csv`, which are
 * read into the same tree), normalised to Presentation 3.0 shapes.
 *
 * The YAML is forgiving: a plain string where the API wants a language map,
 * a URL where it wants a resource, a mapping `Label: value` for metadata,
 * `lat`/`lon` points for navPlace. See docs/presentation.md for every key.
 * A key whose value is wrong is left out and reported ("manifest.yml:12:
 * rights: ..."); the rest still applies, so a broken sidecar never breaks
 * the item.
 */
#ifndef TS_PRESENT_SIDECAR_H
#define TS_PRESENT_SIDECAR_H

#include <jansson.h>

#include "present/yaml.h"

struct ts_sidecar {
    json_t *props;       /* object: label, summary, metadata, rights, requiredStatement, provider, homepage,
                            seeAlso, rendering, behavior, viewingDirection, navDate, navPlace (without ids) */
    json_t *canvases;    /* object: file name -> object of the same properties for that canvas */
    json_t *structures;  /* array of ranges {"label": map, "items": [file name strings and ranges]}, or NULL */
    char *thumbnail;     /* a file of the folder, or an http(s) URL; NULL for the default */
    char *start;         /* the file of the canvas to start at, or NULL */
    json_t *problems;    /* array of strings: "FILE:LINE: key: what is wrong" */
    /*
     * Where the names of files were given, for the problems only the folder
     * can tell (a name that is not one of its images): "canvas:NAME",
     * "item:NAME" (in structures), "thumbnail" and "start" -> "FILE:LINE".
     */
    json_t *where;
};

/** Empties `s` (all NULL but `props`, `canvases` and `problems`, which are empty). */
void ts_sidecar_init(struct ts_sidecar *s);

void ts_sidecar_release(struct ts_sidecar *s);

/**
 * Reads the tree of a sidecar named `file` (for messages) into `s`, which
 * must have been initialised; later calls override earlier ones key by key,
 * so a folder's row of metadata.csv can be read first and its manifest.yml
 * after. Problems are appended to s->problems. Pure.
 */
void ts_sidecar_read(struct ts_sidecar *s, const struct ts_ynode *root, const char *file);

/** Where the name `key` ("canvas:p1.tif", "start", ...) was given, "FILE:LINE", or the file alone, or "". */
const char *ts_sidecar_where(const struct ts_sidecar *s, const char *key);

/** Adds a problem "FILE:LINE: text" to `s`. */
void ts_sidecar_problem(struct ts_sidecar *s, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
