"""Rotation (multiples of 90, arbitrary angles, mirroring) and quality
(default, color, gray, bitonal) in both versions: output boxes, corners,
and the grid's pixels after the transformation."""
import harness
from harness import VID, fetch_image, check_grid, to_rgb_array, rotated_box

# (rotation, mirror?, degrees) applied to region 0,0,600,300 (a 2:1 region, so 90 degrees shows)
RIGHT_ANGLES = [
    ("0", False, 0), ("90", False, 90), ("180", False, 180), ("270", False, 270), ("360", False, 0),
    ("90.0", False, 90), ("!0", True, 0), ("!90", True, 90), ("!180", True, 180), ("!270", True, 270),
]


def test_right_angles_and_mirroring(srv, t):
    for v in ("3", "2"):
        for rot, mirror, deg in RIGHT_ANGLES:
            for fmt, tol in (("png", 3), ("jpg", 12)):
                label = "v%s 0,0,600,300 rotation %s %s" % (v, rot, fmt)
                status, _, im, body = fetch_image(srv, harness.image_path(v, VID, "0,0,600,300", None, rot, fmt=fmt))
                if not t.check(status == 200 and im is not None, "%s: status %s %r" % (label, status, body[:100])):
                    continue
                want = (300, 600) if deg in (90, 270) else (600, 300)
                if t.eq(im.size, want, label + ": dimensions"):
                    check_grid(t, im, label, region=(0, 0, 600, 300), size=(600, 300), mirror=mirror, degrees=deg,
                               tol=tol, min_points=10)


def test_mirror_is_before_rotation(srv, t):
    """!90 = mirror then rotate: the top-left square of the source ends at the top-right...
    spelled out for one square so a swapped order cannot pass by symmetry."""
    status, _, im, _ = fetch_image(srv, harness.image_path("3", VID, "0,0,200,100", None, "!90"))
    if t.check(status == 200 and im is not None, "!90: status %s" % status):
        t.eq(im.size, (100, 200), "!90 of 200x100")
        a = to_rgb_array(im)
        # mirrored: square (1,0) is on the left; rotated 90 clockwise: the left edge goes to the top
        t.check(all(abs(int(x) - y) <= 2 for x, y in zip(a[50, 50], harness.square_colour(1, 0))),
                "!90: top half should be square (1,0) %r, got %r" % (harness.square_colour(1, 0), tuple(a[50, 50])))
        t.check(all(abs(int(x) - y) <= 2 for x, y in zip(a[150, 50], harness.square_colour(0, 0))),
                "!90: bottom half should be square (0,0) %r, got %r" % (harness.square_colour(0, 0), tuple(a[150, 50])))


# (region, size, pre-rotation size, rotation, mirror, degrees)
ARBITRARY = [
    ("full", "500,", (500, 500), "45", False, 45.0),
    ("full", "500,", (500, 500), "22.5", False, 22.5),
    ("0,0,600,300", "max", (600, 300), "30", False, 30.0),
    ("0,0,600,300", "max", (600, 300), "!30", True, 30.0),
    ("0,0,600,300", "max", (600, 300), "315", False, 315.0),
    ("0,0,600,300", "max", (600, 300), "100", False, 100.0),
    ("100,100,400,800", "200,", (200, 400), "200.5", False, 200.5),
    ("full", "400,", (400, 400), "1", False, 1.0),
    ("full", "400,", (400, 400), "359.5", False, 359.5),
]


def _corners(im):
    w, h = im.size
    return [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)]


def test_arbitrary_rotation(srv, t):
    for v in ("3", "2"):
        for region, size, pre, rot, mirror, deg in ARBITRARY:
            bw, bh = rotated_box(pre[0], pre[1], deg)
            for fmt in ("png", "webp", "jpg"):
                label = "v%s %s/%s/%s %s" % (v, region, size, rot, fmt)
                path = harness.image_path(v, VID, region, size if v == "3" or size != "max" else "full", rot,
                                          fmt=fmt)
                status, _, im, body = fetch_image(srv, path)
                if not t.check(status == 200 and im is not None, "%s: status %s %r" % (label, status, body[:100])):
                    continue
                w, h = im.size
                t.check(abs(w - bw) <= 2 and abs(h - bh) <= 2,
                        "%s: box %dx%d, want %.1fx%.1f (+-2)" % (label, w, h, bw, bh))
                if fmt in ("png", "webp"):
                    t.check(im.mode in ("RGBA", "LA"), "%s: expected an alpha channel, mode %s" % (label, im.mode))
                    if im.mode in ("RGBA", "LA"):
                        alpha = im.getchannel("A")
                        for c in _corners(im):
                            t.check(alpha.getpixel(c) == 0, "%s: corner %r not transparent (alpha %d)" % (
                                label, c, alpha.getpixel(c)))
                        cx, cy = w // 2, h // 2
                        t.eq(alpha.getpixel((cx, cy)), 255, label + ": the centre is opaque")
                else:
                    a = to_rgb_array(im)
                    for x, y in _corners(im):
                        t.check(min(a[y, x]) >= 235, "%s: corner %d,%d should be white, got %r" % (
                            label, x, y, tuple(a[y, x])))
                tol = {"png": 4, "webp": 14, "jpg": 14}[fmt]
                if abs(w - bw) <= 2 and abs(h - bh) <= 2:
                    src = _src_region(region)
                    check_grid(t, im, label, region=src, size=pre, mirror=mirror, degrees=deg, tol=tol,
                               min_points=2)


def _src_region(region):
    if region == "full":
        return (0, 0, 1000, 1000)
    return tuple(int(x) for x in region.split(","))


def test_arbitrary_rotation_other_formats(srv, t):
    """gif and tif can carry transparency: their corners are transparent or white, never black."""
    for fmt in ("gif", "tif"):
        status, h, im, _ = fetch_image(srv, harness.image_path("3", VID, "full", "300,", "45", fmt=fmt))
        if not t.check(status == 200 and im is not None, "45 degrees %s: status %s" % (fmt, status)):
            continue
        t.eq(h.get("content-type"), harness.MIME[fmt], "45 degrees %s content type" % fmt)
        rgba = im.convert("RGBA")
        for c in _corners(im):
            px = rgba.getpixel(c)
            t.check(px[3] == 0 or min(px[:3]) >= 235, "45 degrees %s: corner %r is %r (want transparent or white)" % (
                fmt, c, px))


QUALITIES = ("default", "color", "gray", "bitonal")


def _grey_expect(rgb):
    """0 or 255 for bitonal when every way of computing grey agrees clearly, else None."""
    g = harness.grey_values(rgb)
    if all(x >= 140 for x in g):
        return 255
    if all(x <= 116 for x in g):
        return 0
    return None


def test_qualities(srv, t):
    import numpy as np
    for v in ("3", "2"):
        for q in QUALITIES:
            for fmt, tol in (("png", 3), ("jpg", 12)):
                label = "v%s quality %s.%s" % (v, q, fmt)
                status, h, im, body = fetch_image(srv, harness.image_path(v, VID, "full", "500,", "0", q, fmt))
                if not t.check(status == 200 and im is not None, "%s: status %s %r" % (label, status, body[:100])):
                    continue
                t.eq(im.size, (500, 500), label + ": dimensions")
                a = to_rgb_array(im)
                if q in ("default", "color"):
                    check_grid(t, im, label, tol=tol, min_points=90)
                    continue
                same = np.abs(a[..., 0].astype(int) - a[..., 1]).max() + np.abs(a[..., 1].astype(int) - a[..., 2]).max()
                t.check(same <= (0 if fmt == "png" else 6), "%s: R, G and B differ (by up to %d)" % (label, same))
                if q == "gray":
                    check_grid(t, im, label, tol=tol + 2, gray=True, min_points=90)
                    continue
                # bitonal: only black and white
                vals = a[..., 0]
                if fmt == "png":
                    t.check(set(np.unique(vals).tolist()) <= {0, 255},
                            "%s: values other than 0 and 255: %r" % (label, np.unique(vals)[:10].tolist()))
                else:
                    mid = float(((vals > 40) & (vals < 215)).mean())
                    t.check(mid < 0.03, "%s: %.1f%% of pixels are neither black nor white" % (label, 100 * mid))
                bad = []
                for row in range(10):
                    for col in range(10):
                        want = _grey_expect(harness.square_colour(col, row))
                        if want is None:
                            continue
                        got = int(vals[row * 50 + 25, col * 50 + 25])
                        if abs(got - want) > 40:
                            bad.append("square %d,%d: %d, want %d" % (col, row, got, want))
                t.check(not bad, "%s: %s" % (label, "; ".join(bad[:5])))


def test_color_equals_default(srv, t):
    for v in ("3", "2"):
        _, _, a, _ = fetch_image(srv, harness.image_path(v, VID, "100,100,300,300", None, "0", "default"))
        _, _, b, _ = fetch_image(srv, harness.image_path(v, VID, "100,100,300,300", None, "0", "color"))
        if t.check(a is not None and b is not None, "v%s default and color decode" % v):
            t.eq(a.tobytes() == b.tobytes(), True, "v%s: color of a colour image is the default image" % v)


def test_quality_with_rotation(srv, t):
    """Quality is applied after rotation: gray at 45 degrees keeps transparent corners and
    has no colour; bitonal keeps only black and white in the grey channel."""
    import numpy as np
    for q in ("gray", "bitonal"):
        label = "45 degrees %s.png" % q
        status, _, im, _ = fetch_image(srv, harness.image_path("3", VID, "full", "400,", "45", q))
        if not t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
            continue
        rgba = np.asarray(im.convert("RGBA"))
        t.eq(int(rgba[0, 0, 3]), 0, label + ": transparent corner")
        inside = rgba[rgba[..., 3] == 255]
        t.check(len(inside) > 0 and np.all(inside[:, 0] == inside[:, 1]) and np.all(inside[:, 1] == inside[:, 2]),
                label + ": R=G=B")
        if q == "bitonal":
            t.check(set(np.unique(inside[:, 0]).tolist()) <= {0, 255}, label + ": only 0 and 255 in opaque pixels")
