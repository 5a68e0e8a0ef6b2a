/*
 * reqbase.c: the request's public base (reqbase.h): which headers to
 * believe, decided from the peer's address, then pubbase.c's rules.
 */
#include "http/reqbase.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "core/cidr.h"
#include "http/pubbase.h"
#include "http/respond.h"
#include "http/state.h"

static struct ts_strv header(h2o_req_t *req, const char *name, size_t n)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, n, -1);
    if (i < 0)
        return (struct ts_strv){NULL, 0};
    return (struct ts_strv){req->headers.entries[i].value.base, req->headers.entries[i].value.len};
}

/* Whether the peer of `req` is one of the trusted proxies. */
static bool from_trusted_proxy(h2o_req_t *req, const struct ts_cidr_list *trusted)
{
    if (trusted->n == 0)
        return false;
    struct sockaddr_storage ss;
    socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    if (sl == 0)
        return false;
    if (ss.ss_family == AF_INET)
        return ts_cidr_match(trusted, (const uint8_t *)&((struct sockaddr_in *)&ss)->sin_addr, 4);
    if (ss.ss_family == AF_INET6)
        return ts_cidr_match(trusted, (const uint8_t *)&((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
    return false; /* a Unix socket: no address to trust */
}

int ts_request_base(h2o_req_t *req, struct ts_buf *out)
{
    struct ts_loop *loop = ts_loop_of(req);
    const struct ts_live *live = ts_server_live(loop->srv);
    struct ts_pubbase_in in = {
        .configured = live->cfg.base_url,
        .host = {req->authority.base, req->authority.len},
        .tls = req->scheme == &H2O_URL_SCHEME_HTTPS,
        .fallback_host = loop->srv->fallback_host,
        .allowed_hosts = live->cfg.hosts,
    };
    if (live->cfg.base_url[0] == '\0' && from_trusted_proxy(req, &live->trusted)) {
        in.forwarded = header(req, H2O_STRLIT("forwarded"));
        in.xf_proto = header(req, H2O_STRLIT("x-forwarded-proto"));
        in.xf_host = header(req, H2O_STRLIT("x-forwarded-host"));
        in.xf_port = header(req, H2O_STRLIT("x-forwarded-port"));
        in.xf_prefix = header(req, H2O_STRLIT("x-forwarded-prefix"));
    }
    int rc = ts_pubbase(&in, out);
    if (rc == 0 && out->data == NULL)
        rc = -1;
    return rc;
}

void ts_request_base_error(h2o_req_t *req, int rc, const struct ts_buf *out)
{
    if (rc == -2) {
        const struct ts_config *cfg = &ts_server_live(ts_server_of(req))->cfg;
        size_t n = out->data != NULL ? out->len : 0;
        ts_http_errorf(req, 421, "this server does not answer for the host '%.*s' (it answers for: %.200s)",
                       (int)(n > 200 ? 200 : n), out->data != NULL ? out->data : "", cfg->hosts);
    } else {
        ts_http_errorf(req, 400, "the request's Host or forwarding headers do not make a usable URL");
    }
}

char *ts_request_base_or_error(h2o_req_t *req)
{
    struct ts_buf base;
    ts_buf_init(&base, 4096);
    int rc = ts_request_base(req, &base);
    if (rc != 0) {
        ts_request_base_error(req, rc, &base);
        ts_buf_release(&base);
        return NULL;
    }
    return ts_buf_take(&base, NULL);
}

const char *ts_request_vary(h2o_req_t *req, const char *also)
{
    const struct ts_config *cfg = &ts_server_live(ts_server_of(req))->cfg;
    /* without base_url the ids name the request's host: one of several listed, or any */
    bool varies = cfg->base_url[0] == '\0' && (cfg->hosts[0] == '\0' || strpbrk(cfg->hosts, ", \t") != NULL);
    if (also == NULL)
        return varies ? "Host" : NULL;
    if (!varies)
        return also;
    /* the few values callers use, as constant strings */
    if (strcmp(also, "Accept") == 0)
        return "Accept, Host";
    return "Host";
}
