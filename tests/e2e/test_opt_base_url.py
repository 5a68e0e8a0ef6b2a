"""--base-url https://images.example.org/x: ids, Location and Link headers
use it, whatever Host and proxy headers say; with --rights and
--preferred-formats, info.json carries rights/license and preferredFormats."""
import harness
from harness import VID, get_json

BASE = "https://images.example.org/x"
RIGHTS = "http://creativecommons.org/licenses/by/4.0/"
SERVER_ARGS = ["--base-url", BASE + "/", "--rights", RIGHTS, "--preferred-formats", "webp, jpg,bogus"]

HEADERS = [None, {"X-Forwarded-Host": "proxy.example.com", "X-Forwarded-Proto": "http", "X-Forwarded-Prefix": "/p"},
           {"Forwarded": "proto=http;host=other.example.net"}, {"Host": "virtual.example.net"}]


def test_ids_use_base_url(srv, t):
    for hdrs in HEADERS:
        for v, key in (("3", "id"), ("2", "@id")):
            status, _, info = get_json(srv, "/iiif/%s/%s/info.json" % (v, VID), hdrs)
            if t.check(status == 200 and info, "v%s info with %r" % (v, hdrs)):
                t.eq(info.get(key), "%s/iiif/%s/%s" % (BASE, v, VID), "v%s %s with %r" % (v, key, hdrs))
            status, h, _ = srv.get("/iiif/%s/%s" % (v, VID), hdrs)
            t.eq(h.get("location"), "%s/iiif/%s/%s/info.json" % (BASE, v, VID), "v%s Location with %r" % (v, hdrs))
            size = "max" if v == "3" else "full"
            status, h, _ = srv.get("/iiif/%s/%s/full/%s/0/default.jpg" % (v, VID, size), hdrs)
            t.eq(harness.links(h).get("canonical"), ["%s/iiif/%s/%s/full/%s/0/default.jpg" % (BASE, v, VID, size)],
                 "v%s canonical Link with %r" % (v, hdrs))
    status, _, home = srv.get("/")
    t.check((BASE + "/iiif/3/").encode() in home, "the home page links use the base URL")


def test_rights_and_preferred_formats(srv, t):
    _, _, i3 = get_json(srv, "/iiif/3/%s/info.json" % VID)
    if t.check(i3 is not None, "3.0 info"):
        t.eq(i3.get("rights"), RIGHTS, "3.0 rights")
        t.eq(i3.get("preferredFormats"), ["webp", "jpg"], "3.0 preferredFormats (unknown names left out)")
        t.check("license" not in i3, "3.0 has no license")
    _, _, i2 = get_json(srv, "/iiif/2/%s/info.json" % VID)
    if t.check(i2 is not None, "2.1 info"):
        t.eq(i2.get("license"), RIGHTS, "2.1 license")
        t.check("rights" not in i2 and "preferredFormats" not in i2, "2.1 has no rights/preferredFormats")
