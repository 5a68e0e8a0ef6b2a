"""A folder of 20000 empty `.png` files: each file is probed once per
version (the metadata cache remembers what failed), a manifest request
logs a bounded handful of lines about it once per version of the folder,
and asking again logs nothing more. Changing one file makes that file
probed (and told) again. The Image API answers the remembered failure
too, without probing again. The home page lists every image of the tree a
page at a time."""
import re
import os
import shutil
import tempfile

import fixtures

TOP = tempfile.mkdtemp(prefix="tessera-hostile-flood-")
ROOT = os.path.join(TOP, "root")
N = 20000
SERVER_ROOT = ROOT
SERVER_ARGS = ["--access-log", "off", "--meta-cache-mb", "128", "--site-title", "Flood <Archive>"]


def _build():
    d = os.path.join(ROOT, "empties")
    os.makedirs(d)
    for i in range(N):
        open(os.path.join(d, "p%05d.png" % i), "w").close()
    os.makedirs(os.path.join(ROOT, "good"))
    shutil.copy(fixtures.GRID_PNG, os.path.join(ROOT, "good", "p1.png"))


_build()


def teardown():
    shutil.rmtree(TOP, ignore_errors=True)


def _lines(srv, needle):
    return sum(1 for line in srv.log().splitlines() if needle in line)


def test_a_log_once_per_version(srv, t):
    st, h, body = srv.request("/iiif/presentation/empties/manifest", timeout=120)
    t.eq(st, 415, "no image of the folder is readable (%r)" % body[:120])
    first = _lines(srv, "empties")
    t.check(0 < first <= 25, "the first request logs a bounded handful of lines: %d" % first)
    t.check(_lines(srv, "more problems like these") == 1, "and says how many more there were")
    for _ in range(8):
        st, h, body = srv.request("/iiif/presentation/empties/manifest", timeout=120)
        t.eq(st, 415, "again")
    t.eq(_lines(srv, "empties"), first, "eight more requests log nothing more")
    st, h, body = srv.get("/iiif/presentation/collection")
    t.eq(st, 200, "the root collection still answers")


def test_b_failures_are_remembered_for_the_image_api(srv, t):
    for _ in range(3):
        st, h, body = srv.get("/iiif/3/empties%2Fp00007.png/info.json")
        t.eq(st, 415, "an empty file is not an image: %r" % body[:100])
    # a new version of the file is probed again: here it becomes a real image
    path = os.path.join(ROOT, "empties", "p00007.png")
    shutil.copy(fixtures.GRID_PNG, path)
    os.utime(path, (1, 1))
    st, h, body = srv.get("/iiif/3/empties%2Fp00007.png/info.json")
    t.eq(st, 200, "once the file changes it is probed again")
    st, h, body = srv.get("/iiif/3/good%2Fp1.png/info.json")
    t.eq(st, 200, "a good image beside them")


def test_c_home_page_is_paged(srv, t):
    st, h, body = srv.request("/", timeout=60)
    t.eq(st, 200, "home page")
    html = body.decode()
    t.check("<title>Flood &lt;Archive&gt;</title>" in html, "titled by --site-title, escaped")
    names = re.findall(r"<code>empties/(p\d+)\.png</code>", html)
    t.eq(len(names), 100, "a hundred images on a page")
    t.eq(names[:2], ["p00000", "p00001"], "in natural order")
    t.check('href="/?page=2#images"' in html, "a link to the next page")
    st, h, body = srv.request("/?page=2", timeout=60)
    names = re.findall(r"<code>empties/(p\d+)\.png</code>", body.decode())
    t.eq(names[:1], ["p00100"], "page 2 goes on where page 1 ended")
    t.check('href="/?page=1#images"' in body.decode(), "and links back")
    st, h, body = srv.request("/?page=200", timeout=60)
    html = body.decode()
    names = re.findall(r"<code>empties/(p\d+)\.png</code>", html)
    t.eq(names[-1:], ["p19999"], "the last page of the folder")
    t.check("good/p1.png" in html or 'href="/?page=201' in html, "then the next folder")
    st, h, body = srv.request("/?page=202", timeout=60)
    t.check(st == 200 and b"No images on this page" in body, "past the end")
    for bad in ("/?page=0", "/?page=x", "/?page=-3"):
        st, h, body = srv.get(bad)
        t.eq(st, 400, bad)
