"""Hostile input to the annotation and search endpoints: paths that try to
leave the tree, NUL and bad escapes, bodies framed twice, deep, duplicated
or binary JSON, huge Slugs and keys, and search queries built to break the
parser or reach FTS5's syntax. Each gets a precise 4xx, nothing is stored,
and the server keeps answering."""
import atexit
import json
import os
import shutil
import tempfile

import harness

DATA = tempfile.mkdtemp(prefix="tessera-e2e-hostile-anno-")
atexit.register(shutil.rmtree, DATA, True)
SERVER_ARGS = ["--data-dir", os.path.join(DATA, "d"), "--write-keys", "k"]
C = "/annotations/kinds/"
KEY = {"Authorization": "Bearer k", "Content-Type": "application/json"}


def _total(srv):
    st, h, body = srv.get(C)
    return json.loads(body)["total"]


def test_paths(srv, t):
    for path, want in [("/annotations/..%2F..%2Fetc/", 400), ("/annotations/kinds%00/", 400),
                       ("/annotations/kinds/%2e%2e/", 400), ("/annotations/kinds/%zz", 400),
                       ("/annotations/.hidden/", 400), ("/annotations/kinds//x", 400),
                       ("/annotations/nothing-here/", 404), ("/annotations/" + "a/" * 1100, 414),
                       ("/iiif/search/..%2Fkinds?q=x", 400), ("/iiif/search/kinds%00?q=x", 400),
                       ("/iiif/autocomplete/kinds/../grid?q=x", None)]:
        st, h, body = srv.get(path)
        if want is not None:
            t.eq(st, want, "%s: %d (%r)" % (path, st, body[:120]))
        else:
            t.check(400 <= st < 500, "%s: a 4xx (%d)" % (path, st))


def test_bodies(srv, t):
    st, h, body = srv.get("/iiif/presentation/kinds/manifest")
    cid = json.loads(body)["items"][0]["id"]
    before = _total(srv)
    good = {"type": "Annotation", "target": cid}
    cases = [
        (b"[" * 5000 + b"]" * 5000, 400, "deep nesting"),
        (b'{"type":"Annotation","type":"Annotation","target":"%s"}' % cid.encode(), 400, "duplicate keys"),
        (b'{"type":"Annotation","target":"\\u0000"}', 400, "a NUL"),
        (b"\xff\xfe" + json.dumps(good).encode(), 400, "not UTF-8"),
        (json.dumps(dict(good, target=[cid] * 17)).encode(), 400, "too many targets"),
        (json.dumps(dict(good, body=[{"type": "TextualBody", "value": "x"}] * 65)).encode(), 400, "too many bodies"),
        (json.dumps(dict(good, target={"source": cid, "selector": {"type": "SvgSelector",
                                                                      "value": "<svg>" + "1," * 40000 + "</svg>"}})).encode(),
         400, "an SVG over its limit"),
    ]
    for raw, want, label in cases:
        st, h, body = srv.request(C, "POST", KEY, body=raw)
        t.eq(st, want, "%s: %d (%r)" % (label, st, body[:160]))
    st, h, body = srv.request(C, "POST", dict(KEY, Slug="s" * 5000), body=json.dumps(good).encode())
    t.check(st == 201 and len(h.get("location", "")) < 300, "a huge Slug is not used (%d)" % st)
    st, h, body = srv.request(C, "POST", dict(KEY, Authorization="Bearer " + "k" * 100000), body=json.dumps(good).encode())
    t.check(st in (401, 431), "a huge key: refused (%d)" % st)
    # framed twice: refused and the connection closed (http/framing.c)
    raw = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer k\r\nContent-Type: application/json\r\n"
           "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}" % C).encode()
    reply = harness.raw_exchange(srv, raw)
    t.check(reply.startswith(b"HTTP/1.1 400"), "Content-Length with Transfer-Encoding: 400 (%r)" % reply[:40])
    t.eq(_total(srv), before + 1, "only the one good annotation was stored")


def test_search_queries(srv, t):
    for q, want in [("q=" + "a" * 200, 400), ("q=" + "+".join(["w"] * 40), 400), ("q=%22unclosed", 400),
                    ("q=%ff%fe%00", 400), ("q=NEAR(a+b)+OR+c*+-d+^e+col:f", 200), ("q=x&page=99999999999", 400),
                    ("q=x&date=9999-99-99T99:99:99Z/0", 400), ("q=x&motivation=" + "m" * 100, 400),
                    ("q=" + "%22" * 50, None)]:
        st, h, body = srv.get("/iiif/search/kinds?" + q)
        if want is not None:
            t.eq(st, want, "search %s: %d (%r)" % (q[:40], st, body[:120]))
        else:
            t.check(st in (200, 400), "search %s: answered (%d)" % (q[:40], st))
    st, h, body = srv.get("/iiif/autocomplete/kinds?q=" + "a" * 300)
    t.check(st == 400, "a completion prefix over its limit: 400 (%d)" % st)
    st, h, body = srv.get("/health")
    t.eq(st, 200, "the server keeps answering")
