"""Tile passthrough: a request for exactly one stored JPEG tile of a
pyramidal TIFF is answered with the stored bytes (Server-Timing says
"passthrough"), which decode to the same pixels as the decode path; edge
tiles, stored padded, are cut to size without decoding. Every other request
(other sizes, formats, qualities, rotations, colour profiles) is rendered. Runs with the response cache off so every answer is
made afresh."""
import harness
import numpy
from harness import get_json

SERVER_ARGS = ["--cache-mb", "0"]


def pixels(body):
    return numpy.asarray(harness.decode_image(body).convert("RGB")).astype(int)


def walk(srv, t, ident, expect_passthrough=True):
    s, _, info = get_json(srv, "/iiif/3/%s/info.json" % ident)
    if not t.check(s == 200 and info, "%s: info.json" % ident):
        return 0
    tile = info["tiles"][0]
    tw, th = tile["width"], tile.get("height", tile["width"])
    passed = 0
    for sf, (x, y, w, h), (ws, hs) in harness.tile_requests(info["width"], info["height"], tw, th,
                                                             tile["scaleFactors"]):
        region = "%d,%d,%d,%d" % (x, y, w, h)
        path = "/iiif/3/%s/%s/%d,%d/0/default.jpg" % (ident, region, ws, hs)
        s, hdr, body = srv.get(path)
        if not t.check(s == 200, "%s: %s" % (path, s)):
            continue
        how = hdr.get("server-timing", "")
        label = "%s sf %d %s" % (ident, sf, region)
        # every tile of the levels the file holds passes through, edge tiles too (1000 px halves evenly)
        if expect_passthrough and sf <= 4:
            t.eq(how, "passthrough", label)
        if how == "passthrough":
            passed += 1
            im = harness.decode_image(body)
            t.eq(im.size, (ws, hs), label + ": size")
            # the decode path (png) decodes the same stored tile: the pixels agree
            s2, h2, png = srv.get("/iiif/3/%s/%s/%d,%d/0/default.png" % (ident, region, ws, hs))
            t.check(h2.get("server-timing", "").startswith("render"), label + ": png is rendered")
            diff = numpy.abs(pixels(body) - pixels(png)).mean()
            t.check(diff < 2, "%s: passthrough and decode differ by %.2f" % (label, diff))
    return passed


def test_stored_tiles_pass_through(srv, t):
    # 1000x1000 in 256-px tiles: levels of 1000, 500 and 250 px hold 16 + 4 + 1 tiles
    n = walk(srv, t, "grid%2Ftiff-jpeg")
    t.eq(n, 21, "tiles passed through")
    n = walk(srv, t, "kinds%2Fgrey-pyramid")
    t.eq(n, 21, "grey: tiles passed through")
    # RGB-coded JPEG tiles get an Adobe marker so decoders do not take them for YCbCr
    n = walk(srv, t, "grid%2Ftiff-jpeg-rgb")
    t.eq(n, 21, "RGB-coded: tiles passed through")
    s, h, body = srv.get("/iiif/3/grid%2Ftiff-jpeg-rgb/256,256,256,256/256,/0/default.jpg")
    t.check(b"Adobe" in body[:64], "RGB-coded tile carries an Adobe marker")
    harness.check_grid(t, harness.decode_image(body), "RGB-coded tile colours", region=(256, 256, 256, 256),
                       size=(256, 256), tol=12)
    # an edge tile cut to size keeps the Adobe marker, and its colours
    s, h, body = srv.get("/iiif/3/grid%2Ftiff-jpeg-rgb/768,256,232,256/232,/0/default.jpg")
    t.eq(h.get("server-timing"), "passthrough", "RGB-coded edge tile")
    t.check(b"Adobe" in body[:64], "RGB-coded edge tile carries an Adobe marker")
    harness.check_grid(t, harness.decode_image(body), "RGB-coded edge tile colours", region=(768, 256, 232, 256),
                       size=(232, 256), tol=12)


def test_edge_tiles_need_their_exact_size(srv, t):
    # the stored part of the right edge tile is 232 px wide: any other size is rendered
    for size in ["231,256", "^233,256", "116,128", "232,255"]:
        s, h, _ = srv.get("/iiif/3/grid%2Ftiff-jpeg/768,0,232,256/" + size + "/0/default.jpg")
        t.eq(s, 200, size)
        t.check(h.get("server-timing", "").startswith("render"), "%s: rendered, got %r" % (size, h.get("server-timing")))
    # a region that stops short of the image's edge is not the stored tile
    s, h, _ = srv.get("/iiif/3/grid%2Ftiff-jpeg/768,0,200,256/200,256/0/default.jpg")
    t.check(h.get("server-timing", "").startswith("render"), "short of the edge: %r" % h.get("server-timing"))


def test_what_must_be_rendered(srv, t):
    tile = "/iiif/3/grid%2Ftiff-jpeg/256,256,256,256"
    for rest in ["256,/0/default.png", "256,/0/gray.jpg", "256,/0/bitonal.jpg", "256,/0/gray.webp",
                 "256,/90/default.jpg", "256,/!0/default.jpg", "128,/0/default.jpg", "^300,/0/default.jpg"]:
        s, h, _ = srv.get(tile + "/" + rest)
        t.eq(s, 200, rest)
        t.check(h.get("server-timing", "").startswith("render"), "%s: rendered, got %r" % (rest, h.get("server-timing")))
    s, h, _ = srv.get(tile + "/256,/0/color.jpg")
    t.eq(h.get("server-timing"), "passthrough", "color is the stored colour")
    # grey sources: gray is the stored data
    s, h, _ = srv.get("/iiif/3/kinds%2Fgrey-pyramid/256,256,256,256/256,/0/gray.jpg")
    t.eq(h.get("server-timing"), "passthrough", "gray of a grey source")
    # a colour profile other than sRGB needs converting: never passed through
    s, h, body = srv.get("/iiif/3/kinds%2Fp3-pyramid/256,256,256,256/256,/0/default.jpg")
    t.check(s == 200 and h.get("server-timing", "").startswith("render"), "P3 TIFF: %r" % h.get("server-timing"))
    # TIFFs compressed otherwise have nothing to pass through
    s, h, _ = srv.get("/iiif/3/grid%2Ftiff-deflate/256,256,256,256/256,/0/default.jpg")
    t.check(h.get("server-timing", "").startswith("render"), "deflate TIFF: %r" % h.get("server-timing"))


def test_switched_off(srv, t):
    other = harness.Server(srv.binary, srv.root, ["--cache-mb", "0", "--passthrough=false"],
                           sanitized=srv.sanitized).start()
    try:
        s, h, body = other.get("/iiif/3/grid%2Ftiff-jpeg/256,256,256,256/256,/0/default.jpg")
        t.check(s == 200 and h.get("server-timing", "").startswith("render"), "--passthrough=false renders")
        s2, h2, body2 = srv.get("/iiif/3/grid%2Ftiff-jpeg/256,256,256,256/256,/0/default.jpg")
        diff = numpy.abs(pixels(body) - pixels(body2)).mean()
        t.check(diff < 3, "passthrough and a fresh encode differ by %.2f (JPEG tolerance)" % diff)
    finally:
        for p in other.stop():
            t.check(False, p)


def test_stored_tiles_as_webp_skip_libvips(srv, t):
    """A stored tile asked for as WebP is decoded with libjpeg-turbo and
    encoded with libwebp directly (Server-Timing says "direct"): the same
    pixels as the libvips path, within WebP's loss."""
    tiles = [("grid%2Ftiff-jpeg", "256,256,256,256", "256,256"), ("grid%2Ftiff-jpeg", "768,0,232,256", "232,256"),
             ("grid%2Ftiff-jpeg", "512,512,488,488", "244,244"), ("grid%2Ftiff-jpeg-rgb", "0,0,256,256", "256,256"),
             ("kinds%2Fgrey-pyramid", "0,256,256,256", "256,256")]
    for ident, region, size in tiles:
        base = "/iiif/3/%s/%s/%s/0/" % (ident, region, size)
        s, h, webp = srv.get(base + "default.webp")
        if not t.check(s == 200, base + ": %d" % s):
            continue
        t.check(h.get("server-timing", "").startswith("direct"), "%s: direct, got %r" % (base, h.get("server-timing")))
        t.eq(h.get("content-type"), "image/webp", base + ": type")
        s2, h2, png = srv.get(base + "default.png")
        a, b = pixels(webp), pixels(png)
        t.eq(a.shape, b.shape, base + ": size")
        if a.shape == b.shape:
            diff = numpy.abs(a - b).mean()
            t.check(diff < 4, "%s: direct WebP and the libvips path differ by %.2f" % (base, diff))
    # what still goes through libvips: a size that is not the stored one, rotation, gray of a colour tile
    for rest in ["128,/0/default.webp", "256,/90/default.webp", "256,/0/gray.webp", "!256,256/0/bitonal.webp"]:
        s, h, _ = srv.get("/iiif/3/grid%2Ftiff-jpeg/256,256,256,256/" + rest)
        t.check(s == 200 and h.get("server-timing", "").startswith("render"), "%s: %r" % (rest, h.get("server-timing")))
