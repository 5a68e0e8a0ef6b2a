"""HTTP behaviour: the base URI redirect, CORS on every response, OPTIONS
preflight, HEAD, the canonical and profile Link headers (and that the
canonical URI serves the same image), 405, the home page and /health."""
import re
import time

import harness
from harness import VID

P3 = "/iiif/3/" + VID
P2 = "/iiif/2/" + VID

# a sample of every kind of response: (label, path, expected status)
RESPONSES = [
    ("info 3.0", P3 + "/info.json", 200),
    ("info 2.1", P2 + "/info.json", 200),
    ("image 3.0", P3 + "/full/100,/0/default.jpg", 200),
    ("image 2.1", P2 + "/full/100,/0/default.png", 200),
    ("base URI 3.0", P3, 303),
    ("base URI 2.1", P2, 303),
    ("bad region", P3 + "/junk/max/0/default.jpg", 400),
    ("bad size", P3 + "/full/junk/0/default.jpg", 400),
    ("unknown id", "/iiif/3/no-such-image/info.json", 404),
    ("unknown id image", "/iiif/3/no-such-image/full/max/0/default.jpg", 404),
    ("not an image", "/iiif/3/bad%2Ftext.jpg/info.json", (415, 400, 404, 500)),
    ("no route", "/nothing/here", 404),
    ("home", "/", 200),
    ("health", "/health", 200),
]


def test_cors_everywhere(srv, t):
    for label, path, want in RESPONSES:
        for origin in (None, "https://viewer.example.org"):
            status, h, _ = srv.get(path, {"Origin": origin} if origin else None)
            wants = want if isinstance(want, tuple) else (want,)
            t.check(status in wants, "%s: status %s, want %s" % (label, status, want))
            t.eq(h.get("access-control-allow-origin"), "*", "%s (Origin %s): Access-Control-Allow-Origin" % (label, origin))
    for m in ("POST", "PUT", "DELETE"):
        _, h, _ = srv.request(P3 + "/info.json", m)
        t.eq(h.get("access-control-allow-origin"), "*", "%s: Access-Control-Allow-Origin" % m)


def test_base_uri_redirect(srv, t):
    base = "http://127.0.0.1:%d" % srv.port
    for v, ident in (("3", VID), ("2", VID), ("3", VID + ".png"), ("3", "nested%2Fa%2Fb%2Fp1"), ("2", "ext%2Fp001")):
        for suffix in ("", "/"):
            path = "/iiif/%s/%s%s" % (v, ident, suffix)
            status, h, body = srv.get(path)
            t.eq(status, 303, "base URI %s" % path)
            t.eq(h.get("location"), "%s/iiif/%s/%s/info.json" % (base, v, ident), "Location of %s" % path)
            t.eq(h.get("access-control-allow-origin"), "*", "CORS on the 303 of %s" % path)
    # the redirect target works
    status, _, _ = srv.get(P3 + "/info.json")
    t.eq(status, 200, "redirect target")
    # an unknown identifier: the base URI redirects without looking (a URL shape), and the target is a 404
    status, h, _ = srv.get("/iiif/3/no-such-image")
    t.eq(status, 303, "base URI of an unknown identifier")
    t.eq(h.get("location"), "%s/iiif/3/no-such-image/info.json" % base, "its Location")
    status, _, _ = srv.get("/iiif/3/no-such-image/info.json")
    t.eq(status, 404, "the redirect target of an unknown identifier")


def test_options_preflight(srv, t):
    for path in (P3 + "/info.json", P2 + "/full/full/0/default.jpg", P3, "/", "/iiif/3/no-such-image/info.json"):
        hdrs = {"Origin": "https://viewer.example.org", "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "Authorization, X-Requested-With"}
        status, h, body = srv.request(path, "OPTIONS", hdrs)
        t.check(status in (200, 204), "OPTIONS %s: status %s" % (path, status))
        t.eq(h.get("access-control-allow-origin"), "*", "OPTIONS %s: Access-Control-Allow-Origin" % path)
        methods = [m.strip() for m in h.get("access-control-allow-methods", "").split(",")]
        t.check("GET" in methods, "OPTIONS %s: Access-Control-Allow-Methods %r lacks GET" % (path, methods))
        allowed = [x.strip().lower() for x in h.get("access-control-allow-headers", "").split(",")]
        t.check("authorization" in allowed and "x-requested-with" in allowed,
                "OPTIONS %s: requested headers are not echoed: %r" % (path, h.get("access-control-allow-headers")))
        t.eq(body, b"", "OPTIONS %s: empty body" % path)


HEAD_PATHS = [P3 + "/info.json", P2 + "/info.json", P3 + "/full/200,/0/default.jpg", P2 + "/full/200,/90/gray.png",
              P3, "/iiif/3/no-such-image/info.json", P3 + "/full/full/0/default.jpg", "/", "/health"]
SAME_HEADERS = ("content-type", "content-length", "link", "location", "access-control-allow-origin", "vary",
                "cache-control")


def test_head(srv, t):
    for path in HEAD_PATHS:
        gs, gh, gb = srv.get(path)
        hs, hh, hb = srv.request(path, "HEAD")
        t.eq(hs, gs, "HEAD %s: status" % path)
        t.eq(hb, b"", "HEAD %s: empty body" % path)
        t.eq(gh.get("content-length"), str(len(gb)), "GET %s: Content-Length" % path)
        for k in SAME_HEADERS:
            t.eq(hh.get(k), gh.get(k), "HEAD %s: header %s as for GET" % (path, k))


# (request after the identifier, canonical after the identifier) on the 1000x1000 image
CANON3 = [
    ("full/max/0/default.jpg", "full/max/0/default.jpg"),
    ("full/!2000,2000/0/default.png", "full/max/0/default.png"),
    ("square/max/0/default.jpg", "full/max/0/default.jpg"),
    ("0,0,1000,1000/max/0/default.jpg", "full/max/0/default.jpg"),
    ("0,0,5000,5000/max/0/default.jpg", "full/max/0/default.jpg"),
    ("pct:0,0,100,100/max/0/default.jpg", "full/max/0/default.jpg"),
    ("pct:10,20,30,40/max/0/default.jpg", "100,200,300,400/max/0/default.jpg"),
    ("950,950,100,100/max/0/default.jpg", "950,950,50,50/max/0/default.jpg"),
    ("full/500,/0/default.jpg", "full/500,500/0/default.jpg"),
    ("full/,250/0/default.jpg", "full/250,250/0/default.jpg"),
    ("full/pct:50/0/default.jpg", "full/500,500/0/default.jpg"),
    ("full/!500,300/0/default.jpg", "full/300,300/0/default.jpg"),
    ("full/300,200/0/default.jpg", "full/300,200/0/default.jpg"),
    ("full/1000,/0/default.jpg", "full/max/0/default.jpg"),
    ("full/^1200,/0/default.jpg", "full/^1200,1200/0/default.jpg"),
    ("full/^!1500,1200/0/default.jpg", "full/^1200,1200/0/default.jpg"),
    ("full/^max/0/default.jpg", "full/max/0/default.jpg"),
    ("full/^500,/0/default.jpg", "full/500,500/0/default.jpg"),
    ("full/max/!90.0/gray.png", "full/max/!90/gray.png"),
    ("full/max/22.50/default.jpg", "full/max/22.5/default.jpg"),
    ("full/max/0/color.jpg", "full/max/0/color.jpg"),
    ("full/max/0/bitonal.webp", "full/max/0/bitonal.webp"),
    ("0,0,200,100/100,/90/default.png", "0,0,200,100/100,50/90/default.png"),
]
CANON2 = [
    ("full/full/0/default.jpg", "full/full/0/default.jpg"),
    ("full/max/0/default.jpg", "full/full/0/default.jpg"),
    ("square/full/0/default.jpg", "full/full/0/default.jpg"),
    ("full/500,/0/default.jpg", "full/500,/0/default.jpg"),
    ("full/,250/0/default.jpg", "full/250,/0/default.jpg"),
    ("full/500,500/0/default.jpg", "full/500,/0/default.jpg"),
    ("full/pct:50/0/default.jpg", "full/500,/0/default.jpg"),
    ("full/!500,300/0/default.jpg", "full/300,/0/default.jpg"),
    ("full/300,200/0/default.jpg", "full/300,200/0/default.jpg"),
    ("full/1500,/0/default.jpg", "full/1500,/0/default.jpg"),
    ("0,0,200,100/full/0/default.jpg", "0,0,200,100/full/0/default.jpg"),
    ("pct:10,20,30,40/150,/!180/gray.png", "100,200,300,400/150,/!180/gray.png"),
]


def test_link_headers(srv, t):
    base = "http://127.0.0.1:%d" % srv.port
    for v, cases in (("3", CANON3), ("2", CANON2)):
        for ident in (VID, VID + ".png"):
            prefix = "/iiif/%s/%s/" % (v, ident)
            for req, canon in cases:
                status, h, body = srv.get(prefix + req)
                label = "v%s %s" % (v, req)
                if not t.check(status == 200, "%s: status %s" % (label, status)):
                    continue
                ls = harness.links(h)
                t.eq(ls.get("canonical"), [base + prefix + canon], label + ": canonical Link")
                t.eq(ls.get("profile"), ["http://iiif.io/api/image/%s/level2.json" % v], label + ": profile Link")
                if ident != VID:
                    continue
                # the canonical URI serves the same image
                cpath = (ls.get("canonical") or [base])[0][len(base):]
                if cpath and cpath != prefix + req:
                    s2, h2, b2 = srv.get(cpath)
                    t.eq(s2, 200, label + ": the canonical URI works")
                    # the same plan, so the same bytes (the encoders are deterministic)
                    t.check(s2 != 200 or b2 == body, "%s: the canonical URI gives another image" % label)
                    # and names itself as canonical
                    t.eq(harness.links(h2).get("canonical"), ls.get("canonical"), label + ": canonical of the canonical")


def test_methods_not_allowed(srv, t):
    for m in ("POST", "PUT", "DELETE", "PATCH"):
        for path in (P3 + "/info.json", P3 + "/full/max/0/default.jpg", "/"):
            status, h, body = srv.request(path, m)
            label = "%s %s" % (m, path)
            harness.check_error(t, (status, h, body), 405, label)
            allow = [x.strip() for x in h.get("allow", "").split(",")]
            t.check("GET" in allow and "HEAD" in allow, "%s: Allow header %r" % (label, h.get("allow")))


def test_query_strings_ignored(srv, t):
    status, _, info = harness.get_json(srv, P3 + "/info.json?x=1&y=2")
    t.eq(status, 200, "info.json with a query string")
    if info:
        t.eq(info.get("id"), "http://127.0.0.1:%d%s" % (srv.port, P3), "id without the query string")
    status, _, im, _ = harness.fetch_image(srv, P3 + "/full/64,/0/default.png?cachebust=123")
    t.check(status == 200 and im is not None and im.size == (64, 64), "image with a query string: %s" % status)


def test_conditional_requests(srv, t):
    """304 by normal HTTP rules: when the server gives an ETag or Last-Modified, a
    conditional GET with it answers 304 with the CORS header and no body."""
    for path in (P3 + "/info.json", P3 + "/full/100,/0/default.jpg"):
        status, h, _ = srv.get(path)
        for k, cond in (("etag", "If-None-Match"), ("last-modified", "If-Modified-Since")):
            if k not in h:
                continue
            s2, h2, b2 = srv.get(path, {cond: h[k]})
            t.eq(s2, 304, "%s with %s" % (path, cond))
            t.eq(b2, b"", "%s with %s: no body" % (path, cond))
            t.eq(h2.get("access-control-allow-origin"), "*", "%s with %s: CORS on the 304" % (path, cond))


def test_home_page(srv, t):
    status, h, body = srv.get("/")
    t.eq(status, 200, "GET /")
    t.check(h.get("content-type", "").startswith("text/html"), "home page is HTML")
    html = body.decode("utf-8", "replace")
    for ident in ("grid%2Fpng.png", "grid%2Ftiff-jpeg.tif", "kinds%2Fcmyk.jpg", "odd%2Fjp2.jp2", "ext%2Fp001.tif"):
        t.check("/iiif/3/%s/info.json" % ident in html, "home page lists %s" % ident)
    t.check("notes.txt" not in html, "files that are not images are not listed")
    t.check(".hidden" not in html, "hidden files are not listed")
    t.check("escape.png" not in html, "the symlink that leads outside the root is not listed")
    # every listed (good) image really has an info.json
    listed = sorted(set(re.findall(r'href="[^"]*?(/iiif/3/[^"/]+)/info\.json"', html)))
    t.check(len(listed) >= 30, "home page lists the fixture images (%d)" % len(listed))
    for p in listed:
        if "bad%2F" in p:
            continue
        status, _, _ = srv.get(p + "/info.json")
        t.eq(status, 200, "listed image %s" % p)


def test_health(srv, t):
    status, h, body = srv.get("/health")
    t.eq(status, 200, "/health")
    t.eq(body, b"ok\n", "/health body")
    status, _, _ = srv.get("/health/extra")
    t.eq(status, 404, "/health/extra")


def test_api_tops_redirect(srv, t):
    """The top of each API names no document: it redirects to what does."""
    for path, want in (("/iiif", "/"), ("/iiif/", "/"), ("/iiif/3", "/"), ("/iiif/3/", "/"), ("/iiif/2/", "/"),
                       ("/iiif/presentation", "/iiif/presentation/collection"),
                       ("/iiif/presentation/", "/iiif/presentation/collection"),
                       ("/iiif/presentation/nested", "/iiif/presentation/nested/collection"),
                       ("/iiif/presentation/nested/a/b", "/iiif/presentation/nested/a/b/manifest"),
                       ("/iiif/presentation/nested/a/b/", "/iiif/presentation/nested/a/b/manifest"),
                       ("/iiif/presentation/grid/png.png", "/iiif/presentation/grid/png.png/manifest")):
        status, h, body = srv.get(path)
        t.eq(status, 303, "%s redirects" % path)
        loc = h.get("location", "")
        t.check(loc == want or loc.endswith("127.0.0.1:%d%s" % (srv.port, want)), "%s -> %r, want %s" % (path, loc, want))
    status, h, body = srv.get("/iiif/presentation/no/such/folder")
    t.eq(status, 404, "a path that names nothing")


def test_options_on_nothing(srv, t):
    for path in ("/no-such-thing", "/health/extra", "/iiif/collections/search/more"):
        status, h, body = srv.request(path, "OPTIONS", {"Origin": "https://viewer.example.org",
                                                        "Access-Control-Request-Method": "GET"})
        t.eq(status, 404, "OPTIONS %s" % path)


def test_access_log_durations(srv, t):
    """Answers made on the event loop are timed too (libh2o's loop clock would say 0 ms)."""
    for _ in range(20):
        srv.get("/health")
    # a line is written once its answer is sent, which the client may see first: wait for the 20th
    deadline = time.time() + 10
    while True:
        lines = [l for l in srv.log().splitlines() if '"GET /health HTTP/1.1" 200' in l]
        if len(lines) >= 20 or time.time() > deadline:
            break
        time.sleep(0.02)
    t.check(len(lines) >= 20, "the access log has the requests: %d" % len(lines))
    times = [float(l.rsplit(" ", 1)[1].rstrip("ms")) for l in lines]
    t.check(any(x > 0 for x in times), "durations are measured: %r" % times[-5:])
