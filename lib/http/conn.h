/*
 * conn.h: what each connection holds, and cutting off the ones that stop
 * reading.
 *
 * A client can ask for answers and never read them: HTTP/2 with a flow-
 * control window of 0, or any protocol with a full TCP window. libh2o keeps
 * every such answer (and, for HTTP/2, never times the connection out while
 * a stream is open), so a few connections could hold a server's memory for
 * as long as they like. Every answer handed to libh2o is counted against
 * its connection (struct ts_conn, one per accepted socket) until libh2o is
 * done with it:
 *   - a connection holding more than max_unsent_mb of answers gets 503 for
 *     its next requests, before any work is done for them;
 *   - a connection with answers to send on which nothing was written for
 *     idle_timeout is cut off (shutdown of its socket: libh2o then closes it
 *     and frees its requests), and so are stalled ones after a second while
 *     all connections together hold more than the global bound;
 *   - the memory is given back to the system after such a cut-off.
 * All of it runs on the connection's event loop, single-threaded, except
 * the server's total (struct ts_server's `unsent`), which is atomic.
 */
#ifndef TS_HTTP_CONN_H
#define TS_HTTP_CONN_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdbool.h>
#include <stdint.h>

struct ts_loop;

struct ts_conn {
    struct ts_loop *loop;
    h2o_socket_t *sock;
    h2o_linklist_t sending;    /* in the loop's list while answers > 0 */
    size_t answers;            /* handed to libh2o, not finished */
    uint64_t bytes;            /* their bodies (or file chunks) */
    uint64_t written;          /* sock->bytes_written when it last moved */
    int64_t since_ms;          /* when it last moved, or the first answer was handed over */
    bool cut;                  /* shut down for not reading */
};

/**
 * Starts counting for `sock`, just accepted on loop `l` (and counted in the
 * server's open connections); its close frees the count and uncounts it.
 * Returns NULL when out of memory (then nothing is counted).
 */
struct ts_conn *ts_conn_open(struct ts_loop *l, h2o_socket_t *sock);

/** The connection of `req`, or NULL when it is not one of ours. */
struct ts_conn *ts_conn_of(h2o_req_t *req);

/** Counts an answer of `bytes` handed to libh2o for `req`, until its request is freed. */
void ts_conn_answer(h2o_req_t *req, uint64_t bytes);

/**
 * Cuts off the connections of loop `l` with answers to send that wrote
 * nothing for `stall_ms` (or for a second when the process holds more than
 * `global_cap` unsent bytes). Returns how many were cut. Call it about once a
 * second from the loop's thread.
 */
int ts_conn_tick(struct ts_loop *l, int64_t now_ms, int64_t stall_ms, uint64_t global_cap);

#endif
