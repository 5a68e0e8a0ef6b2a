"""Every source format: info.json dimensions, every `sizes` entry and every
tile of the info.json grid at every scale factor, in both API versions, with
exact dimensions and pixels compared with the reference grid; and the
pyramid levels of multi-resolution sources are really used.

One test per source (test_source_<name>), so a broken decoder shows up by
name. Tiles are requested the way viewers do: 3.0 `x,y,w,h/ws,hs`, 2.1
`x,y,w,h/ws,` (the implementation notes' algorithm)."""
import os
import shutil
import tempfile

import fixtures
import harness
from harness import fetch_image, get_json, to_rgb_array, mean_abs_diff, expected_region, tile_requests

# identifier -> (expected width, height, lossless source?)
SOURCES = {}
for _path, _exact in fixtures.GRID_SOURCES.items():
    SOURCES[_path] = (1000, 1000, _exact)
SOURCES.update({
    "odd/pyramid.tif": (999, 767, True),
    "odd/jp2.jp2": (999, 767, True),
    "odd/plain.png": (999, 767, True),
    "odd/jpeg.jpg": (999, 767, False),
})

# tiles that the source itself has (tiled TIFF / tiled JPEG 2000 / HTJ2K) must be advertised as such
NATIVE_256 = {"grid/tiff-jpeg.tif", "grid/tiff-deflate.tif", "grid/tiff-lzw.tif", "grid/tiff-webp.tif",
              "grid/tiff-subifd.tif", "grid/jp2-tiled.jp2", "grid/htj2k.j2c", "odd/pyramid.tif", "odd/jp2.jp2"}

MAD_LOSSLESS = 6.0
MAD_LOSSY = 12.0


def enc(path):
    return path.replace("/", "%2F")


def _walk(srv, t, ident):
    width, height, exact = SOURCES[ident]
    limit = MAD_LOSSLESS if exact else MAD_LOSSY
    eid = enc(ident)
    for v in ("3", "2"):
        status, h, info = get_json(srv, "/iiif/%s/%s/info.json" % (v, eid))
        if not t.check(status == 200 and info is not None, "%s v%s info.json: status %s" % (ident, v, status)):
            continue
        t.eq((info.get("width"), info.get("height")), (width, height), "%s v%s info.json width/height" % (ident, v))
        sizes = info.get("sizes") or []
        tiles = info.get("tiles") or []
        t.check(len(sizes) >= 1, "%s v%s: sizes is empty" % (ident, v))
        t.check(len(tiles) == 1, "%s v%s: expected one tiles entry, got %r" % (ident, v, tiles))
        if ident in NATIVE_256 and tiles:
            t.eq(tiles[0].get("width"), 256, "%s v%s: the file's own 256 px tiles are advertised" % (ident, v))

        # every sizes entry
        for sz in sizes:
            w, hh = sz["width"], sz["height"]
            # 3.0 clients ask w,h; 2.1 clients ask w, (and some w,h: both must give the listed size)
            forms = ["%d,%d" % (w, hh)] if v == "3" else ["%d," % w, "%d,%d" % (w, hh)]
            for size in forms:
                label = "%s v%s sizes entry %dx%d (full/%s)" % (ident, v, w, hh, size)
                status, _, im, _ = fetch_image(srv, harness.image_path(v, eid, "full", size, fmt="png"))
                if not t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
                    continue
                t.eq(im.size, (w, hh), label + ": dimensions")
                if im.size == (w, hh):
                    # the grid's one-pixel lines, shrunk eightfold or more, differ more between resampling
                    # kernels (and JPEG 2000's own reduced levels) than anything larger
                    lim = limit + 2 if max(w, hh) <= 128 else limit
                    d = mean_abs_diff(to_rgb_array(im), expected_region((0, 0, width, height), (w, hh)))
                    t.check(d < lim, "%s: mean abs difference %.2f >= %s" % (label, d, lim))

        # every tile at every scale factor
        for tile in tiles:
            tw = tile["width"]
            th = tile.get("height", tw)
            n = 0
            for s, (xr, yr, wr, hr), (ws, hs) in tile_requests(width, height, tw, th, tile["scaleFactors"]):
                region = "%d,%d,%d,%d" % (xr, yr, wr, hr)
                size = "%d,%d" % (ws, hs) if v == "3" else "%d," % ws
                label = "%s v%s tile s=%d %s/%s" % (ident, v, s, region, size)
                status, _, im, body = fetch_image(srv, harness.image_path(v, eid, region, size, fmt="png"))
                n += 1
                if not t.check(status == 200 and im is not None, "%s: status %s %r" % (label, status, body[:100])):
                    continue
                if v == "3":
                    ok = t.eq(im.size, (ws, hs), label + ": dimensions")
                else:
                    # 2.1 `w,`: the height is the server's aspect-ratio calculation; the notes'
                    # rounding is implementation dependent, so allow one pixel
                    ok = t.check(im.size[0] == ws and abs(im.size[1] - hs) <= 1,
                                 "%s: dimensions %r, want %d x %d (+-1)" % (label, im.size, ws, hs))
                if ok:
                    d = mean_abs_diff(to_rgb_array(im), expected_region((xr, yr, wr, hr), im.size))
                    t.check(d < limit, "%s: mean abs difference %.2f >= %s" % (label, d, limit))
            t.check(n > 0, "%s v%s: no tiles" % (ident, v))


def _make_test(ident):
    def test(srv, t):
        _walk(srv, t, ident)
    test.__name__ = "test_source_" + ident.replace("/", "_").replace(".", "_").replace("-", "_")
    return test


for _ident in SOURCES:
    _fn = _make_test(_ident)
    globals()[_fn.__name__] = _fn


PYRAMIDS = ["grid/tiff-jpeg.tif", "grid/tiff-deflate.tif", "grid/tiff-lzw.tif", "grid/tiff-webp.tif",
            "grid/tiff-subifd.tif", "grid/jp2-tiled.jp2", "grid/jp2.jp2", "grid/htj2k.j2c", "grid/jpeg.jpg",
            "odd/pyramid.tif", "odd/jp2.jp2"]


def test_thumbnails_from_levels(srv, t):
    """Small sizes are served from reduced levels (pyramid pages, SubIFDs, JPEG 2000
    resolutions, JPEG shrink-on-load): they must still be the whole image, correctly scaled."""
    for ident in PYRAMIDS:
        width, height, exact = SOURCES[ident]
        for v, size, want in (("3", "125,", (125, round(height * 125 / width))),
                              ("3", "!100,100", None),
                              ("2", "pct:12.5", (round(width / 8), round(height / 8))),
                              ("3", "333,", (333, round(height * 333 / width)))):
            label = "%s v%s thumbnail %s" % (ident, v, size)
            status, _, im, _ = fetch_image(srv, harness.image_path(v, enc(ident), "full", size, fmt="png"))
            if not t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
                continue
            if want is None:
                want = (100, round(height * 100 / width)) if width >= height else (round(width * 100 / height), 100)
            t.eq(im.size, want, label + ": dimensions")
            if im.size == want:
                # 1/8 and smaller: JPEG 2000 resolution levels are the wavelet's low-pass band (a little
                # ringing, centred half a pixel off); with 12 px squares that weighs on the mean
                d = mean_abs_diff(to_rgb_array(im), expected_region((0, 0, width, height), want))
                limit = MAD_LOSSY if not exact else (MAD_LOSSLESS if want[0] > 200 else 9.0)
                t.check(d < limit, "%s: mean abs difference %.2f >= %s" % (label, d, limit))
                # and the colours of the squares (big enough from 333 px up)
                if want[0] >= 300:
                    harness.check_grid(t, im, label, region=(0, 0, width, height), tol=12 if exact else 16,
                                       img_w=width, img_h=height)
        # a region of a reduced level: the crop must be taken at the right place
        label = "%s region 250,250,500,500 at half size" % ident
        status, _, im, _ = fetch_image(srv, harness.image_path("3", enc(ident), "250,250,500,500", "250,250"))
        if t.check(status == 200 and im is not None, "%s: status %s" % (label, status)):
            t.eq(im.size, (250, 250), label)
            harness.check_grid(t, im, label, region=(250, 250, 500, 500), tol=6 if exact else 14)


def test_pyramid_levels_are_used(srv, t):
    """A page pyramid whose reduced pages are deliberately different (inverted colours):
    a request that can use a reduced page shows it, full size shows page 0. This proves
    the reduced levels are read instead of shrinking the full-resolution page."""
    from PIL import Image, ImageOps
    tmp = tempfile.mkdtemp(prefix="tessera-e2e-levels-")
    try:
        full = harness.reference_image()
        inv = ImageOps.invert(full)
        half = inv.resize((500, 500), Image.BOX)
        quarter = inv.resize((250, 250), Image.BOX)
        full.save(os.path.join(tmp, "marked.tif"), save_all=True, append_images=[half, quarter],
                  compression="tiff_deflate")
        other = harness.Server(srv.binary, tmp, ["--access-log", "off"], sanitized=srv.sanitized).start()
        try:
            status, _, info = get_json(other, "/iiif/3/marked/info.json")
            t.eq(status, 200, "marked pyramid info.json")
            if info:
                t.eq((info.get("width"), info.get("height")), (1000, 1000), "marked pyramid: page 0's size")
            for size, inverted in (("1000,1000", False), ("600,600", False), ("500,500", True),
                                   ("250,250", True), ("200,", True)):
                status, _, im, _ = fetch_image(other, "/iiif/3/marked/full/%s/0/default.png" % size)
                if not t.check(status == 200 and im is not None, "marked %s: status %s" % (size, status)):
                    continue
                arr = to_rgb_array(im)
                px = tuple(int(c) for c in arr[arr.shape[0] * 5 // 100, arr.shape[1] * 5 // 100])
                orig = harness.square_colour(0, 0)
                want = tuple(255 - c for c in orig) if inverted else orig
                t.check(all(abs(a - b) <= 3 for a, b in zip(px, want)),
                        "marked pyramid full/%s: top-left square %r, want %r (%s)" % (
                            size, px, want, "a reduced page" if inverted else "page 0"))
        finally:
            problems = other.stop()
            t.check(not problems, "marked pyramid server: %s" % problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
