"""Limits smaller than the advertised tiles (--max-width 400, with the
default 512 px tile size for untiled sources): every tile and size that
info.json advertises must still be served (the spec: "a service whose
Image Information includes tiles must support requests for the sizes
implicit in" them). And an area limit smaller than the height still binds
one-pixel-thin regions."""
import harness
from harness import fetch_image, get_json

SERVER_ARGS = ["--max-width", "400"]

SOURCES = [("grid%2Fpng.png", 1000, 1000), ("grid%2Ftiff-deflate.tif", 1000, 1000), ("odd%2Fjp2.jp2", 999, 767)]


def test_advertised_tiles_and_sizes_work(srv, t):
    for ident, width, height in SOURCES:
        status, _, info = get_json(srv, "/iiif/3/%s/info.json" % ident)
        if not t.check(status == 200 and info, "%s info.json: %s" % (ident, status)):
            continue
        mw, mh = info.get("maxWidth", 400), info.get("maxHeight", info.get("maxWidth", 400))
        for s in info.get("sizes", []):
            t.check(s["width"] <= mw and s["height"] <= mh, "%s: size %r over the limits" % (ident, s))
            status, _, im, _ = fetch_image(srv, harness.image_path("3", ident, "full", "%d,%d" % (s["width"],
                                                                                              s["height"])))
            t.check(status == 200 and im is not None, "%s: listed size %r: status %s" % (ident, s, status))
        for tile in info.get("tiles", []):
            tw, th = tile["width"], tile.get("height", tile["width"])
            t.check(tw <= mw and th <= mh, "%s: tiles of %dx%d advertised with maxWidth %d / maxHeight %d" % (
                ident, tw, th, mw, mh))
            for s, reg, (ws, hs) in harness.tile_requests(width, height, tw, th, tile["scaleFactors"]):
                path = harness.image_path("3", ident, "%d,%d,%d,%d" % reg, "%d,%d" % (ws, hs), fmt="jpg")
                status, _, im, body = fetch_image(srv, path)
                t.check(status == 200 and im is not None and im.size == (ws, hs),
                        "%s: advertised tile %s: status %s %r" % (ident, path, status, body[:100]))


def test_max_within_limits(srv, t):
    for region in ("full", "0,0,1000,10", "0,0,10,1000"):
        status, _, im, _ = fetch_image(srv, harness.image_path("3", harness.VID, region))
        if t.check(status == 200 and im is not None, "max of %s: %s" % (region, status)):
            t.check(im.size[0] <= 400 and im.size[1] <= 400, "max of %s: %r over 400" % (region, im.size))


def test_thin_regions_and_a_small_area(srv, t):
    """--max-area 300 (smaller than the 400 px height limit): `max` of a 1 px wide region
    must stay within 300 pixels of area."""
    other = harness.Server(srv.binary, srv.root, ["--max-width", "400", "--max-area", "300", "--access-log", "off"],
                           sanitized=srv.sanitized).start()
    try:
        for region in ("0,0,1,1000", "0,0,1000,1", "0,0,2,1000"):
            for size in ("max", "^max", "!1000,1000"):
                status, _, im, body = fetch_image(other, harness.image_path("3", harness.VID, region, size))
                label = "max-area 300: %s/%s" % (region, size)
                if t.check(status == 200 and im is not None, "%s: status %s %r" % (label, status, body[:100])):
                    w, h = im.size
                    t.check(w * h <= 300 and w <= 400 and h <= 400, "%s: %dx%d is over the limits" % (label, w, h))
    finally:
        problems = other.stop()
        t.check(not problems, "second server: %s" % problems)
