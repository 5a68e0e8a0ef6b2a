"""--confined-size-strict: the validator's reading of `!w,h` (a box larger
than the region is a 400 in 3.0); 2.1 and ^!w,h are unaffected."""
import harness
from harness import VID, fetch_image, check_error

SERVER_ARGS = ["--confined-size-strict"]

CASES = [
    ("3", "full", "!2000,2000", 400),
    ("3", "full", "!1001,500", (500, 500)),   # the binding side is 500: smaller than the region
    ("3", "0,0,200,100", "!400,400", 400),
    ("3", "0,0,200,100", "!400,50", (100, 50)),
    ("3", "full", "!1000,1000", (1000, 1000)),
    ("3", "full", "!500,500", (500, 500)),
    ("3", "full", "!300,500", (300, 300)),
    ("3", "full", "^!2000,1500", (1500, 1500)),
    ("3", "0,0,200,100", "^!400,400", (400, 200)),
    ("3", "full", "max", (1000, 1000)),
    ("3", "full", "^max", (1000, 1000)),
    ("2", "full", "!2000,2000", None),        # 2.1: fits the box (the scaling is the server's choice)
    ("2", "full", "!500,500", (500, 500)),
]


def test_confined_strict(srv, t):
    for v, region, size, want in CASES:
        label = "strict v%s %s/%s" % (v, region, size)
        status, h, im, body = fetch_image(srv, harness.image_path(v, VID, region, size))
        if isinstance(want, int):
            check_error(t, (status, h, body), want, label)
            t.check(b"^" in body or b"larger" in body, "%s: the reason should explain: %r" % (label, body))
            continue
        if not t.check(status == 200 and im is not None, "%s: status %s %r" % (label, status, body[:100])):
            continue
        if want is None:
            w, hh = im.size
            t.check(w == hh and w <= 2000, "%s: %r" % (label, im.size))
        else:
            t.eq(im.size, want, label)
