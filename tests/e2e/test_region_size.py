"""Region and size: every form of both versions, the output dimensions
(rounding to the nearest pixel, as docs/image-api.md says), the 3.0 / 2.1
differences (^, full, sizes above the region), and pixels of the grid for
regions and sizes in png (exact) and jpg (with tolerance)."""
import harness
from harness import VID, fetch_image, check_grid

ODD = "odd%2Fplain.png"  # 999 x 767, a crop of the grid at 0,0

# (region, size, expected (w, h) or an error status) on the 1000x1000 validator image, 3.0
CASES_3 = [
    ("full", "max", (1000, 1000)),
    ("square", "max", (1000, 1000)),
    ("0,0,100,100", "max", (100, 100)),
    ("100,200,300,400", "max", (300, 400)),
    ("950,950,100,100", "max", (50, 50)),           # cropped at the edge
    ("999,999,5000,5000", "max", (1, 1)),
    ("0,0,1000,1000", "max", (1000, 1000)),
    ("pct:10,20,30,40", "max", (300, 400)),
    ("pct:0,0,100,100", "max", (1000, 1000)),
    ("pct:95,95,10,10", "max", (50, 50)),
    ("pct:12.5,12.5,25.5,25.5", "max", (255, 255)),
    ("full", "500,", (500, 500)),
    ("full", ",250", (250, 250)),
    ("full", "pct:50", (500, 500)),
    ("full", "pct:12.5", (125, 125)),
    ("full", "pct:100", (1000, 1000)),
    ("full", "300,200", (300, 200)),
    ("full", "1000,1000", (1000, 1000)),
    ("full", "!500,300", (300, 300)),
    ("full", "!300,500", (300, 300)),
    ("full", "!2000,2000", (1000, 1000)),         # the spec: never larger than the region
    ("full", "!1000,1000", (1000, 1000)),
    ("full", "^max", (1000, 1000)),               # default: the region's own size
    ("full", "^1500,", (1500, 1500)),
    ("full", "^,1200", (1200, 1200)),
    ("full", "^pct:150", (1500, 1500)),
    ("full", "^1200,800", (1200, 800)),
    ("full", "^!2000,1500", (1500, 1500)),
    ("full", "^!800,1500", (800, 800)),
    ("full", "^500,", (500, 500)),                # ^ may also shrink
    ("full", "^pct:50", (500, 500)),
    ("full", "^!300,500", (300, 300)),
    ("0,0,200,100", "max", (200, 100)),
    ("0,0,200,100", "100,", (100, 50)),
    ("0,0,200,100", ",50", (100, 50)),
    ("0,0,200,100", "!50,50", (50, 25)),
    ("0,0,200,100", "!400,400", (200, 100)),
    ("0,0,200,100", "200,100", (200, 100)),
    ("0,0,200,100", "^400,", (400, 200)),
    ("0,0,200,100", "^!400,400", (400, 200)),
    ("0,0,200,100", "^max", (200, 100)),
    ("900,900,300,300", "pct:50", (50, 50)),       # size applies to the cropped region
    ("900,900,300,300", "100,", (100, 100)),
    ("0,0,1000,1", "10,", (10, 1)),                # the derived side never rounds to 0
    ("0,0,1,1000", ",10", (1, 10)),
    ("0,0,1,1", "^1000,", (1000, 1000)),           # one pixel, enlarged
    ("0,0,1,1", "max", (1, 1)),
    # larger than the region without ^: 400 in 3.0
    ("full", "1001,", 400),
    ("full", ",1001", 400),
    ("full", "pct:101", 400),
    ("full", "pct:100.5", 400),
    ("full", "1000,1001", 400),
    ("full", "1500,1500", 400),
    ("0,0,200,100", "201,", 400),
    ("0,0,200,100", ",101", 400),
    ("0,0,200,100", "300,100", 400),
    ("0,0,200,100", "pct:200", 400),
    ("900,900,300,300", "101,", 400),              # the region is 100x100 after cropping
    ("full", "full", 400),
    ("full", "pct:0", 400),
    ("full", "pct:0.01", 400),                     # under one pixel
]

# the same for 2.1: full is valid, ^ is not, sizes above the region are allowed (sizeAboveFull)
CASES_2 = [
    ("full", "full", (1000, 1000)),
    ("full", "max", (1000, 1000)),
    ("square", "full", (1000, 1000)),
    ("0,0,100,100", "full", (100, 100)),
    ("950,950,100,100", "full", (50, 50)),
    ("pct:10,20,30,40", "full", (300, 400)),
    ("pct:95,95,10,10", "full", (50, 50)),
    ("full", "500,", (500, 500)),
    ("full", ",250", (250, 250)),
    ("full", "pct:50", (500, 500)),
    ("full", "300,200", (300, 200)),
    ("full", "!500,300", (300, 300)),
    ("full", "1500,", (1500, 1500)),
    ("full", ",1200", (1200, 1200)),
    ("full", "pct:150", (1500, 1500)),
    ("full", "1200,800", (1200, 800)),
    ("0,0,200,100", "400,", (400, 200)),
    ("0,0,200,100", "!50,50", (50, 25)),
    ("0,0,200,100", "full", (200, 100)),
    ("full", "^max", 400),
    ("full", "^500,", 400),
    ("full", "^pct:50", 400),
    ("full", "^!500,500", 400),
    ("full", "^full", 400),
    ("full", "pct:0", 400),
]

# rounding on a 999 x 767 image: the missing side is rounded to the nearest pixel
CASES_ODD = [
    ("3", "full", "max", (999, 767)),
    ("3", "square", "max", (767, 767)),
    ("3", "full", "500,", (500, 384)),        # 383.88
    ("3", "full", ",100", (130, 100)),        # 130.25
    ("3", "full", "pct:10", (100, 77)),       # 99.9 x 76.7
    ("3", "full", "!200,200", (200, 154)),    # 153.55
    ("3", "full", "!999,100", (130, 100)),
    ("3", "full", "999,", (999, 767)),
    ("3", "full", "1000,", 400),
    ("3", "full", ",768", 400),
    ("3", "pct:50,50,50,50", "max", (499, 383)),   # x 499.5 -> 500 .. 999, y 383.5 -> 384 .. 767
    ("2", "full", "full", (999, 767)),
    ("2", "full", "500,", (500, 384)),
    ("2", "full", "1998,", (1998, 1534)),
    ("2", "square", "full", (767, 767)),
]


def _run(srv, t, v, ident, cases):
    for region, size, want in cases:
        path = harness.image_path(v, ident, region, size, fmt="png")
        status, h, im, body = fetch_image(srv, path)
        label = "v%s %s %s/%s" % (v, ident[:12], region, size)
        if isinstance(want, int):
            harness.check_error(t, (status, h, body), want, label)
        elif t.check(status == 200 and im is not None, "%s: status %s %r" % (label, status, body[:120])):
            t.eq(im.size, want, label + ": dimensions")


def test_region_size_dimensions_v3(srv, t):
    _run(srv, t, "3", VID, CASES_3)


def test_region_size_dimensions_v2(srv, t):
    _run(srv, t, "2", VID, CASES_2)


def test_rounding_odd_size(srv, t):
    for v, region, size, want in CASES_ODD:
        _run(srv, t, v, ODD, [(region, size, want)])


def test_square_region_pixels(srv, t):
    # square of a landscape image is centred on the long side: x = (999 - 767) / 2
    for v in ("3", "2"):
        status, _, im, _ = fetch_image(srv, harness.image_path(v, ODD, "square", fmt="png"))
        if t.check(status == 200 and im is not None, "v%s square: %s" % (v, status)):
            t.eq(im.size, (767, 767), "v%s square size" % v)
            check_grid(t, im, "v%s square of 999x767" % v, region=(116, 0, 767, 767), img_w=999, img_h=767,
                       min_points=40)


def test_confined_larger_box_spec(srv, t):
    """`!w,h` with a box larger than the region: the spec clamps to the region (no error)."""
    for region, size, want in (("full", "!2000,2000", (1000, 1000)), ("0,0,200,100", "!400,400", (200, 100)),
                               ("0,0,200,100", "!1000,150", (200, 100))):
        status, _, im, body = fetch_image(srv, harness.image_path("3", VID, region, size))
        if t.check(status == 200 and im is not None, "3.0 %s/%s: status %s %r (the spec clamps, no 400)" % (
                region, size, status, body[:100])):
            t.eq(im.size, want, "3.0 %s/%s" % (region, size))
    # 2.1: !w,h larger than the region fits within the box and keeps the aspect ratio
    status, _, im, _ = fetch_image(srv, harness.image_path("2", VID, "0,0,200,100", "!400,400"))
    if t.check(status == 200 and im is not None, "2.1 !400,400 on 200x100: status %s" % status):
        w, h = im.size
        t.check(w <= 400 and h <= 400 and w == 2 * h, "2.1 !400,400 on a 200x100 region: %r" % (im.size,))


# (version, region, size, source region (x, y, w, h)) for the pixel checks
PIXEL_CASES = [
    ("3", "full", "max", (0, 0, 1000, 1000)),
    ("3", "0,0,500,500", "max", (0, 0, 500, 500)),
    ("3", "250,150,400,300", "200,", (250, 150, 400, 300)),
    ("3", "pct:10,20,30,40", "max", (100, 200, 300, 400)),
    ("3", "pct:10,20,30,40", "pct:50", (100, 200, 300, 400)),
    ("3", "full", "300,200", (0, 0, 1000, 1000)),           # distorted
    ("3", "full", "!400,250", (0, 0, 1000, 1000)),
    ("3", "850,850,300,300", "max", (850, 850, 150, 150)),   # cropped at the corner
    ("3", "200,200,200,100", "^800,", (200, 200, 200, 100)),  # 4x enlarged
    ("3", "square", "^1200,1200", (0, 0, 1000, 1000)),
    ("3", "full", ",450", (0, 0, 1000, 1000)),
    ("2", "full", "full", (0, 0, 1000, 1000)),
    ("2", "0,500,500,500", "full", (0, 500, 500, 500)),
    ("2", "pct:50,0,50,100", "250,", (500, 0, 500, 1000)),
    ("2", "100,100,300,300", "1500,", (100, 100, 300, 300)),   # sizeAboveFull
    ("2", "full", "!300,600", (0, 0, 1000, 1000)),
    ("2", "full", "700,300", (0, 0, 1000, 1000)),
]


def test_region_size_pixels(srv, t):
    for v, region, size, src in PIXEL_CASES:
        for fmt, tol in (("png", 3), ("jpg", 12)):
            label = "v%s %s/%s %s" % (v, region, size, fmt)
            status, h, im, _ = fetch_image(srv, harness.image_path(v, VID, region, size, fmt=fmt))
            if t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
                t.eq(h.get("content-type"), harness.MIME[fmt], label + ": content type")
                check_grid(t, im, label, region=src, tol=tol)


def test_pct_region_past_the_edge_is_cropped(srv, t):
    """The spec: a region that extends beyond the image is cropped at the edge, and only a
    zero-size region or one wholly outside is a 400. That holds for pct: regions too, so a
    width or height over 100 (with x or y inside) is cropped, not refused."""
    for v in ("3", "2"):
        for region, want, src in (("pct:0,0,150,100", (1000, 1000), (0, 0, 1000, 1000)),
                                  ("pct:50,50,100,100", (500, 500), (500, 500, 500, 500)),
                                  ("pct:0,0,100.5,100", (1000, 1000), (0, 0, 1000, 1000)),
                                  ("pct:90,0,1000,10", (100, 100), (900, 0, 100, 100))):
            label = "v%s region %s" % (v, region)
            status, _, im, body = fetch_image(srv, harness.image_path(v, VID, region))
            if t.check(status == 200 and im is not None, "%s: status %s %r (cropped at the edge, not refused)" % (
                    label, status, body[:100])):
                t.eq(im.size, want, label)
                check_grid(t, im, label, region=src)


# percent-encoded parameters decode to the same request (docs/image-api.md)
ENCODED = [
    ("3", "full", "%5E1200,", (1200, 1200)),
    ("3", "full", "%21500,300", (300, 300)),
    ("3", "0%2C0%2C100%2C100", "max", (100, 100)),
    ("3", "pct%3A10,20,30,40", "max", (300, 400)),
    ("3", "%66ull", "%6Dax", (1000, 1000)),
    ("2", "full", "%21500,300", (300, 300)),
    ("2", "full", "500%2C", (500, 500)),
]


def test_percent_encoded_parameters(srv, t):
    for v, region, size, want in ENCODED:
        status, _, im, body = fetch_image(srv, harness.image_path(v, VID, region, size))
        if t.check(status == 200 and im is not None, "v%s %s/%s: status %s %r" % (v, region, size, status, body[:80])):
            t.eq(im.size, want, "v%s %s/%s" % (v, region, size))
    status, _, im, _ = fetch_image(srv, harness.image_path("3", VID, "full", "100,", "%2190"))
    t.check(status == 200 and im is not None, "rotation %%2190 (!90): %s" % status)
    status, _, im, _ = fetch_image(srv, harness.image_path("3", VID, "full", "100,", "0", "gr%61y"))
    t.check(status == 200 and im is not None and im.mode in ("L", "LA"), "quality gr%%61y: %s" % status)


def test_tiny_rotated(srv, t):
    for rot in ("45", "90", "!135", "359"):
        status, _, im, body = fetch_image(srv, harness.image_path("3", VID, "0,0,1,1", "max", rot))
        if t.check(status == 200 and im is not None, "1x1 rotated %s: status %s %r" % (rot, status, body[:80])):
            t.check(1 <= im.size[0] <= 2 and 1 <= im.size[1] <= 2, "1x1 rotated %s: %r" % (rot, im.size))
