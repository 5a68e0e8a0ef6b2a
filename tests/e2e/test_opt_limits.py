"""Output limits (--max-width 800 --max-height 600 --max-area 360000):
info.json declares them, `sizes` leaves out what is too large, `max` and
`!w,h` shrink to fit, explicit sizes over a limit are a 400."""
import math

import harness
from harness import VID, fetch_image, get_json, check_error

SERVER_ARGS = ["--max-width", "800", "--max-height", "600", "--max-area", "360000"]
MW, MH, MA = 800, 600, 360000


def _within(size):
    w, h = size
    return w <= MW and h <= MH and w * h <= MA


def test_info_declares_limits(srv, t):
    _, _, i3 = get_json(srv, "/iiif/3/%s/info.json" % VID)
    if t.check(i3 is not None, "3.0 info"):
        t.eq((i3.get("maxWidth"), i3.get("maxHeight"), i3.get("maxArea")), (MW, MH, MA), "3.0 limits")
        sizes = [(s["width"], s["height"]) for s in i3.get("sizes", [])]
        t.check(sizes and all(_within(s) for s in sizes), "3.0 sizes within the limits: %r" % sizes)
        t.check((1000, 1000) not in sizes, "3.0 sizes leave out the full size: %r" % sizes)
        for w, h in sizes:
            status, _, im, _ = fetch_image(srv, harness.image_path("3", VID, "full", "%d,%d" % (w, h)))
            t.check(status == 200 and im is not None and im.size == (w, h), "listed size %dx%d: %s" % (w, h, status))
    _, _, i2 = get_json(srv, "/iiif/2/%s/info.json" % VID)
    if t.check(i2 is not None, "2.1 info"):
        d = i2["profile"][1]
        t.eq((d.get("maxWidth"), d.get("maxHeight"), d.get("maxArea")), (MW, MH, MA), "2.1 limits")
        sizes = [(s["width"], s["height"]) for s in i2.get("sizes", [])]
        t.check(sizes and all(_within(s) for s in sizes), "2.1 sizes within the limits: %r" % sizes)


# (version, region, size): shrunk to fit, aspect ratio of the region kept
SHRINK = [
    ("3", "full", "max", (1000, 1000)),
    ("3", "0,0,1000,200", "max", (1000, 200)),
    ("3", "0,0,200,1000", "max", (200, 1000)),
    ("3", "0,0,700,700", "max", (700, 700)),
    ("3", "full", "!900,900", (1000, 1000)),
    ("3", "full", "^max", (1000, 1000)),
    ("2", "full", "max", (1000, 1000)),
    ("2", "0,0,1000,200", "max", (1000, 200)),
]


def test_max_shrinks_to_limits(srv, t):
    for v, region, size, (rw, rh) in SHRINK:
        label = "limits v%s %s/%s" % (v, region, size)
        status, _, im, body = fetch_image(srv, harness.image_path(v, VID, region, size))
        if not t.check(status == 200 and im is not None, "%s: status %s %r" % (label, status, body[:100])):
            continue
        w, h = im.size
        t.check(_within((w, h)), "%s: %dx%d is over the limits" % (label, w, h))
        t.check(abs(w * rh - h * rw) <= max(rw, rh), "%s: %dx%d lost the aspect ratio of %dx%d" % (label, w, h, rw, rh))
        # as large as the limits allow, within a pixel (the implementation notes' algorithm)
        s = min(1.0, MW / rw, MH / rh, math.sqrt(MA / (rw * rh)))
        t.check(w >= math.floor(rw * s) - 1 and h >= math.floor(rh * s) - 1,
                "%s: %dx%d is smaller than needed (%.1fx%.1f)" % (label, w, h, rw * s, rh * s))


def test_explicit_sizes_over_limits(srv, t):
    for v, size in (("3", "801,"), ("3", ",601"), ("3", "700,"), ("3", "pct:70"), ("3", "800,451"),
                    ("2", "801,"), ("2", "full"), ("2", "pct:70"), ("2", "700,700")):
        check_error(t, srv.get(harness.image_path(v, VID, "full", size)), 400, "limits v%s full/%s" % (v, size))
    for v, region, size, want in (("3", "full", "600,", (600, 600)), ("3", "0,0,1000,200", "800,", (800, 160)),
                                  ("2", "full", "600,", (600, 600))):
        status, _, im, _ = fetch_image(srv, harness.image_path(v, VID, region, size))
        t.check(status == 200 and im is not None and im.size == want, "limits v%s %s/%s: %s" % (v, region, size, status))


def test_tiles_within_limits(srv, t):
    """Every tile of a tiled source still works under the limits."""
    _, _, info = get_json(srv, "/iiif/3/grid%2Ftiff-deflate.tif/info.json")
    if not t.check(info is not None, "info"):
        return
    tile = info["tiles"][0]
    for s, reg, (ws, hs) in harness.tile_requests(1000, 1000, tile["width"], tile.get("height", tile["width"]),
                                                  tile["scaleFactors"]):
        path = harness.image_path("3", "grid%2Ftiff-deflate.tif", "%d,%d,%d,%d" % reg, "%d,%d" % (ws, hs), fmt="jpg")
        status, _, im, _ = fetch_image(srv, path)
        t.check(status == 200 and im is not None and im.size == (ws, hs), "tile %s: %s" % (path, status))
