/*
 * path.h: relative paths of the tree ("books/herbal/p001.tif"). Pure.
 */
#ifndef TS_CORE_PATH_H
#define TS_CORE_PATH_H

/**
 * `dir` and `name` joined with one '/' ("" and "a" give "a"; "b" and "a"
 * give "b/a"), malloc'd. NULL when out of memory.
 */
char *ts_path_join(const char *dir, const char *name);

#endif
