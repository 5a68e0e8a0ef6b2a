"""tessera export: a static IIIF site of the samples. Every Manifest and
Collection validates against the Presentation 3.0 schema, every URL they
name on the site (info.json of each image service, thumbnails, full-size
bodies, other documents) is a file in the export, the image services are
level 0 with tiles and sizes, and every tile a viewer asks for exists
(both roundings of edge tiles). The browser test serves the export with
nginx and opens it in Mirador."""
import json
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.normpath(os.path.join(HERE, "..", "..", "samples"))
SCHEMA = os.path.normpath(os.path.join(HERE, "..", "data", "presentation-3.0.schema.json"))
BASE = "https://iiif.example.org/site"


def _export(srv, t):
    out = tempfile.mkdtemp(prefix="tessera-export-")
    p = subprocess.run([srv.binary, "export", SAMPLES, out, "--base-url", BASE], capture_output=True, text=True,
                       timeout=300)
    t.eq(p.returncode, 0, "tessera export succeeds: %s" % p.stderr[-300:])
    return out


def _urls(v, found):
    if isinstance(v, dict):
        for k, x in v.items():
            if k in ("id", "@id") and isinstance(x, str):
                found.append(x)
            _urls(x, found)
    elif isinstance(v, list):
        for x in v:
            _urls(x, found)


def test_static_site(srv, t):
    import jsonschema
    out = _export(srv, t)
    try:
        with open(SCHEMA, encoding="utf-8") as f:
            validator = jsonschema.Draft7Validator(json.load(f))
        docs = []
        for d, _, files in os.walk(os.path.join(out, "iiif", "presentation")):
            docs += [os.path.join(d, f) for f in files]
        t.check(os.path.join(out, "iiif", "presentation", "collection.json") in docs, "the root collection")
        t.check(len(docs) >= 7, "a document per collection and manifest: %d" % len(docs))
        for path in docs:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            errs = list(validator.iter_errors(doc))
            t.check(not errs, "%s: %s" % (path, "; ".join(e.message[:120] for e in errs[:2])))
            urls = []
            _urls(doc, urls)
            for u in urls:
                if not u.startswith(BASE + "/"):
                    continue
                rel = u[len(BASE) + 1:]
                if "/canvas/" in rel or "/range/" in rel or "/geo" in rel:
                    continue  # parts inside the document, not files
                if rel.startswith("iiif/3/") and rel.count("/") == 2:
                    rel += "/info.json"  # an image service
                t.check(os.path.isfile(os.path.join(out, rel)), "%s names %s, which the export lacks" % (path, u))
            t.check("ImageService2" not in json.dumps(doc), "%s: no Image API 2 service (not exported)" % path)
        # the image services: level 0, and every tile of the grid at every scale factor
        info_path = os.path.join(out, "iiif", "3", "photographs~album~p4-retina.tif", "info.json")
        with open(info_path, encoding="utf-8") as f:
            info = json.load(f)
        t.eq(info["profile"], "level0", "level 0")
        t.eq(info["id"], BASE + "/iiif/3/photographs~album~p4-retina.tif", "the static identifier")
        w, h = info["width"], info["height"]
        tile = info["tiles"][0]
        tw = tile["width"]
        th = tile.get("height", tw)
        missing = []
        for sf in tile["scaleFactors"]:
            for y in range(0, h, th * sf):
                for x in range(0, w, tw * sf):
                    rw, rh = min(tw * sf, w - x), min(th * sf, h - y)
                    region = "full" if (x, y, rw, rh) == (0, 0, w, h) else "%d,%d,%d,%d" % (x, y, rw, rh)
                    # the Image API's size (rounded up) and OpenSeadragon's (the level rounded to nearest)
                    sizes = {((rw + sf - 1) // sf, (rh + sf - 1) // sf)}
                    lw, lh = int(w / sf + 0.5), int(h / sf + 0.5)
                    sizes.add((min(tw, lw - (x // (tw * sf)) * tw), min(th, lh - (y // (th * sf)) * th)))
                    for sw, sh in sizes:
                        p = os.path.join(out, "iiif", "3", "photographs~album~p4-retina.tif", region, "%d,%d" % (sw, sh),
                                         "0", "default.jpg")
                        if not os.path.isfile(p):
                            missing.append(p[len(out):])
        t.check(not missing, "every tile exists: missing %s" % missing[:3])
        for s in info["sizes"]:
            p = os.path.join(out, "iiif", "3", "photographs~album~p4-retina.tif", "full", "%d,%d" % (s["width"], s["height"]),
                             "0", "default.jpg")
            t.check(os.path.isfile(p), "size %dx%d exists" % (s["width"], s["height"]))
        t.check(os.path.isfile(os.path.join(out, "iiif", "3", "photographs~album~p4-retina.tif", "full", "max", "0",
                                            "default.jpg")), "full/max exists")
        from PIL import Image
        im = Image.open(os.path.join(out, "iiif", "3", "photographs~album~p4-retina.tif", "full", "max", "0", "default.jpg"))
        t.eq(im.size, (w, h), "full/max is the whole image")
        t.check(os.path.isfile(os.path.join(out, "index.html")), "an index page")
        t.check(os.path.isfile(os.path.join(out, "viewer", "manifest", "photographs", "album", "index.html")),
                "a viewer page per manifest")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def test_usage_errors(srv, t):
    p = subprocess.run([srv.binary, "export", SAMPLES], capture_output=True, text=True, timeout=60)
    t.eq(p.returncode, 2, "OUT is required")
    p = subprocess.run([srv.binary, "export", SAMPLES, tempfile.gettempdir() + "/tessera-export-x"], capture_output=True,
                       text=True, timeout=60)
    t.check(p.returncode == 2 and "--base-url" in p.stderr, "--base-url is required: %r" % p.stderr)


def _run_export(srv, root, out, *extra):
    return subprocess.run([srv.binary, "export", root, out, "--base-url", BASE] + list(extra), capture_output=True,
                          text=True, timeout=300)


def _files(out):
    return {os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs}


def test_export_again(srv, t):
    """Exporting into an earlier export brings it up to date: what the tree no longer has is
    removed; a folder that is neither empty nor an export is refused without --force; the
    export may not be inside the root, nor hold it. Stages are printed when not on a terminal."""
    work = tempfile.mkdtemp(prefix="tessera-export-again-")
    try:
        root = os.path.join(work, "root")
        shutil.copytree(os.path.join(SAMPLES, "photographs"), root)
        out = os.path.join(work, "site")
        p = _run_export(srv, root, out)
        t.eq(p.returncode, 0, "first export: %s" % p.stderr[-300:])
        t.check("tessera export: " in p.stderr and "written" in p.stderr, "stage lines without a terminal: %r" %
                p.stderr[-300:])
        before = _files(out)
        t.check(any("cat" in f for f in before), "the cat is in the first export")
        shutil.rmtree(os.path.join(root, "cat"))
        p = _run_export(srv, root, out)
        t.eq(p.returncode, 0, "second export: %s" % p.stderr[-300:])
        after = _files(out)
        t.check(not any(f.startswith("iiif/") and "cat" in f for f in after), "the cat's files are gone: %r" %
                sorted(f for f in after if "cat" in f)[:5])
        t.check(any("album" in f for f in after), "the album stays")
        t.check("files of the earlier export removed" in p.stderr, "the removal is said: %r" % p.stderr[-300:])
        # a folder of someone else's files
        other = os.path.join(work, "other")
        os.makedirs(other)
        open(os.path.join(other, "notes.txt"), "w").close()
        p = _run_export(srv, root, other)
        t.check(p.returncode == 2 and "--force" in p.stderr, "a foreign folder is refused: %r" % p.stderr[-200:])
        p = _run_export(srv, root, other, "--force")
        t.eq(p.returncode, 0, "with --force it is written")
        t.check(os.path.exists(os.path.join(other, "notes.txt")), "and files outside iiif/ and viewer/ are kept")
        for bad in (os.path.join(root, "site"), work):
            p = _run_export(srv, root, bad, "--force")
            t.check(p.returncode == 2 and "image root" in p.stderr, "%s is refused: %r" % (bad, p.stderr[-200:]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
