/*
 * test_dispatch.c: requests run through the dispatcher and the handlers
 * without sockets.
 *
 * libh2o 2.2.5 (Debian) ships no loopback connection (h2o keeps its own in
 * its unit tests, outside the library), but its public structures let a
 * test make one: a connection with the callbacks tessera uses (addresses;
 * no socket), a request processed by h2o_process_request through the
 * server's pathconf and handler, and a final output stream that collects
 * the answer. Requests answered by a worker are waited for by turning the
 * event loop that receives finished jobs. The server is the real one
 * (ts_server_init, ts_app_register) on the sample tree, with no listener.
 */
#include <arpa/inet.h>
#include <h2o.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/app.h"
#include "http/server.h"
#include "http/state.h"
#include "http/workers.h"
#include "image/render.h"
#include "t.h"

#define VID "67352ccc-d1b0-11e1-89ae-279075081939"

struct answer {
    h2o_ostream_t final;   /* first: the output stream the request sends to */
    h2o_req_t *req;
    char body[1 << 20];
    size_t len;
    bool complete;
};

static socklen_t loopback_addr(h2o_conn_t *conn, struct sockaddr *sa)
{
    (void)conn;
    struct sockaddr_in *in = (struct sockaddr_in *)sa;
    memset(in, 0, sizeof(*in));
    in->sin_family = AF_INET;
    in->sin_port = htons(40000);
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof(*in);
}

static const h2o_conn_callbacks_t callbacks = {.get_sockname = loopback_addr, .get_peername = loopback_addr};

static void on_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t n, h2o_send_state_t state)
{
    struct answer *a = (struct answer *)self;
    for (size_t i = 0; i < n; i++) {
        size_t take = bufs[i].len < sizeof(a->body) - a->len ? bufs[i].len : sizeof(a->body) - a->len;
        memcpy(a->body + a->len, bufs[i].base, take);
        a->len += take;
    }
    if (h2o_send_state_is_in_progress(state))
        h2o_proceed_response(req);
    else
        a->complete = true;
}

static struct ts_server srv;
static struct ts_loop *loop;

struct exchange {
    h2o_conn_t conn;
    h2o_req_t req;
    struct answer ans;
};

/* Runs `method` `path` with the headers (name, value, ...; NULL-terminated) and waits for the whole answer. */
static struct exchange *run(const char *method, const char *path, const char *body, ...)
{
    struct exchange *x = calloc(1, sizeof(*x));
    x->conn.ctx = &loop->ctx;
    x->conn.hosts = srv.h2o.hosts;
    x->conn.callbacks = &callbacks;
    h2o_init_request(&x->req, &x->conn, NULL);
    x->ans.final.do_send = on_send;
    x->ans.req = &x->req;
    x->req._ostr_top = &x->ans.final;
    x->req.version = 0x101;
    x->req.input.method = h2o_iovec_init(method, strlen(method));
    x->req.input.scheme = &H2O_URL_SCHEME_HTTP;
    x->req.input.authority = h2o_iovec_init(H2O_STRLIT("127.0.0.1:8182"));
    x->req.input.path = h2o_iovec_init(path, strlen(path));
    x->req.http1_is_persistent = 1;
    va_list ap;
    va_start(ap, body);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        h2o_add_header_by_str(&x->req.pool, &x->req.headers, name, strlen(name), 1, NULL, value, strlen(value));
    }
    va_end(ap);
    if (body != NULL)
        x->req.entity = h2o_iovec_init(body, strlen(body));
    h2o_process_request(&x->req);
    /* an answer made by a worker comes back through the loop's receiver */
    for (int turns = 0; !x->ans.complete && turns < 3000; turns++)
        h2o_evloop_run(loop->ctx.loop, 10);
    T_CHECK(x->ans.complete, "%s %s: answered", method, path);
    return x;
}

static const char *header(struct exchange *x, const char *name)
{
    static char v[512];
    ssize_t i = h2o_find_header_by_str(&x->req.res.headers, name, strlen(name), -1);
    if (i < 0)
        return NULL;
    h2o_iovec_t val = x->req.res.headers.entries[i].value;
    snprintf(v, sizeof(v), "%.*s", (int)val.len, val.base);
    return v;
}

static void done(struct exchange *x)
{
    h2o_dispose_request(&x->req);
    free(x);
}

static void test_table(void)
{
    static const struct {
        const char *method, *path;
        int status;
        const char *header, *value;   /* a header the answer must carry, or NULL */
        const char *in_body;          /* text the body must hold, or NULL */
    } cases[] = {
        {"GET", "/nothing-here", 404, NULL, NULL, "nothing"},
        {"GET", "/iiif", 303, "location", "/", NULL},
        {"GET", "/iiif/3/" VID, 303, "location", "http://127.0.0.1:8182/iiif/3/" VID "/info.json", NULL},
        {"DELETE", "/iiif/3/" VID "/info.json", 405, "allow", "GET, HEAD, OPTIONS", NULL},
        {"PUT", "/iiif/presentation/collection", 405, "allow", "GET, HEAD, OPTIONS", NULL},
        {"GET", "/iiif/3/" VID "/info.json", 200, "content-type", NULL, "\"http://iiif.io/api/image/3/context.json\""},
        {"GET", "/iiif/2/" VID "/info.json", 200, NULL, NULL, "\"http://iiif.io/api/image/2/context.json\""},
        {"GET", "/iiif/3/" VID "/full/64,/0/default.png", 200, "content-type", "image/png", "PNG"},
        {"GET", "/iiif/3/" VID "/full/64,/0/default.bmp", 400, NULL, NULL, "bmp"},
        {"GET", "/iiif/3/no-such-image/info.json", 404, NULL, NULL, NULL},
        {"GET", "/iiif/presentation/collection", 200, "content-type", NULL, "\"Collection\""},
        {"GET", "/iiif/collections/search?q=grid", 200, NULL, NULL, "\"Collection\""},
        {"GET", "/iiif/collections/search?q=%20", 400, NULL, NULL, "no words"},
        {"GET", "/health", 200, NULL, NULL, NULL},
        {"HEAD", "/iiif/3/" VID "/info.json", 200, NULL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct exchange *x = run(cases[i].method, cases[i].path, NULL, NULL);
        char label[300];
        snprintf(label, sizeof(label), "%s %s", cases[i].method, cases[i].path);
        T_CHECK(x->req.res.status == cases[i].status, "%s: status %d, want %d (%.*s)", label, x->req.res.status,
                cases[i].status, (int)(x->ans.len < 200 ? x->ans.len : 200), x->ans.body);
        if (cases[i].header != NULL) {
            const char *v = header(x, cases[i].header);
            T_CHECK(v != NULL && (cases[i].value == NULL || strcmp(v, cases[i].value) == 0), "%s: %s is %s", label,
                    cases[i].header, v ? v : "(none)");
        }
        if (cases[i].in_body != NULL)
            T_CHECK(memmem(x->ans.body, x->ans.len, cases[i].in_body, strlen(cases[i].in_body)) != NULL,
                    "%s: the body holds %s", label, cases[i].in_body);
        if (strcmp(cases[i].method, "HEAD") == 0)
            T_CHECK(x->ans.len == 0, "%s: no body", label);
        done(x);
    }
}

static void test_preflight_and_bodies(void)
{
    struct exchange *x = run("OPTIONS", "/iiif/3/" VID "/info.json", NULL, "origin", "https://viewer.example",
                             "access-control-request-method", "GET", NULL);
    T_CHECK(x->req.res.status == 204 || x->req.res.status == 200, "preflight answered (%d)", x->req.res.status);
    const char *m = header(x, "access-control-allow-methods");
    T_CHECK(m != NULL && strstr(m, "GET") != NULL && strstr(m, "DELETE") == NULL, "the route's methods: %s",
            m ? m : "(none)");
    done(x);
    x = run("OPTIONS", "/nothing-here", NULL, "origin", "https://viewer.example", NULL);
    T_CHECK(x->req.res.status == 404, "OPTIONS on an unknown path: 404 (%d)", x->req.res.status);
    done(x);
    /* a body sent to a route that takes none: answered, and the connection is not kept */
    x = run("GET", "/iiif/3/" VID "/info.json", "{\"a\": 1}", "content-type", "application/json", NULL);
    T_CHECK(x->req.res.status == 200 && x->req.http1_is_persistent == 0,
            "a body to a route without bodies closes the connection after the answer (%d, %d)", x->req.res.status,
            x->req.http1_is_persistent);
    done(x);
    x = run("GET", "/iiif/3/" VID "/info.json", NULL, NULL);
    T_CHECK(x->req.http1_is_persistent == 1, "without a body it is kept");
    done(x);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (ts_image_init(argv[0], 1, NULL) != 0)
        return 1;
    struct ts_config cfg;
    ts_config_init(&cfg);
    struct ts_error err;
    if (ts_config_set(&cfg, "root", TS_TEST_DATA "/../../samples", &err) != 0 ||
        ts_config_set(&cfg, "threads", "2", &err) != 0 || ts_config_set(&cfg, "access_log", "off", &err) != 0 ||
        ts_config_set(&cfg, "loops", "1", &err) != 0) {
        printf("not ok config: %s\n", err.msg);
        return 1;
    }
    if (ts_server_init(&srv, &cfg, &err) != 0 || ts_app_register(&srv, &err) != 0) {
        printf("not ok server: %s\n", err.msg);
        return 1;
    }
    /* the loop a server thread would run (server.c, loop_open), without its listener */
    loop = &srv.loops[0];
    loop->srv = &srv;
    h2o_context_init(&loop->ctx, h2o_evloop_create(), &srv.h2o);
    h2o_multithread_register_receiver(loop->ctx.queue, &loop->reply, ts_workers_on_reply);
    h2o_linklist_init_anchor(&loop->sending);
    test_table();
    test_preflight_and_bodies();
    h2o_multithread_unregister_receiver(loop->ctx.queue, &loop->reply);
    h2o_evloop_t *ev = loop->ctx.loop;
    h2o_context_dispose(&loop->ctx);
    h2o_evloop_destroy(ev);
    loop->ctx.loop = NULL;
    ts_server_release(&srv);
    ts_config_release(&cfg);
    ts_image_shutdown();
    return t_done();
}
