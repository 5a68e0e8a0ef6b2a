"""Hostile input: broken files of every source format, headers that lie about
their size (decompression bombs), sidecars built to hurt a parser, and
requests built to confuse the HTTP layer. Each gets a precise answer (a 4xx
or 501 with a one-line reason, or a correct image), the server stays up, and
its memory returns to where it was.

Path traversal in every encoding, symlinks out of the root and non-images
with image extensions are in test_identifiers.py; CMYK, 16-bit, alpha and
palette sources in test_kinds.py; malformed parameters in test_errors.py;
limits on connections, URL and header sizes and slow clients in
test_opt_conn_limits.py; the overload lane in test_opt_overload.py.
The tree is built here from the validator's grid with Pillow and the vips
command, and cached in the temp folder under a hash of this file."""
import hashlib
import os
import random
import shutil
import struct
import subprocess
import tempfile
import zlib

import fixtures
import harness
from harness import check_error

FORMATS = {  # name -> (file name, how to make it from the grid PNG)
    "png": ("png.png", None),
    "jpeg": ("jpeg.jpg", "[Q=90]"),
    "tiff": ("tiff.tif", "[tile,pyramid,compression=jpeg,tile-width=256,tile-height=256]"),
    "tiff-deflate": ("tiff-deflate.tif", "[tile,pyramid,compression=deflate,tile-width=256,tile-height=256]"),
    "jp2": ("jp2.jp2", "[tile-width=256,tile-height=256]"),
    "htj2k": ("htj2k.j2c", None),
    "webp": ("webp.webp", "[Q=80]"),
    "gif": ("gif.gif", None),
    "avif": ("avif.avif", None),
}


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_header_lie(w, h):
    """A PNG whose header says w x h RGB but whose data holds two rows."""
    rows = b"".join(b"\x00" + b"\x80" * 3 * min(w, 64) for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            _png_chunk(b"IDAT", zlib.compress(rows)) + _png_chunk(b"IEND", b""))


def jpeg_header_lie(path, w, h):
    """The JPEG at `path` with its frame header claiming w x h."""
    data = bytearray(open(path, "rb").read())
    i = 2
    while i < len(data) - 9:
        if data[i] != 0xFF:
            break
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            data[i + 5:i + 9] = struct.pack(">HH", h, w)
            break
        i += 2 + length
    return bytes(data)


def tiff_header_lie(w, h):
    """A little-endian TIFF whose one IFD claims w x h grey pixels with 100 bytes of data."""
    tags = [(256, 4, 1, w), (257, 4, 1, h), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1), (273, 4, 1, 0),
            (277, 3, 1, 1), (278, 4, 1, 1), (279, 4, 1, 100)]
    ifd_at = 8
    data_at = ifd_at + 2 + 12 * len(tags) + 4
    out = b"II*\x00" + struct.pack("<I", ifd_at) + struct.pack("<H", len(tags))
    for tag, typ, count, value in tags:
        if tag == 273:
            value = data_at
        out += struct.pack("<HHI", tag, typ, count) + (struct.pack("<I", value) if typ == 4 else
                                                         struct.pack("<HH", value, 0))
    return out + struct.pack("<I", 0) + b"\x80" * 100


def j2k_header_lie(w, h):
    """A raw JPEG 2000 code-stream: SOC, a SIZ for w x h (one 8-bit component), a COD, then EOC."""
    siz = struct.pack(">HIIIIIIIIH", 0, w, h, 0, 0, w, h, 0, 0, 1) + bytes([7, 1, 1])
    cod = bytes([0, 0, 0, 1, 0, 5, 4, 4, 0, 0])
    return (b"\xff\x4f" + b"\xff\x51" + struct.pack(">H", len(siz) + 2) + siz + b"\xff\x52" +
            struct.pack(">H", len(cod) + 2) + cod + b"\xff\xd9")


def gif_header_lie(w, h):
    """A GIF whose logical screen is w x h around a 1x1 frame."""
    return (b"GIF89a" + struct.pack("<HH", w, h) + b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff" +
            b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1) + b"\x00" + b"\x02\x02\x44\x01\x00" + b"\x3b")


def _make(root):
    j = lambda *p: os.path.join(root, *p)  # noqa: E731
    for d in ("good", "trunc", "corrupt", "empty", "lies", "huge", "pres"):
        os.makedirs(j(d))
    g = fixtures.GRID_PNG
    for name, (fname, opts) in FORMATS.items():
        if name == "avif":
            fixtures.vips("heifsave", g, j("good", fname), "--compression", "av1", "--Q", "60", "--effort", "0")
        elif name == "htj2k":
            ppm = j("good", "grid.ppm")
            fixtures.vips("copy", g, ppm)
            subprocess.run(["ojph_compress", "-i", ppm, "-o", j("good", fname), "-num_decomps", "5", "-tile_size",
                            "{256,256}", "-reversible", "true"], check=True, stdout=subprocess.DEVNULL)
            os.unlink(ppm)
        else:
            fixtures.vips("copy", g, j("good", fname) + (opts or ""))
        data = open(j("good", fname), "rb").read()
        open(j("trunc", fname), "wb").write(data[:len(data) * 2 // 5])
        rnd = random.Random(name)
        bad = bytearray(data)
        start = min(len(bad) // 4, 4096)
        for k in range(start, len(bad), max(1, len(bad) // 64)):
            for m in range(k, min(k + 16, len(bad))):
                bad[m] = rnd.randrange(256)
        open(j("corrupt", fname), "wb").write(bytes(bad))
        open(j("empty", fname), "wb").close()
        open(j("lies", fname), "wb").write(b"<html><body>not an image at all</body></html>\n" * 20)
    # headers that claim absurd sizes
    open(j("huge", "png-over-source-limit.png"), "wb").write(png_header_lie(200000, 200000))  # 40000 MP
    open(j("huge", "png-over-decode-limit.png"), "wb").write(png_header_lie(30000, 30000))  # 900 MP, untiled
    open(j("huge", "png-zero.png"), "wb").write(png_header_lie(0, 0))
    open(j("huge", "png-max.png"), "wb").write(png_header_lie(0x7FFFFFFF, 0x7FFFFFFF))
    open(j("huge", "jpeg-65500.jpg"), "wb").write(jpeg_header_lie(j("good", "jpeg.jpg"), 65500, 65500))
    open(j("huge", "jpeg-zero.jpg"), "wb").write(jpeg_header_lie(j("good", "jpeg.jpg"), 0, 0))
    # says 12000 x 9000: decoding it would fail, so an answer refused before decoding says so
    open(j("huge", "jpeg-12000x9000.jpg"), "wb").write(jpeg_header_lie(j("good", "jpeg.jpg"), 12000, 9000))
    open(j("huge", "tiff-4g.tif"), "wb").write(tiff_header_lie(4000000000, 4000000000))
    open(j("huge", "tiff-wide.tif"), "wb").write(tiff_header_lie(5000000, 1))
    open(j("huge", "j2k-2g.j2c"), "wb").write(j2k_header_lie(0x7FFFFFFF, 0x7FFFFFFF))
    open(j("huge", "j2k-zero.j2c"), "wb").write(j2k_header_lie(0, 0))
    open(j("huge", "gif-65535.gif"), "wb").write(gif_header_lie(65535, 65535))

    # sidecars built to hurt: each folder also has one good image, so it is a manifest
    def folder(name, files):
        os.makedirs(j("pres", name))
        shutil.copy(g, j("pres", name, "p1.png"))
        for fn, content in files.items():
            open(j("pres", name, fn), "wb").write(content)

    laughs = ["lol0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]"]
    for k in range(1, 10):
        laughs.append("lol%d: &a%d [%s]" % (k, k, ", ".join(["*a%d" % (k - 1)] * 9)))
    folder("laughs", {"manifest.yml": ("label: Billion laughs\n" + "\n".join(laughs) + "\n").encode()})
    folder("deep", {"manifest.yml": b"label: " + b"[" * 100000 + b"]" * 100000 + b"\n"})
    folder("deep-map", {"manifest.yml": b"".join(b"  " * k + b"k%d:\n" % k for k in range(5000)) + b"  " * 5000 + b"v\n"})
    folder("utf8", {"manifest.yml": b"label: caf\xc3\x28 \xff\xfe broken\nsummary: \xed\xa0\x80 surrogate\n"})
    folder("utf8-csv", {"metadata.csv": b"file,label,Creator\np1.png,\xff\xfeBad,\xc0\xaf\n"})
    folder("nul", {"manifest.yml": b"label: a\x00b\nsummary: \x00\n"})
    folder("huge-yaml", {"manifest.yml": b"label: " + b"x" * (3 * 1024 * 1024) + b"\n"})
    folder("huge-csv", {"metadata.csv": b"file,label\n" + b"p1.png," + b"\"" + b"y" * (3 * 1024 * 1024) + b"\"\n"})
    folder("csv-quotes", {"metadata.csv": b"file,label\np1.png,\"unterminated\n" + b"\"\"\"" * 10000 + b"\n"})
    folder("yaml-tags", {"manifest.yml": b"label: !!python/object/apply:os.system ['true']\nrights: !!binary AAAA\n"})
    folder("yaml-keys", {"manifest.yml": b"".join(b"k%d: v\n" % k for k in range(50000))})


def build():
    h = hashlib.sha256(open(__file__, "rb").read() + open(fixtures.GRID_PNG, "rb").read()).hexdigest()[:16]
    root = os.path.join(tempfile.gettempdir(), "tessera-e2e-hostile-%d-%s" % (os.getuid(), h))
    if not os.path.isdir(root):
        part = root + ".part"
        shutil.rmtree(part, ignore_errors=True)
        _make(part)
        os.rename(part, root)
    return root


SERVER_ROOT = build()
SERVER_ARGS = ["--cache-mb", "16", "--access-log", "off"]
P3_GOOD = "good%2Fpng.png"


_baseline = {}


def test_0_baseline(srv, t):
    """Warm up the paths the suite uses, then note the server's memory (the last test compares)."""
    for _ in range(3):
        for name, (fname, _) in FORMATS.items():
            for path in ("/iiif/3/good%%2F%s/info.json" % fname, "/iiif/3/good%%2F%s/full/200,/0/default.jpg" % fname):
                status, _, _ = srv.get(path)
                t.eq(status, 200, "good %s: %s" % (name, path))
    _baseline["rss"] = harness.proc_status_kb(srv, "VmRSS")


IMAGE_PATHS = ["/iiif/3/%s/info.json", "/iiif/3/%s/full/max/0/default.jpg", "/iiif/3/%s/full/,150/0/default.png",
               "/iiif/3/%s/0,0,256,256/256,/0/default.jpg", "/iiif/3/%s/512,512,488,488/244,/90/gray.webp",
               "/iiif/2/%s/full/full/0/default.jpg"]


def _decodes(body):
    try:
        return harness.decode_image(body) is not None
    except Exception:
        return False


def _broken(srv, t, folder, allowed):
    for name, (fname, _) in FORMATS.items():
        ident = "%s%%2F%s" % (folder, fname)
        for p in IMAGE_PATHS:
            path = p % ident
            status, h, body = srv.get(path)
            label = "%s %s: %s" % (folder, name, path)
            if status == 200:
                # a damaged file may still decode: then the answer must be a real image or document;
                # a stored tile sent as it is (passthrough) is the file's own bytes, damaged or not
                if path.endswith("info.json"):
                    t.check(body.startswith(b"{"), label + ": 200 without JSON")
                elif "passthrough" not in h.get("server-timing", ""):
                    t.check(_decodes(body), label + ": 200 without a decodable image (%s)" % h.get("server-timing"))
            else:
                check_error(t, (status, h, body), allowed, label)
        status, _, body = srv.get("/health")
        t.eq((status, body), (200, b"ok\n"), "/health after %s %s" % (folder, name))


def test_truncated_files(srv, t):
    _broken(srv, t, "trunc", (415,))


def test_corrupt_files(srv, t):
    _broken(srv, t, "corrupt", (415,))


def test_zero_byte_files(srv, t):
    for name, (fname, _) in FORMATS.items():
        for p in IMAGE_PATHS:
            path = p % ("empty%%2F%s" % fname)
            check_error(t, srv.get(path), 415, "empty %s: %s" % (name, path))


def test_not_images_with_image_extensions(srv, t):
    for name, (fname, _) in FORMATS.items():
        for p in IMAGE_PATHS:
            path = p % ("lies%%2F%s" % fname)
            check_error(t, srv.get(path), 415, "html named .%s: %s" % (fname.split(".")[-1], path))


def test_absurd_dimensions(srv, t):
    # refused from the header: over max_source_mp (default 10000 megapixels)
    ident = "huge%2Fpng-over-source-limit.png"
    for p in IMAGE_PATHS:
        status, h, body = srv.get(p % ident)
        check_error(t, (status, h, body), 501, "%s: %s" % (ident, p % ident))
        t.check(b"max_source_mp" in body, "%s: the reason names the setting: %r" % (ident, body))
    # an untiled 900-megapixel PNG: info.json is fine, decoding it whole is not (max_decode_mp 400)
    ident = "huge%2Fpng-over-decode-limit.png"
    status, _, info = harness.get_json(srv, "/iiif/3/%s/info.json" % ident)
    t.eq(status, 200, "900 MP PNG info.json")
    if info:
        t.eq((info.get("width"), info.get("height")), (30000, 30000), "900 MP PNG size")
    for p in IMAGE_PATHS[1:-1]:
        status, h, body = srv.get(p % ident)
        check_error(t, (status, h, body), 501, "900 MP PNG: %s" % (p % ident))
        t.check(b"max_decode_mp" in body, "900 MP PNG: the reason names the setting: %r" % body)
    # 2.1 `full` is the whole 30000 pixels: over max_width before any decoding is weighed
    check_error(t, srv.get(IMAGE_PATHS[-1] % ident), 400, "900 MP PNG, 2.1 full")
    # every other lie: an error that says what is wrong, never a crash or a 500
    for ident in ("huge%2Fpng-max.png", "huge%2Fpng-zero.png", "huge%2Fjpeg-65500.jpg", "huge%2Fjpeg-zero.jpg", "huge%2Ftiff-4g.tif",
                  "huge%2Ftiff-wide.tif", "huge%2Fj2k-2g.j2c", "huge%2Fj2k-zero.j2c", "huge%2Fgif-65535.gif"):
        for p in IMAGE_PATHS:
            path = p % ident
            status, h, body = srv.get(path)
            if status == 200 and path.endswith("info.json"):
                continue  # a header that only claims a large size may be described
            if status == 200:  # libvips reads a GIF's frame, not its screen: a real 1x1 image
                t.check(_decodes(body), "%s: %s: 200 without an image" % (ident, path))
                continue
            check_error(t, (status, h, body), (400, 415, 501), "%s: %s" % (ident, path))
    status, _, body = srv.get("/health")
    t.eq((status, body), (200, b"ok\n"), "/health after the lying headers")


def test_answers_that_cannot_be_made(srv, t):
    """An answer past the limits or an encoder's sides once rotated is refused before any pixel
    is decoded: 400 with the reason (it was a 20-second decode and a 500 from webpsave)."""
    big = "huge%2Fjpeg-12000x9000.jpg"  # its header lies: a decode would end in a 415, not a 400
    for path, why in (
            ("/iiif/3/%s/square/^10000,/45.5/color.webp" % big, b"rotated by 45.5 degrees this answer would be 14142x14142"),
            ("/iiif/3/%s/full/^10000,/45.5/default.png" % P3_GOOD, b"rotated by 45.5 degrees"),
            ("/iiif/2/%s/full/10000,/30/default.jpg" % P3_GOOD, b"rotated by 30 degrees")):
        status, h, body = srv.get(path)
        check_error(t, (status, h, body), 400, path)
        t.check(why in body, "%s: the reason: %r" % (path, body))
    # a right-angle turn is weighed as the size was asked for, as before
    status, _, body = srv.get("/iiif/3/%s/full/^10000,5000/90/default.png" % big)
    t.check(status != 400, "a right-angle turn within the limits is not refused for its size: %s %r" % (status, body[:200]))
    # with the server's limits raised, the encoders' own sides still bind
    other = harness.Server(srv.binary, srv.root, ["--access-log", "off", "--max-width", "100000", "--max-area",
                                                  "10000000000", "--max-decode-mp", "100000"],
                           sanitized=srv.sanitized).start()
    try:
        cases = [("/iiif/3/%s/full/^16384,/0/default.webp" % big, b"WebP images are at most 16383 pixels a side"),
                 ("/iiif/3/%s/square/^12000,/45/default.webp" % big, b"16971x16971 once rotated"),
                 ("/iiif/3/%s/full/^65501,/0/default.jpg" % big, b"JPEG images are at most 65500"),
                 ("/iiif/3/%s/full/^65536,/0/default.gif" % big, b"GIF images are at most 65535")]
        status, _, info = harness.get_json(other, "/iiif/3/%s/info.json" % P3_GOOD)
        if info and "avif" in (info.get("extraFormats") or []):
            cases.append(("/iiif/3/%s/full/^16385,/0/default.avif" % big, b"AVIF images are at most 16384"))
        for path, why in cases:
            status, h, body = other.get(path)
            check_error(t, (status, h, body), 400, path)
            t.check(why in body, "%s: the reason: %r" % (path, body))
        # and an answer within them is made as before
        status, h, body = other.get("/iiif/3/%s/full/200,/45/default.webp" % P3_GOOD)
        t.eq(status, 200, "a rotated answer within every limit")
    finally:
        other.stop()


def test_hostile_sidecars(srv, t):
    """Every folder still makes a valid manifest of its image; the broken sidecar is left out."""
    for name in ("laughs", "deep", "deep-map", "utf8", "utf8-csv", "nul", "huge-yaml", "huge-csv", "csv-quotes",
                 "yaml-tags", "yaml-keys"):
        status, _, m = harness.get_json(srv, "/iiif/presentation/pres/%s/manifest" % name)
        if not t.check(status == 200 and m, "%s: manifest status %s" % (name, status)):
            continue
        t.eq(m.get("type"), "Manifest", name)
        t.eq(len(m.get("items", [])), 1, "%s: one canvas" % name)
        text = str(m.get("label"))
        t.check("lol" not in text or len(text) < 10000, "%s: the billion laughs expanded" % name)
    status, _, coll = harness.get_json(srv, "/iiif/presentation/collection")
    t.eq(status, 200, "the top collection with every hostile folder in it")
    status, _, body = srv.get("/health")
    t.eq((status, body), (200, b"ok\n"), "/health after the sidecars")


def _statuses(raw):
    return [int(line.split()[1]) for line in raw.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]


def test_request_smuggling(srv, t):
    # a body framed two ways (a front proxy would read the Content-Length, libh2o the chunks), or
    # one way twice, or with a folded line: 400, then the connection closes, so the request hidden
    # after the body is never run
    hidden = b"GET /iiif/3/good%2Fpng.png/info.json HTTP/1.1\r\nHost: x\r\n\r\n"
    body = b"0\r\n\r\n" + hidden
    framings = (
        (b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n" % len(body), b"frames its body twice"),
        (b"Transfer-Encoding: chunked\r\nContent-Length: %d\r\n" % len(body), b"frames its body twice"),
        (b"Content-Length: %d\r\nContent-Length: %d\r\n" % (len(body), len(body)), b"2 Content-Length headers"),
        (b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", b"2 Transfer-Encoding headers"),
        (b"X-Folded: a\r\n b\r\nContent-Length: %d\r\n" % len(body), b"obs-fold"),
    )
    for method in (b"GET", b"POST"):
        for head, why in framings:
            raw = harness.raw_exchange(srv, method + b" /health HTTP/1.1\r\nHost: x\r\n" + head + b"\r\n" + body)
            label = "%s with %r" % (method.decode(), head)
            t.eq(_statuses(raw), [400], label)
            t.check(why in raw, "%s: the answer does not say why: %r" % (label, raw[-200:]))
            t.check(b"Connection: close" in raw, "%s: the connection is kept: %r" % (label, raw[:300]))
            t.check(b'"@context"' not in raw, "%s: the smuggled request was answered" % label)
    # a body framed once, sent to a route that takes none: answered, and nothing after it on the
    # connection is run
    for method, want in ((b"GET", 200), (b"POST", 405)):
        raw = harness.raw_exchange(srv, method + b" /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + hidden)
        t.eq(_statuses(raw), [want], "%s with a body" % method.decode())
        t.check(b"Connection: close" in raw, "%s with a body: the connection is kept" % method.decode())
        t.check(b'"@context"' not in raw, "%s with a body: the request after it was answered" % method.decode())
    # conflicting or broken framing: refused one way or another, and the hidden request never runs
    for head in (b"Content-Length: 5\r\nContent-Length: 50\r\n", b"Content-Length: -1\r\n",
                 b"Content-Length: 1e3\r\n", b"Transfer-Encoding: chunked, identity\r\n",
                 b"Transfer-Encoding: xchunked\r\n", b"Content-Length : 5\r\n", b"X-Folded: a\r\n b\r\n"):
        raw = harness.raw_exchange(srv, b"POST /health HTTP/1.1\r\nHost: x\r\n" + head + b"Connection: close\r\n\r\n" + hidden, 5)
        st = _statuses(raw)
        t.check(all(400 <= s < 500 for s in st), "%r: statuses %s" % (head, st))
        t.check(b'"@context"' not in raw, "%r: the smuggled request was answered" % head)
    status, _, body = srv.get("/health")
    t.eq((status, body), (200, b"ok\n"), "/health after the smuggling attempts")


def test_no_cleartext_http2(srv, t):
    """HTTP/2 is for TLS (ALPN) unless --h2c: libh2o 2.2.5 has no defence against rapid reset."""
    # prior knowledge: the connection preface and an empty SETTINGS frame
    raw = harness.raw_exchange(srv, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00", 5)
    t.check(raw.startswith(b"HTTP/1.1 400"), "prior knowledge is refused as HTTP/1.1: %r" % raw[:60])
    t.check(b"\x00\x00\x00\x04" not in raw[:9], "no HTTP/2 SETTINGS frame comes back")
    # Upgrade: h2c: answered as plain HTTP/1.1
    settings = b"AAMAAABkAAQAAP__"  # base64url SETTINGS payload, as curl --http2 sends it
    raw = harness.raw_exchange(srv, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                                    b"Upgrade: h2c\r\nHTTP2-Settings: " + settings + b"\r\n\r\n", 3)
    t.eq(_statuses(raw), [200], "Upgrade: h2c gets an HTTP/1.1 answer, no 101")
    t.check(b"101 Switching" not in raw, "no protocol switch: %r" % raw[:80])


def test_large_requests(srv, t):
    status, h, body = srv.get("/iiif/3/" + "a" * 100000 + "/info.json")
    check_error(t, (status, h, body), 414, "a 100 KB URL")
    t.check(b"max_url" in body, "414 names the setting: %r" % body)
    status, h, body = srv.get("/iiif/3/good%2Fpng.png/info.json", {"X-Pad-%d" % i: "v" * 1000 for i in range(40)})
    check_error(t, (status, h, body), 431, "40 KB of headers")
    # more header lines than libh2o parses: its own 400
    raw = harness.raw_exchange(srv, b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(3000)) +
               b"Connection: close\r\n\r\n")
    t.eq(_statuses(raw), [400], "3000 header lines")
    # a body past max_body_kb (1 MiB): 413 before the handler sees it
    # (libh2o answers from the head, before the body is sent)
    raw = harness.raw_exchange(srv, b"POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 5)
    t.eq(_statuses(raw), [413], "a 2 MB body announced")
    raw = harness.raw_exchange(srv, b"POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
               (b"100000\r\n" + b"z" * 0x100000 + b"\r\n") * 2, 5)
    t.eq(_statuses(raw), [413], "a 2 MB chunked body")
    for path in ("/iiif/3/%zz/info.json", "/iiif/3/abc%/info.json", "/iiif/3/%C3%28.png/info.json",
                 "/iiif/3/%ED%A0%80/info.json", "/iiif/3/good%2Fpng.png/%zz/max/0/default.jpg",
                 "/iiif/3/good%2Fpng.png/full/max/0/default.%00jpg"):
        status, h, body = srv.get(path)
        check_error(t, (status, h, body), (400, 404), "malformed escape: %s" % path)
    for params in ("0,0,99999999999999999999,10/max/0/default.jpg", "-1,0,10,10/max/0/default.jpg",
                   "pct:1e400,0,10,10/max/0/default.jpg", "full/4294967297,/0/default.jpg",
                   "full/pct:99999999999/0/default.jpg", "full/max/1e309/default.jpg",
                   "full/^100000000,100000000/0/default.jpg", "full/max/-0.0000001/default.jpg"):
        status, h, body = srv.get("/iiif/3/good%2Fpng.png/" + params)
        check_error(t, (status, h, body), 400, "out-of-range number: %s" % params)
    status, _, body = srv.get("/health")
    t.eq((status, body), (200, b"ok\n"), "/health after the large requests")


def test_traversal_beyond_the_image_api(srv, t):
    """The other routes that map URLs to files (viewer assets, Presentation folders) refuse
    every way out of their folder too (the Image API's are in test_identifiers.py)."""
    for path in ("/viewer/assets/..%2F..%2F..%2Fetc%2Fpasswd", "/viewer/assets/openseadragon-6.1.1/../../../package.json",
                 "/viewer/assets/mirador-4.0.0/%2e%2e/%2e%2e/package.json", "/viewer/assets/x/..%5C..%5Cpackage.json",
                 "/viewer/assets/openseadragon-6.1.1/openseadragon.min.js%00", "/viewer/%2e%2e%2f%2e%2e%2fREADME.md",
                 "/iiif/presentation/..%2F..%2Fetc/manifest", "/iiif/presentation/%2e%2e/collection",
                 "/iiif/presentation/pres%2F..%2F..%2F..%2Fetc/manifest", "/iiif/presentation/pres/laughs/%00/manifest",
                 "/iiif/presentation/pres/laughs/manifest.yml", "/iiif/presentation/pres/.hidden/manifest"):
        status, h, body = srv.get(path)
        t.check(400 <= status < 500, "%s: status %s" % (path, status))
        for leak in (b"root:", b'"dependencies"', b"lol0", b"label: Billion"):
            t.check(leak not in body, "%s: the answer holds %r" % (path, leak))


def test_z_memory_back_to_baseline(srv, t):
    """After every hostile request, the server's memory is back near where it was (the cache is
    16 MB here; allocator arenas and metadata account for the rest)."""
    if srv.sanitized or "rss" not in _baseline:
        return
    # the same warm-up again: a leak grows with repetition, a cache or arena does not
    for _ in range(2):
        for name, (fname, _) in FORMATS.items():
            srv.get("/iiif/3/good%%2F%s/full/200,/0/default.jpg" % fname)
    grown = harness.proc_status_kb(srv, "VmRSS") - _baseline["rss"]
    t.check(grown < 96 * 1024, "RSS grew by %d MB over the hostile suite" % (grown // 1024))
