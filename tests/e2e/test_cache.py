"""Caching: ETag and Last-Modified, 304 answers, identical bytes from the
cache, and a changed or removed file never served stale. Serves a private
copy of a few fixtures so the tests can change files under the server."""
import os
import shutil
import tempfile
import time

import fixtures
import harness
from harness import VID, get_json

SERVER_ROOT = tempfile.mkdtemp(prefix="tessera-cache-")
_src = fixtures.build()
shutil.copy(os.path.join(_src, VID + ".png"), os.path.join(SERVER_ROOT, "grid.png"))
shutil.copy(os.path.join(_src, "grid", "tiff-jpeg.tif"), os.path.join(SERVER_ROOT, "pyramid.tif"))
shutil.copy(os.path.join(_src, "odd", "plain.png"), os.path.join(SERVER_ROOT, "odd.png"))



def teardown():
    shutil.rmtree(SERVER_ROOT, ignore_errors=True)


IMAGES = ["/iiif/3/pyramid/0,0,256,256/256,/0/default.jpg", "/iiif/2/pyramid/full/250,/0/gray.png",
          "/iiif/3/grid/full/max/90/default.webp"]
INFOS = ["/iiif/3/grid/info.json", "/iiif/2/pyramid/info.json"]


def test_validators_and_304(srv, t):
    for path in IMAGES + INFOS:
        s1, h1, b1 = srv.get(path)
        s2, h2, b2 = srv.get(path)
        if not t.check(s1 == 200 and s2 == 200, "%s: %s %s" % (path, s1, s2)):
            continue
        etag = h1.get("etag", "")
        t.check(etag.startswith('"') and etag.endswith('"') and len(etag) > 2, "%s: strong ETag %r" % (path, etag))
        t.eq(h2.get("etag"), etag, path + ": same ETag on a second request")
        t.eq(b2, b1, path + ": a cached answer has the same bytes")
        lm = h1.get("last-modified", "")
        t.check(lm.endswith(" GMT"), "%s: Last-Modified %r" % (path, lm))
        for hdrs, want in [({"If-None-Match": etag}, 304), ({"If-None-Match": "W/" + etag}, 304),
                           ({"If-None-Match": '"other", ' + etag}, 304), ({"If-None-Match": "*"}, 304),
                           ({"If-None-Match": '"other"'}, 200), ({"If-Modified-Since": lm}, 304),
                           ({"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}, 200),
                           ({"If-None-Match": '"other"', "If-Modified-Since": lm}, 200)]:
            s, h, b = srv.get(path, hdrs)
            t.eq(s, want, "%s with %r" % (path, hdrs))
            if s == 304:
                t.eq(b, b"", "%s: 304 has no body" % path)
                t.eq(h.get("etag"), etag, "%s: 304 repeats the ETag" % path)
                t.eq(h.get("access-control-allow-origin"), "*", "%s: 304 has CORS" % path)
                t.check("content-length" not in h or h["content-length"] == "0", "%s: 304 content-length %r"
                        % (path, h.get("content-length")))
        s, h, b = srv.request(path, "HEAD")
        t.eq((s, b, h.get("etag"), h.get("content-length")), (200, b"", etag, str(len(b1))), path + ": HEAD")


def test_etags_differ(srv, t):
    seen = {}
    paths = IMAGES + INFOS + ["/iiif/3/pyramid/0,0,256,256/256,/0/default.png",
                              "/iiif/3/pyramid/0,0,256,256/128,/0/default.jpg"]
    for path in paths:
        s, h, _ = srv.get(path)
        e = h.get("etag")
        t.check(e not in seen, "%s has the ETag of %s" % (path, seen.get(e)))
        seen[e] = path
    # JSON and JSON-LD are different representations
    _, h1, _ = srv.get(INFOS[0], {"Accept": "application/json"})
    _, h2, _ = srv.get(INFOS[0], {"Accept": "application/ld+json"})
    t.check(h1.get("etag") != h2.get("etag"), "info.json as JSON and JSON-LD share an ETag")
    # equivalent requests are one representation (canonical keys)
    _, a, ba = srv.get("/iiif/3/grid/full/max/0/default.png")
    _, b, bb = srv.get("/iiif/3/grid/0,0,1000,1000/1000,1000/0/default.png")
    t.check(a.get("etag") == b.get("etag") and ba == bb, "full/max and 0,0,1000,1000/1000,1000 differ")


def test_changed_file_is_never_stale(srv, t):
    path = os.path.join(SERVER_ROOT, "change.png")
    shutil.copy(os.path.join(SERVER_ROOT, "grid.png"), path)
    s, h, info = get_json(srv, "/iiif/3/change/info.json")
    t.eq((s, info and info["width"]), (200, 1000), "before the change")
    s, h1, b1 = srv.get("/iiif/3/change/full/100,/0/default.png")
    etag1 = h1.get("etag")
    # same name, other pixels and size (999x767), and a later mtime
    shutil.copy(os.path.join(SERVER_ROOT, "odd.png"), path + ".tmp")
    os.replace(path + ".tmp", path)
    later = time.time() + 5
    os.utime(path, (later, later))
    s, h, info = get_json(srv, "/iiif/3/change/info.json")
    t.eq((s, info and info["width"], info and info["height"]), (200, 999, 767), "info.json right after the change")
    s, h2, b2 = srv.get("/iiif/3/change/full/100,/0/default.png")
    t.eq(s, 200, "image after the change")
    t.check(h2.get("etag") != etag1, "a changed file gets a new ETag")
    t.check(b2 != b1 and harness.decode_image(b2).size == (100, 77), "a changed file gets new pixels")
    s, _, _ = srv.get("/iiif/3/change/full/100,/0/default.png", {"If-None-Match": etag1})
    t.eq(s, 200, "the old ETag no longer matches")
    # the same size and mtime but other content is indistinguishable by stat; not tested
    os.unlink(path)
    s, _, _ = srv.get("/iiif/3/change/info.json")
    t.eq(s, 404, "info.json of a removed file")
    s, _, _ = srv.get("/iiif/3/change/full/100,/0/default.png")
    t.eq(s, 404, "image of a removed file")


def test_errors_are_not_cached(srv, t):
    for _ in range(2):
        s, h, b = srv.get("/iiif/3/grid/0,0,0,10/max/0/default.jpg")
        t.eq(s, 400, "bad region, twice")
        t.check("etag" not in h, "errors carry no ETag")
        t.eq(h.get("cache-control"), "no-store", "errors are not stored")
