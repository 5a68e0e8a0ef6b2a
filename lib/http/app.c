/*
 * app.c: the route table, as the handlers register it. The first route
 * whose path matches wins, so the order matters only where paths overlap
 * (none do today: prefixes end in '/' or name a word no other route
 * begins with).
 *
 *   /iiif/3/..., /iiif/2/...       the Image API          http/iiif_routes.c
 *   /iiif/presentation/...         the Presentation API   http/present_routes.c
 *   /iiif/collections/search       the catalogue search   http/present_routes.c
 *   /annotations/...               annotation containers  http/anno_routes.c
 *   /iiif/search/, /iiif/search1/  Content Search 2.0, 1.0 http/search_routes.c
 *   /iiif/autocomplete[1]/         their autocomplete     http/search_routes.c
 *   /viewer/...                    viewer pages, assets   http/viewer.c
 *   /health                        liveness               http/health.c
 *   /, /iiif, /iiif/3, /iiif/2     the home page          http/home.c
 */
#include "http/app.h"

#include "http/anno_routes.h"
#include "http/health.h"
#include "http/home.h"
#include "http/iiif_routes.h"
#include "http/present_routes.h"
#include "http/router.h"
#include "http/search_routes.h"
#include "http/viewer.h"

int ts_app_register(struct ts_server *srv, struct ts_error *err)
{
    struct ts_router *r = srv->router;
    if (r == NULL || ts_iiif_register(r, srv) != 0 || ts_present_register(r, srv) != 0 || ts_anno_register(r, srv) != 0 || ts_search_register(r, srv) != 0 ||
        ts_viewer_register(r, srv->cfg->viewer_dir) != 0 || ts_health_register(r, srv) != 0 ||
        ts_home_register(r, srv) != 0)
        return ts_error_set(err, 500, "cannot set up the routes (out of memory, or more routes than the table holds)");
    return 0;
}
