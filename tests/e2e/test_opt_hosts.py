"""`hosts`: with base_url unset, the host names this server answers for.
A request naming another host (in Host, or in a trusted proxy's
X-Forwarded-Host) gets 421 on every answer that carries ids (which vary on
Host as long as more than one host is listed); /health needs no host. Proxies that are not trusted still cannot choose a host."""
import harness

SERVER_ARGS = ["--hosts", "images.example.org, 127.0.0.1", "--trusted-proxies", "127.0.0.1"]
VID = "67352ccc-d1b0-11e1-89ae-279075081939"
PATHS = ["/iiif/3/%s/info.json" % VID, "/iiif/2/%s/info.json" % VID, "/iiif/3/%s" % VID,
         "/iiif/presentation/collection", "/iiif/collections/search?q=grid", "/", "/viewer/collection"]


def test_listed_hosts(srv, t):
    for path in PATHS:
        st, h, body = srv.get(path)
        t.check(st in (200, 303), "%s with Host 127.0.0.1:port (listed without a port): %s" % (path, st))
        if path.endswith("info.json"):
            # two hosts are listed: the ids still name one or the other
            t.eq(h.get("vary"), "Accept, Host", "%s: Vary: Host with several hosts listed" % path)
        st, h, body = srv.get(path, {"Host": "IMAGES.example.org"})
        t.check(st in (200, 303), "%s with a listed Host, any case: %s" % (path, st))
    st, h, body = srv.get(PATHS[0], {"X-Forwarded-Host": "images.example.org", "X-Forwarded-Proto": "https"})
    t.check(st == 200 and b"https://images.example.org/iiif/3/" in body, "a listed host from the trusted proxy")


def test_other_hosts_get_421(srv, t):
    for path in PATHS:
        resp = srv.get(path, {"Host": "evil.example"})
        harness.check_error(t, resp, 421, "%s with Host evil.example" % path)
        t.check(b"evil.example" in resp[2] and b"images.example.org" in resp[2], "the reason names both")
        resp = srv.get(path, {"X-Forwarded-Host": "evil.example"})
        harness.check_error(t, resp, 421, "%s with X-Forwarded-Host evil.example from the proxy" % path)
    st, h, body = srv.get("/health", {"Host": "evil.example"})
    t.eq(st, 200, "/health needs no host")
