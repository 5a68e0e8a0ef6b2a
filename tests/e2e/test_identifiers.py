"""Identifiers: percent-decoding, nested paths, extension resolution,
confinement to the root (traversal, encodings, symlinks, hidden files,
absolute paths), files that are not images, and names with unusual
characters (served from a temporary root by a second server)."""
import os
import shutil
import tempfile

import harness
from harness import VID, fetch_image, get_json, check_error

OUTSIDE_MARK = b"outside"


def _img(v, ident, size="100,", fmt="png"):
    return "/iiif/%s/%s/full/%s/0/default.%s" % (v, ident, size, fmt)


def test_percent_decoding(srv, t):
    ref_status, _, ref = srv.get(_img("3", VID))
    t.eq(ref_status, 200, "the plain identifier")
    for ident in ("67352ccc%2Dd1b0-11e1-89ae-279075081939", "67352ccc%2dd1b0%2d11e1%2d89ae%2d279075081939",
                  "%36%37352ccc-d1b0-11e1-89ae-279075081939", VID + "%2Epng", VID + ".png"):
        for v in ("3", "2"):
            status, _, body = srv.get(_img(v, ident))
            t.eq(status, 200, "v%s %s" % (v, ident))
            if v == "3":
                t.check(body == ref, "v%s %s: the same image as the plain identifier" % (v, ident))
            status, _, info = get_json(srv, "/iiif/%s/%s/info.json" % (v, ident))
            t.eq(status, 200, "v%s %s info.json" % (v, ident))


def test_nested_identifiers(srv, t):
    for ident in ("nested%2Fa%2Fb%2Fp1", "nested%2Fa%2Fb%2Fp1.png", "nested%2fa%2fb%2fp1", "nested%2Fa%2Fb%2Fp1%2Epng"):
        for v in ("3", "2"):
            status, _, im, body = fetch_image(srv, _img(v, ident))
            if t.check(status == 200 and im is not None, "v%s %s: status %s %r" % (v, ident, status, body[:80])):
                t.eq(im.size, (100, 100), "v%s %s size" % (v, ident))
                harness.check_grid(t, im, "v%s %s" % (v, ident), min_points=90)
            status, _, info = get_json(srv, "/iiif/%s/%s/info.json" % (v, ident))
            t.eq(status, 200, "v%s %s info.json" % (v, ident))


def test_extension_resolution(srv, t):
    # p001 has a .tif (tiled pyramid, 256 px tiles) and a .jpg (quality 50): the .tif comes first
    _, _, info_bare = get_json(srv, "/iiif/3/ext%2Fp001/info.json")
    _, _, info_tif = get_json(srv, "/iiif/3/ext%2Fp001.tif/info.json")
    _, _, info_jpg = get_json(srv, "/iiif/3/ext%2Fp001.jpg/info.json")
    if t.check(info_bare and info_tif and info_jpg, "the three info.json"):
        t.eq(info_bare["tiles"], info_tif["tiles"], "ext/p001 has the .tif's tiles")
        t.check(info_jpg["tiles"] != info_tif["tiles"], "the .jpg has other tiles (else this test proves nothing)")
    _, _, bare = srv.get(_img("3", "ext%2Fp001", "400,"))
    _, _, tif = srv.get(_img("3", "ext%2Fp001.tif", "400,"))
    s, _, jpg = srv.get(_img("3", "ext%2Fp001.jpg", "400,"))
    t.eq(s, 200, "ext/p001.jpg is still reachable explicitly")
    t.check(bare == tif, "ext/p001 serves the pixels of ext/p001.tif")
    t.check(bare != jpg, "ext/p001 does not serve ext/p001.jpg")
    for v in ("3", "2"):
        status, _, im, _ = fetch_image(srv, _img(v, "ext%2Fp001.jpg", "400,"))
        if t.check(status == 200 and im is not None, "v%s ext/p001.jpg" % v):
            harness.check_grid(t, im, "v%s ext/p001.jpg" % v, tol=20, min_points=90)


# identifiers that try to leave the root (outside.png sits next to the root folder) or reach hidden files
ESCAPES = [
    "..%2Foutside.png", "..%2Foutside", "..%2F..%2F..%2F..%2Fetc%2Fpasswd", "nested%2F..%2F..%2Foutside.png",
    "nested%2Fa%2F..%2F..%2F..%2Foutside.png", "%2e%2e%2Foutside.png", "%2E%2E%2Foutside.png", "%2e%2e%2foutside.png",
    "%252e%252e%252Foutside.png", "..%252Foutside.png", "%252F..%252Foutside.png", "..%5Coutside.png",
    "nested%5C..%5C..%5Coutside.png", "..%5C..%5Coutside.png", "%2Fetc%2Fpasswd", "%2F%2Fetc%2Fpasswd",
    "%2Ftmp%2Foutside.png", "outside.png%00.png", "grid%2Fpng.png%00", "%00", "grid%00%2Fpng.png",
    "bad%2Fescape.png", "bad%2Fescape", "bad%2F.hidden.png", "bad%2F.hidden", ".hidden.png", "%2Ehidden",
    "..", "%2E%2E", ".", "...%2Foutside.png", "nested%2F...%2F..%2Foutside.png", "%C0%AE%C0%AE%2Foutside.png",
    "..%2F" + "root%2F" + VID + ".png", "~%2Foutside.png", "%7E",
]


def test_confinement(srv, t):
    root = os.path.realpath(srv.root)
    ident_abs = root.replace("/", "%2F") + "%2F" + VID + ".png"
    cases = ESCAPES + [ident_abs, root.replace("/", "%2F") + "%2F..%2Foutside.png"]
    for ident in cases:
        for v in ("3", "2"):
            size = "max" if v == "3" else "full"
            for path in ("/iiif/%s/%s/info.json" % (v, ident), "/iiif/%s/%s/full/%s/0/default.png" % (v, ident, size)):
                status, h, body = srv.get(path)
                label = "confinement %s" % path
                check_error(t, (status, h, body), (400, 403, 404), label)
                t.check(b"\x89PNG" not in body and not body.startswith(b"{"), "%s: image or info bytes" % label)
                t.check(root.encode() not in body, "%s: the error reveals the root path %r" % (label, body))


def test_raw_dot_segments(srv, t):
    """`..` written raw in the URL path: whatever the HTTP layer does with it, nothing
    outside the root is served."""
    for path in ("/iiif/3/../../outside.png/info.json", "/iiif/3/..%2F..%2Foutside.png/../info.json",
                 "/iiif/3/./../outside.png/full/max/0/default.png", "/../outside.png", "/iiif/../../outside.png",
                 "/iiif/3/nested/../../outside.png/info.json"):
        status, h, body = srv.get(path)
        t.check(400 <= status < 500, "raw %s: status %s" % (path, status))
        t.check(b"\x89PNG" not in body, "raw %s: image bytes" % path)


def test_not_images(srv, t):
    for ident, kinds in (("bad%2Ftext.jpg", ("info", "image")), ("bad%2Fempty.png", ("info", "image")),
                         ("bad%2Ftruncated.png", ("image",)), ("bad%2Ftext", ("info", "image"))):
        for v in ("3", "2"):
            size = "max" if v == "3" else "full"
            paths = []
            if "info" in kinds:
                paths.append("/iiif/%s/%s/info.json" % (v, ident))
            if "image" in kinds:
                paths += ["/iiif/%s/%s/full/%s/0/default.jpg" % (v, ident, size),
                          "/iiif/%s/%s/0,0,100,100/50,/0/default.png" % (v, ident)]
            for path in paths:
                status, h, body = srv.get(path)
                check_error(t, (status, h, body), (400, 404, 415, 422, 500), "not an image: %s" % path)
                t.check(os.path.realpath(srv.root).encode() not in body and srv.root.encode() not in body,
                        "not an image: %s: the body shows the file's path: %r" % (path, body[:200]))
        status, _, body = srv.get("/health")
        t.eq((status, body), (200, b"ok\n"), "/health after %s" % ident)
    check_error(t, srv.get("/iiif/3/bad%2Fnotes.txt/info.json"), 404, "bad/notes.txt")
    check_error(t, srv.get("/iiif/3/bad%2Fnotes.txt/full/max/0/default.jpg"), 404, "bad/notes.txt image")
    # and the server still serves images
    status, _, im, _ = fetch_image(srv, _img("3", VID))
    t.check(status == 200 and im is not None, "an image after the bad files: %s" % status)


def _encode(name):
    out = []
    for b in name.encode("utf-8"):
        c = chr(b)
        out.append(c if (c.isalnum() and b < 128) or c in "-._~" else "%%%02X" % b)
    return "".join(out)


NAMES = ["with space.png", "plus+sign.png", "percent%25.png", "ünïcödé.png", "日本語/画像.png", "semi;colon.png",
         "a,b.png", "paren(1).png", "amp&er.png", "quote'.png", "hash#.png", "q?mark.png", "UPPER.PNG",
         "deep/er/and/deeper/x.png"]


def test_unusual_names(srv, t):
    """Names with spaces, reserved characters and non-ASCII letters: listed on the home page
    with the encoding the server uses in ids, served under that encoding, and info.json's id
    is the URL that was asked for."""
    tmp = tempfile.mkdtemp(prefix="tessera-e2e-names-")
    try:
        for n in NAMES:
            p = os.path.join(tmp, n)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            shutil.copy(harness.REF_PNG, p)
        other = harness.Server(srv.binary, tmp, ["--access-log", "off"], sanitized=srv.sanitized).start()
        try:
            status, _, home = other.get("/")
            t.eq(status, 200, "home page")
            for n in NAMES:
                ident = _encode(n)
                t.check(("/iiif/3/%s/info.json" % ident).encode() in home,
                        "home page lists %r as %s" % (n, ident))
                status, _, info = get_json(other, "/iiif/3/%s/info.json" % ident)
                if t.check(status == 200 and info, "%r info.json: status %s" % (n, status)):
                    t.eq(info.get("id"), "%s/iiif/3/%s" % (other.base, ident), "%r id" % n)
                status, _, im, _ = fetch_image(other, _img("3", ident, "50,"))
                t.check(status == 200 and im is not None and im.size == (50, 50), "%r image: %s" % (n, status))
                bare = ident[:-4] if ident.lower().endswith(".png") else ident
                status, _, _ = other.get("/iiif/3/%s/info.json" % bare)
                t.eq(status, 200, "%r without its extension (%s)" % (n, bare))
        finally:
            problems = other.stop()
            t.check(not problems, "second server: %s" % problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_symlinks(srv, t):
    """Symlinks to files or folders outside the root are neither served nor listed on the
    home page (listing them gives away names of files outside the root); a symlink that
    stays inside the root may be served."""
    tmp = tempfile.mkdtemp(prefix="tessera-e2e-links-")
    try:
        root, outside = os.path.join(tmp, "root"), os.path.join(tmp, "outside")
        os.makedirs(os.path.join(root, "in"))
        os.makedirs(outside)
        shutil.copy(harness.REF_PNG, os.path.join(root, "in", "real.png"))
        shutil.copy(harness.REF_PNG, os.path.join(outside, "secret-name.png"))
        os.symlink(outside, os.path.join(root, "linked-dir"))
        os.symlink(os.path.join(outside, "secret-name.png"), os.path.join(root, "linked-file.png"))
        os.symlink(os.path.join(root, "in", "real.png"), os.path.join(root, "alias.png"))
        other = harness.Server(srv.binary, root, ["--access-log", "off"], sanitized=srv.sanitized).start()
        try:
            status, _, home = other.get("/")
            t.eq(status, 200, "home page")
            t.check(b"in%2Freal.png" in home, "the real image is listed")
            t.check(b"secret-name" not in home, "the home page lists a file of a folder outside the root")
            t.check(b"linked-file" not in home, "the home page lists a symlink that leads outside the root")
            for ident in ("linked-dir%2Fsecret-name.png", "linked-dir%2Fsecret-name", "linked-file.png", "linked-file"):
                for path in ("/iiif/3/%s/info.json" % ident, _img("3", ident)):
                    status, h, body = other.get(path)
                    check_error(t, (status, h, body), (403, 404), "symlink out of the root: %s" % path)
            # a symlink whose target is inside the root is followed: the same image as its target
            status, _, alias = harness.get_json(other, "/iiif/3/alias.png/info.json")
            t.eq(status, 200, "a symlink inside the root")
            _, _, real = harness.get_json(other, "/iiif/3/in%2Freal.png/info.json")
            t.eq((alias or {}).get("width"), (real or {}).get("width"), "the symlink's image is its target's")
        finally:
            problems = other.stop()
            t.check(not problems, "symlink server: %s" % problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
