/*
 * csv.h: metadata.csv, one row per folder or file, read into the same
 * trees as YAML sidecars.
 *
 * The first row names the columns. `path` (required) is the folder or file
 * the row describes, relative to the CSV's folder ("." for that folder
 * itself). The other columns are sidecar keys: `label`, `summary`,
 * `rights`, `navDate`, `requiredStatement`, `homepage`, `rendering`,
 * `seeAlso`, `behavior`, `viewingDirection`, `thumbnail`, `start`; `lat`
 * and `lon` make a navPlace point; any other column is a metadata entry
 * named after its header. A header may end in `@lang` ("label@fr",
 * "Title@de") to give the language of its cells (labels, summaries and
 * metadata values without one are in "none"). Empty cells are skipped.
 *
 * The format is RFC 4180: commas, double quotes around fields that hold
 * commas, quotes (doubled) or line breaks, CRLF or LF line ends, an
 * optional UTF-8 byte-order mark.
 */
#ifndef TS_PRESENT_CSV_H
#define TS_PRESENT_CSV_H

#include <stddef.h>

#include "present/yaml.h"

struct ts_csv_row {
    char *path;                 /* as written in the `path` column */
    int line;                   /* 1-based line where the row starts */
    struct ts_ynode *tree;      /* the row as a sidecar tree (a mapping) */
};

struct ts_csv {
    size_t n;
    struct ts_csv_row *rows;
    size_t *index;              /* open-addressing table of row numbers + 1 by path (0: empty), for ts_csv_find */
    size_t index_cap;           /* a power of two, at least twice n */
};

/**
 * Parses a metadata.csv held in memory. Returns 0, or -1 with "line N:
 * what" in `msg` (no `path` column, an unclosed quote, a row with more
 * cells than the header, invalid UTF-8). Pure.
 */
int ts_csv_parse(const char *text, size_t len, struct ts_csv *out, char *msg, size_t msg_len);

void ts_csv_release(struct ts_csv *c);

/**
 * The row for `path` ("." for the folder), or NULL; the first one when
 * several name it. Paths compare after removing "./" and trailing "/". A
 * hash lookup: a catalogue of a hundred thousand rows costs the same per
 * item as one of ten.
 */
const struct ts_csv_row *ts_csv_find(const struct ts_csv *c, const char *path);

#endif
