"""Viewer pages and their assets over HTTP (the browser tests in
tests/browser/ check that they draw): the pages name the right documents,
assets are served with year-long caching under versioned URLs, nothing
outside the packages' built files is reachable, and without the assets
installed the pages say so with a 503."""
import os

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "samples"))
MODULES = os.path.normpath(os.path.join(HERE, "..", "..", "viewer", "node_modules"))


def _version(pkg):
    import json
    with open(os.path.join(MODULES, pkg, "package.json"), encoding="utf-8") as f:
        return json.load(f)["version"]


def test_pages(srv, t):
    s, h, body = srv.get("/viewer/image/photographs%2Falbum%2Fp4-retina.tif")
    t.eq(s, 200, "image viewer")
    t.check(h.get("content-type", "").startswith("text/html"), "html")
    page = body.decode()
    t.check(("%s/iiif/3/photographs%%2Falbum%%2Fp4-retina.tif/info.json" % srv.base) in page, "points at info.json")
    t.check("/viewer/assets/openseadragon-%s/openseadragon.min.js" % _version("openseadragon") in page, "versioned OSD")
    s, _, body = srv.get("/viewer/manifest/photographs/album")
    t.eq(s, 200, "manifest viewer")
    t.check(("%s/iiif/presentation/photographs/album/manifest" % srv.base) in body.decode(), "points at the manifest")
    t.check("/viewer/assets/mirador-%s/mirador.min.js" % _version("mirador") in body.decode(), "versioned Mirador")
    s, _, body = srv.get("/viewer/collection")
    t.check(s == 200 and ("%s/iiif/presentation/collection" % srv.base) in body.decode(), "root collection viewer")
    s, _, body = srv.get("/viewer/collection/maps")
    t.check(s == 200 and ("%s/iiif/presentation/maps/collection" % srv.base) in body.decode(), "a collection viewer")
    # markup in a path stays text: escaped in the title, percent-encoded in the script
    s, _, body = srv.get("/viewer/manifest/%3Cb%20onmouseover%3Dx%3Ey")
    t.check(s == 200 and b"<b onmouseover" not in body and b"&lt;b onmouseover=x&gt;y" in body,
            "markup in a path is escaped: %r" % body[:400])
    for path in ["/viewer/image/..%2Fetc", "/viewer/manifest/", "/viewer/manifest/../x", "/viewer/nothing",
                 "/viewer/collectionx"]:
        s, _, body = srv.get(path)
        t.check(s in (400, 404) and body.strip(), "%s: %d" % (path, s))


def test_assets(srv, t):
    osd = "/viewer/assets/openseadragon-%s/" % _version("openseadragon")
    s, h, body = srv.get(osd + "openseadragon.min.js")
    t.eq(s, 200, "OSD script")
    t.eq(h.get("cache-control"), "public, max-age=31536000, immutable", "cached for a year")
    t.check(h.get("content-type", "").startswith("text/javascript"), "javascript type")
    t.check(len(body) > 100000, "the whole file")
    s, h, _ = srv.get(osd + "images/zoomin_rest.png")
    t.check(s == 200 and h.get("content-type") == "image/png", "OSD button image")
    s, _, _ = srv.get("/viewer/assets/mirador-%s/mirador.min.js" % _version("mirador"))
    t.eq(s, 200, "Mirador bundle")
    for path in [osd + "../package.json", osd + "%2e%2e/package.json", osd + "../../mirador/package.json",
                 "/viewer/assets/openseadragon-0.0.1/openseadragon.min.js", osd + "openseadragon.min.js.gz",
                 osd + ".hidden.js", "/viewer/assets/playwright-core-1.0.0/index.js", osd]:
        s, _, _ = srv.get(path)
        t.eq(s, 404, path)


def test_without_assets(srv, t):
    other = harness.Server(srv.binary, srv.root, ["--viewer-dir", "/nonexistent"], sanitized=srv.sanitized).start()
    try:
        s, h, body = other.get("/viewer/manifest/photographs/album")
        t.eq(s, 503, "no assets: 503")
        t.check(b"viewer-deps.sh" in body, "says how to install them: %r" % body[:120])
        s, _, _ = other.get("/iiif/presentation/collection")
        t.eq(s, 200, "the rest of the server works")
    finally:
        for p in other.stop():
            t.check(False, p)
