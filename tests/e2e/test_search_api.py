"""IIIF Content Search 2.0 and 1.0 over the text of a manifest's
annotations: both shapes, phrases, prefixes, case and accents, ignored
parameters, motivation filters, paging, highlights that say where the match
is, autocomplete (TermPage and TermList), the manifest advertising both
services, and the index following writes (replace, delete)."""
import atexit
import json
import os
import shutil
import tempfile
import urllib.parse

import harness

DATA = tempfile.mkdtemp(prefix="tessera-e2e-search-")
atexit.register(shutil.rmtree, DATA, True)
SERVER_ARGS = ["--data-dir", os.path.join(DATA, "d"), "--write-keys", "k"]
C = "/annotations/kinds/"
S2 = "/iiif/search/kinds"
S1 = "/iiif/search1/kinds"
KEY = {"Authorization": "Bearer k", "Content-Type": "application/ld+json"}
TEXTS = ["Of the damask Rose and its kinds", "The Café of the Roses", "Two birds in the bush",
         "A bird in the hand is worth two in the bush"]


def _canvases(srv):
    st, h, body = srv.get("/iiif/presentation/kinds/manifest")
    return [(c["id"], c["width"], c["height"]) for c in json.loads(body)["items"]]


def _post(srv, target, text, motivation="commenting", slug=None):
    doc = {"type": "Annotation", "motivation": motivation, "target": target,
           "body": {"type": "TextualBody", "value": text}}
    headers = dict(KEY, Slug=slug) if slug else KEY
    return srv.request(C, "POST", headers, body=json.dumps(doc).encode())


def _json(srv, path, t, status=200):
    st, h, body = srv.get(path)
    t.eq(st, status, "%s: %d (%r)" % (path, st, body[:200]))
    return json.loads(body) if st == 200 else None


_made = []


def _fill(srv, t):
    if _made:
        return
    canvases = _canvases(srv)
    for i, text in enumerate(TEXTS):
        cid, w, hgt = canvases[i % len(canvases)]
        st, h, body = _post(srv, "%s#xywh=%d,%d,%d,%d" % (cid, 1, 1, w // 2, hgt // 2), text, slug="t%d" % i)
        t.eq(st, 201, "annotation %d" % i)
    st, h, body = _post(srv, canvases[0][0], "a tag rose", motivation="tagging", slug="tag")
    _made.append(True)


def test_search_2(srv, t):
    _fill(srv, t)
    canvases = {c[0]: (c[1], c[2]) for c in _canvases(srv)}
    d = _json(srv, S2 + "?q=bird", t)
    t.eq(d["@context"], ["http://iiif.io/api/presentation/3/context.json", "http://iiif.io/api/search/2/context.json"],
         "2.0 context")
    t.eq(d["type"], "AnnotationPage", "an AnnotationPage")
    t.eq(d["id"], "http://127.0.0.1:%d%s?q=bird" % (srv.port, S2), "its id is the request")
    values = [a["body"]["value"] for a in d["items"]]
    t.eq(values, [TEXTS[3]], "a word: 'bird' (not 'birds')")
    for a in d["items"]:
        canvas, frag = a["target"].split("#xywh=")
        x, y, w, h = map(int, frag.split(","))
        cw, ch = canvases[canvas]
        t.check(x >= 0 and y >= 0 and x + w <= cw and y + h <= ch, "the hit's box lies inside its canvas")
    marks = d["annotations"][0]["items"]
    t.eq(marks[0]["motivation"], "highlighting", "a highlighting annotation")
    sel = marks[0]["target"]["selector"][0]
    t.eq((sel["type"], sel["prefix"], sel["exact"], sel["suffix"]), ("TextQuoteSelector", "A ", "bird",
                                                                     " in the hand is worth two in"),
         "prefix, exact and suffix, in whole words")
    t.eq(marks[0]["target"]["source"], d["items"][0]["id"], "pointing at its hit")
    d = _json(srv, S2 + "?q=bird*", t)
    t.eq(sorted(a["body"]["value"] for a in d["items"]), sorted([TEXTS[2], TEXTS[3]]), "a prefix")
    d = _json(srv, S2 + "?q=" + urllib.parse.quote('"two birds"'), t)
    t.eq([a["body"]["value"] for a in d["items"]], [TEXTS[2]], "a phrase")
    d = _json(srv, S2 + "?q=ROSE", t)
    t.eq(sorted(a["body"]["value"] for a in d["items"]), sorted([TEXTS[0], "a tag rose"]), "case ignored")
    d = _json(srv, S2 + "?q=cafe", t)
    t.eq([a["body"]["value"] for a in d["items"]], [TEXTS[1]], "accents ignored")
    d = _json(srv, S2 + "?q=rose&motivation=tagging", t)
    t.eq([a["body"]["value"] for a in d["items"]], ["a tag rose"], "a motivation filter")
    d = _json(srv, S2 + "?q=bush&user=http%3A%2F%2Fx&box=1", t)
    t.eq(sorted(d.get("ignored", [])), ["box", "user"], "ignored parameters are listed")
    t.eq(len(d["items"]), 2, "and the search still runs")
    d = _json(srv, S2 + "?q=nothingatall", t)
    t.eq(d["items"], [], "no hits")
    _json(srv, S2, t, 400)
    _json(srv, S2 + "?q=bird&motivation=liking", t, 400)
    _json(srv, "/iiif/search/", t, 404)
    _json(srv, "/iiif/search/nothing-here?q=x", t, 404)


def test_search_1(srv, t):
    _fill(srv, t)
    d = _json(srv, S1 + "?q=" + urllib.parse.quote('"two birds"') + "&user=me", t)
    t.eq(d["@context"], "http://iiif.io/api/search/1/context.json", "1.0 context")
    t.eq(d["@type"], "sc:AnnotationList", "an AnnotationList")
    t.eq(d["within"]["@type"], "sc:Layer", "within a Layer")
    t.eq(d["within"]["total"], 1, "with the total")
    t.eq(d["within"].get("ignored"), ["user"], "and what was ignored")
    r = d["resources"][0]
    t.eq((r["@type"], r["motivation"], r["resource"]["@type"], r["resource"]["chars"]),
         ("oa:Annotation", "sc:painting", "cnt:ContentAsText", TEXTS[2]), "a 1.0 resource")
    t.check("#xywh=" in r["on"], "on its canvas region")
    hit = d["hits"][0]
    t.eq((hit["@type"], hit["annotations"], hit["match"], hit["before"], hit["after"]),
         ("search:Hit", [r["@id"]], "Two birds", "", " in the bush"), "a 1.0 hit with before/match/after")


def test_autocomplete(srv, t):
    _fill(srv, t)
    d = _json(srv, "/iiif/autocomplete/kinds?q=bi", t)
    t.eq(d["type"], "TermPage", "2.0: a TermPage")
    t.eq([(i["value"], i["total"]) for i in d["items"]], [("bird", 1), ("birds", 1)], "terms with counts")
    t.check(d["items"][0]["service"][0]["id"].endswith(S2 + "?q=bird"), "each links its search")
    d = _json(srv, "/iiif/autocomplete1/kinds?q=Ro", t)
    t.eq(d["@type"], "search:TermList", "1.0: a TermList")
    t.eq(d["terms"][0]["match"], "rose", "the most frequent first (%r)" % d["terms"])
    t.check(d["terms"][0]["count"] == 2 and d["terms"][0]["url"].endswith(S1 + "?q=rose"), "with count and url")
    _json(srv, "/iiif/autocomplete/kinds", t, 400)


def test_manifest_advertises(srv, t):
    _fill(srv, t)
    import test_presentation
    st, h, body = srv.get("/iiif/presentation/kinds/manifest")
    m = json.loads(body)
    test_presentation._valid(t, m, "a manifest with search services")
    services = m.get("service", [])
    v2 = [s for s in services if s.get("type") == "SearchService2"]
    v1 = [s for s in services if s.get("profile") == "http://iiif.io/api/search/1/search"]
    t.check(len(v2) == 1 and v2[0]["id"].endswith(S2), "a SearchService2: %r" % services)
    t.check(v2 and v2[0]["service"][0]["type"] == "AutoCompleteService2", "with its AutoCompleteService2")
    t.check(len(v1) == 1 and v1[0]["@id"].endswith(S1), "a 1.0 service found by its profile (Mirador 4, UV 4)")
    t.check(v1 and v1[0]["service"][0]["profile"] == "http://iiif.io/api/search/1/autocomplete",
            "with its 1.0 autocomplete")
    st, h, body = srv.get("/iiif/presentation/grid/manifest")
    t.check("service" not in json.loads(body), "a manifest without annotations advertises none")


def test_index_follows_writes(srv, t):
    _fill(srv, t)
    cid = _canvases(srv)[0][0]
    st, h, body = _post(srv, cid, "an ephemeral marigold", slug="marigold")
    t.eq(st, 201, "created")
    etag = h.get("etag")
    d = _json(srv, S2 + "?q=marigold", t)
    t.eq(len(d["items"]), 1, "found at once")
    doc = {"type": "Annotation", "motivation": "commenting", "target": cid,
           "body": {"type": "TextualBody", "value": "a lasting primrose"}}
    st, h, body = srv.request(C + "marigold", "PUT", dict(KEY, **{"If-Match": etag}), body=json.dumps(doc).encode())
    t.eq(st, 200, "replaced")
    t.eq(_json(srv, S2 + "?q=marigold", t)["items"], [], "the old words are gone")
    t.eq(len(_json(srv, S2 + "?q=primrose", t)["items"]), 1, "the new ones are found")
    st, h, body = srv.request(C + "marigold", "DELETE", {"Authorization": "Bearer k"})
    t.eq(st, 204, "deleted")
    t.eq(_json(srv, S2 + "?q=primrose", t)["items"], [], "a deleted annotation is not found")


def test_paging(srv, t):
    _fill(srv, t)
    cid = _canvases(srv)[1][0]
    for i in range(130):
        st, h, body = _post(srv, cid, "zinnia number %d" % i)
        if st != 201:
            t.check(False, "create %d: %s" % (i, st))
            return
    d = _json(srv, S2 + "?q=zinnia", t)
    t.eq(len(d["items"]), 100, "a page of 100")
    t.eq(d["partOf"]["total"], 130, "partOf with the total")
    t.eq(d["partOf"]["type"], "AnnotationCollection", "an AnnotationCollection")
    t.eq(d["next"]["id"], "http://127.0.0.1:%d%s?q=zinnia&page=2" % (srv.port, S2), "next")
    t.check("prev" not in d, "no prev on the first page")
    d2 = _json(srv, S2 + "?q=zinnia&page=2", t)
    t.eq(len(d2["items"]), 30, "the rest")
    t.eq(d2["prev"]["id"], "http://127.0.0.1:%d%s?q=zinnia" % (srv.port, S2), "prev")
    t.eq(d2["startIndex"], 100, "startIndex")
    t.check(not set(a["id"] for a in d["items"]) & set(a["id"] for a in d2["items"]), "no hit on both pages")
    _json(srv, S2 + "?q=zinnia&page=3", t, 404)
    d1 = _json(srv, S1 + "?q=zinnia&page=2", t)
    t.eq((d1["within"]["total"], d1["startIndex"], len(d1["resources"])), (130, 100, 30), "1.0 pages too")
