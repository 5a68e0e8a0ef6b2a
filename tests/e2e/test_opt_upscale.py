"""--upscale-max-to-limits with --max-width 3000: `^max` enlarges to the
limits (the spec's reading), `max` still never enlarges, and info.json
declares the limits."""
import harness
from harness import VID, fetch_image, get_json, check_error

SERVER_ARGS = ["--upscale-max-to-limits", "--max-width", "3000"]


def test_info_limits(srv, t):
    _, _, i3 = get_json(srv, "/iiif/3/%s/info.json" % VID)
    if t.check(i3 is not None, "3.0 info.json"):
        t.eq((i3.get("maxWidth"), i3.get("maxHeight")), (3000, 3000), "3.0 maxWidth/maxHeight")
        t.check("sizeUpscaling" in i3.get("extraFeatures", []), "sizeUpscaling declared")
    _, _, i2 = get_json(srv, "/iiif/2/%s/info.json" % VID)
    if t.check(i2 is not None, "2.1 info.json"):
        t.eq((i2["profile"][1].get("maxWidth"), i2["profile"][1].get("maxHeight")), (3000, 3000),
             "2.1 maxWidth/maxHeight")


CASES = [
    ("full", "^max", (3000, 3000)),
    ("0,0,200,100", "^max", (3000, 1500)),
    ("0,0,100,200", "^max", (1500, 3000)),
    ("full", "max", (1000, 1000)),
    ("0,0,200,100", "max", (200, 100)),
    ("full", "^3000,", (3000, 3000)),
    ("full", "^pct:300", (3000, 3000)),
    ("full", "^!5000,2000", (2000, 2000)),
    ("full", "^3001,", 400),
    ("full", "^,3001", 400),
    ("full", "^pct:301", 400),
    ("full", "1001,", 400),
]


def test_upscale_max(srv, t):
    base = "http://127.0.0.1:%d/iiif/3/%s/" % (srv.port, VID)
    for region, size, want in CASES:
        label = "upscale %s/%s" % (region, size)
        path = harness.image_path("3", VID, region, size, fmt="jpg")
        status, h, im, body = fetch_image(srv, path)
        if isinstance(want, int):
            check_error(t, (status, h, body), want, label)
            continue
        if t.check(status == 200 and im is not None, "%s: status %s %r" % (label, status, body[:100])):
            t.eq(im.size, want, label)
            canon = harness.links(h).get("canonical", [""])[0]
            if size == "^max":
                reg = "full" if region == "full" else region
                t.eq(canon, base + "%s/^max/0/default.jpg" % reg, label + ": canonical")
            if size == "max":
                t.check(canon.endswith("/max/0/default.jpg") and "^" not in canon, "%s: canonical %r" % (label, canon))
    status, _, im, _ = fetch_image(srv, harness.image_path("3", VID, "0,0,200,100", "^max", fmt="png"))
    if t.check(status == 200 and im is not None, "^max png"):
        harness.check_grid(t, im, "^max of 0,0,200,100", region=(0, 0, 200, 100), tol=3)
    # 2.1 has no ^; its max never enlarges
    check_error(t, srv.get(harness.image_path("2", VID, "full", "^max")), 400, "2.1 ^max")
    status, _, im, _ = fetch_image(srv, harness.image_path("2", VID, "0,0,200,100", "max"))
    t.check(status == 200 and im is not None and im.size == (200, 100), "2.1 max does not enlarge")
