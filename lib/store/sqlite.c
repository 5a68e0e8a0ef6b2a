/*
 * sqlite.c: stores in SQLite.
 */
#include "store/sqlite.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "anno/query.h"
#include "store/fts.h"

/*
 * Layouts 1 and 2 were the catalogue index before tessera had stores; its
 * rows are made from the folders, so those tables are dropped, not
 * converted, and the next walk fills them again.
 */
static const struct ts_migration migrations[] = {
    {3, "catalogue: items (FTS5) and stamps",
     "DROP TABLE IF EXISTS items; DROP TABLE IF EXISTS stamps;"
     "CREATE VIRTUAL TABLE items USING fts5(rel UNINDEXED, kind UNINDEXED, label, summary, metadata, names, "
     "tokenize='unicode61 remove_diacritics 2');"
     /* item: the FTS row of rel, so a row is replaced by rowid (rel is not indexed in FTS: a lookup by it scans) */
     "CREATE TABLE stamps(rel TEXT PRIMARY KEY, stamp INTEGER NOT NULL, seen INTEGER NOT NULL, item INTEGER);"},
    {4, "annotations and the canvases they target",
     /* a deleted annotation keeps its row (body NULL) so its IRI answers 410 and is never given out again */
     "CREATE TABLE annotations(id TEXT PRIMARY KEY, container TEXT NOT NULL, body TEXT, etag TEXT NOT NULL, "
     "created INTEGER NOT NULL, modified INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);"
     "CREATE INDEX annotations_by_container ON annotations(container, deleted);"
     "CREATE TABLE annotation_targets(annotation TEXT NOT NULL, canvas TEXT NOT NULL, "
     "PRIMARY KEY(annotation, canvas)) WITHOUT ROWID;"
     "CREATE INDEX annotation_targets_by_canvas ON annotation_targets(canvas, annotation);"},
    {5, "searchable text of annotations (Content Search)",
     "CREATE VIRTUAL TABLE annotation_text USING fts5(text, anno UNINDEXED, container UNINDEXED, canvas UNINDEXED, "
     "position UNINDEXED, motivation UNINDEXED, created UNINDEXED, boxes UNINDEXED, "
     "tokenize='unicode61 remove_diacritics 2');"
     "CREATE TABLE annotation_text_rows(anno TEXT PRIMARY KEY, item INTEGER NOT NULL);"
     "CREATE VIRTUAL TABLE annotation_vocab USING fts5vocab(annotation_text, 'instance');"},
};

struct sqlite_store {
    struct ts_store base;
    pthread_mutex_t lock;   /* the connection */
    sqlite3 *db;
    int version;
    sqlite3_stmt *get_stamp, *put_stamp, *set_seen, *del_item, *add_item, *count, *find;
    sqlite3_stmt *a_get, *a_insert, *a_update, *a_gone, *t_clear, *t_add, *a_count, *a_page, *a_count_c, *a_page_c;
};

static int db_error(struct sqlite_store *s, struct ts_error *err, const char *what)
{
    ts_log_error("store: %s: %s", what, sqlite3_errmsg(s->db));
    return ts_error_set(err, 500, "the store failed (%s)", what);
}

const struct ts_migration *ts_sqlite_migrations(int *n)
{
    *n = (int)(sizeof(migrations) / sizeof(migrations[0]));
    return migrations;
}

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Refuses a database newer than this backend knows; changes nothing (so a refused file is left as it was). */
static int check_version(struct sqlite_store *s, struct ts_error *err)
{
    int current = user_version(s->db);
    if (current < 0)
        return ts_error_set(err, 500, "cannot read the store: %s", sqlite3_errmsg(s->db));
    int n, first;
    const struct ts_migration *list = ts_sqlite_migrations(&n);
    return ts_migrations_pending(list, n, current, &first, err);
}

/*
 * Applies the pending migrations, each in a write transaction that reads
 * the version again (another process may have migrated meanwhile) and sets
 * the version it reaches.
 */
static int migrate(struct sqlite_store *s, struct ts_error *err)
{
    int n;
    const struct ts_migration *list = ts_sqlite_migrations(&n);
    int found = user_version(s->db); /* a new store is made, not migrated: nothing to log */
    for (int i = 0; i < n; i++) {
        if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            return ts_error_set(err, 500, "cannot migrate the store: %s", sqlite3_errmsg(s->db));
        int current = user_version(s->db);
        if (current < 0 || list[i].version <= current) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            if (current < 0)
                return ts_error_set(err, 500, "cannot read the store: %s", sqlite3_errmsg(s->db));
            continue; /* there already */
        }
        char *sql = sqlite3_mprintf("%s;PRAGMA user_version=%d;COMMIT;", list[i].sql, list[i].version);
        char *msg = NULL;
        int rc = sql != NULL ? sqlite3_exec(s->db, sql, NULL, NULL, &msg) : SQLITE_NOMEM;
        sqlite3_free(sql);
        if (rc != SQLITE_OK) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            ts_error_set(err, 500, "the store could not be migrated to version %d (%s): %s", list[i].version,
                         list[i].what, msg ? msg : sqlite3_errstr(rc));
            sqlite3_free(msg);
            return -1;
        }
        if (found > 0)
            ts_log_info("store: migrated from version %d to %d: %s", current, list[i].version, list[i].what);
    }
    /* and once more: another process may have taken it past this backend meanwhile */
    if (check_version(s, err) != 0)
        return -1;
    s->version = user_version(s->db);
    return 0;
}

static int prepare(struct sqlite_store *s)
{
    static const struct {
        size_t at;
        const char *sql;
    } stmts[] = {
        {offsetof(struct sqlite_store, get_stamp), "SELECT stamp FROM stamps WHERE rel = ?1"},
        {offsetof(struct sqlite_store, put_stamp),
         "INSERT OR REPLACE INTO stamps(rel, stamp, seen, item) VALUES (?1, ?2, ?3, ?4)"},
        {offsetof(struct sqlite_store, set_seen), "UPDATE stamps SET seen = ?2 WHERE rel = ?1"},
        {offsetof(struct sqlite_store, del_item),
         "DELETE FROM items WHERE rowid = (SELECT item FROM stamps WHERE rel = ?1)"},
        {offsetof(struct sqlite_store, add_item),
         "INSERT INTO items(rel, kind, label, summary, metadata, names) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
        {offsetof(struct sqlite_store, count), "SELECT count(*) FROM items WHERE items MATCH ?1"},
        {offsetof(struct sqlite_store, find),
         "SELECT rel, kind FROM items WHERE items MATCH ?1 "
         "ORDER BY bm25(items, 0.0, 0.0, 10.0, 3.0, 1.0, 5.0), rel LIMIT ?2 OFFSET ?3"},
        {offsetof(struct sqlite_store, a_get),
         "SELECT id, body, etag, created, modified, deleted FROM annotations WHERE id = ?1"},
        {offsetof(struct sqlite_store, a_insert),
         "INSERT INTO annotations(id, container, body, etag, created, modified) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
        {offsetof(struct sqlite_store, a_update), "UPDATE annotations SET body = ?2, etag = ?3, modified = ?4 WHERE id = ?1"},
        {offsetof(struct sqlite_store, a_gone),
         "UPDATE annotations SET body = NULL, etag = ?2, modified = ?3, deleted = 1 WHERE id = ?1"},
        {offsetof(struct sqlite_store, t_clear), "DELETE FROM annotation_targets WHERE annotation = ?1"},
        {offsetof(struct sqlite_store, t_add),
         "INSERT OR IGNORE INTO annotation_targets(annotation, canvas) VALUES (?1, ?2)"},
        {offsetof(struct sqlite_store, a_count), "SELECT count(*) FROM annotations WHERE container = ?1 AND deleted = 0"},
        {offsetof(struct sqlite_store, a_page),
         "SELECT id, body, etag, created, modified FROM annotations WHERE container = ?1 AND deleted = 0 "
         "ORDER BY rowid LIMIT ?2 OFFSET ?3"},
        {offsetof(struct sqlite_store, a_count_c),
         "SELECT count(*) FROM annotations a JOIN annotation_targets t ON t.annotation = a.id "
         "WHERE a.container = ?1 AND a.deleted = 0 AND t.canvas = ?2"},
        {offsetof(struct sqlite_store, a_page_c),
         "SELECT a.id, a.body, a.etag, a.created, a.modified FROM annotations a JOIN annotation_targets t "
         "ON t.annotation = a.id WHERE a.container = ?1 AND a.deleted = 0 AND t.canvas = ?2 "
         "ORDER BY a.rowid LIMIT ?3 OFFSET ?4"},
    };
    for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
        sqlite3_stmt **st = (sqlite3_stmt **)((char *)s + stmts[i].at);
        if (sqlite3_prepare_v3(s->db, stmts[i].sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
            return -1;
    }
    return 0;
}

static int op_version(struct ts_store *st)
{
    return ((struct sqlite_store *)st)->version;
}

static int exec_locked(struct sqlite_store *s, const char *sql, struct ts_error *err, const char *what)
{
    pthread_mutex_lock(&s->lock);
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    int out = rc == SQLITE_OK ? 0 : db_error(s, err, what);
    pthread_mutex_unlock(&s->lock);
    return out;
}

static int op_begin(struct ts_store *st, bool write, struct ts_error *err)
{
    return exec_locked((struct sqlite_store *)st, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", err, "begin");
}

static int op_commit(struct ts_store *st, struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    pthread_mutex_lock(&s->lock);
    int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    int out = 0;
    if (rc != SQLITE_OK) {
        out = db_error(s, err, "commit");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    pthread_mutex_unlock(&s->lock);
    return out;
}

static void op_rollback(struct ts_store *st)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    pthread_mutex_lock(&s->lock);
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&s->lock);
}

static void op_close(struct ts_store *st)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    sqlite3_stmt *all[] = {s->get_stamp, s->put_stamp, s->set_seen, s->del_item, s->add_item, s->count,
                           s->find,      s->a_get,     s->a_insert, s->a_update, s->a_gone,   s->t_clear,
                           s->t_add,     s->a_count,   s->a_page,   s->a_count_c, s->a_page_c};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        sqlite3_finalize(all[i]);
    if (s->db != NULL)
        sqlite3_close(s->db);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static int op_cat_stamp(struct ts_store *st, const char *rel, int64_t *stamp, struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    pthread_mutex_lock(&s->lock);
    sqlite3_reset(s->get_stamp);
    sqlite3_bind_text(s->get_stamp, 1, rel, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s->get_stamp), out;
    if (rc == SQLITE_ROW) {
        *stamp = sqlite3_column_int64(s->get_stamp, 0);
        out = 1;
    } else {
        out = rc == SQLITE_DONE ? 0 : db_error(s, err, "read a stamp");
    }
    sqlite3_reset(s->get_stamp);
    pthread_mutex_unlock(&s->lock);
    return out;
}

static bool step_done(sqlite3_stmt *st)
{
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    return ok;
}

static int op_cat_put(struct ts_store *st, const struct ts_catalogue_row *row, long generation, struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    pthread_mutex_lock(&s->lock);
    /* three statements, one change: a savepoint nests in the caller's transaction or stands alone */
    bool ok = sqlite3_exec(s->db, "SAVEPOINT cat_put", NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_bind_text(s->del_item, 1, row->rel, -1, SQLITE_STATIC);
    ok = ok && step_done(s->del_item);
    sqlite3_bind_text(s->add_item, 1, row->rel, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->add_item, 2, row->collection ? "Collection" : "Manifest", -1, SQLITE_STATIC);
    sqlite3_bind_text(s->add_item, 3, row->label ? row->label : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s->add_item, 4, row->summary ? row->summary : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s->add_item, 5, row->metadata ? row->metadata : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s->add_item, 6, row->names ? row->names : "", -1, SQLITE_STATIC);
    ok = ok && step_done(s->add_item);
    sqlite3_int64 item = sqlite3_last_insert_rowid(s->db);
    sqlite3_bind_text(s->put_stamp, 1, row->rel, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s->put_stamp, 2, row->stamp);
    sqlite3_bind_int64(s->put_stamp, 3, generation);
    sqlite3_bind_int64(s->put_stamp, 4, item);
    ok = ok && step_done(s->put_stamp);
    int out = ok ? 0 : db_error(s, err, "write a catalogue row");
    if (!ok)
        sqlite3_exec(s->db, "ROLLBACK TO cat_put", NULL, NULL, NULL);
    sqlite3_exec(s->db, "RELEASE cat_put", NULL, NULL, NULL);
    pthread_mutex_unlock(&s->lock);
    return out;
}

static int op_cat_seen(struct ts_store *st, const char *rel, long generation, struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    pthread_mutex_lock(&s->lock);
    sqlite3_bind_text(s->set_seen, 1, rel, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s->set_seen, 2, generation);
    int out = step_done(s->set_seen) ? 0 : db_error(s, err, "mark a catalogue row");
    pthread_mutex_unlock(&s->lock);
    return out;
}

static int op_cat_sweep(struct ts_store *st, long generation, struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    char sql[200];
    snprintf(sql, sizeof(sql),
             "BEGIN IMMEDIATE;DELETE FROM items WHERE rowid IN (SELECT item FROM stamps WHERE seen != %ld);"
             "DELETE FROM stamps WHERE seen != %ld;COMMIT;",
             generation, generation);
    pthread_mutex_lock(&s->lock);
    int out = 0;
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        out = db_error(s, err, "sweep the catalogue");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    pthread_mutex_unlock(&s->lock);
    return out;
}

static int op_cat_search(struct ts_store *st, const char *text, int offset, int limit,
                         struct ts_catalogue_hit **hits, long *total, struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    *hits = NULL;
    *total = 0;
    struct ts_buf q;
    ts_buf_init(&q, 1 << 14);
    int terms = ts_fts_query(text, &q);
    if (terms <= 0) {
        ts_buf_release(&q);
        return ts_error_set(err, 400, "the search has no words to look for");
    }
    struct ts_catalogue_hit *h = calloc((size_t)(limit > 0 ? limit : 1), sizeof(*h));
    if (h == NULL) {
        ts_buf_release(&q);
        return ts_error_set(err, 500, "out of memory");
    }
    pthread_mutex_lock(&s->lock);
    sqlite3_bind_text(s->count, 1, q.data, -1, SQLITE_STATIC);
    bool ok = sqlite3_step(s->count) == SQLITE_ROW;
    if (ok)
        *total = sqlite3_column_int64(s->count, 0);
    else
        db_error(s, err, "search the catalogue");
    sqlite3_reset(s->count);
    sqlite3_bind_text(s->find, 1, q.data, -1, SQLITE_STATIC);
    sqlite3_bind_int(s->find, 2, limit);
    sqlite3_bind_int(s->find, 3, offset);
    int n = 0, rc = SQLITE_DONE;
    while (ok && n < limit && (rc = sqlite3_step(s->find)) == SQLITE_ROW) {
        const char *rel = (const char *)sqlite3_column_text(s->find, 0);
        const char *kind = (const char *)sqlite3_column_text(s->find, 1);
        h[n].rel = strdup(rel != NULL ? rel : "");
        h[n].collection = kind != NULL && strcmp(kind, "Collection") == 0;
        n++;
    }
    if (ok && rc != SQLITE_DONE && !(rc == SQLITE_ROW && n == limit)) {
        db_error(s, err, "search the catalogue");
        ok = false;
    }
    sqlite3_reset(s->find);
    sqlite3_clear_bindings(s->find);
    sqlite3_clear_bindings(s->count);
    pthread_mutex_unlock(&s->lock);
    ts_buf_release(&q);
    if (!ok) {
        ts_catalogue_hits_free(h, n);
        *total = 0;
        return -1;
    }
    *hits = h;
    return n;
}

/*
 * A write of several statements: a savepoint, so it nests in the caller's
 * transaction or, alone, commits (and, synchronous=FULL, syncs) on release.
 */
static bool write_begin(struct sqlite_store *s)
{
    return sqlite3_exec(s->db, "SAVEPOINT w", NULL, NULL, NULL) == SQLITE_OK;
}

static int write_end(struct sqlite_store *s, bool ok, struct ts_error *err, const char *what)
{
    int out = 0;
    if (!ok) {
        out = db_error(s, err, what);
        sqlite3_exec(s->db, "ROLLBACK TO w", NULL, NULL, NULL);
    }
    if (sqlite3_exec(s->db, "RELEASE w", NULL, NULL, NULL) != SQLITE_OK && out == 0) {
        out = db_error(s, err, what);
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return out;
}

static char *column_dup(sqlite3_stmt *st, int i)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    return v != NULL ? strdup(v) : NULL;
}

/* The current ETag and state of `id`: 1 live, TS_STORE_GONE, TS_STORE_ABSENT, or -1; the lock is held. */
static int current(struct sqlite_store *s, const char *id, char *etag, size_t cap)
{
    sqlite3_reset(s->a_get);
    sqlite3_bind_text(s->a_get, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s->a_get), out;
    if (rc == SQLITE_ROW) {
        const char *e = (const char *)sqlite3_column_text(s->a_get, 2);
        snprintf(etag, cap, "%s", e != NULL ? e : "");
        out = sqlite3_column_int(s->a_get, 5) ? TS_STORE_GONE : 1;
    } else {
        out = rc == SQLITE_DONE ? TS_STORE_ABSENT : -1;
    }
    sqlite3_reset(s->a_get);
    return out;
}

static bool put_targets(struct sqlite_store *s, const struct ts_anno_row *row)
{
    sqlite3_bind_text(s->t_clear, 1, row->id, -1, SQLITE_STATIC);
    bool ok = step_done(s->t_clear);
    for (size_t i = 0; ok && i < row->n_canvases; i++) {
        sqlite3_bind_text(s->t_add, 1, row->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s->t_add, 2, row->canvases[i], -1, SQLITE_STATIC);
        ok = step_done(s->t_add);
    }
    return ok;
}

static bool text_set_locked(struct sqlite_store *s, const struct ts_text_row *row);
static int text_drop_locked(struct sqlite_store *s, const char *anno);

static int op_anno_create(struct ts_store *st, const struct ts_anno_row *row, struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    pthread_mutex_lock(&s->lock);
    char etag[128];
    int state = current(s, row->id, etag, sizeof(etag));
    if (state != TS_STORE_ABSENT) {
        int out = state < 0 ? db_error(s, err, "read an annotation") : TS_STORE_EXISTS;
        pthread_mutex_unlock(&s->lock);
        return out;
    }
    bool ok = write_begin(s);
    sqlite3_bind_text(s->a_insert, 1, row->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->a_insert, 2, row->container, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->a_insert, 3, row->json, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->a_insert, 4, row->etag, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s->a_insert, 5, row->created_ms);
    sqlite3_bind_int64(s->a_insert, 6, row->modified_ms);
    ok = ok && step_done(s->a_insert) && put_targets(s, row) && (row->text == NULL || text_set_locked(s, row->text));
    int out = write_end(s, ok, err, "store an annotation");
    pthread_mutex_unlock(&s->lock);
    return out;
}

static int op_anno_get(struct ts_store *st, const char *id, struct ts_anno_rec *out, struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&s->lock);
    sqlite3_reset(s->a_get);
    sqlite3_bind_text(s->a_get, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s->a_get), found;
    if (rc == SQLITE_ROW) {
        out->id = column_dup(s->a_get, 0);
        out->json = column_dup(s->a_get, 1);
        out->etag = column_dup(s->a_get, 2);
        out->created_ms = sqlite3_column_int64(s->a_get, 3);
        out->modified_ms = sqlite3_column_int64(s->a_get, 4);
        out->deleted = sqlite3_column_int(s->a_get, 5) != 0;
        found = out->id != NULL && out->etag != NULL && (out->deleted || out->json != NULL)
                    ? 1
                    : ts_error_set(err, 500, "out of memory");
    } else {
        found = rc == SQLITE_DONE ? 0 : db_error(s, err, "read an annotation");
    }
    sqlite3_reset(s->a_get);
    pthread_mutex_unlock(&s->lock);
    if (found < 0)
        ts_anno_rec_release(out);
    return found;
}

/* The outcome of a conditional write on `id` before it is made, or 0 to go ahead; the lock is held. */
static int precondition(struct sqlite_store *s, const char *id, const char *if_etag, struct ts_error *err)
{
    char etag[128];
    int state = current(s, id, etag, sizeof(etag));
    if (state < 0)
        return db_error(s, err, "read an annotation");
    if (state != 1)
        return state;
    if (if_etag != NULL && strcmp(if_etag, etag) != 0)
        return TS_STORE_CHANGED;
    return 0;
}

static int op_anno_replace(struct ts_store *st, const struct ts_anno_row *row, const char *if_etag,
                           struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    pthread_mutex_lock(&s->lock);
    int pre = precondition(s, row->id, if_etag, err);
    if (pre != 0) {
        pthread_mutex_unlock(&s->lock);
        return pre;
    }
    bool ok = write_begin(s);
    sqlite3_bind_text(s->a_update, 1, row->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->a_update, 2, row->json, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->a_update, 3, row->etag, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s->a_update, 4, row->modified_ms);
    ok = ok && step_done(s->a_update) && put_targets(s, row) && (row->text == NULL || text_set_locked(s, row->text));
    int out = write_end(s, ok, err, "replace an annotation");
    pthread_mutex_unlock(&s->lock);
    return out;
}

static int op_anno_delete(struct ts_store *st, const char *id, const char *if_etag, int64_t when_ms,
                          struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    pthread_mutex_lock(&s->lock);
    int pre = precondition(s, id, if_etag, err);
    if (pre != 0) {
        pthread_mutex_unlock(&s->lock);
        return pre;
    }
    char gone[64];
    snprintf(gone, sizeof(gone), "\"gone-%lld\"", (long long)when_ms);
    bool ok = write_begin(s);
    sqlite3_bind_text(s->a_gone, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->a_gone, 2, gone, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s->a_gone, 3, when_ms);
    ok = ok && step_done(s->a_gone);
    sqlite3_bind_text(s->t_clear, 1, id, -1, SQLITE_STATIC);
    ok = ok && step_done(s->t_clear) && text_drop_locked(s, id) == 0;
    int out = write_end(s, ok, err, "delete an annotation");
    pthread_mutex_unlock(&s->lock);
    return out;
}

static int op_anno_list(struct ts_store *st, const char *container, const char *canvas, int offset, int limit,
                        struct ts_anno_rec **out, long *total, struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    *out = NULL;
    *total = 0;
    struct ts_anno_rec *r = calloc((size_t)(limit > 0 ? limit : 1), sizeof(*r));
    if (r == NULL)
        return ts_error_set(err, 500, "out of memory");
    pthread_mutex_lock(&s->lock);
    sqlite3_stmt *count = canvas != NULL ? s->a_count_c : s->a_count, *page = canvas != NULL ? s->a_page_c : s->a_page;
    sqlite3_bind_text(count, 1, container, -1, SQLITE_STATIC);
    sqlite3_bind_text(page, 1, container, -1, SQLITE_STATIC);
    int at = 2;
    if (canvas != NULL) {
        sqlite3_bind_text(count, 2, canvas, -1, SQLITE_STATIC);
        sqlite3_bind_text(page, 2, canvas, -1, SQLITE_STATIC);
        at = 3;
    }
    sqlite3_bind_int(page, at, limit);
    sqlite3_bind_int(page, at + 1, offset);
    bool ok = sqlite3_step(count) == SQLITE_ROW;
    if (ok)
        *total = sqlite3_column_int64(count, 0);
    else
        db_error(s, err, "count annotations");
    sqlite3_reset(count);
    int n = 0, rc = SQLITE_DONE;
    while (ok && n < limit && (rc = sqlite3_step(page)) == SQLITE_ROW) {
        r[n].id = column_dup(page, 0);
        r[n].json = column_dup(page, 1);
        r[n].etag = column_dup(page, 2);
        r[n].created_ms = sqlite3_column_int64(page, 3);
        r[n].modified_ms = sqlite3_column_int64(page, 4);
        n++;
        if (r[n - 1].id == NULL || r[n - 1].json == NULL || r[n - 1].etag == NULL) {
            ts_error_set(err, 500, "out of memory");
            ok = false;
        }
    }
    if (ok && rc != SQLITE_DONE && !(rc == SQLITE_ROW && n == limit)) {
        db_error(s, err, "list annotations");
        ok = false;
    }
    sqlite3_reset(page);
    sqlite3_clear_bindings(page);
    sqlite3_clear_bindings(count);
    pthread_mutex_unlock(&s->lock);
    if (!ok) {
        ts_anno_recs_free(r, n);
        *total = 0;
        return -1;
    }
    *out = r;
    return n;
}

static int text_drop_locked(struct sqlite_store *s, const char *anno)
{
    sqlite3_stmt *del = NULL, *rows = NULL;
    bool ok = sqlite3_prepare_v2(s->db,
                                 "DELETE FROM annotation_text WHERE rowid = "
                                 "(SELECT item FROM annotation_text_rows WHERE anno = ?1)",
                                 -1, &del, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(s->db, "DELETE FROM annotation_text_rows WHERE anno = ?1", -1, &rows, NULL) ==
                  SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(del, 1, anno, -1, SQLITE_STATIC);
        sqlite3_bind_text(rows, 1, anno, -1, SQLITE_STATIC);
        ok = sqlite3_step(del) == SQLITE_DONE && sqlite3_step(rows) == SQLITE_DONE;
    }
    sqlite3_finalize(del);
    sqlite3_finalize(rows);
    return ok ? 0 : -1;
}

/* Replaces the text of row->anno (dropped when row->text is empty); the lock is held, inside a savepoint. */
static bool text_set_locked(struct sqlite_store *s, const struct ts_text_row *row)
{
    if (text_drop_locked(s, row->anno) != 0)
        return false;
    if (row->text == NULL || row->text[0] == '\0')
        return true;
    sqlite3_stmt *ins = NULL, *link = NULL;
    bool ok =
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO annotation_text(text, anno, container, canvas, position, motivation, created, "
                           "boxes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                           -1, &ins, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(s->db, "INSERT INTO annotation_text_rows(anno, item) VALUES (?1, ?2)", -1, &link, NULL) ==
            SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(ins, 1, row->text, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, row->anno, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, row->container, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, row->canvas, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 5, row->position);
        sqlite3_bind_text(ins, 6, row->motivation ? row->motivation : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 7, row->created_ms);
        sqlite3_bind_text(ins, 8, row->boxes ? row->boxes : "", -1, SQLITE_STATIC);
        ok = sqlite3_step(ins) == SQLITE_DONE;
        sqlite3_bind_text(link, 1, row->anno, -1, SQLITE_STATIC);
        sqlite3_bind_int64(link, 2, sqlite3_last_insert_rowid(s->db));
        ok = ok && sqlite3_step(link) == SQLITE_DONE;
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(link);
    return ok;
}

static int op_text_put(struct ts_store *st, const struct ts_text_row *row, struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    pthread_mutex_lock(&s->lock);
    bool ok = write_begin(s) && text_set_locked(s, row);
    int out = write_end(s, ok, err, "store searchable text");
    pthread_mutex_unlock(&s->lock);
    return out;
}

static int op_text_drop(struct ts_store *st, const char *anno, struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    pthread_mutex_lock(&s->lock);
    bool ok = write_begin(s) && text_drop_locked(s, anno) == 0;
    int out = write_end(s, ok, err, "drop searchable text");
    pthread_mutex_unlock(&s->lock);
    return out;
}

/* The WHERE clause of a search and its parameters after ?1 (the container): the match, motivations, dates. */
static int search_where(const struct ts_squery *q, const char *fts, struct ts_buf *sql)
{
    ts_buf_adds(sql, " WHERE container = ?1");
    if (fts != NULL)
        ts_buf_adds(sql, " AND annotation_text MATCH ?2");
    int at = fts != NULL ? 3 : 2;
    if (q->n_motivations > 0) {
        ts_buf_adds(sql, " AND motivation IN (");
        for (int i = 0; i < q->n_motivations; i++)
            ts_buf_addf(sql, "%s?%d", i ? ", " : "", at++);
        ts_buf_adds(sql, ")");
    }
    if (q->n_dates > 0) {
        ts_buf_adds(sql, " AND (");
        for (int i = 0; i < q->n_dates; i++) {
            ts_buf_addf(sql, "%s(created BETWEEN ?%d AND ?%d)", i ? " OR " : "", at, at + 1);
            at += 2;
        }
        ts_buf_adds(sql, ")");
    }
    return at;
}

static void search_bind(sqlite3_stmt *st, const char *container, const struct ts_squery *q, const char *fts)
{
    sqlite3_bind_text(st, 1, container, -1, SQLITE_STATIC);
    int at = 2;
    if (fts != NULL)
        sqlite3_bind_text(st, at++, fts, -1, SQLITE_STATIC);
    for (int i = 0; i < q->n_motivations; i++)
        sqlite3_bind_text(st, at++, q->motivations[i], -1, SQLITE_STATIC);
    for (int i = 0; i < q->n_dates; i++) {
        sqlite3_bind_int64(st, at++, q->date_from_ms[i]);
        sqlite3_bind_int64(st, at++, q->date_to_ms[i]);
    }
}

static int op_text_search(struct ts_store *st, const char *container, const struct ts_squery *q, int offset,
                          int limit, struct ts_text_hit **hits, long *total, struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    *hits = NULL;
    *total = 0;
    struct ts_buf fts;
    ts_buf_init(&fts, 1 << 14);
    int words = ts_fts_terms(q->terms, q->n_terms, &fts);
    /* terms that hold no word match nothing anyone typed; no terms and no motivation is every row */
    if (words < 0 || (words == 0 && q->n_terms > 0 && q->n_motivations == 0)) {
        ts_buf_release(&fts);
        return ts_error_set(err, 400, "the search has no words to look for");
    }
    const char *match = words > 0 ? fts.data : NULL;
    struct ts_buf count_sql, page_sql;
    ts_buf_init(&count_sql, 1 << 14);
    ts_buf_init(&page_sql, 1 << 14);
    ts_buf_adds(&count_sql, "SELECT count(*) FROM annotation_text");
    search_where(q, match, &count_sql);
    ts_buf_adds(&page_sql, "SELECT anno, canvas, motivation, text, boxes, created FROM annotation_text");
    int at = search_where(q, match, &page_sql);
    ts_buf_addf(&page_sql, " ORDER BY position, rowid LIMIT ?%d OFFSET ?%d", at, at + 1);
    struct ts_text_hit *h = calloc((size_t)(limit > 0 ? limit : 1), sizeof(*h));
    sqlite3_stmt *count = NULL, *page = NULL;
    int n = 0;
    pthread_mutex_lock(&s->lock);
    bool ok = h != NULL && count_sql.data != NULL && page_sql.data != NULL &&
              sqlite3_prepare_v2(s->db, count_sql.data, -1, &count, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(s->db, page_sql.data, -1, &page, NULL) == SQLITE_OK;
    if (ok) {
        search_bind(count, container, q, match);
        ok = sqlite3_step(count) == SQLITE_ROW;
        if (ok)
            *total = sqlite3_column_int64(count, 0);
    }
    if (ok) {
        search_bind(page, container, q, match);
        sqlite3_bind_int(page, at, limit);
        sqlite3_bind_int(page, at + 1, offset);
        int rc = SQLITE_DONE;
        while (n < limit && (rc = sqlite3_step(page)) == SQLITE_ROW) {
            struct ts_text_hit *x = &h[n++];
            x->anno = column_dup(page, 0);
            x->canvas = column_dup(page, 1);
            x->motivation = column_dup(page, 2);
            x->text = column_dup(page, 3);
            x->boxes = column_dup(page, 4);
            x->created_ms = sqlite3_column_int64(page, 5);
            if (x->anno == NULL || x->canvas == NULL || x->motivation == NULL || x->text == NULL || x->boxes == NULL)
                ok = false;
        }
        ok = ok && (rc == SQLITE_DONE || (rc == SQLITE_ROW && n == limit));
    }
    if (!ok && h != NULL)
        db_error(s, err, "search annotations");
    sqlite3_finalize(count);
    sqlite3_finalize(page);
    pthread_mutex_unlock(&s->lock);
    ts_buf_release(&fts);
    ts_buf_release(&count_sql);
    ts_buf_release(&page_sql);
    if (h == NULL)
        return ts_error_set(err, 500, "out of memory");
    if (!ok) {
        ts_text_hits_free(h, n);
        *total = 0;
        return -1;
    }
    *hits = h;
    return n;
}

static int op_text_terms(struct ts_store *st, const char *container, const char *prefix, int limit,
                         struct ts_text_term **out, struct ts_error *err)
{
    struct sqlite_store *s = (struct sqlite_store *)st;
    *out = NULL;
    char lo[TS_SQ_MAX_TERM + 8], hi[TS_SQ_MAX_TERM + 8];
    size_t n = strlen(prefix);
    if (n >= TS_SQ_MAX_TERM)
        return ts_error_set(err, 400, "the term to complete is longer than %d bytes", TS_SQ_MAX_TERM - 1);
    for (size_t i = 0; i <= n; i++)
        lo[i] = prefix[i] >= 'A' && prefix[i] <= 'Z' ? (char)(prefix[i] + 32) : prefix[i];
    /* every term that starts with lo sorts below lo followed by the largest code point */
    memcpy(hi, lo, n);
    memcpy(hi + n, "\xf4\x8f\xbf\xbf", 5);
    struct ts_text_term *t = calloc((size_t)(limit > 0 ? limit : 1), sizeof(*t));
    if (t == NULL)
        return ts_error_set(err, 500, "out of memory");
    sqlite3_stmt *q = NULL;
    int k = 0;
    pthread_mutex_lock(&s->lock);
    bool ok = sqlite3_prepare_v2(s->db,
                                 "SELECT v.term, count(DISTINCT v.doc) AS c FROM annotation_vocab v "
                                 "JOIN annotation_text x ON x.rowid = v.doc WHERE x.container = ?1 AND v.term >= ?2 "
                                 "AND v.term < ?3 GROUP BY v.term ORDER BY c DESC, v.term LIMIT ?4",
                                 -1, &q, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(q, 1, container, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, lo, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, hi, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 4, limit);
        int rc;
        while (k < limit && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            t[k].term = column_dup(q, 0);
            t[k].count = sqlite3_column_int64(q, 1);
            if (t[k++].term == NULL)
                ok = false;
        }
        ok = ok && (rc == SQLITE_DONE || rc == SQLITE_ROW);
    }
    if (!ok)
        db_error(s, err, "complete a term");
    sqlite3_finalize(q);
    pthread_mutex_unlock(&s->lock);
    if (!ok) {
        ts_text_terms_free(t, k);
        return -1;
    }
    *out = t;
    return k;
}

static const struct ts_store_ops sqlite_ops = {
    "sqlite",     op_version,   op_begin,   op_commit,   op_rollback,   op_close,
    op_cat_stamp, op_cat_put,   op_cat_seen, op_cat_sweep, op_cat_search,
    op_anno_create, op_anno_get, op_anno_replace, op_anno_delete, op_anno_list,
    op_text_put,  op_text_drop, op_text_search, op_text_terms,
};

struct ts_store *ts_sqlite_open(const char *path, struct ts_error *err)
{
    struct sqlite_store *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        ts_error_set(err, 500, "out of memory");
        return NULL;
    }
    s->base.ops = &sqlite_ops;
    pthread_mutex_init(&s->lock, NULL);
    const char *where = path != NULL && path[0] != '\0' ? path : ":memory:";
    if (sqlite3_open_v2(where, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        ts_error_set(err, 500, "cannot open the store %s: %s", where, s->db ? sqlite3_errmsg(s->db) : "");
        op_close(&s->base);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 5000);
    /* a store this backend must refuse is refused before anything is written to it (WAL files included) */
    if (check_version(s, err) != 0) {
        op_close(&s->base);
        return NULL;
    }
    char *msg = NULL;
    /* WAL, and every commit synced before it returns: a write is acknowledged only when durable */
    if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", NULL, NULL, &msg) != SQLITE_OK) {
        ts_error_set(err, 500, "cannot open the store %s: %s", where, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        op_close(&s->base);
        return NULL;
    }
    if (migrate(s, err) != 0) {
        op_close(&s->base);
        return NULL;
    }
    if (prepare(s) != 0) {
        ts_error_set(err, 500, "cannot prepare the store's statements: %s", sqlite3_errmsg(s->db));
        op_close(&s->base);
        return NULL;
    }
    return &s->base;
}
