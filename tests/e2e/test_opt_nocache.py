"""--cache-mb 0 --meta-cache-mb 0: with both caches off every request goes
to a worker, and every answer is still right: info.json, images, 304s."""
import harness
from harness import VID, get_json

SERVER_ARGS = ["--cache-mb", "0", "--meta-cache-mb", "0"]


def test_everything_still_works(srv, t):
    for v in ("3", "2"):
        s, h, info = get_json(srv, "/iiif/%s/%s/info.json" % (v, VID))
        t.eq((s, info and info["width"]), (200, 1000), "v%s info.json" % v)
        etag = h.get("etag")
        t.check(etag is not None, "v%s info.json has an ETag" % v)
        s, _, _ = srv.get("/iiif/%s/%s/info.json" % (v, VID), {"If-None-Match": etag})
        t.eq(s, 304, "v%s info.json 304" % v)
    for path in ["/iiif/3/grid%2Ftiff-jpeg/0,0,512,512/256,/0/default.jpg", "/iiif/2/grid%2Fjp2/full/200,/0/gray.png"]:
        s1, h1, b1 = srv.get(path)
        s2, h2, b2 = srv.get(path)
        t.check(s1 == 200 and s2 == 200 and b1 == b2, "%s twice" % path)
        t.eq(h1.get("etag"), h2.get("etag"), path + ": stable ETag without a cache")
        s, _, b = srv.get(path, {"If-None-Match": h1.get("etag", "")})
        t.eq((s, b), (304, b""), path + ": 304 without a cache")
        im = harness.decode_image(b1)
        t.check(im.size[0] in (256, 200), "%s: size %r" % (path, im.size))
