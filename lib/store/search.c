/*
 * search.c: the FTS5 index of the Presentation tree.
 */
#include "store/search.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "present/ftsquery.h"

#define MAX_ITEMS 200000
#define SCHEMA_VERSION 3
#define SCHEMA_VERSION_TEXT "3"

struct ts_search {
    pthread_mutex_t lock;          /* the database connection */
    pthread_mutex_t refresh_lock;  /* one refresh at a time */
    sqlite3 *db;
    int rescan_s;
    time_t refreshed;    /* 0: never */
    long generation;
};

static int db_error(struct ts_search *s, struct ts_error *err, const char *what)
{
    ts_log_error("search index: %s: %s", what, sqlite3_errmsg(s->db));
    return ts_error_set(err, 500, "the search index failed (%s)", what);
}

struct ts_search *ts_search_open(const char *path, int rescan_s, struct ts_error *err)
{
    struct ts_search *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        ts_error_set(err, 500, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->refresh_lock, NULL);
    s->rescan_s = rescan_s;
    const char *where = path != NULL && path[0] != '\0' ? path : ":memory:";
    if (sqlite3_open_v2(where, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        ts_error_set(err, 500, "cannot open the search index %s: %s", where, s->db ? sqlite3_errmsg(s->db) : "");
        ts_search_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 5000);
    /* the index is made from the folders: an index of an older layout is dropped and made again */
    sqlite3_stmt *uv = NULL;
    int version = 0;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &uv, NULL) == SQLITE_OK && sqlite3_step(uv) == SQLITE_ROW)
        version = sqlite3_column_int(uv, 0);
    sqlite3_finalize(uv);
    if (version != SCHEMA_VERSION)
        sqlite3_exec(s->db, "DROP TABLE IF EXISTS items; DROP TABLE IF EXISTS stamps;", NULL, NULL, NULL);
    const char *schema =
        "PRAGMA journal_mode=WAL;"
        "CREATE VIRTUAL TABLE IF NOT EXISTS items USING fts5(rel UNINDEXED, kind UNINDEXED, label, summary, "
        "metadata, names, tokenize='unicode61 remove_diacritics 2');"
        /* item: the FTS row of rel, so an item is replaced by rowid (rel is not indexed in FTS: a lookup by it scans) */
        "CREATE TABLE IF NOT EXISTS stamps(rel TEXT PRIMARY KEY, stamp INTEGER NOT NULL, seen INTEGER NOT NULL, "
        "item INTEGER);"
        "PRAGMA user_version=" SCHEMA_VERSION_TEXT ";";
    char *msg = NULL;
    if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        ts_error_set(err, 500, "cannot set up the search index: %s", msg ? msg : "");
        sqlite3_free(msg);
        ts_search_close(s);
        return NULL;
    }
    return s;
}

void ts_search_close(struct ts_search *s)
{
    if (s == NULL)
        return;
    if (s->db != NULL)
        sqlite3_close(s->db);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->refresh_lock);
    free(s);
}

/* All the strings of a language map (or of the labels and values of a metadata list), space-separated. */
static void text_of(const json_t *v, struct ts_buf *out)
{
    if (json_is_string(v)) {
        if (out->len > 0)
            ts_buf_adds(out, " ");
        ts_buf_adds(out, json_string_value(v));
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            text_of(x, out);
        }
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            text_of(x, out);
        }
    }
}

/* The words of a file or folder name: its stem, separators as spaces ("p3-hubble.jp2" -> "p3 hubble"). */
static void name_words(const char *name, bool strip_ext, struct ts_buf *out)
{
    const char *dot = strip_ext ? strrchr(name, '.') : NULL;
    size_t n = dot != NULL && dot != name ? (size_t)(dot - name) : strlen(name);
    if (out->len > 0)
        ts_buf_adds(out, " ");
    for (size_t i = 0; i < n; i++) {
        char c = name[i] == '_' || name[i] == '-' || name[i] == '.' ? ' ' : name[i];
        ts_buf_add(out, &c, 1);
    }
}

struct walk {
    struct ts_search *s;
    const struct ts_present *p;
    struct ts_walk *tw;
    sqlite3_stmt *get_stamp, *put_stamp, *del_item, *add_item;
    long count;           /* items seen */
    long in_batch;        /* items written since the last commit */
    bool failed;
};

/*
 * The index is written in batches of this many items, each one
 * transaction; the lock is held only while an item is written, so searches
 * go on while a large tree is read (they may see the batch in progress).
 */
#define BATCH 256

static int batch_begin(struct walk *w)
{
    pthread_mutex_lock(&w->s->lock);
    int rc = sqlite3_exec(w->s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    pthread_mutex_unlock(&w->s->lock);
    if (rc != SQLITE_OK) {
        w->failed = true;
        return -1;
    }
    return 0;
}

static int batch_end(struct walk *w)
{
    pthread_mutex_lock(&w->s->lock);
    int rc = sqlite3_exec(w->s->db, w->failed ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_exec(w->s->db, "ROLLBACK", NULL, NULL, NULL);
        w->failed = true;
    }
    pthread_mutex_unlock(&w->s->lock);
    w->in_batch = 0;
    return w->failed ? -1 : 0;
}

/*
 * Indexes item `rel` (a folder opened as `f`, or a loose image) when its
 * stamp changed: what a person sees of it (its label, or the one made from
 * its name; summary; metadata, provider and requiredStatement; its
 * canvases' labels and metadata) and the words of its name and its images'.
 */
static void index_item(struct walk *w, const char *rel, const struct ts_pfolder *f, int64_t stamp)
{
    if (w->failed || ++w->count > MAX_ITEMS)
        return;
    if (w->in_batch == 0 && batch_begin(w) != 0)
        return;
    w->in_batch++;
    pthread_mutex_lock(&w->s->lock);
    sqlite3_reset(w->get_stamp);
    sqlite3_bind_text(w->get_stamp, 1, rel, -1, SQLITE_STATIC);
    bool known = sqlite3_step(w->get_stamp) == SQLITE_ROW;
    bool same = known && sqlite3_column_int64(w->get_stamp, 0) == stamp;
    sqlite3_int64 item = known ? sqlite3_column_int64(w->get_stamp, 1) : 0;
    bool has_item = known && sqlite3_column_type(w->get_stamp, 1) != SQLITE_NULL;
    sqlite3_reset(w->get_stamp);
    pthread_mutex_unlock(&w->s->lock);
    struct ts_buf label, summary, meta, names;
    ts_buf_init(&label, 1 << 16);
    ts_buf_init(&summary, 1 << 20);
    ts_buf_init(&meta, 1 << 20);
    ts_buf_init(&names, 1 << 20);
    if (!same) {
        /* the sidecars are read without the lock: it is held only for the writes */
        struct ts_sidecar sc;
        ts_sidecar_init(&sc);
        struct ts_present quiet = *w->p;
        quiet.problems = NULL;
        ts_present_sidecars(&quiet, f, &sc);
        const char *name = strrchr(rel, '/') != NULL ? strrchr(rel, '/') + 1 : rel;
        bool image = f->kind == TS_P_IMAGE;
        text_of(json_object_get(sc.props, "label"), &label);
        if (label.len == 0) /* the label a viewer shows: the name, an image's without its extension */
            name_words(name[0] ? name : "Collection", image, &label);
        name_words(name, image, &names);
        text_of(json_object_get(sc.props, "summary"), &summary);
        static const char *const described[] = {"metadata", "provider", "requiredStatement"};
        for (size_t i = 0; i < sizeof(described) / sizeof(described[0]); i++)
            text_of(json_object_get(sc.props, described[i]), &meta);
        text_of(sc.canvases, &meta); /* the canvases' labels, summaries and metadata */
        if (f->kind == TS_P_MANIFEST) {
            for (size_t i = 0; i < f->n_images; i++)
                name_words(f->images[i], true, &names);
        }
        ts_sidecar_release(&sc);
    }
    pthread_mutex_lock(&w->s->lock);
    if (!same) {
        if (has_item) {
            sqlite3_reset(w->del_item);
            sqlite3_bind_int64(w->del_item, 1, item);
            if (sqlite3_step(w->del_item) != SQLITE_DONE)
                w->failed = true;
            sqlite3_reset(w->del_item);
        }
        sqlite3_reset(w->add_item);
        sqlite3_bind_text(w->add_item, 1, rel, -1, SQLITE_STATIC);
        sqlite3_bind_text(w->add_item, 2, f->kind == TS_P_COLLECTION ? "Collection" : "Manifest", -1, SQLITE_STATIC);
        sqlite3_bind_text(w->add_item, 3, label.data ? label.data : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(w->add_item, 4, summary.data ? summary.data : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(w->add_item, 5, meta.data ? meta.data : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(w->add_item, 6, names.data ? names.data : "", -1, SQLITE_STATIC);
        if (sqlite3_step(w->add_item) != SQLITE_DONE)
            w->failed = true;
        sqlite3_reset(w->add_item);
        item = sqlite3_last_insert_rowid(w->s->db);
        has_item = true;
    }
    sqlite3_reset(w->put_stamp);
    sqlite3_bind_text(w->put_stamp, 1, rel, -1, SQLITE_STATIC);
    sqlite3_bind_int64(w->put_stamp, 2, stamp);
    sqlite3_bind_int64(w->put_stamp, 3, w->s->generation);
    if (has_item)
        sqlite3_bind_int64(w->put_stamp, 4, item);
    else
        sqlite3_bind_null(w->put_stamp, 4);
    if (sqlite3_step(w->put_stamp) != SQLITE_DONE)
        w->failed = true;
    sqlite3_reset(w->put_stamp);
    pthread_mutex_unlock(&w->s->lock);
    ts_buf_release(&label);
    ts_buf_release(&summary);
    ts_buf_release(&meta);
    ts_buf_release(&names);
    if (w->in_batch >= BATCH)
        batch_end(w);
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *s = malloc(a + b + 2);
    if (s == NULL)
        return NULL;
    if (a > 0) {
        memcpy(s, dir, a);
        s[a++] = '/';
    }
    memcpy(s + a, name, b + 1);
    return s;
}

/* Indexes the item at `rel` and, for a Collection, everything below it: each real folder once. */
static void walk_folder(struct walk *w, const char *rel, int64_t parent_stamp, int depth)
{
    struct ts_pfolder f;
    struct ts_error err;
    if (w->failed || w->count > MAX_ITEMS || !ts_walk_depth_ok(w->tw, depth) || !ts_walk_ok(w->tw) ||
        ts_pfolder_open(w->p->resolver, w->tw, rel, &f, &err) != 0)
        return;
    const struct ts_walk_id *me = &f.chain[f.n_chain - 1];
    if (ts_walk_enter(w->tw, me->dev, me->ino) != 1) { /* an alias of a folder indexed already */
        ts_pfolder_release(&f);
        return;
    }
    /*
     * An item's text comes from its own sidecars and from the metadata.csv
     * of every folder above it, so its stamp is the newest of its folder's
     * and all of theirs: a change in the root's catalogue reaches every
     * item below.
     */
    int64_t stamp = f.stamp > parent_stamp ? f.stamp : parent_stamp;
    index_item(w, rel, &f, stamp);
    if (f.kind == TS_P_COLLECTION) {
        for (size_t i = 0; i < f.n_folders; i++) {
            char *child = join(rel, f.folders[i]);
            if (child != NULL)
                walk_folder(w, child, stamp, depth + 1);
            free(child);
        }
        for (size_t i = 0; i < f.n_images && ts_walk_ok(w->tw); i++) {
            char *child = join(rel, f.images[i]);
            struct ts_pfolder img;
            if (child != NULL && ts_pfolder_open(w->p->resolver, w->tw, child, &img, &err) == 0) {
                index_item(w, child, &img, img.stamp > stamp ? img.stamp : stamp);
                ts_pfolder_release(&img);
            }
            free(child);
        }
    }
    ts_pfolder_release(&f);
}

static long refresh(struct ts_search *s, const struct ts_present *p, struct ts_walk *tw, struct ts_error *err)
{
    struct walk w = {s, p, tw, NULL, NULL, NULL, NULL, 0, 0, false};
    long rc = -1;
    pthread_mutex_lock(&s->lock);
    s->generation++;
    bool prepared =
        sqlite3_prepare_v2(s->db, "SELECT stamp, item FROM stamps WHERE rel = ?1", -1, &w.get_stamp, NULL) ==
            SQLITE_OK &&
        sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO stamps(rel, stamp, seen, item) VALUES (?1, ?2, ?3, ?4)", -1,
                           &w.put_stamp, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(s->db, "DELETE FROM items WHERE rowid = ?1", -1, &w.del_item, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO items(rel, kind, label, summary, metadata, names) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &w.add_item, NULL) == SQLITE_OK;
    pthread_mutex_unlock(&s->lock);
    if (!prepared) {
        db_error(s, err, "prepare");
        goto out;
    }
    walk_folder(&w, "", 0, 0);
    if (w.in_batch > 0)
        batch_end(&w);
    if (w.failed) {
        db_error(s, err, "update");
        goto out;
    }
    if (ts_walk_gave_up(tw)) {
        /* what was not reached may still be there: keep it, and say why the index is not whole */
        ts_log_warn("catalogue index: stopped after %ld items: %s", w.count, tw->why);
    } else if (w.count > MAX_ITEMS) {
        ts_log_warn("catalogue index: only the first %d items are indexed", MAX_ITEMS);
    } else {
        /* the whole tree was seen: what was not seen this time has gone */
        char sql[200];
        snprintf(sql, sizeof(sql),
                 "BEGIN IMMEDIATE;DELETE FROM items WHERE rowid IN (SELECT item FROM stamps WHERE seen != %ld);"
                 "DELETE FROM stamps WHERE seen != %ld;COMMIT;",
                 s->generation, s->generation);
        pthread_mutex_lock(&s->lock);
        int ok = sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK;
        if (!ok)
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        pthread_mutex_unlock(&s->lock);
        if (!ok) {
            db_error(s, err, "update");
            goto out;
        }
    }
    rc = w.count;
out:
    pthread_mutex_lock(&s->lock);
    sqlite3_finalize(w.get_stamp);
    sqlite3_finalize(w.put_stamp);
    sqlite3_finalize(w.del_item);
    sqlite3_finalize(w.add_item);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

long ts_search_refresh(struct ts_search *s, const struct ts_present *p, bool force, struct ts_error *err)
{
    /* one refresh at a time; a search that finds one running answers from the index as it is */
    if (force)
        pthread_mutex_lock(&s->refresh_lock);
    else if (pthread_mutex_trylock(&s->refresh_lock) != 0)
        return 0;
    time_t now = time(NULL);
    if (!force && s->refreshed != 0 && now - s->refreshed < s->rescan_s) {
        pthread_mutex_unlock(&s->refresh_lock);
        return 0;
    }
    struct ts_walk own, *tw = p->walk;
    if (tw == NULL) {
        ts_pfolder_walk_init(p->resolver, &own);
        tw = &own;
    }
    long rc = refresh(s, p, tw, err);
    if (rc >= 0)
        s->refreshed = now;
    if (tw == &own)
        ts_walk_release(&own);
    pthread_mutex_unlock(&s->refresh_lock);
    return rc;
}

void ts_search_hits_free(struct ts_search_hit *hits, int n)
{
    for (int i = 0; i < n; i++)
        free(hits[i].rel);
    free(hits);
}

int ts_search_query(struct ts_search *s, const char *text, int offset, int limit, struct ts_search_hit **hits,
                    long *total, struct ts_error *err)
{
    *hits = NULL;
    *total = 0;
    struct ts_buf q;
    ts_buf_init(&q, 1 << 14);
    int terms = ts_fts_query(text, &q);
    if (terms <= 0) {
        ts_buf_release(&q);
        return ts_error_set(err, 400, "the search has no words to look for");
    }
    pthread_mutex_lock(&s->lock);
    int n = -1;
    sqlite3_stmt *count = NULL, *find = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM items WHERE items MATCH ?1", -1, &count, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "SELECT rel, kind FROM items WHERE items MATCH ?1 "
                           "ORDER BY bm25(items, 0.0, 0.0, 10.0, 3.0, 1.0, 5.0), rel LIMIT ?2 OFFSET ?3",
                           -1, &find, NULL) != SQLITE_OK) {
        db_error(s, err, "prepare");
        goto out;
    }
    sqlite3_bind_text(count, 1, q.data, -1, SQLITE_STATIC);
    if (sqlite3_step(count) == SQLITE_ROW)
        *total = sqlite3_column_int64(count, 0);
    sqlite3_bind_text(find, 1, q.data, -1, SQLITE_STATIC);
    sqlite3_bind_int(find, 2, limit);
    sqlite3_bind_int(find, 3, offset);
    struct ts_search_hit *h = calloc((size_t)(limit > 0 ? limit : 1), sizeof(*h));
    if (h == NULL) {
        ts_error_set(err, 500, "out of memory");
        goto out;
    }
    n = 0;
    int step;
    while (n < limit && (step = sqlite3_step(find)) == SQLITE_ROW) {
        const char *rel = (const char *)sqlite3_column_text(find, 0);
        const char *kind = (const char *)sqlite3_column_text(find, 1);
        h[n].rel = strdup(rel != NULL ? rel : "");
        h[n].collection = kind != NULL && strcmp(kind, "Collection") == 0;
        n++;
    }
    *hits = h;
out:
    sqlite3_finalize(count);
    sqlite3_finalize(find);
    pthread_mutex_unlock(&s->lock);
    ts_buf_release(&q);
    return n;
}
