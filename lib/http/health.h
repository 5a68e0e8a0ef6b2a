/*
 * health.h: /health, for load balancers and supervisors.
 */
#ifndef TS_HTTP_HEALTH_H
#define TS_HTTP_HEALTH_H

#include "http/router.h"
#include "http/state.h"

/**
 * Adds the route /health (GET and HEAD, answered on the loop) to `r`:
 * 200 "ok" while the loops answer and the workers make progress, 503 with
 * the reason when the pool is stuck. Returns 0, or -1 when the table is full.
 */
int ts_health_register(struct ts_router *r, struct ts_server *srv);

#endif
