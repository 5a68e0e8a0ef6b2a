/*
 * backend.h: a store's address to its backend.
 *
 * A path (or "" for memory) is an SQLite database; PostgreSQL will take
 * "postgresql://" addresses here. The server opens its stores through this
 * and never names a backend.
 */
#ifndef TS_STORE_BACKEND_H
#define TS_STORE_BACKEND_H

#include "core/error.h"
#include "store/store.h"

/** Opens and migrates the store at `where`. NULL with `err` (500). */
struct ts_store *ts_backend_open(const char *where, struct ts_error *err);

#endif
