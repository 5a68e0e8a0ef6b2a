/*
 * store.c: what every store backend shares.
 */
#include "store/store.h"

#include <stdlib.h>

int ts_migrations_pending(const struct ts_migration *list, int n, int current, int *first, struct ts_error *err)
{
    *first = n;
    for (int i = 1; i < n; i++) {
        if (list[i].version <= list[i - 1].version)
            return ts_error_set(err, 500, "the store's migrations are out of order (%d after %d)", list[i].version,
                                list[i - 1].version);
    }
    int last = n > 0 ? list[n - 1].version : 0;
    if (current > last)
        return ts_error_set(err, 500,
                            "the store is at schema version %d, newer than this tessera knows (%d): a newer "
                            "tessera made it; use that one, or another store",
                            current, last);
    for (int i = 0; i < n; i++) {
        if (list[i].version > current) {
            *first = i;
            break;
        }
    }
    return 0;
}

void ts_catalogue_hits_free(struct ts_catalogue_hit *hits, int n)
{
    for (int i = 0; i < n; i++)
        free(hits[i].rel);
    free(hits);
}

void ts_anno_rec_release(struct ts_anno_rec *r)
{
    free(r->id);
    free(r->json);
    free(r->etag);
    r->id = r->json = r->etag = NULL;
}

void ts_anno_recs_free(struct ts_anno_rec *recs, int n)
{
    for (int i = 0; i < n; i++)
        ts_anno_rec_release(&recs[i]);
    free(recs);
}

void ts_text_hits_free(struct ts_text_hit *hits, int n)
{
    for (int i = 0; i < n; i++) {
        free(hits[i].anno);
        free(hits[i].canvas);
        free(hits[i].motivation);
        free(hits[i].text);
        free(hits[i].boxes);
    }
    free(hits);
}

void ts_text_terms_free(struct ts_text_term *terms, int n)
{
    for (int i = 0; i < n; i++)
        free(terms[i].term);
    free(terms);
}
