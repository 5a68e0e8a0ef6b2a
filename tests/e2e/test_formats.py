"""Output formats: each one decodes, has the right media type and the right
pixels; every quality works in every format; pdf and unknown formats are
400. AVIF is checked by its 'ftyp' brand (Pillow cannot read it) and, when the
`vips` command is there, decoded with it."""
import os
import shutil
import subprocess
import tempfile

import harness
from harness import VID, fetch_image, check_grid, avif_brand

# format -> tolerance for the grid check (lossy encoders at the server's default qualities)
FORMATS = {"jpg": 12, "png": 2, "webp": 14, "tif": 2, "gif": 12, "jp2": 16, "avif": 20}


def _decode_avif(body):
    """Decodes AVIF bytes with the vips command into a PIL image, or None if vips is missing."""
    if shutil.which("vips") is None:
        return None
    tmp = tempfile.mkdtemp(prefix="tessera-e2e-avif-")
    try:
        src, dst = os.path.join(tmp, "in.avif"), os.path.join(tmp, "out.png")
        with open(src, "wb") as f:
            f.write(body)
        subprocess.run(["vips", "copy", src, dst], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(dst, "rb") as f:
            return harness.decode_image(f.read())
    except subprocess.CalledProcessError:
        return "undecodable"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _get_any(srv, path, fmt):
    """(status, headers, PIL image or None, body) for any format, AVIF included."""
    status, h, body = srv.get(path)
    im = None
    if status == 200:
        if fmt == "avif":
            im = _decode_avif(body)
            if im == "undecodable":
                im = None
        else:
            try:
                im = harness.decode_image(body)
            except Exception:
                im = None
    return status, h, im, body


MAGIC = {"jpg": [b"\xff\xd8\xff"], "png": [b"\x89PNG\r\n\x1a\n"], "gif": [b"GIF87a", b"GIF89a"],
         "tif": [b"II*\x00", b"MM\x00*"], "jp2": [b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51"]}


def test_each_format(srv, t):
    for v in ("3", "2"):
        for fmt, tol in FORMATS.items():
            label = "v%s full/300,/0/default.%s" % (v, fmt)
            status, h, im, body = _get_any(srv, harness.image_path(v, VID, "full", "300,", fmt=fmt), fmt)
            if not t.check(status == 200, "%s: status %s %r" % (label, status, body[:100])):
                continue
            t.eq(h.get("content-type"), harness.MIME[fmt], label + ": content type")
            t.eq(h.get("content-length"), str(len(body)), label + ": content length")
            if fmt in MAGIC:
                t.check(any(body.startswith(m) for m in MAGIC[fmt]), "%s: file signature %r" % (label, body[:12]))
            if fmt == "webp":
                t.check(body[:4] == b"RIFF" and body[8:12] == b"WEBP", "%s: RIFF/WEBP signature" % label)
            if fmt == "avif":
                t.eq(avif_brand(body), "avif", label + ": ftyp major brand")
                if im is None and shutil.which("vips") is not None:
                    t.check(False, "%s: vips cannot decode the AVIF" % label)
                if im is None:
                    continue
            if not t.check(im is not None, "%s: does not decode" % label):
                continue
            t.eq(im.size, (300, 300), label + ": dimensions")
            if im.size == (300, 300):
                check_grid(t, im, label, tol=tol, min_points=90)


def test_each_format_each_quality(srv, t):
    import numpy as np
    for fmt in FORMATS:
        for q in ("default", "color", "gray", "bitonal"):
            label = "0,0,400,200/100,/0/%s.%s" % (q, fmt)
            status, h, im, body = _get_any(srv, harness.image_path("3", VID, "0,0,400,200", "100,", "0", q, fmt), fmt)
            if not t.check(status == 200, "%s: status %s %r" % (label, status, body[:100])):
                continue
            t.eq(h.get("content-type"), harness.MIME[fmt], label + ": content type")
            if fmt == "avif":
                t.eq(avif_brand(body), "avif", label + ": ftyp brand")
            if im is None:
                t.check(fmt == "avif" and shutil.which("vips") is None, "%s: does not decode" % label)
                continue
            t.eq(im.size, (100, 50), label + ": dimensions")
            if q in ("gray", "bitonal"):
                a = harness.to_rgb_array(im).astype(int)
                spread = int(np.abs(a[..., 0] - a[..., 1]).max() + np.abs(a[..., 1] - a[..., 2]).max())
                t.check(spread <= FORMATS[fmt] // 2 + 4, "%s: not grey (R, G, B differ by up to %d)" % (label, spread))


def test_jpeg_output_is_not_cmyk(srv, t):
    for ident in (VID, "kinds%2Fcmyk.jpg"):
        status, _, im, _ = fetch_image(srv, harness.image_path("3", ident, "full", "200,", fmt="jpg"))
        if t.check(status == 200 and im is not None, "%s jpg: status %s" % (ident, status)):
            t.check(im.mode in ("RGB", "L"), "%s: JPEG output mode %s, want RGB or L" % (ident, im.mode))


def test_unsupported_formats(srv, t):
    for v in ("3", "2"):
        for fmt, want in (("pdf", 400), ("xyz", 400), ("JPG", 400), ("jpeg", 400), ("", 400), ("svg", 400),
                          ("png.jpg", 400), ("json", 400)):
            path = "/iiif/%s/%s/full/%s/0/default.%s" % (v, VID, "max" if v == "3" else "full", fmt)
            harness.check_error(t, srv.get(path), want, "v%s format %r" % (v, fmt))
        # no format at all
        harness.check_error(t, srv.get("/iiif/%s/%s/full/max/0/default" % (v, VID)), 400, "v%s no format" % v)
    status, _, body = srv.get("/iiif/3/%s/full/max/0/default.pdf" % VID)
    t.check(b"pdf" in body, "the pdf error says which format: %r" % body)
