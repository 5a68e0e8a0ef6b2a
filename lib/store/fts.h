/*
 * fts.h: what a person types into a search box, as an SQLite FTS5
 * query. Pure; fuzzed.
 *
 * Words are runs of letters and digits (any UTF-8 letter counts, so
 * "Café" and "東京" are words); everything else separates them. Each word
 * becomes a quoted prefix term ("caf"*), and all must match (AND), so no
 * input can use FTS5 operators or break the query's syntax.
 */
#ifndef TS_STORE_FTS_H
#define TS_STORE_FTS_H

#include "anno/query.h"
#include "core/buf.h"

#define TS_FTS_MAX_TERMS 16

/**
 * Appends the FTS5 query for `text` to `out`. Returns the number of terms
 * (0: nothing to search for; at most TS_FTS_MAX_TERMS are kept), or -1
 * when `out` is full.
 */
int ts_fts_query(const char *text, struct ts_buf *out);

/**
 * Appends the FTS5 query for Content Search terms (anno/query.h), all to
 * match: a word as "word", a prefix as "word"*, a phrase (or a word that
 * holds separators, "Gilli-flowers") as the phrase of its words. Only word
 * bytes ever reach FTS5. Returns the number of terms written (those with
 * no word are dropped), or -1 when `out` is full.
 */
int ts_fts_terms(const struct ts_sq_term *terms, int n, struct ts_buf *out);

#endif
