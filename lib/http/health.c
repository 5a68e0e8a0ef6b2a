/*
 * health.c: /health.
 */
#include "http/health.h"

#include "core/clock.h"
#include "http/respond.h"

/*
 * Liveness, honestly: the loops answer (this answer is made on one), and
 * the workers make progress. A pool with jobs waiting that has taken or
 * finished none for longer than request_timeout (a minute when there is no
 * limit) is stuck, and the answer is 503.
 */
static int on_health(void *state, h2o_req_t *req, const char *rest, size_t n)
{
    (void)rest;
    (void)n;
    struct ts_server *srv = state;
    int64_t limit = ts_server_live(srv)->cfg.request_timeout;
    int64_t stall_ms = (limit > 0 ? limit : 60) * 1000;
    struct ts_workers_state st;
    ts_http_header(req, "cache-control", "no-store");
    if (ts_workers_state(srv->workers, ts_now_ms(), stall_ms, &st) != 0) {
        ts_http_errorf(req, 503,
                       "the workers are stuck: %d jobs wait, %d of %d workers are busy, and none was taken or "
                       "finished for %lld s",
                       st.queued, st.running, st.threads, (long long)(st.idle_ms / 1000));
        return 0;
    }
    static const char ok[] = "ok\n";
    ts_http_send(req, 200, "text/plain; charset=utf-8", (void *)ok, sizeof(ok) - 1, NULL);
    return 0;
}

int ts_health_register(struct ts_router *r, struct ts_server *srv)
{
    struct ts_route route = {"/health", true, TS_M_READ, 0, on_health, srv};
    return ts_router_add(r, &route);
}
