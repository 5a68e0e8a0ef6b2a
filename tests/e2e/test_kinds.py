"""Colour models and metadata (kinds/): grey, 16-bit RGB and grey, palette,
RGBA (alpha kept in png, flattened on white in jpg), CMYK and Display-P3
JPEGs converted to sRGB, and EXIF orientation (the fixture's orientation 6,
plus all eight orientations of a non-square image served by a second
server)."""
import os
import shutil
import tempfile

import harness
from harness import fetch_image, get_json, check_grid, to_rgb_array, mean_abs_diff


def _k(name):
    return "kinds%2F" + name


def _src(srv, name):
    from PIL import Image
    im = Image.open(os.path.join(srv.root, "kinds", name))
    im.load()
    return im


def test_fixtures_are_what_they_claim(srv, t):
    """The kinds/ files themselves (a broken fixture would make the tests below pointless)."""
    import numpy as np

    def png_depth(name):
        with open(os.path.join(srv.root, "kinds", name), "rb") as f:
            head = f.read(26)
        return head[24], head[25]  # IHDR bit depth, colour type

    t.eq(png_depth("rgb16.png"), (16, 2), "rgb16.png is 16-bit RGB")
    t.eq(png_depth("grey16.png"), (16, 0), "grey16.png is 16-bit grey")
    t.eq(png_depth("palette.png")[1], 3, "palette.png has a palette")
    t.eq(png_depth("rgba.png"), (8, 6), "rgba.png is RGBA")
    t.eq(png_depth("grey.png"), (8, 0), "grey.png is 8-bit grey")
    for name in ("rgb16.png", "grey16.png", "palette.png", "grey.png"):
        a = np.asarray(_src(srv, name))
        t.check(a.std() > 10, "%s is not a flat image" % name)
    t.eq(_src(srv, "cmyk.jpg").mode, "CMYK", "cmyk.jpg is CMYK")
    icc = _src(srv, "p3.jpg").info.get("icc_profile", b"")
    t.check(b"P3" in icc, "p3.jpg carries a Display P3 profile")
    o = _src(srv, "oriented.jpg")
    t.eq(o.getexif().get(0x0112), 6, "oriented.jpg has EXIF orientation 6")


def test_grey(srv, t):
    import numpy as np
    want = np.asarray(_src(srv, "grey.png").convert("L"))
    for v in ("3", "2"):
        for q in ("default", "color", "gray"):
            label = "v%s grey.png %s" % (v, q)
            status, _, im, _ = fetch_image(srv, harness.image_path(v, _k("grey.png"), quality=q, fmt="png"))
            if not t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
                continue
            a = to_rgb_array(im)
            t.check(im.mode in ("L", "LA", "I;16", "I") or (np.all(a[..., 0] == a[..., 1]) and
                                                          np.all(a[..., 1] == a[..., 2])), label + ": grey output")
            d = mean_abs_diff(a[..., 0], want)
            t.check(d < 1, "%s: differs from the source (mean %.2f)" % (label, d))
        status, _, im, _ = fetch_image(srv, harness.image_path(v, _k("grey.png"), quality="bitonal", fmt="png"))
        if t.check(status == 200 and im is not None, "v%s grey.png bitonal: %s" % (v, status)):
            vals = set(np.unique(to_rgb_array(im)).tolist())
            t.check(vals <= {0, 255}, "v%s grey.png bitonal: values %r" % (v, sorted(vals)[:8]))
        for fmt in ("jpg", "webp", "gif", "tif", "jp2", "avif"):
            status, h, _ = srv.get(harness.image_path(v, _k("grey.png"), "full", "100,", fmt=fmt))
            t.eq(status, 200, "v%s grey.png as %s" % (v, fmt))


def test_sixteen_bit(srv, t):
    for v in ("3", "2"):
        label = "v%s rgb16.png" % v
        status, _, im, _ = fetch_image(srv, harness.image_path(v, _k("rgb16.png"), fmt="png"))
        if t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
            t.eq(im.size, (1000, 1000), label + ": size")
            check_grid(t, im, label, tol=2, min_points=100)
        status, _, im, _ = fetch_image(srv, harness.image_path(v, _k("rgb16.png"), "0,0,500,500", "250,", fmt="jpg"))
        if t.check(status == 200 and im is not None, "%s jpg: status %s" % (label, status)):
            check_grid(t, im, label + " jpg region", region=(0, 0, 500, 500), tol=12, min_points=25)
        label = "v%s grey16.png" % v
        status, _, info = get_json(srv, "/iiif/%s/%s/info.json" % (v, _k("grey16.png")))
        t.eq(status, 200, label + " info.json")
        status, _, im, _ = fetch_image(srv, harness.image_path(v, _k("grey16.png"), fmt="png"))
        if t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
            t.eq(im.size, (1000, 1000), label + ": size")
            check_grid(t, im, label, tol=4, gray=True, min_points=100)


def test_palette(srv, t):
    want = _src(srv, "palette.png").convert("RGB")
    for v in ("3", "2"):
        for fmt, limit in (("png", 0.5), ("jpg", 4.0)):
            label = "v%s palette.png as %s" % (v, fmt)
            status, _, im, _ = fetch_image(srv, harness.image_path(v, _k("palette.png"), fmt=fmt))
            if t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
                d = mean_abs_diff(to_rgb_array(im), to_rgb_array(want))
                t.check(d < limit, "%s: mean difference from the source %.2f" % (label, d))
        status, _, im, _ = fetch_image(srv, harness.image_path(v, _k("palette.png"), "100,100,400,400", "200,"))
        if t.check(status == 200 and im is not None, "v%s palette region" % v):
            d = mean_abs_diff(to_rgb_array(im), harness.expected_region((100, 100, 400, 400), (200, 200), want))
            t.check(d < 6, "v%s palette region scaled: mean difference %.2f" % (v, d))


def test_rgba(srv, t):
    import numpy as np
    ref = harness.reference().astype(float)
    for v in ("3", "2"):
        for fmt in ("png", "webp"):
            label = "v%s rgba.png as %s" % (v, fmt)
            status, _, im, _ = fetch_image(srv, harness.image_path(v, _k("rgba.png"), "full", "500,", fmt=fmt))
            if not t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
                continue
            if t.check(im.mode in ("RGBA", "LA"), "%s: keeps its alpha channel (mode %s)" % (label, im.mode)):
                alpha = np.asarray(im.getchannel("A"), dtype=float)
                t.check(abs(alpha.mean() - 128) <= 2 and alpha.min() >= 120 and alpha.max() <= 136,
                        "%s: alpha should stay 128, mean %.1f range %d..%d" % (label, alpha.mean(), alpha.min(),
                                                                               alpha.max()))
                rgb = im.convert("RGBA")
                rgb = rgb.convert("RGB")  # colour channels as stored (not premultiplied)
                check_grid(t, rgb, label + " colour", tol=4 if fmt == "png" else 16, min_points=90)
        # jpg has no alpha: flattened on white, so each square is halfway to white
        label = "v%s rgba.png as jpg" % v
        status, _, im, _ = fetch_image(srv, harness.image_path(v, _k("rgba.png"), "full", "500,", fmt="jpg"))
        if t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
            a = to_rgb_array(im).astype(float)
            bad = []
            for row in range(10):
                for col in range(10):
                    got = a[row * 50 + 25, col * 50 + 25]
                    src = ref[row * 100 + 50, col * 100 + 50]
                    want = (src * 128 + 255 * 127) / 255
                    if np.abs(got - want).max() > 12:
                        bad.append("square %d,%d: %s, want %s" % (col, row, got.astype(int).tolist(),
                                                                  want.astype(int).tolist()))
            t.check(not bad, "%s: not flattened on white: %s" % (label, "; ".join(bad[:4])))


def test_cmyk(srv, t):
    import numpy as np
    ref = harness.reference().astype(int)
    for v in ("3", "2"):
        for fmt in ("jpg", "png"):
            label = "v%s cmyk.jpg as %s" % (v, fmt)
            status, _, im, _ = fetch_image(srv, harness.image_path(v, _k("cmyk.jpg"), fmt=fmt))
            if not t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
                continue
            t.check(im.mode in ("RGB", "RGBA"), "%s: RGB output, mode %s" % (label, im.mode))
            a = to_rgb_array(im).astype(int)
            got = np.array([a[r * 100 + 50, c * 100 + 50] for r in range(10) for c in range(10)])
            want = np.array([ref[r * 100 + 50, c * 100 + 50] for r in range(10) for c in range(10)])
            diff = np.abs(got - want).max(axis=1)
            # CMYK cannot hold the grid's most saturated colours: roughly right, on average
            t.check(diff.mean() < 40, "%s: mean per-square difference %.1f >= 40" % (label, diff.mean()))
            for ch, name in enumerate("RGB"):
                r = np.corrcoef(got[:, ch], want[:, ch])[0, 1]
                t.check(r > 0.85, "%s: channel %s correlates %.2f with the source" % (label, name, r))


def test_display_p3(srv, t):
    """The P3 JPEG's pixels are P3 numbers: served as sRGB they must match the sRGB grid
    (the raw numbers differ by up to 85)."""
    for v in ("3", "2"):
        for fmt, tol in (("png", 10), ("jpg", 14)):
            label = "v%s p3.jpg as %s" % (v, fmt)
            status, _, im, _ = fetch_image(srv, harness.image_path(v, _k("p3.jpg"), fmt=fmt))
            if t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
                check_grid(t, im, label, tol=tol, min_points=100)
        status, _, im, _ = fetch_image(srv, harness.image_path(v, _k("p3.jpg"), "300,300,400,400", "200,", fmt="png"))
        if t.check(status == 200 and im is not None, "v%s p3 region" % v):
            check_grid(t, im, "v%s p3.jpg region" % v, region=(300, 300, 400, 400), tol=10, min_points=9)


def test_exif_orientation_fixture(srv, t):
    for v in ("3", "2"):
        status, _, info = get_json(srv, "/iiif/%s/%s/info.json" % (v, _k("oriented.jpg")))
        if t.check(status == 200 and info, "v%s oriented.jpg info.json" % v):
            t.eq((info["width"], info["height"]), (1000, 1000), "v%s oriented.jpg width/height" % v)
        for region, size, src in (("full", "max" if v == "3" else "full", (0, 0, 1000, 1000)),
                                  ("0,0,600,300", "300,", (0, 0, 600, 300)),
                                  ("512,0,488,512", "244,", (512, 0, 488, 512)),
                                  ("full", "250,", (0, 0, 1000, 1000))):
            label = "v%s oriented.jpg %s/%s" % (v, region, size)
            status, _, im, _ = fetch_image(srv, harness.image_path(v, _k("oriented.jpg"), region, size))
            if t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
                check_grid(t, im, label, region=src, tol=10)


# EXIF orientation -> the transpose that turns the upright image into the stored one
STORED = {1: None, 2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE", 6: "ROTATE_90",
          7: "TRANSVERSE", 8: "ROTATE_270"}


def test_all_orientations(srv, t):
    """A 1000x500 crop of the grid stored in each of the eight EXIF orientations must be
    served upright as 1000x500, with the right pixels, for full images, regions and tiles."""
    from PIL import Image, ImageOps
    upright = harness.reference_image().crop((0, 0, 1000, 500))
    tmp = tempfile.mkdtemp(prefix="tessera-e2e-orient-")
    try:
        for o, tr in STORED.items():
            stored = upright if tr is None else upright.transpose(getattr(Image, tr))
            exif = Image.Exif()
            exif[0x0112] = o
            path = os.path.join(tmp, "o%d.jpg" % o)
            stored.save(path, quality=95, exif=exif.tobytes())
            # the fixture itself is right: Pillow shows it upright
            check = ImageOps.exif_transpose(Image.open(path))
            assert check.size == (1000, 500), (o, check.size)
        # and a plain portrait image for `square` on the long vertical side
        harness.reference_image().crop((0, 0, 500, 1000)).save(os.path.join(tmp, "portrait.png"))
        other = harness.Server(srv.binary, tmp, ["--access-log", "off"], sanitized=srv.sanitized).start()
        try:
            for v in ("3", "2"):
                status, _, im, _ = fetch_image(other, harness.image_path(v, "portrait", "square"))
                if t.check(status == 200 and im is not None, "v%s portrait square: %s" % (v, status)):
                    t.eq(im.size, (500, 500), "v%s portrait square size" % v)
                    check_grid(t, im, "v%s square of a 500x1000 portrait" % v, region=(0, 250, 500, 500), img_w=500,
                               img_h=1000, min_points=20)
            status, _, im, _ = fetch_image(other, harness.image_path("3", "o6", "square"))
            if t.check(status == 200 and im is not None, "orientation 6 square: %s" % status):
                t.eq(im.size, (500, 500), "orientation 6 square size")
                check_grid(t, im, "square of orientation 6", region=(250, 0, 500, 500), tol=10, img_w=1000,
                           img_h=500)
            for o in STORED:
                ident = "o%d" % o
                status, _, info = get_json(other, "/iiif/3/%s/info.json" % ident)
                if t.check(status == 200 and info, "orientation %d info.json: %s" % (o, status)):
                    t.eq((info["width"], info["height"]), (1000, 500), "orientation %d: width/height upright" % o)
                for v, region, size, src in (("3", "full", "max", (0, 0, 1000, 500)),
                                             ("3", "0,0,300,200", "max", (0, 0, 300, 200)),
                                             ("3", "600,200,400,300", "200,", (600, 200, 400, 300)),
                                             ("2", "full", "500,", (0, 0, 1000, 500)),
                                             ("2", "512,0,488,500", "244,", (512, 0, 488, 500))):
                    label = "orientation %d v%s %s/%s" % (o, v, region, size)
                    status, _, im, _ = fetch_image(other, harness.image_path(v, ident, region, size))
                    if t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
                        x, y, w, h = src
                        want = (w, h) if size == "max" else (int(size[:-1]), round(h * int(size[:-1]) / w))
                        if t.eq(im.size, want, label + ": size"):
                            check_grid(t, im, label, region=src, tol=10, img_w=1000, img_h=500)
        finally:
            problems = other.stop()
            t.check(not problems, "orientation server: %s" % problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
