"""The Web Annotation Protocol (issue 13, first step): one container per
manifest at /annotations/{manifest-path}/, its headers and paging, Prefer,
creating with POST (Slug), reading, replacing with If-Match (428, 412),
deleting (204, then 410), keys for writes (401 with WWW-Authenticate), and
bodies checked against the data model and the manifest, with nothing
stored when they are refused. Writes survive a restart."""
import atexit
import json
import os
import shutil
import tempfile

import harness

DATA = tempfile.mkdtemp(prefix="tessera-e2e-data-")
atexit.register(shutil.rmtree, DATA, True)
SERVER_ARGS = ["--data-dir", os.path.join(DATA, "data"), "--write-keys", "k1, second key"]
ANNO_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
C = "/annotations/kinds/"
KEY = {"Authorization": "Bearer k1", "Content-Type": ANNO_TYPE}


def _canvases(srv):
    st, h, body = srv.get("/iiif/presentation/kinds/manifest")
    return [(c["id"], c["width"], c["height"]) for c in json.loads(body)["items"]]


def _anno(target, text="a note", motivation="commenting"):
    return {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "motivation": motivation,
            "body": {"type": "TextualBody", "value": text, "format": "text/plain"}, "target": target}


def _send(srv, method, path, doc=None, headers=None, raw=None):
    body = raw if raw is not None else (json.dumps(doc).encode() if doc is not None else None)
    return srv.request(path, method, headers or {}, body=body)


def _total(srv):
    st, h, body = srv.get(C)
    return json.loads(body)["total"]


def test_container(srv, t):
    st, h, body = srv.get(C)
    t.eq(st, 200, "the container of a manifest")
    t.eq(h.get("content-type"), ANNO_TYPE, "its media type")
    link = h.get("link", "")
    t.check("<http://www.w3.org/ns/ldp#BasicContainer>; rel=\"type\"" in link, "Link: BasicContainer: %r" % link)
    t.check("rel=\"http://www.w3.org/ns/ldp#constrainedBy\"" in link, "Link: constrainedBy")
    t.eq(h.get("allow"), "GET, HEAD, OPTIONS, POST", "Allow")
    t.eq(h.get("accept-post"), ANNO_TYPE, "Accept-Post")
    t.check(h.get("etag", "").startswith('"'), "an ETag")
    t.check("Accept" in h.get("vary", ""), "Vary: Accept")
    t.eq(h.get("access-control-allow-origin"), "*", "CORS")
    doc = json.loads(body)
    t.eq(doc["type"], ["BasicContainer", "AnnotationCollection"], "types")
    t.eq(doc["id"], "http://127.0.0.1:%d%s" % (srv.port, C), "its id")
    t.check(isinstance(doc["total"], int), "total")
    t.eq(doc["first"]["type"], "AnnotationPage", "first page embedded")
    st, h, body = srv.get("/annotations/")
    t.eq(st, 404, "no container at the top")
    st, h, body = srv.get("/annotations/nothing-here/")
    t.eq(st, 404, "no manifest, no container")
    st, h, body = srv.get("/annotations/odd/..%2F/")
    t.eq(st, 400, "a path with .. is refused")
    st, h, body = srv.request(C, "OPTIONS", {"Origin": "https://viewer.example",
                                             "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "authorization, content-type, if-match"})
    t.eq(st, 204, "preflight")
    t.check("POST" in h.get("access-control-allow-methods", "") and "PUT" in h.get("access-control-allow-methods", ""),
            "writes are allowed in preflight: %r" % h.get("access-control-allow-methods"))
    t.check("if-match" in h.get("access-control-allow-headers", "").lower(), "with the headers writes need")


def test_create_read_replace_delete(srv, t):
    cid, w, hgt = _canvases(srv)[0]
    before = _total(srv)
    a = _anno(cid + "#xywh=0,0,%d,%d" % (w // 2, hgt // 2))
    st, h, body = _send(srv, "POST", C, a, {"Content-Type": ANNO_TYPE})
    t.eq(st, 401, "no key: 401")
    t.check("Bearer" in h.get("www-authenticate", ""), "WWW-Authenticate: Bearer")
    st, h, body = _send(srv, "POST", C, a, {"Authorization": "Bearer nope", "Content-Type": ANNO_TYPE})
    t.eq(st, 401, "a wrong key: 401")
    t.eq(_total(srv), before, "nothing stored")
    st, h, body = _send(srv, "POST", C, a, dict(KEY, Slug="my-note"))
    t.eq(st, 201, "created: %r" % body[:300])
    loc = h.get("location", "")
    t.eq(loc, "http://127.0.0.1:%d%smy-note" % (srv.port, C), "the Slug names it")
    etag = h.get("etag")
    made = json.loads(body)
    t.eq(made["id"], loc, "the stored annotation carries its IRI")
    t.eq(made["body"]["value"], "a note", "and what was sent")
    t.check("created" in made, "and when it was made")
    t.eq(_total(srv), before + 1, "the container counts it")
    st, h, body = _send(srv, "POST", C, a, dict(KEY, Slug="my-note"))
    t.eq(st, 201, "the same Slug again")
    t.check(h.get("location") != loc, "gets another name: %r" % h.get("location"))
    second = h.get("location", "")
    second = second[second.find("/annotations/"):]
    st, h, body = _send(srv, "POST", C, a, dict(KEY, Slug="../x"))
    t.check(st == 201 and "/x" not in h.get("location", "")[-3:], "an unsafe Slug is not used")
    st, h, body = _send(srv, "POST", C, a, {"Authorization": "Bearer second key", "Content-Type": ANNO_TYPE})
    t.eq(st, 201, "the second key writes too")
    path = C + "my-note"
    st, h, body = srv.get(path)
    t.eq(st, 200, "read back")
    t.eq(h.get("etag"), etag, "with the ETag of the 201")
    t.check("<http://www.w3.org/ns/ldp#Resource>; rel=\"type\"" in h.get("link", ""), "Link: Resource")
    t.eq(h.get("allow"), "GET, HEAD, OPTIONS, PUT, DELETE", "Allow")
    t.eq(h.get("content-type"), ANNO_TYPE, "its media type")
    st, h2, body2 = srv.request(path, "HEAD")
    t.check(st == 200 and body2 == b"" and h2.get("etag") == etag, "HEAD")
    changed = dict(made, body={"type": "TextualBody", "value": "a better note"})
    st, h, body = _send(srv, "PUT", path, changed, KEY)
    t.eq(st, 428, "a replacement without If-Match: 428")
    st, h, body = _send(srv, "PUT", path, changed, dict(KEY, **{"If-Match": '"stale"'}))
    t.eq(st, 412, "with a stale ETag: 412")
    st, h, body = _send(srv, "PUT", path, changed, dict(KEY, **{"If-Match": etag}))
    t.eq(st, 200, "with the current ETag: replaced: %r" % body[:200])
    new_etag = h.get("etag")
    t.check(new_etag and new_etag != etag, "a new ETag")
    t.eq(json.loads(body)["body"]["value"], "a better note", "the new text")
    t.eq(json.loads(body)["created"], made["created"], "created is kept")
    st, h, body = _send(srv, "PUT", path, changed, dict(KEY, **{"If-Match": etag}))
    t.eq(st, 412, "the old ETag again: 412 (no lost update)")
    st, h, body = _send(srv, "PUT", path, dict(changed, id="http://elsewhere/x"), dict(KEY, **{"If-Match": new_etag}))
    t.eq(st, 400, "an id that is not the IRI: 400")
    st, h, body = _send(srv, "DELETE", path, headers={"Authorization": "Bearer k1"})
    t.eq(st, 204, "deleted")
    st, h, body = srv.get(path)
    t.eq(st, 410, "then gone")
    st, h, body = _send(srv, "PUT", path, changed, dict(KEY, **{"If-Match": new_etag}))
    t.eq(st, 410, "and cannot be replaced")
    st, h, body = _send(srv, "DELETE", second, headers={})
    t.eq(st, 401, "deleting needs a key")
    st, h, body = srv.get(C + "never-made")
    t.eq(st, 404, "an annotation never made: 404")
    st, h, body = _send(srv, "POST", C + "my-note", a, KEY)
    t.eq(st, 405, "POST to an annotation: 405")
    st, h, body = _send(srv, "PUT", C, a, KEY)
    t.eq(st, 405, "PUT to a container: 405")


def test_bad_bodies_store_nothing(srv, t):
    canvases = _canvases(srv)
    cid, w, hgt = canvases[0]
    before = _total(srv)
    cases = [
        (b"not json", "not JSON"),
        (json.dumps({"type": "Note", "target": cid}).encode(), "not an Annotation"),
        (json.dumps({"type": "Annotation"}).encode(), "no target"),
        (json.dumps(_anno("http://elsewhere.example/canvas/1")).encode(), "a target elsewhere"),
        (json.dumps(_anno(cid + "#xywh=0,0,%d,1" % (w + 1))).encode(), "a fragment outside the canvas"),
        (json.dumps(_anno(cid, motivation="liking")).encode(), "an unknown motivation"),
        (json.dumps(_anno({"type": "SpecificResource", "source": cid,
                           "selector": {"type": "FragmentSelector", "value": "xywh=%d,0,5,5" % w}})).encode(),
         "a selector outside the canvas"),
    ]
    for raw, label in cases:
        st, h, body = _send(srv, "POST", C, raw=raw, headers=KEY)
        t.eq(st, 400, "%s: 400 (%r)" % (label, body[:200]))
        t.check(len(body) > 20, "%s: with the reason" % label)
    st, h, body = _send(srv, "POST", C, raw=b"{}", headers={"Authorization": "Bearer k1", "Content-Type": "text/plain"})
    t.eq(st, 415, "not a JSON type: 415")
    # a body over max_body_kb is refused from its Content-Length, before it is read
    import socket
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    s.sendall(("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer k1\r\nContent-Type: %s\r\n"
               "Content-Length: %d\r\n\r\n" % (C, ANNO_TYPE, 64 << 20)).encode())
    reply = s.recv(4096)
    s.close()
    t.check(reply.startswith(b"HTTP/1.1 413"), "a body over the limit: 413 (%r)" % reply[:60])
    t.eq(_total(srv), before, "nothing was stored")


def test_paging_and_prefer(srv, t):
    cid, w, hgt = _canvases(srv)[1]
    for i in range(105):
        st, h, body = _send(srv, "POST", C, _anno(cid, text="page note %d" % i), KEY)
        if st != 201:
            t.check(False, "create %d: %s %r" % (i, st, body[:200]))
            return
    st, h, body = srv.get(C)
    doc = json.loads(body)
    total = doc["total"]
    pages = (total + 99) // 100
    t.check(total >= 105, "total %d" % total)
    t.eq(doc["last"], doc["id"] + "?page=%d" % pages, "last page")
    t.eq(len(doc["first"]["items"]), 100, "the first page holds 100 descriptions")
    t.check(isinstance(doc["first"]["items"][0], dict), "descriptions by default")
    t.eq(doc["first"].get("next"), doc["id"] + "?page=2", "first links to the next")
    st, h, body = srv.get(C + "?page=2")
    p2 = json.loads(body)
    t.eq(st, 200, "page 2")
    t.eq(p2["type"], "AnnotationPage", "a page")
    t.eq(p2["partOf"]["id"], doc["id"], "partOf the container")
    t.eq(p2["partOf"]["total"], total, "with the total")
    t.eq(p2["startIndex"], 100, "startIndex")
    t.eq(p2.get("prev"), doc["id"] + "?page=1", "prev")
    st, h, body = srv.get(C + "?page=%d" % (pages + 1))
    t.eq(st, 404, "past the last page: 404")
    st, h, body = srv.get(C + "?page=0")
    t.eq(st, 400, "page 0: 400")
    iris = {"Prefer": 'return=representation; include="http://www.w3.org/ns/ldp#PreferContainedIRIs"'}
    st, h, body = srv.get(C, iris)
    d = json.loads(body)
    t.check(all(isinstance(x, str) for x in d["first"]["items"]), "PreferContainedIRIs: IRIs")
    t.check("PreferContainedIRIs" in h.get("preference-applied", ""), "Preference-Applied")
    minimal = {"Prefer": 'return=representation; include="http://www.w3.org/ns/ldp#PreferMinimalContainer"'}
    st, h, body = srv.get(C, minimal)
    d = json.loads(body)
    t.check("items" not in d["first"] and d["total"] == total, "PreferMinimalContainer: no items")


def test_writes_survive_a_restart(srv, t):
    cid, w, hgt = _canvases(srv)[0]
    st, h, body = _send(srv, "POST", C, _anno(cid, text="kept across a restart"), KEY)
    t.eq(st, 201, "created")
    loc = h.get("location", "")
    path = loc[loc.index("/annotations/"):]
    other = harness.Server(srv.binary, srv.root, SERVER_ARGS + ["--access-log", "off"], sanitized=srv.sanitized).start()
    try:
        st, h, body = other.get(path)
        t.eq(st, 200, "a second server on the same data reads it")
        t.eq(json.loads(body)["body"]["value"], "kept across a restart", "as written")
    finally:
        t.check(not other.stop(), "clean stop")
    t.check(os.path.isfile(os.path.join(DATA, "data", "tessera.db")), "in data_dir/tessera.db")
    # canvases are kept by name: served under another public base, the manifest still links the annotations
    moved = harness.Server(srv.binary, srv.root, SERVER_ARGS + ["--access-log", "off", "--base-url",
                                                                "https://images.example.org/iiif-server"],
                           sanitized=srv.sanitized).start()
    try:
        st, h, body = moved.get("/iiif/presentation/kinds/manifest")
        first = json.loads(body)["items"][0]
        t.eq(first.get("annotations", [{}])[0].get("id", "").split("?")[0],
             "https://images.example.org/iiif-server/annotations/kinds/", "the link follows the new base")
    finally:
        t.check(not moved.stop(), "clean stop")


def test_manifests_link_their_annotations(srv, t):
    import test_presentation
    canvases = _canvases(srv)
    cid, w, hgt = canvases[2]
    name = cid.rsplit("/", 1)[1]
    st, h, body = srv.get("/iiif/presentation/kinds/manifest")
    before = json.loads(body)
    etag = h.get("etag")
    t.check(not any(c["id"] == cid and "annotations" in c for c in before["items"]), "no link before any annotation")
    st, h, body = _send(srv, "POST", C, _anno(cid + "#xywh=1,1,2,2", text="on the third canvas"), KEY)
    t.eq(st, 201, "created")
    made = json.loads(body)
    st, h, body = srv.get("/iiif/presentation/kinds/manifest")
    after = json.loads(body)
    t.check(h.get("etag") != etag, "the manifest's ETag changes at once")
    test_presentation._valid(t, after, "the manifest with annotations")
    canvas = [c for c in after["items"] if c["id"] == cid][0]
    page_id = "http://127.0.0.1:%d%s?canvas=%s" % (srv.port, C, name)
    t.eq(canvas.get("annotations"), [{"id": page_id, "type": "AnnotationPage"}], "the canvas lists its page")
    st, h, body = srv.get(page_id[page_id.index("/annotations/"):])
    t.eq(st, 200, "the page dereferences")
    page = json.loads(body)
    t.eq(page["id"], page_id, "with its id")
    t.eq(page["type"], "AnnotationPage", "an AnnotationPage")
    t.check(made["id"] in [a["id"] for a in page["items"]], "holding the annotation")
    t.check(all(cid in json.dumps(a["target"]) for a in page["items"]), "and only this canvas's")
    st, h, body = srv.get(C + "?canvas=nothing.png")
    t.check(st == 200 and json.loads(body)["items"] == [], "a canvas without annotations: an empty page")
