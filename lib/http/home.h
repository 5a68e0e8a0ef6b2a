/*
 * home.h: the home page, a browsable view of what the server publishes.
 *
 * GET / shows the site's title (the `site_title` setting, else the root
 * Collection's label, else "tessera"), the search box, the Collections and
 * Manifests as a nested list with thumbnails (Collections open in place, a
 * few levels deep) and, a page at a time (`?page=N`), every image of the
 * tree in the order the Presentation API lists them. Built on a worker from
 * one walk of the tree, so a hostile tree costs a bounded amount.
 */
#ifndef TS_HTTP_HOME_H
#define TS_HTTP_HOME_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

/** The handler for "/" (and "/?page=N"); returns -1 when `rest` is not empty. */
int ts_home_handle(h2o_req_t *req, const char *rest, size_t n);

/** Images listed on one page of the home page. */
#define TS_HOME_PAGE_IMAGES 100

#endif
