/*
 * app.h: tessera's routes, all of them, in one place.
 */
#ifndef TS_HTTP_APP_H
#define TS_HTTP_APP_H

#include "core/error.h"
#include "http/state.h"

/**
 * Registers every handler's routes on the router of `srv` (after
 * ts_server_init, before ts_server_run). Returns 0, or -1 with `err`.
 */
int ts_app_register(struct ts_server *srv, struct ts_error *err);

#endif
