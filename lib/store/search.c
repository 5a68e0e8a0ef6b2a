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

#define MAX_DEPTH 16
#define MAX_ITEMS 200000

struct ts_search {
    pthread_mutex_t lock;
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
    s->rescan_s = rescan_s;
    const char *where = path != NULL && path[0] != '\0' ? path : ":memory:";
    if (sqlite3_open_v2(where, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        ts_error_set(err, 500, "cannot open the search index %s: %s", where, s->db ? sqlite3_errmsg(s->db) : "");
        ts_search_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 5000);
    const char *schema =
        "PRAGMA journal_mode=WAL;"
        "CREATE VIRTUAL TABLE IF NOT EXISTS items USING fts5(rel UNINDEXED, kind UNINDEXED, label, summary, "
        "metadata, tokenize='unicode61 remove_diacritics 2');"
        "CREATE TABLE IF NOT EXISTS stamps(rel TEXT PRIMARY KEY, stamp INTEGER NOT NULL, seen INTEGER NOT NULL);";
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

struct walk {
    struct ts_search *s;
    const struct ts_present *p;
    sqlite3_stmt *get_stamp, *put_stamp, *del_item, *add_item;
    long count;
    bool failed;
};

/* Indexes item `rel` (a folder opened as `f`, or a loose image) when its stamp changed. */
static void index_item(struct walk *w, const char *rel, const struct ts_pfolder *f, int64_t stamp)
{
    if (++w->count > MAX_ITEMS)
        return;
    sqlite3_reset(w->get_stamp);
    sqlite3_bind_text(w->get_stamp, 1, rel, -1, SQLITE_STATIC);
    bool same = sqlite3_step(w->get_stamp) == SQLITE_ROW && sqlite3_column_int64(w->get_stamp, 0) == stamp;
    sqlite3_reset(w->get_stamp);
    if (!same) {
        struct ts_sidecar sc;
        ts_sidecar_init(&sc);
        struct ts_present quiet = *w->p;
        quiet.problems = NULL;
        ts_present_sidecars(&quiet, f, &sc);
        struct ts_buf label, summary, meta;
        ts_buf_init(&label, 1 << 16);
        ts_buf_init(&summary, 1 << 20);
        ts_buf_init(&meta, 1 << 20);
        text_of(json_object_get(sc.props, "label"), &label);
        if (label.len == 0) {
            const char *name = strrchr(rel, '/') != NULL ? strrchr(rel, '/') + 1 : rel;
            ts_buf_adds(&label, name[0] ? name : "Collection");
        }
        text_of(json_object_get(sc.props, "summary"), &summary);
        text_of(json_object_get(sc.props, "metadata"), &meta);
        text_of(sc.canvases, &meta); /* the canvases' labels, summaries and metadata */
        sqlite3_reset(w->del_item);
        sqlite3_bind_text(w->del_item, 1, rel, -1, SQLITE_STATIC);
        if (sqlite3_step(w->del_item) != SQLITE_DONE)
            w->failed = true;
        sqlite3_reset(w->add_item);
        sqlite3_bind_text(w->add_item, 1, rel, -1, SQLITE_STATIC);
        sqlite3_bind_text(w->add_item, 2, f->kind == TS_P_COLLECTION ? "Collection" : "Manifest", -1, SQLITE_STATIC);
        sqlite3_bind_text(w->add_item, 3, label.data ? label.data : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(w->add_item, 4, summary.data ? summary.data : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(w->add_item, 5, meta.data ? meta.data : "", -1, SQLITE_STATIC);
        if (sqlite3_step(w->add_item) != SQLITE_DONE)
            w->failed = true;
        sqlite3_reset(w->add_item);
        ts_buf_release(&label);
        ts_buf_release(&summary);
        ts_buf_release(&meta);
        ts_sidecar_release(&sc);
    }
    sqlite3_reset(w->put_stamp);
    sqlite3_bind_text(w->put_stamp, 1, rel, -1, SQLITE_STATIC);
    sqlite3_bind_int64(w->put_stamp, 2, stamp);
    sqlite3_bind_int64(w->put_stamp, 3, w->s->generation);
    if (sqlite3_step(w->put_stamp) != SQLITE_DONE)
        w->failed = true;
    sqlite3_reset(w->put_stamp);
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

static void walk_folder(struct walk *w, const char *rel, int64_t parent_stamp, int depth)
{
    struct ts_pfolder f;
    struct ts_error err;
    if (depth > MAX_DEPTH || w->count > MAX_ITEMS || ts_pfolder_open(w->p->resolver, rel, &f, &err) != 0)
        return;
    int64_t stamp = f.stamp > parent_stamp ? f.stamp : parent_stamp;
    index_item(w, rel, &f, stamp);
    if (f.kind == TS_P_COLLECTION) {
        for (size_t i = 0; i < f.n_folders; i++) {
            char *child = join(rel, f.folders[i]);
            if (child != NULL)
                walk_folder(w, child, f.stamp, depth + 1);
            free(child);
        }
        for (size_t i = 0; i < f.n_images; i++) {
            char *child = join(rel, f.images[i]);
            struct ts_pfolder img;
            if (child != NULL && ts_pfolder_open(w->p->resolver, child, &img, &err) == 0) {
                index_item(w, child, &img, img.stamp > f.stamp ? img.stamp : f.stamp);
                ts_pfolder_release(&img);
            }
            free(child);
        }
    }
    ts_pfolder_release(&f);
}

long ts_search_refresh(struct ts_search *s, const struct ts_present *p, bool force, struct ts_error *err)
{
    pthread_mutex_lock(&s->lock);
    time_t now = time(NULL);
    if (!force && s->refreshed != 0 && now - s->refreshed < s->rescan_s) {
        pthread_mutex_unlock(&s->lock);
        return 0;
    }
    s->generation++;
    struct walk w = {s, p, NULL, NULL, NULL, NULL, 0, false};
    long rc = -1;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        db_error(s, err, "begin");
        goto out;
    }
    if (sqlite3_prepare_v2(s->db, "SELECT stamp FROM stamps WHERE rel = ?1", -1, &w.get_stamp, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO stamps(rel, stamp, seen) VALUES (?1, ?2, ?3)", -1,
                           &w.put_stamp, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "DELETE FROM items WHERE rel = ?1", -1, &w.del_item, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "INSERT INTO items(rel, kind, label, summary, metadata) VALUES (?1, ?2, ?3, ?4, ?5)",
                           -1, &w.add_item, NULL) != SQLITE_OK) {
        db_error(s, err, "prepare");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    walk_folder(&w, "", 0, 0);
    /* what was not seen this time has gone */
    char sql[200];
    snprintf(sql, sizeof(sql),
             "DELETE FROM items WHERE rel IN (SELECT rel FROM stamps WHERE seen != %ld);"
             "DELETE FROM stamps WHERE seen != %ld;",
             s->generation, s->generation);
    if (w.failed || sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        db_error(s, err, "update");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        db_error(s, err, "commit");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    s->refreshed = now;
    rc = w.count;
out:
    sqlite3_finalize(w.get_stamp);
    sqlite3_finalize(w.put_stamp);
    sqlite3_finalize(w.del_item);
    sqlite3_finalize(w.add_item);
    pthread_mutex_unlock(&s->lock);
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
                           "ORDER BY bm25(items, 0.0, 0.0, 10.0, 3.0, 1.0), rel LIMIT ?2 OFFSET ?3",
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
