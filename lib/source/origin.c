/*
 * origin.c: picks the backend by the locator's scheme.
 */
#include "source/origin.h"

#include <string.h>

#include "source/file.h"
#include "source/memory.h"

static bool is_memory(const char *locator)
{
    return strncmp(locator, TS_MEMORY_SCHEME, strlen(TS_MEMORY_SCHEME)) == 0;
}

/* A path (absolute, or relative for the command line's files) rather than a URL of a backend to come. */
static bool is_path(const char *locator)
{
    return locator[0] == '/' || strstr(locator, "://") == NULL;
}

int ts_origin_open(const char *locator, struct ts_bytes **out, struct ts_error *err)
{
    *out = NULL;
    if (is_memory(locator))
        return ts_memory_open(locator, out, err);
    if (is_path(locator))
        return ts_file_open(locator, out, err);
    return ts_error_set(err, 500, "no byte source reads '%s'", locator);
}

int ts_origin_version(const char *locator, struct ts_version *v, struct ts_error *err)
{
    if (is_memory(locator))
        return ts_memory_version(locator, v, err);
    if (is_path(locator))
        return ts_file_version(locator, v, err);
    return ts_error_set(err, 500, "no byte source reads '%s'", locator);
}
