/*
 * test_store.c: the store interface (store/store.h) with its SQLite
 * backend, numbered migrations, and the catalogue over a tree of folders
 * made here.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "anno/query.h"
#include "store/backend.h"
#include "store/catalogue.h"
#include "store/sqlite.h"
#include "t.h"

static char tmpdir[] = "/tmp/tessera-test-store-XXXXXX";

static const char *tmp(const char *name)
{
    static char path[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(path[k], sizeof(path[k]), "%s/%s", tmpdir, name);
    return path[k];
}

/* The version the SQLite backend's last migration reaches. */
static int latest(void)
{
    int n;
    const struct ts_migration *m = ts_sqlite_migrations(&n);
    return m[n - 1].version;
}

static void test_pending(void)
{
    static const struct ts_migration list[] = {{3, "a", ""}, {4, "b", ""}, {7, "c", ""}};
    static const struct ts_migration bad[] = {{3, "a", ""}, {3, "b", ""}};
    static const struct {
        int current, first, rc;
    } cases[] = {
        {0, 0, 0}, {1, 0, 0}, {2, 0, 0}, {3, 1, 0}, {4, 2, 0}, {5, 2, 0}, {6, 2, 0}, {7, 3, 0}, {8, 3, -1}, {99, 3, -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int first = -5;
        struct ts_error err;
        int rc = ts_migrations_pending(list, 3, cases[i].current, &first, &err);
        T_CHECK(rc == cases[i].rc && (rc != 0 || first == cases[i].first), "at version %d: rc %d first %d",
                cases[i].current, rc, first);
        if (rc != 0)
            T_CHECK(err.status == 500 && strstr(err.msg, "newer than this tessera knows") != NULL, "newer: %s",
                    err.msg);
    }
    int first;
    struct ts_error err;
    T_CHECK(ts_migrations_pending(bad, 2, 0, &first, &err) != 0 && strstr(err.msg, "out of order") != NULL,
            "a list out of order is refused");
    T_CHECK(ts_migrations_pending(list, 0, 0, &first, &err) == 0 && first == 0, "no migrations: nothing to do");
    int n;
    const struct ts_migration *m = ts_sqlite_migrations(&n);
    T_CHECK(n >= 1 && ts_migrations_pending(m, n, 0, &first, &err) == 0 && first == 0,
            "the SQLite backend's list is in order");
}

/* Runs one SQL statement on the file `db` outside tessera; returns its first integer, or -1. */
static long long sql1(const char *db, const char *sql)
{
    sqlite3 *c;
    if (sqlite3_open(db, &c) != SQLITE_OK)
        return -1;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) == SQLITE_OK) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        else if (rc == SQLITE_DONE)
            v = 0;
    }
    sqlite3_finalize(st);
    sqlite3_close(c);
    return v;
}

static void put(struct ts_store *s, const char *rel, bool coll, const char *label, const char *summary,
                const char *meta, const char *names, int64_t stamp, long gen)
{
    struct ts_catalogue_row row = {rel, coll, label, summary, meta, names, stamp};
    struct ts_error err;
    T_CHECK(s->ops->cat_put(s, &row, gen, &err) == 0, "put %s", rel);
}

/* The hits for `text`, as "rel,rel,..." (C: a Collection), or "!status". */
static const char *search(struct ts_store *s, const char *text, int offset, int limit, long *total)
{
    static char out[512];
    struct ts_catalogue_hit *h;
    struct ts_error err;
    long t = 0;
    int n = s->ops->cat_search(s, text, offset, limit, &h, &t, &err);
    if (total != NULL)
        *total = t;
    if (n < 0) {
        snprintf(out, sizeof(out), "!%d", err.status);
        return out;
    }
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s%s", i ? "," : "", h[i].rel,
                 h[i].collection ? "(C)" : "");
    ts_catalogue_hits_free(h, n);
    return out;
}

static void test_sqlite(void)
{
    struct ts_error err;
    const char *db = tmp("a.db");
    struct ts_store *s = ts_backend_open(db, &err);
    T_CHECK(s != NULL && strcmp(s->ops->name, "sqlite") == 0, "open a new file: %s", s ? "" : err.msg);
    if (s == NULL)
        return;
    T_CHECK(ts_store_version(s) == latest(), "a new store is at the latest version (%d)", ts_store_version(s));
    T_CHECK(sql1(db, "PRAGMA user_version") == latest(), "the file says so");
    put(s, "", true, "Collection", "", "", "", 1, 1);
    put(s, "books", true, "Books", "printed books", "", "books", 1, 1);
    put(s, "books/herbal", false, "A Herbal", "plants of the field", "Author Gérard", "herbal p001 p002", 5, 1);
    put(s, "maps/grid", false, "Grid", "", "", "herbal grid", 2, 1);
    int64_t stamp = 0;
    T_CHECK(s->ops->cat_stamp(s, "books/herbal", &stamp, &err) == 1 && stamp == 5, "stamp of a row");
    T_CHECK(s->ops->cat_stamp(s, "nothing", &stamp, &err) == 0, "no row: 0");
    long total;
    T_STREQ(search(s, "herbal", 0, 10, &total), "books/herbal,maps/grid", "the label ranks above the names");
    T_CHECK(total == 2, "total %ld", total);
    T_STREQ(search(s, "herb", 0, 10, NULL), "books/herbal,maps/grid", "words are prefixes");
    T_STREQ(search(s, "GERARD", 0, 10, NULL), "books/herbal", "case and accents are ignored");
    T_STREQ(search(s, "herbal plants", 0, 10, NULL), "books/herbal", "every word must match");
    T_STREQ(search(s, "book", 0, 10, NULL), "books(C)", "a Collection");
    T_STREQ(search(s, "herbal", 1, 1, &total), "maps/grid", "offset and limit");
    T_CHECK(total == 2, "the total counts all matches (%ld)", total);
    static const char *const hostile[] = {"herbal OR grid", "\"herbal", "herbal*", "label:herbal", "NEAR(herbal grid)",
                                          "herbal) OR (1", "-herbal", "^herbal"};
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        const char *got = search(s, hostile[i], 0, 10, NULL);
        T_CHECK(got[0] != '!', "FTS5 syntax in the search box is only words: %s -> %s", hostile[i], got);
    }
    T_STREQ(search(s, "herbal OR grid", 0, 10, NULL), "", "OR is a word to match, not an operator");
    put(s, "maps/or", false, "Herbal or grid", "", "", "", 2, 1);
    T_STREQ(search(s, "herbal OR grid", 0, 10, NULL), "maps/or", "so a row with the word matches");
    T_STREQ(search(s, "  ?!  ", 0, 10, NULL), "!400", "no words: 400");
    /* seen and sweep */
    T_CHECK(s->ops->cat_seen(s, "books/herbal", 2, &err) == 0 && s->ops->cat_seen(s, "", 2, &err) == 0, "seen in walk 2");
    put(s, "books", true, "Books", "printed books and manuscripts", "", "books", 3, 2);
    T_CHECK(s->ops->cat_sweep(s, 2, &err) == 0, "sweep walk 2");
    T_STREQ(search(s, "grid", 0, 10, NULL), "", "a row not seen in the walk is gone");
    T_STREQ(search(s, "manuscripts", 0, 10, NULL), "books(C)", "a row put again has its new words");
    T_STREQ(search(s, "printed", 0, 10, &total), "books(C)", "and only once");
    T_CHECK(total == 1, "one row for books (%ld)", total);
    T_CHECK(s->ops->cat_stamp(s, "books", &stamp, &err) == 1 && stamp == 3, "its new stamp");
    /* transactions */
    T_CHECK(ts_store_begin(s, true, &err) == 0, "begin");
    put(s, "undone", false, "Undone", "", "", "", 1, 2);
    T_STREQ(search(s, "undone", 0, 10, NULL), "undone", "inside the transaction the row is seen");
    ts_store_rollback(s);
    T_STREQ(search(s, "undone", 0, 10, NULL), "", "rolled back: gone");
    T_CHECK(ts_store_begin(s, true, &err) == 0, "begin again");
    put(s, "kept", false, "Kept", "", "", "", 1, 2);
    T_CHECK(ts_store_commit(s, &err) == 0, "commit");
    T_CHECK(ts_store_commit(s, &err) != 0 && err.status == 500, "a commit without a transaction is an error");
    ts_store_rollback(s); /* harmless without a transaction */
    ts_store_close(s);
    T_CHECK(sql1(db, "SELECT count(*) FROM stamps WHERE rel = 'kept'") == 1, "a committed row is in the file");
    s = ts_backend_open(db, &err);
    T_STREQ(s ? search(s, "kept", 0, 10, NULL) : "", "kept", "and there after reopening");
    T_STREQ(s ? search(s, "manuscripts", 0, 10, NULL) : "", "books(C)", "with the rest");
    /* a store that fails under a search says so: 500, not "no hits" */
    T_CHECK(s != NULL && sql1(db, "DROP TABLE items") == 0, "drop the catalogue behind the store's back");
    T_STREQ(s ? search(s, "kept", 0, 10, NULL) : "", "!500", "a search of a broken store: 500");
    ts_store_close(s);
    ts_store_close(NULL);

    s = ts_backend_open("", &err);
    T_CHECK(s != NULL && ts_store_version(s) == latest(), "a store in memory");
    if (s != NULL) {
        put(s, "m", false, "Memory", "", "", "", 1, 1);
        T_STREQ(search(s, "memory", 0, 10, NULL), "m", "works like a file");
    }
    ts_store_close(s);
}

static void test_migrations(void)
{
    struct ts_error err;
    /* layout 2 of the catalogue, before stores: dropped and made again */
    const char *old = tmp("old.db");
    T_CHECK(sql1(old, "CREATE TABLE items(rel TEXT, label TEXT)") == 0 &&
                sql1(old, "INSERT INTO items VALUES ('x', 'old')") == 0 && sql1(old, "PRAGMA user_version=2") == 0,
            "make a layout-2 file");
    struct ts_store *s = ts_backend_open(old, &err);
    T_CHECK(s != NULL && ts_store_version(s) == latest(), "layout 2 is migrated to the latest: %s", s ? "" : err.msg);
    T_STREQ(s ? search(s, "old", 0, 10, NULL) : "?", "", "its rows, made from folders, are dropped");
    if (s != NULL)
        put(s, "new", false, "New", "", "", "", 1, 1);
    ts_store_close(s);
    T_CHECK(sql1(old, "PRAGMA user_version") == latest(), "the file is at the latest version");
    /* newer than known: refused, untouched */
    const char *newer = tmp("newer.db");
    T_CHECK(sql1(newer, "CREATE TABLE annotations(id TEXT)") == 0 && sql1(newer, "PRAGMA user_version=9") == 0,
            "make a version-9 file");
    s = ts_backend_open(newer, &err);
    T_CHECK(s == NULL && err.status == 500 && strstr(err.msg, "version 9") != NULL, "a newer store is refused: %s",
            err.msg);
    T_CHECK(sql1(newer, "PRAGMA user_version") == 9 && sql1(newer, "SELECT count(*) FROM annotations") == 0,
            "and left as it was");
    char side[600];
    struct stat st;
    snprintf(side, sizeof(side), "%s-wal", newer);
    T_CHECK(stat(side, &st) != 0, "not even switched to WAL (no %s)", side);
    /* not a database */
    const char *text = tmp("text.db");
    FILE *f = fopen(text, "w");
    for (int i = 0; f != NULL && i < 200; i++)
        fputs("this is not a database\n", f);
    if (f != NULL)
        fclose(f);
    s = ts_backend_open(text, &err);
    T_CHECK(s == NULL && err.status == 500 && strstr(err.msg, "not a database") != NULL, "a text file: %s", err.msg);
    T_CHECK(stat(text, &st) == 0 && st.st_size == 200 * 23, "and left as it was");
    T_CHECK(ts_backend_open(tmp("no/such/dir/x.db"), &err) == NULL && err.status == 500, "no such folder: %s",
            err.msg);
    T_CHECK(ts_backend_open("postgresql://db/tessera", &err) == NULL && strstr(err.msg, "PostgreSQL") != NULL,
            "a PostgreSQL address names what is missing: %s", err.msg);
}

static void anno(const char *id, const char *json, const char *etag, const char *c1, const char *c2,
                 struct ts_anno_row *row, const char **canv)
{
    canv[0] = c1;
    canv[1] = c2;
    *row = (struct ts_anno_row){id, "books/herbal", json, etag, 1000, 1000, canv, c2 != NULL ? 2 : (c1 ? 1 : 0), NULL};
}

/* The ids listed for `canvas` (or the whole container), as "a,b,c", with the total after a '/'. */
static const char *listed(struct ts_store *s, const char *container, const char *canvas, int offset, int limit)
{
    static char out[512];
    struct ts_anno_rec *r;
    long total;
    struct ts_error err;
    int n = s->ops->anno_list(s, container, canvas, offset, limit, &r, &total, &err);
    if (n < 0) {
        snprintf(out, sizeof(out), "!%d", err.status);
        return out;
    }
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? "," : "", r[i].id);
    snprintf(out + strlen(out), sizeof(out) - strlen(out), "/%ld", total);
    ts_anno_recs_free(r, n);
    return out;
}

static void test_annotations(void)
{
    struct ts_error err;
    const char *db = tmp("anno.db");
    struct ts_store *s = ts_backend_open(db, &err);
    T_CHECK(s != NULL, "open: %s", s ? "" : err.msg);
    if (s == NULL)
        return;
    T_CHECK(sql1(db, "PRAGMA journal_mode") >= 0 && sql1(db, "SELECT count(*) FROM annotations") == 0,
            "the annotations table is there");
    struct ts_anno_row row;
    const char *canv[2];
    anno("books/herbal/a1", "{\"n\":1}", "\"e1\"", "C1", NULL, &row, canv);
    T_CHECK(s->ops->anno_create(s, &row, &err) == 0, "create a1");
    T_CHECK(s->ops->anno_create(s, &row, &err) == TS_STORE_EXISTS, "a1 again: it exists");
    anno("books/herbal/a2", "{\"n\":2}", "\"e2\"", "C1", "C2", &row, canv);
    T_CHECK(s->ops->anno_create(s, &row, &err) == 0, "create a2 on two canvases");
    anno("books/herbal/a3", "{\"n\":3}", "\"e3\"", "C2", NULL, &row, canv);
    T_CHECK(s->ops->anno_create(s, &row, &err) == 0, "create a3");
    row.id = "maps/grid/b1";
    row.container = "maps/grid";
    T_CHECK(s->ops->anno_create(s, &row, &err) == 0, "create one in another container");
    T_STREQ(listed(s, "books/herbal", NULL, 0, 10), "books/herbal/a1,books/herbal/a2,books/herbal/a3/3",
            "a container lists its annotations in the order they were made");
    T_STREQ(listed(s, "books/herbal", NULL, 1, 1), "books/herbal/a2/3", "paged");
    T_STREQ(listed(s, "books/herbal", "C2", 0, 10), "books/herbal/a2,books/herbal/a3/2", "by canvas");
    T_STREQ(listed(s, "books/herbal", "C9", 0, 10), "/0", "a canvas with none");
    T_STREQ(listed(s, "nothing", NULL, 0, 10), "/0", "a container with none");
    struct ts_anno_rec r;
    T_CHECK(s->ops->anno_get(s, "books/herbal/a2", &r, &err) == 1 && strcmp(r.json, "{\"n\":2}") == 0 &&
                strcmp(r.etag, "\"e2\"") == 0 && !r.deleted,
            "read a2");
    ts_anno_rec_release(&r);
    T_CHECK(s->ops->anno_get(s, "books/herbal/zz", &r, &err) == 0, "no such annotation: 0");
    /* replace: only with the current ETag */
    anno("books/herbal/a2", "{\"n\":22}", "\"e22\"", "C1", NULL, &row, canv);
    T_CHECK(s->ops->anno_replace(s, &row, "\"old\"", &err) == TS_STORE_CHANGED, "a stale ETag: changed");
    T_CHECK(s->ops->anno_replace(s, &row, "\"e2\"", &err) == 0, "the current ETag: replaced");
    T_CHECK(s->ops->anno_replace(s, &row, "\"e2\"", &err) == TS_STORE_CHANGED, "the same ETag twice: the second loses");
    T_STREQ(listed(s, "books/herbal", "C2", 0, 10), "books/herbal/a3/1", "its targets were replaced too");
    row.id = "books/herbal/zz";
    T_CHECK(s->ops->anno_replace(s, &row, NULL, &err) == TS_STORE_ABSENT, "replace what is not there: absent");
    /* delete: gone, never reused */
    T_CHECK(s->ops->anno_delete(s, "books/herbal/a1", "\"nope\"", 2000, &err) == TS_STORE_CHANGED,
            "delete with a stale ETag: changed");
    T_CHECK(s->ops->anno_delete(s, "books/herbal/a1", "\"e1\"", 2000, &err) == 0, "delete a1");
    T_CHECK(s->ops->anno_delete(s, "books/herbal/a1", NULL, 2001, &err) == TS_STORE_GONE, "delete again: gone");
    T_CHECK(s->ops->anno_get(s, "books/herbal/a1", &r, &err) == 1 && r.deleted && r.json == NULL, "a1 reads as deleted");
    ts_anno_rec_release(&r);
    anno("books/herbal/a1", "{}", "\"x\"", "C1", NULL, &row, canv);
    T_CHECK(s->ops->anno_create(s, &row, &err) == TS_STORE_EXISTS, "a deleted id is not given out again");
    T_CHECK(s->ops->anno_replace(s, &row, NULL, &err) == TS_STORE_GONE, "nor replaced");
    T_STREQ(listed(s, "books/herbal", NULL, 0, 10), "books/herbal/a2,books/herbal/a3/2", "the list leaves it out");
    /* inside a caller's transaction, a rollback undoes it */
    T_CHECK(ts_store_begin(s, true, &err) == 0, "begin");
    anno("books/herbal/t1", "{}", "\"t\"", "C1", NULL, &row, canv);
    T_CHECK(s->ops->anno_create(s, &row, &err) == 0, "create inside a transaction");
    ts_store_rollback(s);
    T_CHECK(s->ops->anno_get(s, "books/herbal/t1", &r, &err) == 0, "rolled back with it");
    ts_store_close(s);
    /* what returned 0 is in the file */
    T_CHECK(sql1(db, "SELECT count(*) FROM annotations WHERE deleted = 0") == 3, "three live annotations in the file");
    T_CHECK(sql1(db, "SELECT deleted FROM annotations WHERE id = 'books/herbal/a1'") == 1, "and a1 as deleted");
    T_CHECK(sql1(db, "PRAGMA synchronous") >= 0, "readable by another connection");
}

static void text(struct ts_store *s, const char *anno, const char *canvas, int pos, const char *mot, int64_t when,
                 const char *words)
{
    struct ts_text_row row = {anno, "books/herbal", canvas, pos, mot, when, words, "[]"};
    struct ts_error err;
    T_CHECK(s->ops->text_put(s, &row, &err) == 0, "text of %s", anno);
}

/* The hits of query string `qs` as "anno,anno/total", or "!status". */
static const char *found(struct ts_store *s, const char *qs, int offset, int limit)
{
    static char out[512];
    struct ts_squery q;
    struct ts_error err;
    if (ts_squery_parse(qs, strlen(qs), &q, &err) != 0) {
        snprintf(out, sizeof(out), "!parse %d", err.status);
        return out;
    }
    struct ts_text_hit *h;
    long total;
    int n = s->ops->text_search(s, "books/herbal", &q, offset, limit, &h, &total, &err);
    if (n < 0) {
        snprintf(out, sizeof(out), "!%d", err.status);
        return out;
    }
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? "," : "", h[i].anno);
    snprintf(out + strlen(out), sizeof(out) - strlen(out), "/%ld", total);
    ts_text_hits_free(h, n);
    return out;
}

static void test_text(void)
{
    struct ts_error err;
    struct ts_store *s = ts_backend_open("", &err);
    T_CHECK(s != NULL, "a store");
    if (s == NULL)
        return;
    /* canvas p10 comes after p2 in the manifest: position says so, not the IRI */
    text(s, "l3", "C-p10", 10, "supplementing", 3000, "Of the Gilli-flowers of the field");
    text(s, "l1", "C-p2", 2, "supplementing", 1000, "Of Roses and their kinds");
    text(s, "l2", "C-p2", 2, "supplementing", 2000, "The damask Rose, Rosa damascena");
    text(s, "c1", "C-p2", 2, "commenting", 86400000LL * 365 * 30, "A café note on roses");
    struct ts_text_row other = {"x1", "maps/grid", "C-x", 0, "supplementing", 0, "roses elsewhere", "[]"};
    T_CHECK(s->ops->text_put(s, &other, &err) == 0, "text in another container");
    T_STREQ(found(s, "q=roses", 0, 10), "l1,c1/2", "a word, in this container only, in document order");
    T_STREQ(found(s, "q=rose*", 0, 10), "l1,l2,c1/3", "a prefix");
    T_STREQ(found(s, "q=%22damask+rose%22", 0, 10), "l2/1", "a phrase");
    T_STREQ(found(s, "q=%22rose+damask%22", 0, 10), "/0", "a phrase in another order is not found");
    T_STREQ(found(s, "q=CAFE", 0, 10), "c1/1", "case and accents are ignored");
    T_STREQ(found(s, "q=of+field", 0, 10), "l3/1", "every term must match");
    T_STREQ(found(s, "q=gilli-flowers", 0, 10), "l3/1", "a hyphenated word as the phrase of its parts");
    T_STREQ(found(s, "q=rose*&motivation=commenting", 0, 10), "c1/1", "a motivation");
    T_STREQ(found(s, "motivation=commenting+supplementing", 0, 10), "l1,l2,c1,l3/4", "motivations alone, any of");
    T_STREQ(found(s, "q=rose*&date=1970-01-01T00:00:01Z/1970-01-01T00:00:02Z", 0, 10), "l1,l2/2", "a date range");
    T_STREQ(found(s, "q=rose*&date=1970-01-01T00:00:00Z/1970-01-01T00:00:01Z+1999-01-01T00:00:00Z/2001-01-01T00:00:00Z",
                  0, 10),
            "l1,c1/2", "date ranges, any of");
    T_STREQ(found(s, "q=rose*", 1, 1), "l2/3", "paged, with the total");
    T_STREQ(found(s, "q=NEAR%28rose%29+OR", 0, 10), "/0", "FTS5 words in q are words");
    T_STREQ(found(s, "q=%2A%2A", 0, 10), "!parse 400", "no words");
    /* replace and drop */
    text(s, "l1", "C-p2", 2, "supplementing", 1000, "Of Lilies");
    T_STREQ(found(s, "q=roses", 0, 10), "c1/1", "a replaced text is not found by its old words");
    T_STREQ(found(s, "q=lilies", 0, 10), "l1/1", "but by its new ones");
    T_CHECK(s->ops->text_drop(s, "l1", &err) == 0 && s->ops->text_drop(s, "never", &err) == 0, "drop");
    T_STREQ(found(s, "q=lilies", 0, 10), "/0", "a dropped text is gone");
    /* an annotation and its text are one write: created together, deleted together */
    struct ts_text_row tr = {"books/herbal/w1", "books/herbal", "C-p2", 2, "commenting", 5000, "a wallflower", "[]"};
    const char *cv[1] = {"C-p2"};
    struct ts_anno_row ar = {"books/herbal/w1", "books/herbal", "{}", "\"w\"", 5000, 5000, cv, 1, &tr};
    T_CHECK(s->ops->anno_create(s, &ar, &err) == 0, "create an annotation with its text");
    T_STREQ(found(s, "q=wallflower", 0, 10), "books/herbal/w1/1", "its text is found");
    struct ts_text_row tr2 = tr;
    tr2.text = "a changed wallflower";
    T_CHECK(s->ops->anno_create(s, &(struct ts_anno_row){"books/herbal/w1", "books/herbal", "{}", "\"x\"", 1, 1, cv, 1,
                                                         &tr2},
                                &err) == TS_STORE_EXISTS,
            "creating it again fails");
    T_STREQ(found(s, "q=changed", 0, 10), "/0", "and writes no text");
    T_CHECK(s->ops->anno_delete(s, "books/herbal/w1", NULL, 6000, &err) == 0, "delete it");
    T_STREQ(found(s, "q=wallflower", 0, 10), "/0", "its text went with it");
    /* autocomplete */
    text(s, "l4", "C-p10", 10, "supplementing", 4000, "A rose by any other name");
    struct ts_text_term *t;
    int n = s->ops->text_terms(s, "books/herbal", "Ro", 10, &t, &err);
    T_CHECK(n == 3, "three terms start with ro: %d", n);
    if (n == 3) {
        T_STREQ(t[0].term, "rose", "the most frequent first (rose, in l2 and l4)");
        T_CHECK(t[0].count == 2 && t[1].count == 1, "with its count (%ld)", t[0].count);
        T_STREQ(t[1].term, "rosa", "then the others, in order");
    }
    if (n >= 0)
        ts_text_terms_free(t, n);
    n = s->ops->text_terms(s, "books/herbal", "zz", 10, &t, &err);
    T_CHECK(n == 0, "no term starts with zz");
    if (n >= 0)
        ts_text_terms_free(t, n);
    ts_store_close(s);
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* Pushes the mtime of `path` forward by `s` seconds, so a stamp changes whatever the clock's grain. */
static void later(const char *path, int s)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    struct timeval tv[2] = {{st.st_atime, 0}, {st.st_mtime + s, 0}};
    utimes(path, tv);
}

static void test_catalogue(void)
{
    struct ts_error err;
    char root[600];
    snprintf(root, sizeof(root), "%s/root", tmpdir);
    char cmd[8192];
    /* a tiny PNG stands for an image: the catalogue reads names and sidecars, never pixels */
    snprintf(cmd, sizeof(cmd),
             "mkdir -p %s/books/herbal %s/maps/atlas && printf '\\211PNG\\r\\n\\032\\n' > %s/books/herbal/p001.png && "
             "cp %s/books/herbal/p001.png %s/books/herbal/p002.png && cp %s/books/herbal/p001.png %s/maps/old-map.png && "
             "cp %s/books/herbal/p001.png %s/maps/atlas/plate1.png",
             root, root, root, root, root, root, root, root, root);
    T_CHECK(system(cmd) == 0, "make the tree");
    char path[1024];
    snprintf(path, sizeof(path), "%s/books/herbal/manifest.yml", root);
    T_CHECK(write_text(path, "label: The Great Herball\nsummary: plants of the field\n") == 0, "a sidecar");
    struct ts_resolver r;
    T_CHECK(ts_resolver_init(&r, root, "png", &err) == 0, "resolver: %s", err.msg);
    struct ts_store *s = ts_backend_open("", &err);
    struct ts_catalogue *c = s != NULL ? ts_catalogue_new(s, 3600, &err) : NULL;
    T_CHECK(c != NULL, "a catalogue");
    if (c == NULL) {
        ts_store_close(s);
        ts_resolver_release(&r);
        return;
    }
    struct ts_present p = {"http://x", &r, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL};
    long n = ts_catalogue_refresh(c, &p, true, &err);
    T_CHECK(n == 6, "refresh sees the root, books, herbal, maps, its atlas and its loose map: %ld", n);
    struct ts_catalogue_hit *h;
    long total;
    int k = ts_catalogue_query(c, "herball", 0, 10, &h, &total, &err);
    T_CHECK(k == 1 && strcmp(h[0].rel, "books/herbal") == 0 && !h[0].collection, "the sidecar's label is found");
    if (k >= 0)
        ts_catalogue_hits_free(h, k);
    k = ts_catalogue_query(c, "old map", 0, 10, &h, &total, &err);
    T_CHECK(k == 1 && strcmp(h[0].rel, "maps/old-map.png") == 0, "a loose image by the words of its name");
    if (k >= 0)
        ts_catalogue_hits_free(h, k);
    T_CHECK(ts_catalogue_refresh(c, &p, false, &err) == 0, "a refresh within rescan_s does nothing");
    /* an edited sidecar and a removed folder */
    T_CHECK(write_text(path, "label: The Herbal of Gerard\n") == 0, "edit the sidecar");
    later(path, 5);
    snprintf(path, sizeof(path), "%s/books/herbal", root);
    later(path, 5);
    snprintf(cmd, sizeof(cmd), "rm -rf %s/maps", root);
    T_CHECK(system(cmd) == 0, "remove maps");
    n = ts_catalogue_refresh(c, &p, true, &err);
    T_CHECK(n == 3, "refresh: root, books, herbal (%ld)", n);
    k = ts_catalogue_query(c, "gerard", 0, 10, &h, &total, &err);
    T_CHECK(k == 1 && strcmp(h[0].rel, "books/herbal") == 0, "the new label is found");
    if (k >= 0)
        ts_catalogue_hits_free(h, k);
    k = ts_catalogue_query(c, "herball", 0, 10, &h, &total, &err);
    T_CHECK(k == 0 && total == 0, "the old one is not");
    if (k >= 0)
        ts_catalogue_hits_free(h, k);
    k = ts_catalogue_query(c, "map", 0, 10, &h, &total, &err);
    T_CHECK(k == 0, "what went away is swept");
    if (k >= 0)
        ts_catalogue_hits_free(h, k);
    ts_catalogue_free(c);
    ts_catalogue_free(NULL);
    ts_store_close(s);
    ts_resolver_release(&r);
}

int main(void)
{
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    test_pending();
    test_sqlite();
    test_migrations();
    test_annotations();
    test_text();
    test_catalogue();
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", tmpdir);
    return t_done();
}
