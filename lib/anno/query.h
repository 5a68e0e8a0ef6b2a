/*
 * query.h: a Content Search request (IIIF Content Search 2.0 and 1.0) as
 * terms and filters. Pure; fuzzed.
 *
 * `q` is a space-separated list of terms: words, "quoted phrases", and
 * words ending in '*' (prefixes); all must match. `motivation` is a list of
 * motivations (any matches), `date` a list of UTC ranges
 * (YYYY-MM-DDThh:mm:ssZ/YYYY-MM-DDThh:mm:ssZ, any matches), `page` the
 * page of hits. Every other parameter, and `user` (tessera keeps no users
 * yet), is listed as ignored, as the specification asks. Terms are kept as
 * typed (case and accents are the index's business); what the store's
 * full-text syntax makes of them is the backend's (store/fts.h).
 */
#ifndef TS_ANNO_QUERY_H
#define TS_ANNO_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_SQ_MAX_TERMS 16
#define TS_SQ_MAX_TERM 128
#define TS_SQ_MAX_MOTIVATIONS 8
#define TS_SQ_MAX_DATES 8
#define TS_SQ_MAX_IGNORED 8

struct ts_sq_term {
    char text[TS_SQ_MAX_TERM];   /* a word, or the words of a phrase separated by single spaces */
    bool phrase;
    bool prefix;                 /* a word typed with a trailing '*' (the '*' not kept) */
};

struct ts_squery {
    struct ts_sq_term terms[TS_SQ_MAX_TERMS];
    int n_terms;
    char motivations[TS_SQ_MAX_MOTIVATIONS][32];
    int n_motivations;
    int64_t date_from_ms[TS_SQ_MAX_DATES], date_to_ms[TS_SQ_MAX_DATES];
    int n_dates;
    long page;                   /* 1 when not given */
    char ignored[TS_SQ_MAX_IGNORED][32];
    int n_ignored;
};

/**
 * Parses query string `qs` (`n` bytes, without the '?'). 0, or -1 with a
 * 400 in `err`: no q (and no motivation), a term too long or too many, an
 * unknown motivation, a malformed date range or page.
 */
int ts_squery_parse(const char *qs, size_t n, struct ts_squery *out, struct ts_error *err);

/**
 * Milliseconds since the epoch of "YYYY-MM-DDThh:mm:ssZ" (exactly that
 * form; earlier than 1970 is negative, always a multiple of 1000); -1 when
 * malformed.
 */
int64_t ts_squery_date(const char *s, size_t n);

#endif
