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

#include "http/router.h"
#include "http/state.h"

/**
 * Adds the routes "/" (and "/?page=N"; GET and HEAD, answered on a worker)
 * and the tops of the APIs (/iiif, /iiif/, /iiif/3, /iiif/2: a 303 to the
 * home page) to `r`. Returns 0, or -1 when the table is full.
 */
int ts_home_register(struct ts_router *r, struct ts_server *srv);

/** Images listed on one page of the home page. */
#define TS_HOME_PAGE_IMAGES 100

#endif
