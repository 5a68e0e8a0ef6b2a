/*
 * backend.c: picks a store's backend by its address.
 */
#include "store/backend.h"

#include <string.h>

#include "store/sqlite.h"

struct ts_store *ts_backend_open(const char *where, struct ts_error *err)
{
    if (where != NULL && (strncmp(where, "postgres://", 11) == 0 || strncmp(where, "postgresql://", 13) == 0)) {
        ts_error_set(err, 500, "this tessera has no PostgreSQL backend yet: '%s'", where);
        return NULL;
    }
    return ts_sqlite_open(where, err);
}
