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

#endif
