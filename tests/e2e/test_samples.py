"""The sample tree that `make run` serves: every Collection and Manifest
reachable from the root validates against the Presentation 3.0 schema,
each canvas's image service answers, and the samples show what they are
there for (a table of contents, navPlace, two languages, a collection of
collections); and `tessera manifest` finds no problem in their sidecars."""
import json
import os

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "samples"))
SCHEMA = os.path.normpath(os.path.join(HERE, "..", "data", "presentation-3.0.schema.json"))


def test_every_document_is_valid(srv, t):
    import jsonschema
    with open(SCHEMA, encoding="utf-8") as f:
        validator = jsonschema.Draft7Validator(json.load(f))
    todo = ["/iiif/presentation/collection"]
    seen = {}
    while todo:
        path = todo.pop(0)
        s, h, body = srv.get(path)
        if not t.check(s == 200, "%s: %d %r" % (path, s, body[:200])):
            continue
        doc = json.loads(body)
        seen[path] = doc
        errs = list(validator.iter_errors(doc))
        t.check(not errs, "%s: %s" % (path, "; ".join(e.message[:150] for e in errs[:3])))
        for item in doc.get("items", []):
            if item.get("type") in ("Collection", "Manifest"):
                todo.append(item["id"].replace(srv.base, ""))
        if doc["type"] == "Manifest":
            for c in doc["items"]:
                svc = c["items"][0]["items"][0]["body"]["service"][0]["id"].replace(srv.base, "")
                s, _, _ = srv.get(svc + "/info.json")
                t.eq(s, 200, svc + " answers")
    kinds = {p.split("/iiif/presentation/")[1]: d for p, d in seen.items()}
    t.eq(sorted(kinds), sorted(["collection", "maps/collection", "photographs/collection",
                                "photographs/album/manifest", "photographs/cat/manifest",
                                "maps/paris-islands/manifest",
                                "67352ccc-d1b0-11e1-89ae-279075081939.png/manifest"]), "the tree")
    root = kinds.get("collection", {})
    t.check(all(i["type"] == "Collection" for i in root.get("items", [])[:2]), "a collection of collections")
    album = kinds.get("photographs/album/manifest", {})
    t.check(len(album.get("structures", [])) == 2 and album.get("behavior") == ["paged"], "a paged book with a table of contents")
    cat = kinds.get("photographs/cat/manifest", {})
    t.eq(sorted(cat.get("label", {})), ["en", "fr"], "two languages")
    m = kinds.get("maps/paris-islands/manifest", {})
    t.eq([f["geometry"]["type"] for f in m.get("navPlace", {}).get("features", [])], ["Polygon", "Point"], "navPlace")


def test_sidecars_have_no_problems(srv, t):
    import subprocess
    for sub in ["", "photographs/album", "photographs/cat", "maps/paris-islands"]:
        p = subprocess.run([srv.binary, "manifest", os.path.join(SERVER_ROOT, sub), "--root", SERVER_ROOT],
                           capture_output=True, text=True, timeout=60)
        t.check(p.returncode == 0 and p.stderr == "", "tessera manifest samples/%s: %d %r" % (sub, p.returncode,
                                                                                         p.stderr[:300]))
