"""Presentation API 3.0 from folders: the folder model, sidecars
(manifest.yml, collection.yml, metadata.csv), ids that dereference, JSON-LD
headers, conditional requests, change pick-up without a restart, and a
broken sidecar that never breaks the item. Every document is checked
against the official JSON Schema (tests/data/presentation-3.0.schema.json)."""
import json
import re
import os
import shutil
import tempfile
import time

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.normpath(os.path.join(HERE, "..", "data", "presentation-3.0.schema.json"))
SERVER_ROOT = tempfile.mkdtemp(prefix="tessera-present-")
SERVER_ARGS = ["--search-rescan", "0"]  # the search index catches up before every search
LD = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'


def _image(path, size, colour):
    from PIL import Image
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.new("RGB", size, colour).save(path)


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _build():
    r = SERVER_ROOT
    # a book: pages in natural order, a table of contents, two languages
    for name, size in [("p1.png", (300, 400)), ("p2.png", (300, 400)), ("p10.png", (300, 401)), ("cover.jpg", (310, 410))]:
        _image(os.path.join(r, "books", "diary", name), size, (200, 180, 150))
    _write(os.path.join(r, "books", "diary", "manifest.yml"), """\
language: en
label: {en: The diary, fr: Le journal}
summary: A travel diary, 1856.
metadata:
  Author: Jane Doe
""")
    _write(os.path.join(r, "books", "letters", "manifest.yml"), """\
label: Letters
summary: Two letters.
rights: http://creativecommons.org/publicdomain/zero/1.0/
requiredStatement: {label: Attribution, value: Example Library}
provider:
  label: Example Library
  homepage: https://example.org/
homepage: https://example.org/letters
behavior: individuals
viewingDirection: left-to-right
navDate: 1856-03
navPlace: {lat: 48.8566, lon: 2.3522, label: Paris}
thumbnail: b.png
start: b.png
canvases:
  a.png: First letter
  b.png: {label: {en: Second letter, fr: Seconde lettre}, summary: With a seal}
  gone.png: A letter that is not there
structures:
  - label: All letters
    items:
      - label: First
        items: [a.png]
      - b.png
      - missing.png
colour: red
""")
    _image(os.path.join(r, "books", "letters", "a.png"), (200, 300), (10, 20, 30))
    _image(os.path.join(r, "books", "letters", "b.png"), (300, 200), (30, 20, 10))
    _write(os.path.join(r, "books", "metadata.csv"), "path,label,label@fr,Date\n"
                                                     "diary,Ignored (manifest.yml wins),,1856\n"
                                                     "letters,CSV letters,Lettres,1857\n")
    _write(os.path.join(r, "books", "collection.yml"), "label: Books\nsummary: Bound things.\n")
    # a map: a single image described by its folder's metadata.csv
    _image(os.path.join(r, "maps", "paris.png"), (500, 300), (90, 140, 90))
    _image(os.path.join(r, "maps", "lyon.png"), (500, 300), (90, 140, 120))
    _write(os.path.join(r, "maps", "metadata.csv"), "path,label,lat,lon\n"
                                                    "paris.png,Paris,48.85,2.35\n"
                                                    ".,Maps,,\n")
    _write(os.path.join(r, "maps", "collection.yml"), "label: Maps\n")
    # names a person sees: a folder of images with no sidecar (labels made from file names)
    _image(os.path.join(r, "sky", "moon.png"), (40, 40), (200, 200, 200))
    _image(os.path.join(r, "sky", "caf\u00e9-terrace.png"), (40, 40), (90, 60, 30))
    _image(os.path.join(r, "maps", "hubble-map.png"), (50, 30), (0, 0, 60))
    # the root's label: the home page's title
    _write(os.path.join(r, "collection.yml"), "label: The Test Library\n")
    # a catalogue at the root: rows name items and pages below it by their paths from the root
    _write(os.path.join(r, "metadata.csv"), "path,label,Shelfmark\n"
                                            "maps/lyon.png,Lyon from the root CSV,M-2\n"
                                            "books/diary/p2.png,Page two from the root CSV,D-2\n"
                                            "maps/nothere.png,Nowhere,X\n")
    # a broken sidecar: the item still serves, with defaults
    _image(os.path.join(r, "broken", "x.png"), (100, 100), (1, 2, 3))
    _write(os.path.join(r, "broken", "manifest.yml"), "label: [unclosed\n")
    # hidden and empty folders are not listed; a loose image at the root is
    _image(os.path.join(r, ".hidden", "h.png"), (10, 10), (0, 0, 0))
    os.makedirs(os.path.join(r, "empty"), exist_ok=True)
    _image(os.path.join(r, "loose.png"), (64, 32), (255, 0, 0))
    # EXIF fills gaps: a photograph with a date, a place and a copyright, in a folder without sidecars
    from PIL import Image
    exif = Image.Exif()
    exif[0x8298] = "Jane Doe (CC0)"
    exif[0x8769] = {0x9003: "2018:07:14 09:08:07"}
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 23.34), 3: "W", 4: (2.0, 21.0, 7.92)}
    os.makedirs(os.path.join(r, "photos"), exist_ok=True)
    Image.new("RGB", (64, 48), (100, 120, 140)).save(os.path.join(r, "photos", "a-exif.jpg"), exif=exif)
    _image(os.path.join(r, "photos", "b-plain.png"), (64, 48), (1, 2, 3))
    # many items for paging search results
    for i in range(25):
        _image(os.path.join(r, "many", "item%02d" % i, "a.png"), (16, 16), (i, i, i))
        _write(os.path.join(r, "many", "item%02d" % i, "manifest.yml"), "label: Needle number %d\n" % i)


_build()


def teardown():
    shutil.rmtree(SERVER_ROOT, ignore_errors=True)


_validator = None


def _valid(t, doc, what):
    global _validator
    import jsonschema
    if _validator is None:
        with open(SCHEMA, encoding="utf-8") as f:
            _validator = jsonschema.Draft7Validator(json.load(f))
    errs = sorted(_validator.iter_errors(doc), key=lambda e: list(e.path))
    t.check(not errs, "%s is not valid Presentation 3.0: %s" % (what, "; ".join(
        "%s at %s" % (e.message[:160], "/".join(str(p) for p in e.path)) for e in errs[:3])))


def _get(srv, path, t, status=200):
    s, h, body = srv.get(path)
    if not t.check(s == status, "%s: status %d, want %d (%s)" % (path, s, status, body[:200])):
        return None, h
    if status != 200:
        return body.decode("utf-8", "replace"), h
    t.eq(h.get("content-type"), LD, path + ": content type")
    t.eq(h.get("access-control-allow-origin"), "*", path + ": CORS")
    return json.loads(body), h


def _labels(items):
    return [list(i["label"].values())[0][0] for i in items]


def test_root_collection(srv, t):
    doc, h = _get(srv, "/iiif/presentation/collection", t)
    if doc is None:
        return
    _valid(t, doc, "root collection")
    t.eq(doc["id"], srv.base + "/iiif/presentation/collection", "root id")
    t.eq(doc["type"], "Collection", "root type")
    # subfolders in natural order, then loose images; hidden and empty folders left out
    t.eq([(i["type"], i["id"].split("/iiif/presentation/")[1]) for i in doc["items"]],
         [("Collection", "books/collection"), ("Manifest", "broken/manifest"), ("Collection", "many/collection"),
          ("Collection", "maps/collection"), ("Manifest", "photos/manifest"), ("Manifest", "sky/manifest"),
          ("Manifest", "loose.png/manifest")],
         "root items")
    t.eq(_labels(doc["items"]), ["Books", "broken", "many", "Maps", "photos", "sky", "loose"],
         "labels from sidecars, else names")
    t.eq(doc.get("label"), {"none": ["The Test Library"]}, "the root's collection.yml")
    loose = doc["items"][6]
    t.check(loose.get("thumbnail") and loose["thumbnail"][0]["service"][0]["type"] == "ImageService3",
            "a manifest entry has a thumbnail with its image service")


def test_folder_collection_and_csv(srv, t):
    doc, _ = _get(srv, "/iiif/presentation/books/collection", t)
    if doc is None:
        return
    _valid(t, doc, "books collection")
    t.eq(doc["label"], {"none": ["Books"]}, "collection.yml label")
    t.eq(doc["summary"], {"none": ["Bound things."]}, "collection.yml summary")
    t.eq(_labels(doc["items"]), ["The diary", "Letters"], "children: their manifest.yml labels")
    maps, _ = _get(srv, "/iiif/presentation/maps/collection", t)
    if maps is not None:
        _valid(t, maps, "maps collection")
        t.eq(_labels(maps["items"]), ["hubble-map", "Lyon from the root CSV", "Paris"],
             "loose images, natural order; labels from the metadata.csv files above them")


def test_book_manifest(srv, t):
    doc, h = _get(srv, "/iiif/presentation/books/diary/manifest", t)
    if doc is None:
        return
    _valid(t, doc, "diary manifest")
    t.eq(doc["label"], {"en": ["The diary"], "fr": ["Le journal"]}, "label in two languages")
    t.eq(doc["summary"], {"en": ["A travel diary, 1856."]}, "summary in the sidecar's language")
    names = [c["id"].rsplit("/", 1)[1] for c in doc["items"]]
    t.eq(names, ["cover.jpg", "p1.png", "p2.png", "p10.png"], "canvases in natural order")
    c = doc["items"][3]
    t.eq((c["width"], c["height"]), (300, 401), "canvas size")
    body = c["items"][0]["items"][0]["body"]
    t.eq([s.get("type") or s.get("@type") for s in body["service"]], ["ImageService3", "ImageService2"],
         "both image services")
    t.eq(body["service"][0]["id"], srv.base + "/iiif/3/books%2Fdiary%2Fp10.png", "image service id")
    t.eq(c["items"][0]["items"][0]["target"], c["id"], "the painting annotation targets its canvas")
    # the image service answers
    s, _, _ = srv.get(body["service"][0]["id"].replace(srv.base, "") + "/info.json")
    t.eq(s, 200, "the canvas's image service works")
    t.check("etag" in h and h.get("cache-control"), "validators and caching headers")


def test_properties_from_sidecars(srv, t):
    doc, _ = _get(srv, "/iiif/presentation/books/letters/manifest", t)
    if doc is None:
        return
    _valid(t, doc, "letters manifest")
    t.eq(doc["@context"], ["http://iiif.io/api/extension/navplace/context.json",
                           "http://iiif.io/api/presentation/3/context.json"], "navPlace context")
    t.eq(doc["label"], {"none": ["Letters"]}, "manifest.yml wins over metadata.csv")
    t.eq(doc["metadata"], [{"label": {"none": ["Date"]}, "value": {"none": ["1857"]}}], "metadata from the CSV row")
    t.eq(doc["rights"], "http://creativecommons.org/publicdomain/zero/1.0/", "rights")
    t.eq(doc["requiredStatement"]["value"], {"none": ["Example Library"]}, "requiredStatement")
    t.eq(doc["provider"][0]["type"], "Agent", "provider")
    t.eq(doc["homepage"][0]["id"], "https://example.org/letters", "homepage")
    t.eq(doc["behavior"], ["individuals"], "behavior")
    t.eq(doc["viewingDirection"], "left-to-right", "viewingDirection")
    t.eq(doc["navDate"], "1856-03-01T00:00:00Z", "navDate")
    place = doc["navPlace"]
    t.eq(place["features"][0]["geometry"], {"type": "Point", "coordinates": [2.3522, 48.8566]}, "navPlace point")
    t.check(place["id"].startswith(doc["id"]) and place["features"][0]["id"].startswith(doc["id"]), "navPlace ids")
    a, b = doc["items"]
    t.eq(a["label"], {"none": ["First letter"]}, "canvas label")
    t.eq(b["label"], {"en": ["Second letter"], "fr": ["Seconde lettre"]}, "canvas label in two languages")
    t.eq(b["summary"], {"none": ["With a seal"]}, "canvas summary")
    t.eq(doc["start"], {"id": b["id"], "type": "Canvas"}, "start canvas")
    t.eq(doc["thumbnail"][0]["service"][0]["id"], srv.base + "/iiif/3/books%2Fletters%2Fb.png", "named thumbnail")
    ranges = doc["structures"]
    t.eq(len(ranges), 1, "one top range")
    top = ranges[0]
    t.eq(top["id"], doc["id"].replace("/manifest", "/range/1"), "range id")
    t.eq(top["items"][0]["type"], "Range", "nested range")
    t.eq(top["items"][0]["items"], [{"id": a["id"], "type": "Canvas"}], "nested range items")
    t.eq(top["items"][1], {"id": b["id"], "type": "Canvas"}, "a canvas in a range; missing.png left out")


def test_parts_dereference(srv, t):
    doc, _ = _get(srv, "/iiif/presentation/books/letters/manifest", t)
    if doc is None:
        return
    canvas = doc["items"][1]
    page = canvas["items"][0]
    anno = page["items"][0]
    rng = doc["structures"][0]
    sub = rng["items"][0]
    for obj in (canvas, page, anno, rng, sub):
        got, _ = _get(srv, obj["id"].replace(srv.base, ""), t)
        if got is None:
            continue
        t.eq(got.get("@context"), doc["@context"], obj["id"] + ": @context")
        got.pop("@context", None)
        t.eq(got, obj, obj["id"] + ": the same object as in the manifest")
    for path in ["/iiif/presentation/books/letters/canvas/nope.png", "/iiif/presentation/books/letters/range/9",
                 "/iiif/presentation/books/letters/collection", "/iiif/presentation/books/manifest",
                 "/iiif/presentation/nowhere/manifest", "/iiif/presentation/.hidden/manifest",
                 "/iiif/presentation/empty/collection"]:
        s, _, body = srv.get(path)
        t.check(s in (400, 404) and body.strip(), "%s: %d %r" % (path, s, body[:80]))
    s, h, body = srv.get("/iiif/presentation/books/letters")
    t.check(s == 303 and h.get("location", "").endswith("/iiif/presentation/books/letters/manifest"),
            "a folder's path alone redirects to what it is: %d %r" % (s, h.get("location")))


def test_single_image_manifest(srv, t):
    doc, _ = _get(srv, "/iiif/presentation/maps/paris.png/manifest", t)
    if doc is None:
        return
    _valid(t, doc, "single image manifest")
    t.eq(doc["label"], {"none": ["Paris"]}, "label from the folder's metadata.csv")
    t.eq(len(doc["items"]), 1, "one canvas")
    t.eq(doc["navPlace"]["features"][0]["geometry"]["coordinates"], [2.35, 48.85], "lat/lon columns")


def test_broken_sidecar_serves_defaults(srv, t):
    doc, _ = _get(srv, "/iiif/presentation/broken/manifest", t)
    if doc is None:
        return
    _valid(t, doc, "manifest with a broken sidecar")
    t.eq(doc["label"], {"none": ["broken"]}, "default label")
    t.eq(len(doc["items"]), 1, "its image")


def test_conditional_and_change(srv, t):
    path = "/iiif/presentation/books/diary/manifest"
    s, h, _ = srv.get(path)
    etag = h.get("etag")
    s2, h2, body2 = srv.get(path) if etag is None else srv.request(path, headers={"If-None-Match": etag})
    t.eq(s2, 304, "If-None-Match gives 304")
    t.eq(body2, b"", "no body with 304")
    # a changed sidecar shows at once, without a restart
    yml = os.path.join(SERVER_ROOT, "books", "diary", "manifest.yml")
    with open(yml, encoding="utf-8") as f:
        old = f.read()
    try:
        _write(yml, "label: Renamed\n")
        doc, h3 = _get(srv, path, t)
        if doc is not None:
            t.eq(doc["label"], {"none": ["Renamed"]}, "new label")
            t.check(h3.get("etag") != etag, "new ETag")
        # a new page appears in order
        _image(os.path.join(SERVER_ROOT, "books", "diary", "p3.png"), (300, 400), (1, 1, 1))
        doc, _ = _get(srv, path, t)
        if doc is not None:
            t.eq([c["id"].rsplit("/", 1)[1] for c in doc["items"]], ["cover.jpg", "p1.png", "p2.png", "p3.png", "p10.png"],
                 "a new image appears in natural order")
    finally:
        _write(yml, old)
        os.remove(os.path.join(SERVER_ROOT, "books", "diary", "p3.png"))


def test_cli_manifest(srv, t):
    import subprocess
    p = subprocess.run([srv.binary, "manifest", os.path.join(SERVER_ROOT, "books", "letters"), "--root", SERVER_ROOT,
                        "--base-url", "https://iiif.example.org"], capture_output=True, text=True, timeout=60)
    t.eq(p.returncode, 1, "problems in the sidecar make the exit status 1")
    t.check("books/letters/manifest.yml" in p.stderr and "colour" in p.stderr and "missing.png" in p.stderr,
            "problems named with their file: %r" % p.stderr[:400])
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        t.check(False, "tessera manifest prints JSON: %r" % p.stdout[:200])
        return
    _valid(t, doc, "tessera manifest output")
    t.eq(doc["id"], "https://iiif.example.org/iiif/presentation/books/letters/manifest", "ids under --base-url")
    p = subprocess.run([srv.binary, "manifest", os.path.join(SERVER_ROOT, "maps"), "--root", SERVER_ROOT],
                       capture_output=True, text=True, timeout=60)
    t.eq(p.returncode, 0, "a clean folder: exit 0 (%s)" % p.stderr[:200])
    p = subprocess.run([srv.binary, "manifest", os.path.join(SERVER_ROOT, "broken"), "--root", SERVER_ROOT],
                       capture_output=True, text=True, timeout=60)
    t.check(p.returncode == 1 and re.search(r"broken/manifest\.yml:\d+: ", p.stderr),
            "a YAML error is reported with file and line: %r" % p.stderr[:300])
    t.check(re.search(r"books/letters/manifest\.yml:\d+: canvases: 'gone\.png' is not an image", p.stderr) is None,
            "(the letters' problems are the letters' command's)")


def test_catalogue_csv_rows_below(srv, t):
    """A metadata.csv describes what is below its folder by path: the root's rows apply to
    maps/lyon.png and to page p2.png of books/diary; a row naming nothing is reported with its
    line; a canvases entry naming no image too."""
    import subprocess
    doc, _ = _get(srv, "/iiif/presentation/maps/lyon.png/manifest", t)
    if doc is not None:
        t.eq(doc.get("label"), {"none": ["Lyon from the root CSV"]}, "the root's row labels maps/lyon.png")
        t.check({"label": {"none": ["Shelfmark"]}, "value": {"none": ["M-2"]}} in doc.get("metadata", []),
                "and gives its metadata: %r" % doc.get("metadata"))
    doc, _ = _get(srv, "/iiif/presentation/books/diary/manifest", t)
    if doc is not None:
        p2 = [c for c in doc["items"] if c["id"].endswith("/canvas/p2.png")]
        t.check(p2 and p2[0].get("label") == {"none": ["Page two from the root CSV"]},
                "the root's row labels a page of a book: %r" % (p2[0].get("label") if p2 else None))
    p = subprocess.run([srv.binary, "manifest", SERVER_ROOT, "--root", SERVER_ROOT], capture_output=True, text=True,
                       timeout=60)
    t.eq(p.returncode, 1, "a row naming nothing makes the exit status 1")
    t.check(re.search(r"^tessera: metadata\.csv:4: 'maps/nothere\.png' names no file or folder here", p.stderr, re.M),
            "the row is reported with its line: %r" % p.stderr[:400])
    p = subprocess.run([srv.binary, "manifest", os.path.join(SERVER_ROOT, "books", "letters"), "--root", SERVER_ROOT],
                       capture_output=True, text=True, timeout=60)
    t.check(re.search(r"books/letters/manifest\.yml:\d+: canvases: 'gone\.png' is not an image of this manifest",
                      p.stderr), "a canvases entry naming no image, with its line: %r" % p.stderr[:600])
    t.check(re.search(r"books/letters/manifest\.yml:\d+: structures: 'missing\.png' is not an image", p.stderr),
            "a range item naming no image, with its line")
    t.check(re.search(r"books/letters/manifest\.yml:\d+: unknown key 'colour'", p.stderr), "an unknown key, with its line")


def _search(srv, t, q, page=None):
    from urllib.parse import quote
    path = "/iiif/collections/search?q=" + quote(q) + ("&page=%d" % page if page else "")
    doc, _ = _get(srv, path, t)
    if doc is not None:
        _valid(t, doc, "search results for %r" % q)
    return doc or {"items": []}


def _hits(doc):
    return [i["id"].split("/iiif/presentation/")[1] for i in doc["items"] if "/iiif/presentation/" in i["id"]]


def test_search(srv, t):
    doc = _search(srv, t, "diary")
    t.eq(_hits(doc)[:1], ["books/diary/manifest"], "a label word finds its manifest first")
    t.eq(doc["type"], "Collection", "results are a Collection")
    t.check(doc["items"] and doc["items"][0].get("thumbnail"), "results have thumbnails")
    t.eq(_hits(_search(srv, t, "Jane")), ["books/diary/manifest"], "a metadata value")
    t.eq(_hits(_search(srv, t, "seal")), ["books/letters/manifest"], "a canvas summary")
    t.eq(_hits(_search(srv, t, "journal")), ["books/diary/manifest"], "a label in another language")
    t.eq(_hits(_search(srv, t, "bound")), ["books/collection"], "a collection's summary")
    t.eq(_hits(_search(srv, t, "Paris")), ["maps/paris.png/manifest"], "a loose image's label from metadata.csv")
    t.eq(_hits(_search(srv, t, "trav")), ["books/diary/manifest"], "words match as prefixes")
    t.eq(_hits(_search(srv, t, "travel diary")), ["books/diary/manifest"], "all words must match")
    t.eq(_hits(_search(srv, t, "travel letters")), [], "no item has both")
    t.eq(_hits(_search(srv, t, 'OR "x" NEAR(')), [], "query syntax is only text")
    for q, status in [("", 400), ("!!!", 400)]:
        s, _, _ = srv.get("/iiif/collections/search?q=" + q)
        t.eq(s, status, "q=%r" % q)
    for extra in ["&page=0", "&page=x", "&page=1001"]:
        s, _, _ = srv.get("/iiif/collections/search?q=diary" + extra)
        t.eq(s, 400, extra)
    s, _, _ = srv.get("/iiif/collections/search")
    t.eq(s, 400, "no q")


def test_search_what_a_person_sees(srv, t):
    """File names, the labels made from them, single-image manifests, providers and required
    statements are all found."""
    t.eq(_hits(_search(srv, t, "moon")), ["sky/manifest"], "an image's file name finds its manifest")
    t.eq(_hits(_search(srv, t, "terrace")), ["sky/manifest"], "a word of a file name")
    t.eq(_hits(_search(srv, t, "caf\u00e9")), ["sky/manifest"], "with its accent")
    t.eq(_hits(_search(srv, t, "cafe")), ["sky/manifest"], "and without")
    t.eq(_hits(_search(srv, t, "hubble")), ["maps/hubble-map.png/manifest"], "a single-image manifest by its name")
    t.eq(_hits(_search(srv, t, "sky")), ["sky/manifest"], "a folder by its name, the label made from it")
    t.eq(_hits(_search(srv, t, "Example Library")), ["books/letters/manifest"], "the provider")
    t.eq(_hits(_search(srv, t, "Attribution")), ["books/letters/manifest"], "the required statement")
    t.eq(_hits(_search(srv, t, "Shelfmark")), ["maps/lyon.png/manifest", "books/diary/manifest"],
         "rows of the root's catalogue CSV: an image's, and a page's (in its book)")


def test_home_page_of_the_tree(srv, t):
    st, h, body = srv.get("/")
    t.eq(st, 200, "home page")
    html = body.decode()
    t.check("<title>The Test Library</title>" in html and "<h1>The Test Library</h1>" in html,
            "titled with the root collection's label")
    order = [html.find("books/diary/%s</code>" % n) for n in ("p1.png", "p2.png", "p10.png")]
    t.check(all(x >= 0 for x in order) and order == sorted(order), "images in natural order: %r" % order)
    # the letters' manifest.yml names b.png as its thumbnail; shown at 64 px: a size near 128 px
    m = re.search(r'<img[^>]*src="([^"]*books%2Fletters%2F[^"]*)"', html)
    t.check(m is not None and "b.png/full/" in m.group(1), "the sidecar's thumbnail: %r" % (m.group(1) if m else None))
    t.check(m is not None and "/full/150,100/" in m.group(1), "an advertised size near the shown size (b.png is 300x200)")
    t.eq(h.get("vary"), "Host", "ids from the request: Vary: Host")


def test_search_pages(srv, t):
    first = _search(srv, t, "needle")
    hits = _hits(first)
    t.eq(len(hits), 20, "20 results a page")
    more = first["items"][-1]
    t.check(more["type"] == "Collection" and "page=2" in more["id"], "the last item links the next page: %r" % more)
    t.check("1-20 of 25" in first["summary"]["en"][0], "summary counts: %r" % first["summary"])
    second = _search(srv, t, "needle", 2)
    t.eq(len(_hits(second)), 5, "the rest on page 2")
    t.check(all(i["type"] != "Collection" or "page=" not in i["id"] for i in second["items"]), "no page 3")
    t.eq(len(set(hits) | set(_hits(second))), 25, "every item once")


def test_search_follows_changes(srv, t):
    yml = os.path.join(SERVER_ROOT, "books", "letters", "manifest.yml")
    with open(yml, encoding="utf-8") as f:
        old = f.read()
    try:
        _write(yml, old.replace("label: Letters", "label: Correspondence"))
        t.eq(_hits(_search(srv, t, "correspondence")), ["books/letters/manifest"], "a new label is found at once")
        _image(os.path.join(SERVER_ROOT, "books", "fresh", "a.png"), (16, 16), (5, 5, 5))
        t.eq(_hits(_search(srv, t, "fresh")), ["books/fresh/manifest"], "a new folder is found")
        shutil.rmtree(os.path.join(SERVER_ROOT, "books", "fresh"))
        t.eq(_hits(_search(srv, t, "fresh")), [], "a removed folder is gone")
    finally:
        _write(yml, old)
        shutil.rmtree(os.path.join(SERVER_ROOT, "books", "fresh"), ignore_errors=True)
    # a change in the root's catalogue reaches the items it describes two levels down
    csv = os.path.join(SERVER_ROOT, "metadata.csv")
    with open(csv, encoding="utf-8") as f:
        old_csv = f.read()
    try:
        _write(csv, old_csv.replace("Page two from the root CSV", "Page two of the Xylophone"))
        t.eq(_hits(_search(srv, t, "xylophone")), ["books/diary/manifest"], "an edit of the root's CSV, found at once")
    finally:
        _write(csv, old_csv)
    t.eq(_hits(_search(srv, t, "xylophone")), [], "and its undoing")


def test_exif_fills_gaps(srv, t):
    doc, _ = _get(srv, "/iiif/presentation/photos/manifest", t)
    if doc is None:
        return
    _valid(t, doc, "manifest with EXIF gaps filled")
    a, b = doc["items"]
    t.eq(a.get("navDate"), "2018-07-14T09:08:07Z", "canvas navDate from DateTimeOriginal")
    t.eq(a.get("requiredStatement"), {"label": {"none": ["Copyright"]}, "value": {"none": ["Jane Doe (CC0)"]}},
         "canvas requiredStatement from Copyright")
    coords = a.get("navPlace", {}).get("features", [{}])[0].get("geometry", {}).get("coordinates", [0, 0])
    t.check(abs(coords[1] - 48.856483) < 1e-5 and abs(coords[0] + 2.3522) < 1e-5, "canvas navPlace from GPS: %r" % coords)
    t.check("navDate" not in b and "navPlace" not in b and "requiredStatement" not in b, "no EXIF, no gaps filled")
    t.eq(doc.get("navDate"), "2018-07-14T09:08:07Z", "the manifest's navDate from its first image")
    t.check(doc.get("navPlace", {}).get("id", "").startswith(doc["id"]), "the manifest's navPlace, with an id")
    t.eq(doc["@context"][0], "http://iiif.io/api/extension/navplace/context.json", "navPlace context")
    # a sidecar value wins over EXIF
    yml = os.path.join(SERVER_ROOT, "photos", "manifest.yml")
    try:
        _write(yml, "requiredStatement: From the sidecar\ncanvases:\n  a-exif.jpg: {navDate: 1900}\n")
        doc, _ = _get(srv, "/iiif/presentation/photos/manifest", t)
        if doc is not None:
            t.eq(doc["requiredStatement"]["value"], {"none": ["From the sidecar"]}, "sidecar requiredStatement wins")
            t.eq(doc["items"][0].get("navDate"), "1900-01-01T00:00:00Z", "sidecar canvas navDate wins")
    finally:
        os.remove(yml)
