"""tessera convert: prepares images for fast serving. The outputs are tiled
pyramids the server reads as such (native tiles in info.json, passthrough
for JPEG TIFF tiles), in display colour, upright, and pixel-correct."""
import os
import shutil
import subprocess
import tempfile

import fixtures
import harness
import numpy
from harness import VID, get_json

SERVER_ROOT = tempfile.mkdtemp(prefix="tessera-convert-")
SERVER_ARGS = ["--cache-mb", "0"]


def teardown():
    shutil.rmtree(SERVER_ROOT, ignore_errors=True)


def convert(srv, *args):
    env = dict(os.environ)
    supp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lsan.supp")
    env.setdefault("LSAN_OPTIONS", "suppressions=%s:print_suppressions=0" % os.path.normpath(supp))
    p = subprocess.run([srv.binary, "convert"] + list(args), capture_output=True, text=True, env=env, timeout=300)
    return p.returncode, p.stdout, p.stderr


def reference(region=(0, 0, 1000, 1000)):
    x, y, w, h = region
    return numpy.asarray(harness.reference_image().convert("RGB"))[y:y + h, x:x + w].astype(int)


def test_tiff_pyramid(srv, t):
    src = os.path.join(fixtures.build(), VID + ".png")
    out = os.path.join(SERVER_ROOT, "grid.tif")
    rc, _, err = convert(srv, src, out, "--quality", "85")
    if not t.eq(rc, 0, "convert to TIFF (stderr %r)" % err):
        return
    t.check("AddressSanitizer" not in err and "runtime error" not in err, "sanitizers: " + err[-2000:])
    s, _, info = get_json(srv, "/iiif/3/grid/info.json")
    t.eq((s, info and info["width"], info and info["height"]), (200, 1000, 1000), "info.json of the converted TIFF")
    t.eq(info and info["tiles"][0]["width"], 256, "native 256-px tiles advertised")
    # tiles pass through and are right
    s, h, body = srv.get("/iiif/3/grid/256,256,256,256/256,/0/default.jpg")
    t.eq(h.get("server-timing"), "passthrough", "a tile of the converted TIFF passes through")
    diff = numpy.abs(numpy.asarray(harness.decode_image(body).convert("RGB")).astype(int) -
                     reference((256, 256, 256, 256))).mean()
    t.check(diff < 4, "converted tile differs from the source by %.2f" % diff)
    # the pyramid exists: half size comes from level 1
    s, h, body = srv.get("/iiif/3/grid/0,0,512,512/256,/0/default.jpg")
    t.eq(h.get("server-timing"), "passthrough", "a level-1 tile passes through")


def test_jp2(srv, t):
    src = os.path.join(fixtures.build(), VID + ".png")
    out = os.path.join(SERVER_ROOT, "grid2.jp2")
    rc, _, err = convert(srv, src, out, "--lossless")
    if not t.eq(rc, 0, "convert to JPEG 2000 (stderr %r)" % err):
        return
    with open(out, "rb") as f:
        data = f.read()
    t.check(b"\xff\x58" in data and b"\xff\x55" in data, "PLT and TLM markers written")
    s, _, info = get_json(srv, "/iiif/3/grid2/info.json")
    t.eq(info and info["tiles"][0]["width"], 512, "JPEG 2000 tiles advertised")
    s, h, body = srv.get("/iiif/3/grid2/full/max/0/default.png")
    diff = numpy.abs(numpy.asarray(harness.decode_image(body).convert("RGB")).astype(int) - reference()).mean()
    t.check(diff < 0.5, "lossless JPEG 2000 differs from the source by %.2f" % diff)


def test_htj2k(srv, t):
    src = os.path.join(fixtures.build(), VID + ".png")
    for name, args, tol in [("ht.jph", [], 3.0), ("ht-lossless.j2c", ["--format", "htj2k", "--lossless"], 0.01),
                            ("ht-256.jph", ["--tile", "256", "--quality", "95"], 2.5)]:
        out = os.path.join(SERVER_ROOT, name)
        rc, _, err = convert(srv, src, out, *args)
        if not t.eq(rc, 0, "convert %s (stderr %r)" % (name, err)):
            continue
        with open(out, "rb") as f:
            head = f.read(40)
        if name.endswith(".jph"):
            t.check(head[4:8] == b"jP  " and b"ftypjph " in head, name + ": JPH boxes with the jph brand")
        else:
            t.eq(head[:4], b"\xff\x4f\xff\x51", name + ": a raw code-stream")
        ident = name
        s, _, info = get_json(srv, "/iiif/3/%s/info.json" % ident)
        t.eq(info and info["tiles"][0]["width"], 256 if "256" in name else 512, name + ": tile size")
        s, h, body = srv.get("/iiif/3/%s/full/max/0/default.png" % ident)
        if not t.eq(s, 200, name + ": full size"):
            continue
        diff = numpy.abs(numpy.asarray(harness.decode_image(body).convert("RGB")).astype(int) - reference()).mean()
        t.check(diff <= tol, "%s differs from the source by %.2f" % (name, diff))
        # tiles at reduced resolution decode too
        s, h, body = srv.get("/iiif/3/%s/0,0,512,512/256,/0/default.png" % ident)
        harness.check_grid(t, harness.decode_image(body), name + " tile at scale 2", region=(0, 0, 512, 512),
                           size=(256, 256), tol=12)


def test_display_colour_and_orientation(srv, t):
    root = fixtures.build()
    cases = [("kinds/oriented.jpg", "oriented.tif", (1000, 1000)), ("kinds/cmyk.jpg", "cmyk.tif", (1000, 1000)),
             ("kinds/rgb16.png", "rgb16.tif", (1000, 1000)), ("kinds/p3.jpg", "p3.tif", (1000, 1000))]
    for rel, name, size in cases:
        rc, _, err = convert(srv, os.path.join(root, rel), os.path.join(SERVER_ROOT, name))
        if not t.eq(rc, 0, "convert %s (stderr %r)" % (rel, err)):
            continue
        ident = name[:-4]
        s, _, info = get_json(srv, "/iiif/3/%s/info.json" % ident)
        t.eq((info and info["width"], info and info["height"]), size, rel + ": size")
        s, h, body = srv.get("/iiif/3/%s/full/500,/0/default.png" % ident)
        converted = harness.decode_image(body)
        if "cmyk" not in rel:  # CMYK cannot hold the grid's most saturated colours
            harness.check_grid(t, converted, rel + " converted", size=(500, 500), tol=14)
        # the converted file shows what the server shows for the original
        orig = "orig-" + os.path.basename(rel)
        shutil.copy(os.path.join(root, rel), os.path.join(SERVER_ROOT, orig))
        s, h, body = srv.get("/iiif/3/%s/full/500,/0/default.png" % orig)
        diff = numpy.abs(numpy.asarray(converted.convert("RGB")).astype(int) -
                         numpy.asarray(harness.decode_image(body).convert("RGB")).astype(int)).mean()
        t.check(diff < 4, "%s: converted and original renditions differ by %.2f" % (rel, diff))
        # stored as sRGB JPEG tiles, so they pass through
        s, h, _ = srv.get("/iiif/3/%s/0,0,256,256/256,/0/default.jpg" % ident)
        t.eq(h.get("server-timing"), "passthrough", rel + ": converted tiles pass through")


def test_alpha_kept(srv, t):
    rc, _, err = convert(srv, os.path.join(fixtures.build(), "kinds/rgba.png"), os.path.join(SERVER_ROOT, "rgba.tif"))
    if not t.eq(rc, 0, "convert RGBA (stderr %r)" % err):
        return
    s, _, body = srv.get("/iiif/3/rgba/full/100,/0/default.png")
    im = harness.decode_image(body)
    t.check(im.mode == "RGBA" and im.getpixel((50, 50))[3] == 128, "alpha survives: %s %r" % (im.mode,
                                                                                             im.getpixel((50, 50))))
    for fmt in ("jp2", "htj2k"):
        rc, _, err = convert(srv, os.path.join(fixtures.build(), "kinds/rgba.png"),
                             os.path.join(SERVER_ROOT, "rgba-x." + ("jp2" if fmt == "jp2" else "jph")))
        t.eq(rc, 2, "%s with transparency is refused" % fmt)
        t.check("--format tiff" in err, "%s refusal says what to do: %r" % (fmt, err))


def test_bad_arguments(srv, t):
    src = os.path.join(fixtures.build(), VID + ".png")
    for args, want, text in [
        ([], 2, "usage"),
        ([src], 2, "usage"),
        ([src, os.path.join(SERVER_ROOT, "x.unknown")], 2, "format"),
        ([src, os.path.join(SERVER_ROOT, "x.tif"), "--format", "bmp"], 2, "format"),
        ([src, os.path.join(SERVER_ROOT, "x.tif"), "--tile", "100"], 2, "tile"),
        ([src, os.path.join(SERVER_ROOT, "x.tif"), "--quality", "0"], 2, "quality"),
        ([src, os.path.join(SERVER_ROOT, "x.tif"), "--bogus"], 2, "--bogus"),
        (["/nonexistent.png", os.path.join(SERVER_ROOT, "x.tif")], 1, "cannot read"),
        ([os.path.join(fixtures.build(), "bad/text.jpg"), os.path.join(SERVER_ROOT, "x.tif")], 1, "cannot read"),
        ([src, "/nonexistent-dir/x.tif"], 1, "failed"),
    ]:
        rc, out, err = convert(srv, *args)
        t.eq(rc, want, "convert %s: exit status (stderr %r)" % (" ".join(args), err[-300:]))
        t.check(text in err, "convert %s: message mentions %r: %r" % (" ".join(args), text, err[-300:]))
        t.check("AddressSanitizer" not in err and "runtime error" not in err, "sanitizers: " + err[-2000:])
    t.check(not os.path.exists(os.path.join(SERVER_ROOT, "x.tif")), "a failed conversion leaves no output")
