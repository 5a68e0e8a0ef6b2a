/*
 * store.h: the store interface: what tessera keeps in a database.
 *
 * A store is one database behind a backend: SQLite today (store/sqlite.h,
 * a file or memory), PostgreSQL later, behind the same operations. The
 * interface has the life cycle (open with its migrations applied, close),
 * transactions (read or write, commit, roll back) and, per family of
 * tables, the operations their users need; the SQL, and the query syntax of
 * the backend's full-text search, stay inside the backend. Each operation
 * is safe to call from any thread; a backend serialises its connection.
 *
 * Schema versions are numbered; a backend applies its migrations in order,
 * each in its own transaction with the version it reaches, and refuses a
 * database of a newer version than it knows (a newer tessera made it: its
 * data is not to be guessed at). ts_migrations_pending checks a list and
 * says where to start; it is pure.
 *
 * The first family is the catalogue (store/catalogue.h): one row per
 * Collection and Manifest of the tree with the words a person sees, and a
 * stamp saying which version of its folders the row was made from.
 */
#ifndef TS_STORE_STORE_H
#define TS_STORE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

/* One numbered step of a schema: `sql` takes a database at the previous version to `version`. */
struct ts_migration {
    int version;
    const char *what;   /* for the log: "catalogue: items and stamps" */
    const char *sql;
};

/**
 * Which migrations of `list` (`n` of them, by increasing version) a
 * database at version `current` needs: 0 with `*first` the index of the
 * first to apply (`n` when none), or -1 with a 500 when the list is out of
 * order or `current` is newer than its last version.
 */
int ts_migrations_pending(const struct ts_migration *list, int n, int current, int *first, struct ts_error *err);

/* A catalogue row (store/catalogue.h): an item of the tree and the words a person sees of it. */
struct ts_catalogue_row {
    const char *rel;        /* path under the root; "" is the root Collection */
    bool collection;        /* else a Manifest */
    const char *label, *summary, *metadata, *names;
    int64_t stamp;          /* the version of the folders the row was made from */
};

struct ts_catalogue_hit {
    char *rel;
    bool collection;
};

/*
 * An annotation as stored (the Web Annotation Protocol, issue 13): its
 * path under /annotations/ ("books/herbal/3f2a9c"), its container (the
 * manifest's path), the JSON as it is served, its ETag, and the canvases
 * it targets, by name within the manifest (for the manifest's per-canvas
 * pages; names, because canvas IRIs hold the public base, which may change).
 */
struct ts_text_row;

struct ts_anno_row {
    const char *id;
    const char *container;
    const char *json;
    const char *etag;
    int64_t created_ms, modified_ms;   /* wall-clock milliseconds */
    const char *const *canvases;
    size_t n_canvases;
    /* its searchable text, written in the same transaction (NULL: leave the text as it is) */
    const struct ts_text_row *text;
};

/* An annotation read back; free with ts_anno_recs_free. `json` is NULL once deleted. */
struct ts_anno_rec {
    char *id, *json, *etag;
    int64_t created_ms, modified_ms;
    bool deleted;
};

/*
 * Text to search (Content Search): one row per annotation with text (an
 * OCR line, a comment), with what the filters and the hits need.
 */
struct ts_text_row {
    const char *anno;         /* the annotation's id (as in ts_anno_row) */
    const char *container;    /* the manifest's path */
    const char *canvas;       /* the canvas IRI the text is on */
    int position;             /* the canvas's place in the manifest: hits come in this order */
    const char *motivation;   /* "supplementing", "commenting"... */
    int64_t created_ms;
    const char *text;
    const char *boxes;        /* what the caller keeps for hits (word boxes as JSON); the store does not read it */
};

/* A search hit; free with ts_text_hits_free. */
struct ts_text_hit {
    char *anno, *canvas, *motivation, *text, *boxes;
    int64_t created_ms;
};

/* An autocomplete term and how many rows of the container hold it. */
struct ts_text_term {
    char *term;
    long count;
};

struct ts_squery;

/* What a conditional write found, beside 0 (done) and -1 (an error in `err`). */
enum ts_store_outcome {
    TS_STORE_EXISTS = 1,    /* the id is taken (by a live annotation, or by a deleted one: IRIs are not reused) */
    TS_STORE_CHANGED,       /* the ETag given is not the current one */
    TS_STORE_ABSENT,        /* no such annotation */
    TS_STORE_GONE,          /* it was deleted */
};

struct ts_store;

struct ts_store_ops {
    const char *name;   /* "sqlite" */
    /* the schema version the database is at */
    int (*version)(struct ts_store *s);
    /* a transaction on the store's connection: `write` takes the write lock at once */
    int (*begin)(struct ts_store *s, bool write, struct ts_error *err);
    int (*commit)(struct ts_store *s, struct ts_error *err);
    void (*rollback)(struct ts_store *s);
    void (*close)(struct ts_store *s);

    /* the catalogue */
    /* the stamp of `rel`: 1 with *stamp when it has a row, 0 when not, -1 on errors */
    int (*cat_stamp)(struct ts_store *s, const char *rel, int64_t *stamp, struct ts_error *err);
    /* writes `row` (replacing the row of row->rel), seen in walk `generation` */
    int (*cat_put)(struct ts_store *s, const struct ts_catalogue_row *row, long generation, struct ts_error *err);
    /* marks the row of `rel` as seen in walk `generation` (its stamp unchanged) */
    int (*cat_seen)(struct ts_store *s, const char *rel, long generation, struct ts_error *err);
    /* drops every row not seen in walk `generation` */
    int (*cat_sweep)(struct ts_store *s, long generation, struct ts_error *err);
    /*
     * Rows matching search-box `text` (every word, as a prefix, in any
     * field; accents ignored), best first (label, then names, summary,
     * metadata): up to `limit` from `offset` into `*hits` (the caller frees
     * with ts_catalogue_hits_free) and the number of all matches into
     * `*total`. The number of hits, or -1 (400 when `text` has no words).
     */
    int (*cat_search)(struct ts_store *s, const char *text, int offset, int limit, struct ts_catalogue_hit **hits,
                      long *total, struct ts_error *err);

    /*
     * Annotations. Each write is durable when it returns 0 (committed and
     * synced, or part of the caller's transaction, durable at its commit).
     */
    /* stores a new annotation: 0, TS_STORE_EXISTS, or -1 */
    int (*anno_create)(struct ts_store *s, const struct ts_anno_row *row, struct ts_error *err);
    /* reads `id` into *out: 1 (deleted ones too, with json NULL), 0 when there is none, -1 */
    int (*anno_get)(struct ts_store *s, const char *id, struct ts_anno_rec *out, struct ts_error *err);
    /* replaces row->id when its ETag is `if_etag`: 0, TS_STORE_CHANGED, TS_STORE_ABSENT, TS_STORE_GONE, or -1 */
    int (*anno_replace)(struct ts_store *s, const struct ts_anno_row *row, const char *if_etag,
                        struct ts_error *err);
    /* deletes `id` (when `if_etag` is NULL or current) and its searchable text, remembering it as gone:
       outcomes as anno_replace */
    int (*anno_delete)(struct ts_store *s, const char *id, const char *if_etag, int64_t when_ms,
                       struct ts_error *err);
    /*
     * The live annotations of `container` (those targeting `canvas` when
     * not NULL), in the order they were made: up to `limit` from `offset`
     * into *out (ts_anno_recs_free) and the count of all into *total.
     * Returns how many, or -1.
     */
    int (*anno_list)(struct ts_store *s, const char *container, const char *canvas, int offset, int limit,
                     struct ts_anno_rec **out, long *total, struct ts_error *err);

    /* Searchable text (Content Search). */
    /* sets the text of row->anno (replacing what it had): 0 or -1 */
    int (*text_put)(struct ts_store *s, const struct ts_text_row *row, struct ts_error *err);
    /* drops the text of `anno` (none is fine): 0 or -1 */
    int (*text_drop)(struct ts_store *s, const char *anno, struct ts_error *err);
    /*
     * The rows of `container` matching query `q` (anno/query.h: all its
     * terms; any of its motivations; created within any of its date
     * ranges), in document order (canvas position, then as stored): up to `limit`
     * from `offset` into *hits and the count of all into *total. The number
     * of hits, or -1 (400 when there are terms but they hold no word and
     * no motivation is asked for). A query with neither terms nor
     * motivations is every row of the container.
     */
    int (*text_search)(struct ts_store *s, const char *container, const struct ts_squery *q, int offset, int limit,
                       struct ts_text_hit **hits, long *total, struct ts_error *err);
    /*
     * Terms of `container` starting with `prefix` (terms are kept folded:
     * lower case, accents removed; the prefix is folded for ASCII letters),
     * most frequent first: up to `limit` into *out
     * (ts_text_terms_free). The number, or -1.
     */
    int (*text_terms)(struct ts_store *s, const char *container, const char *prefix, int limit,
                      struct ts_text_term **out, struct ts_error *err);
};

/* The common head of every backend's store. */
struct ts_store {
    const struct ts_store_ops *ops;
};

static inline int ts_store_version(struct ts_store *s)
{
    return s->ops->version(s);
}

static inline int ts_store_begin(struct ts_store *s, bool write, struct ts_error *err)
{
    return s->ops->begin(s, write, err);
}

static inline int ts_store_commit(struct ts_store *s, struct ts_error *err)
{
    return s->ops->commit(s, err);
}

static inline void ts_store_rollback(struct ts_store *s)
{
    s->ops->rollback(s);
}

/** Closes the store. Accepts NULL. */
static inline void ts_store_close(struct ts_store *s)
{
    if (s != NULL)
        s->ops->close(s);
}

/** Frees what cat_search returned. */
void ts_catalogue_hits_free(struct ts_catalogue_hit *hits, int n);

/** Frees the strings of one record (anno_get). */
void ts_anno_rec_release(struct ts_anno_rec *r);

/** Frees what anno_list returned. */
void ts_anno_recs_free(struct ts_anno_rec *recs, int n);

/** Frees what text_search returned. */
void ts_text_hits_free(struct ts_text_hit *hits, int n);

/** Frees what text_terms returned. */
void ts_text_terms_free(struct ts_text_term *terms, int n);

#endif
