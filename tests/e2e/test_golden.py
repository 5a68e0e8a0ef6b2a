"""Golden files: the sample album's Manifest as 3.0 and, asked for with the
2.1 profile in Accept (recipe 0057), as 2.1; and the root Collection as 2.1.
A change in the generated documents shows here as a diff. To accept one on
purpose, regenerate the files (tests/golden/README.md)."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "samples"))
GOLDEN = os.path.normpath(os.path.join(HERE, "..", "golden"))
SERVER_ARGS = ["--base-url", "https://iiif.example.org"]
P2 = 'application/ld+json;profile="http://iiif.io/api/presentation/2/context.json"'
P3 = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'


def _diff(got, want, path="$"):
    """The first difference between two JSON values, as text, or None."""
    if type(got) is not type(want):
        return "%s: %r != %r" % (path, got, want)
    if isinstance(got, dict):
        if list(got) != list(want):
            return "%s: keys %s != %s" % (path, list(got), list(want))
        for k in got:
            d = _diff(got[k], want[k], path + "." + k)
            if d:
                return d
        return None
    if isinstance(got, list):
        if len(got) != len(want):
            return "%s: %d items != %d" % (path, len(got), len(want))
        for i, (a, b) in enumerate(zip(got, want)):
            d = _diff(a, b, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if got == want else "%s: %r != %r" % (path, got, want)


def _check(srv, t, path, accept, golden, content_type):
    s, h, body = srv.request(path, headers={"Accept": accept} if accept else None)
    if not t.check(s == 200, "%s: %d" % (path, s)):
        return
    t.eq(h.get("content-type"), content_type, path + ": content type")
    t.eq(h.get("vary"), "Accept", path + ": Vary")
    with open(os.path.join(GOLDEN, golden), encoding="utf-8") as f:
        want = json.load(f)
    d = _diff(json.loads(body), want)
    t.check(d is None, "%s differs from tests/golden/%s: %s" % (path, golden, d))


def test_album_3_0(srv, t):
    _check(srv, t, "/iiif/presentation/photographs/album/manifest", None, "album-3.0.json", P3)
    _check(srv, t, "/iiif/presentation/photographs/album/manifest", P3, "album-3.0.json", P3)


def test_album_2_1(srv, t):
    _check(srv, t, "/iiif/presentation/photographs/album/manifest", P2, "album-2.1.json", P2)


def test_root_2_1(srv, t):
    _check(srv, t, "/iiif/presentation/collection", P2, "root-2.1.json", P2)


def test_2_1_parts(srv, t):
    base = "/iiif/presentation/photographs/album"
    s, h, body = srv.request(base + "/canvas/p2-coffee.jpg", headers={"Accept": P2})
    t.eq(s, 200, "2.1 canvas")
    doc = json.loads(body) if s == 200 else {}
    t.eq(doc.get("@type"), "sc:Canvas", "2.1 canvas type")
    t.eq(doc.get("@context"), "http://iiif.io/api/presentation/2/context.json", "2.1 canvas context")
    s, h, body = srv.request(base + "/range/2-1", headers={"Accept": P2})
    doc = json.loads(body) if s == 200 else {}
    t.eq(doc.get("@type"), "sc:Range", "2.1 range")
    # 2.1 has no AnnotationPage: the page stays 3.0
    s, h, body = srv.request(base + "/canvas/p2-coffee.jpg/page", headers={"Accept": P2})
    doc = json.loads(body) if s == 200 else {}
    t.eq(doc.get("type"), "AnnotationPage", "page in 3.0")
