"""Errors exactly as the checklist says: 400 for junk in every parameter
(curated cases and seeded random strings), 404 for unknown identifiers and
raw slashes, 400/404 for [frob], limits, and a one-line reason in every body
("<status> <reason>: ..."). The server stays healthy afterwards."""
import random

import harness
from harness import VID, check_error

P3 = "/iiif/3/" + VID
P2 = "/iiif/2/" + VID

BAD_REGIONS = [
    "junk", "FULL", "Full", "full ", "squares", "sq", "pct", "pct:", "pct:1,2,3", "pct:1,2,3,4,5",
    "0,0,0,100", "0,0,100,0", "0,0,0,0", "pct:0,0,0,10", "pct:0,0,10,0",
    "1000,0,10,10", "0,1000,10,10", "5000,5000,10,10", "1000,1000,1,1", "pct:100,0,10,10", "pct:0,100,10,10",
    "-1,0,10,10", "0,-1,10,10", "1,2,3", "1,2,3,4,5", "1.5,0,10,10", "+1,0,10,10", "1e2,0,10,10",
    "pct:-1,0,10,10", "pct:101,0,10,10", "pct:1e1,0,10,10", "pct:+1,0,10,10", "pct:1..2,0,10,10",
    "0x0,0,10,10", "99999999999,0,1,1", "4294967296,0,10,10", "0,0,4294967297,10", " 0,0,10,10",
    "0,0,10,10,", ",0,0,10", "0,,10,10", "%20full", "full%00", "0,0,10,10%00", "ful%6C%00",
    "\u0661,0,10,10".encode("utf-8").decode("latin-1"),
]
BAD_SIZES_BOTH = [
    "junk", "MAX", "Max", "max ", "max,", "0,", ",0", "0,0", "!0,100", "!100,0", "!100,", "!,100", ",", "pct:",
    "pct:-5", "pct:abc", "pct:1e2", "pct:+50", "pct:50%25", "-100,", "100.5,", "+100,", "100,100,100", "!!100,100",
    "!100,100,", "99999999999,", "4294967296,", "1e3,", "0x10,", "pct:0", "pct:0.0", "%21", "!", "pct", "10 ,",
]
BAD_SIZES_3 = BAD_SIZES_BOTH + ["full", "^", "^^max", "^!", "^full", "!^100,100", "^pct:", "^0,", "^10001,",
                                "^,10001", "^pct:1001", "^10001,10", "1001,", "pct:101"]
BAD_SIZES_2 = BAD_SIZES_BOTH + ["^max", "^500,", "^pct:50", "^!500,500", "^,500", "^500,500", "^full", "10001,",
                                "pct:1001"]
BAD_ROTATIONS = ["361", "360.1", "360.0001", "720", "-90", "+90", "abc", "90deg", "!", "!!90", "1e2", "90,0", "0x5A",
                 ".", "NaN", "nan", "inf", "Infinity", "!-0", "%E0%A5%AF%E0%A5%A6", " 90", "90 ", "9 0", "1..5",
                 "99999999999999999999999999999"]
BAD_QUALITIES = ["Default", "DEFAULT", "colour", "grey", "native", "bitonal2", "", "default.default", "color ",
                 "best", "%64efault%00"]


def _img(prefix, region="full", size=None, rot="0", q="default", fmt="jpg", v="3"):
    if size is None:
        size = "max" if v == "3" else "full"
    return "%s/%s/%s/%s/%s.%s" % (prefix, region, size, rot, q, fmt)


def _quote(s):
    """Percent-encodes what may not appear raw in a path (space, controls, non-ASCII)."""
    out = []
    for ch in s:
        o = ord(ch)
        if o <= 0x20 or o >= 0x7f or ch in "#?":
            for b in ch.encode("latin-1" if o < 256 else "utf-8"):
                out.append("%%%02X" % b)
        else:
            out.append(ch)
    return "".join(out)


def test_bad_regions(srv, t):
    for v, prefix in (("3", P3), ("2", P2)):
        for r in BAD_REGIONS:
            check_error(t, srv.get(_img(prefix, region=_quote(r), v=v)), 400, "v%s region %r" % (v, r))


def test_bad_sizes(srv, t):
    for v, prefix, sizes in (("3", P3, BAD_SIZES_3), ("2", P2, BAD_SIZES_2)):
        for s in sizes:
            check_error(t, srv.get(_img(prefix, size=_quote(s), v=v)), 400, "v%s size %r" % (v, s))


def test_bad_rotations(srv, t):
    for v, prefix in (("3", P3), ("2", P2)):
        for r in BAD_ROTATIONS:
            check_error(t, srv.get(_img(prefix, rot=_quote(r), v=v)), 400, "v%s rotation %r" % (v, r))


def test_bad_qualities(srv, t):
    for v, prefix in (("3", P3), ("2", P2)):
        for q in BAD_QUALITIES:
            check_error(t, srv.get(_img(prefix, q=_quote(q), v=v)), 400, "v%s quality %r" % (v, q))


def test_bad_shapes(srv, t):
    """Wrong numbers of segments and empty segments."""
    for path, want in (
            (P3 + "/full/max/0", (400, 404)),
            (P3 + "/full/max/default.jpg", (400, 404)),
            (P3 + "//max/0/default.jpg", (400, 404)),
            (P3 + "/full//0/default.jpg", 400),
            (P3 + "/full/max//default.jpg", 400),
            (P3 + "/full/max/0/.jpg", 400),
            (P3 + "/full/max/0/default.", 400),
            (P3 + "/info.xml", (400, 404)),
            (P3 + "/info.json/", (400, 404)),
            ("/iiif/4/%s/info.json" % VID, 404),
            ("/iiif/3//info.json", (400, 404))):
        check_error(t, srv.get(path), want, "shape %s" % path)


# letters that cannot make a valid value in any parameter (no digits; keywords filtered out)
KEYWORDS = {"full", "max", "square", "default", "color", "gray", "bitonal"}


def _junk(rng):
    while True:
        s = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-~") for _ in range(rng.randint(1, 16)))
        if s not in KEYWORDS:
            return s


def test_random_junk_every_parameter(srv, t):
    rng = random.Random(20240229)
    for v, prefix in (("3", P3), ("2", P2)):
        for _ in range(12):
            j = _junk(rng)
            check_error(t, srv.get(_img(prefix, region=j, v=v)), 400, "v%s random region %r" % (v, j))
            check_error(t, srv.get(_img(prefix, size=j, v=v)), 400, "v%s random size %r" % (v, j))
            check_error(t, srv.get(_img(prefix, rot=j, v=v)), 400, "v%s random rotation %r" % (v, j))
            check_error(t, srv.get(_img(prefix, q=j, v=v)), 400, "v%s random quality %r" % (v, j))
            check_error(t, srv.get(_img(prefix, fmt=j, v=v)), 400, "v%s random format %r" % (v, j))
        # random bytes, percent-encoded
        for _ in range(8):
            raw = bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
            enc = "".join("%%%02X" % b for b in raw)
            for field in ("region", "size", "rot"):
                check_error(t, srv.get(_img(prefix, **{field: enc, "v": v})), 400,
                            "v%s random bytes in %s: %r" % (v, field, raw), text_checks=False)


# (where, encoded value): decoded bytes that must not reach the error body as they are
NASTY = [("region", "ab%0Acd"), ("region", "ab%0D%0AX-Injected:%201"), ("size", "%FF%FE"), ("rot", "%C3%28"),
         ("q", "x%0Ay"), ("region", "%1B%5B31m"), ("size", "%E2%80%AE1,")]


def test_error_bodies_are_one_line_utf8(srv, t):
    """The reason echoes the parameter: it must stay one line of valid UTF-8 (text/plain;
    charset=utf-8), whatever bytes the client percent-encoded into the parameter."""
    for field, value in NASTY:
        path = _img(P3, **{field: value})
        status, h, body = srv.get(path)
        check_error(t, (status, h, body), 400, "%s %s" % (field, value))
        t.check(b"X-Injected" not in b"".join(k.encode() for k in h), "%s: header injection" % value)


def test_long_and_overflowing_values(srv, t):
    for path in (_img(P3, region="1" * 5000 + ",0,10,10"), _img(P3, size="9" * 300 + ","),
                 _img(P3, rot="1" * 400), _img(P3, region="pct:" + "1" * 60 + ",0,1,1"),
                 _img(P3, size="pct:" + "0." + "0" * 40 + "1"), _img(P3, q="d" * 5000),
                 _img(P3, region=",".join(["1"] * 2000))):
        check_error(t, srv.get(path), (400, 414, 431), "long value %s..." % path[:60])
    status, _, _ = srv.get("/iiif/3/" + "x" * 20000 + "/info.json")
    t.check(status in (400, 404, 414, 431), "a 20000 character identifier: %s" % status)


def test_unknown_identifiers(srv, t):
    for v in ("3", "2"):
        size = "max" if v == "3" else "full"
        for ident in ("no-such-image", "grid%2Fnope.png", "nested", "nested%2Fa", "nested%2Fa%2Fb", "grid",
                      VID + ".jpg", VID + ".png.png", "bad%2Fnotes.txt", "bad%2Fnotes", "%E2%9C%93",
                      "%5Bfrob%5D"):
            check_error(t, srv.get("/iiif/%s/%s/info.json" % (v, ident)), 404, "v%s info.json of %s" % (v, ident))
            check_error(t, srv.get("/iiif/%s/%s/full/%s/0/default.jpg" % (v, ident, size)), 404,
                        "v%s image of %s" % (v, ident))


def test_malformed_identifiers(srv, t):
    for ident in ("grid%2F", "%2Fgrid", "grid%2F%2Fpng.png", "%", "%zz", "%2", "a%"):
        check_error(t, srv.get("/iiif/3/%s/info.json" % ident), (400, 404), "malformed identifier %s" % ident)


def test_raw_slash_identifier_is_404(srv, t):
    for v in ("3", "2"):
        size = "max" if v == "3" else "full"
        for path in ("/iiif/%s/a/b/full/%s/0/default.jpg" % (v, size),
                     "/iiif/%s/a/b/info.json" % v,
                     "/iiif/%s/nested/a/b/p1/full/%s/0/default.jpg" % (v, size),
                     "/iiif/%s/nested/a/b/p1.png/info.json" % v,
                     "/iiif/%s/grid/png.png/full/%s/0/default.jpg" % (v, size)):
            check_error(t, srv.get(path), 404, "raw slash: %s" % path)


def test_frob(srv, t):
    for v in ("3", "2"):
        size = "max" if v == "3" else "full"
        check_error(t, srv.get("/iiif/%s/[frob]/full/%s/0/default.jpg" % (v, size)), (400, 404), "v%s [frob]" % v)
        check_error(t, srv.get("/iiif/%s/[frob]/info.json" % v), (400, 404), "v%s [frob] info" % v)


def test_bad_params_for_unknown_identifier(srv, t):
    """Junk parameters on an unknown image: 400 or 404, never 200 or 5xx."""
    check_error(t, srv.get("/iiif/3/no-such-image/junk/max/0/default.jpg"), (400, 404), "junk region, unknown id")
    check_error(t, srv.get("/iiif/3/no-such-image/full/max/0/default.pdf"), (400, 404), "pdf, unknown id")


def test_server_still_healthy(srv, t):
    status, _, body = srv.get("/health")
    t.eq((status, body), (200, b"ok\n"), "/health after all the junk")
    status, _, im, _ = harness.fetch_image(srv, _img(P3, size="100,", fmt="png"))
    t.check(status == 200 and im is not None and im.size == (100, 100), "an image after all the junk: %s" % status)
