"""The basics every later suite relies on: the home page, info.json of both
versions, one image, the base URI redirect, and a 404."""
from harness import decode_image

VID = "67352ccc-d1b0-11e1-89ae-279075081939"


def test_home_lists_images(srv, t):
    status, h, body = srv.get("/")
    t.eq(status, 200, "GET /")
    t.check(h.get("content-type", "").startswith("text/html"), "home page is HTML")
    t.check(("/iiif/3/%s.png/info.json" % VID).encode() in body, "home page links the validator image's info.json")
    t.check(b"/iiif/3/nested%2Fa%2Fb%2Fp1.png/info.json" in body, "nested images are listed with %2F")
    t.check(b".hidden" not in body, "hidden files are not listed")


def test_health(srv, t):
    status, _, body = srv.get("/health")
    t.eq(status, 200, "/health")
    t.eq(body, b"ok\n", "/health body")


def test_image_full_max(srv, t):
    for v in ("3", "2"):
        size = "max" if v == "3" else "full"
        status, h, body = srv.get("/iiif/%s/%s/full/%s/0/default.jpg" % (v, VID, size))
        t.eq(status, 200, "v%s full image" % v)
        t.eq(h.get("content-type"), "image/jpeg", "v%s content type" % v)
        t.eq(decode_image(body).size, (1000, 1000), "v%s size" % v)


def test_not_found(srv, t):
    status, h, body = srv.get("/iiif/3/no-such-image/info.json")
    t.eq(status, 404, "unknown identifier")
    t.eq(h.get("access-control-allow-origin"), "*", "CORS on errors")
    t.check(body.startswith(b"404 Not Found: "), "error body says what was wrong: %r" % body)
