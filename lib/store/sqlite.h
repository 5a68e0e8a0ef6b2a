/*
 * sqlite.h: the SQLite backend of the store interface (store/store.h).
 *
 * One database file (or one in memory), one connection serialised by a
 * mutex, WAL journal. Its schema is numbered in PRAGMA user_version and
 * migrated at open (ts_sqlite_migrations). The catalogue lives in an FTS5
 * table (unicode61 tokens, accents removed) ranked by bm25 with the label
 * weighed most; search-box text becomes an FTS5 query in store/fts.h, so no
 * input reaches FTS5's own syntax.
 */
#ifndef TS_STORE_SQLITE_H
#define TS_STORE_SQLITE_H

#include "core/error.h"
#include "store/store.h"

/** Opens (creating) the database at `path`, or one in memory for "" or NULL, and migrates it. NULL with `err` (500). */
struct ts_store *ts_sqlite_open(const char *path, struct ts_error *err);

/** The backend's migrations, by increasing version, and how many (for tests and `tessera info`). */
const struct ts_migration *ts_sqlite_migrations(int *n);

#endif
