/*
 * conn.c: per-connection answers in flight, and the cut-off of connections
 * that do not read them (conn.h).
 *
 * The connection's record hangs off its socket's on_close callback, which
 * libh2o calls once every request of the connection has been freed; each
 * answer is a small record in its request's pool whose dispose callback
 * takes it off the count, so counting costs one allocation from the pool
 * per answer and nothing when nothing is stalled.
 */
#include "http/conn.h"

#include <malloc.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/log.h"
#include "http/state.h"


static void conn_closed(void *data)
{
    struct ts_conn *c = data;
    if (h2o_linklist_is_linked(&c->sending))
        h2o_linklist_unlink(&c->sending);
    atomic_fetch_sub(&c->loop->srv->unsent, c->bytes); /* libh2o frees the requests before the socket: 0 here */
    atomic_fetch_sub(&c->loop->srv->n_conns, 1);
    free(c);
}

struct ts_conn *ts_conn_open(struct ts_loop *l, h2o_socket_t *sock)
{
    struct ts_conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->loop = l;
    c->sock = sock;
    sock->on_close.cb = conn_closed;
    sock->on_close.data = c;
    return c;
}

struct ts_conn *ts_conn_of(h2o_req_t *req)
{
    if (req->conn == NULL || req->conn->callbacks->get_socket == NULL)
        return NULL;
    h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
    if (sock == NULL || sock->on_close.cb != conn_closed)
        return NULL;
    return sock->on_close.data;
}

struct answer {
    struct ts_conn *c;
    uint64_t bytes;
};

static void answer_done(void *p)
{
    struct answer *a = p;
    struct ts_conn *c = a->c;
    c->answers--;
    c->bytes -= a->bytes;
    atomic_fetch_sub(&c->loop->srv->unsent, a->bytes);
    if (c->answers == 0 && h2o_linklist_is_linked(&c->sending))
        h2o_linklist_unlink(&c->sending);
}

void ts_conn_answer(h2o_req_t *req, uint64_t bytes)
{
    struct ts_conn *c = ts_conn_of(req);
    if (c == NULL)
        return;
    struct answer *a = h2o_mem_alloc_shared(&req->pool, sizeof(*a), answer_done);
    a->c = c;
    a->bytes = bytes;
    if (c->answers++ == 0) {
        c->written = c->sock->bytes_written;
        c->since_ms = ts_now_ms();
        h2o_linklist_insert(&c->loop->sending, &c->sending);
    }
    c->bytes += bytes;
    atomic_fetch_add(&c->loop->srv->unsent, bytes);
}

/*
 * Cuts the connection off: libh2o sees the end of the stream on its next
 * read or a broken pipe on its next write, and closes the connection the
 * way it closes any broken one, freeing its requests. Linger 0 also drops
 * what the kernel still holds for it.
 */
static void cut(struct ts_conn *c)
{
    int fd = h2o_socket_get_fd(c->sock);
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    shutdown(fd, SHUT_RDWR);
    c->cut = true;
}

int ts_conn_tick(struct ts_loop *l, int64_t now, int64_t stall_ms, uint64_t global_cap)
{
    bool crowded = global_cap > 0 && atomic_load(&l->srv->unsent) > global_cap;
    int n = 0;
    for (h2o_linklist_t *node = l->sending.next; node != &l->sending; node = node->next) {
        struct ts_conn *c = H2O_STRUCT_FROM_MEMBER(struct ts_conn, sending, node);
        if (c->sock->bytes_written != c->written) {
            c->written = c->sock->bytes_written;
            c->since_ms = now;
            continue;
        }
        int64_t limit = crowded ? 1000 : stall_ms;
        if (c->cut || now - c->since_ms <= limit)
            continue;
        ts_log_info("closed a connection that read none of its %zu answers (%llu KB) for %lld s", c->answers,
                    (unsigned long long)(c->bytes >> 10), (long long)((now - c->since_ms) / 1000));
        cut(c);
        atomic_store(&l->srv->trim, 1);
        n++;
    }
    return n;
}
