"""A hostile tree: what a few files placed in the root can do (issue: the
second hardening round). Links that loop back to the folders above them,
folders that hold each other, FIFOs, sockets and devices named like
sidecars, sidecars that link out of the root, and a tree deeper and wider
than any walk may go. Every walk must see each real folder once and stop
within its bounds; every file tessera reads must be a regular file inside
the root, opened without blocking. The server must answer every request
(and keep answering tiles) and never publish a byte from outside the root.

Each request has a short timeout: a server that wedges a worker fails the
test instead of hanging it."""
import json
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import time

import fixtures
import harness

TOP = tempfile.mkdtemp(prefix="tessera-hostile-tree-")
ROOT = os.path.join(TOP, "root")
OUTSIDE = os.path.join(TOP, "outside")
SERVER_ROOT = ROOT
SERVER_ARGS = ["--walk-max-entries", "20000", "--walk-max-depth", "12", "--search-rescan", "0", "--access-log", "off"]
LEAK = "LEAKED-LABEL-FROM-OUTSIDE"
T = 15  # seconds any answer may take here: far more than any of them needs


def _img(path):
    shutil.copy(fixtures.GRID_PNG, path)


def _build():
    j = lambda *p: os.path.join(ROOT, *p)  # noqa: E731
    for d in ("book", "loops/a", "loops/b", "fifo", "fifo-yml", "sock", "dev", "leak", "leak-csv", "inside",
              "deep", "wide"):
        os.makedirs(j(d))
    os.makedirs(OUTSIDE)
    for n in ("p1.png", "p2.png", "p10.png"):
        _img(j("book", n))
    # loops: links to the folders above, and two folders that hold each other
    os.symlink(".", j("l1"))
    os.symlink(".", j("l2"))
    os.symlink("..", j("book", "up"))
    _img(j("loops", "a", "pa.png"))
    _img(j("loops", "b", "pb.png"))
    os.symlink("../b", j("loops", "a", "to-b"))
    os.symlink("../a", j("loops", "b", "to-a"))
    os.symlink("../../loops", j("loops", "a", "again"))
    os.symlink("loops", j("coll-alias"))  # a second path to a Collection
    # sidecars that are not regular files
    for d in ("fifo", "fifo-yml", "sock", "dev"):
        _img(j(d, "p1.png"))
    os.mkfifo(j("fifo", "metadata.csv"))
    os.mkfifo(j("fifo-yml", "manifest.yml"))
    s = socket.socket(socket.AF_UNIX)
    s.bind(j("sock", "manifest.yml"))
    s.close()
    try:  # a character device (/dev/zero's numbers) where tessera may make one: CI runs as root
        os.mknod(j("dev", "metadata.csv"), stat.S_IFCHR | 0o644, os.makedev(1, 5))
    except PermissionError:
        os.symlink("/dev/zero", j("dev", "metadata.csv"))
    # sidecars that link out of the root, and one that links inside it
    with open(os.path.join(OUTSIDE, "evil.yml"), "w") as f:
        f.write("label: %s\nsummary: %s\n" % (LEAK, LEAK))
    with open(os.path.join(OUTSIDE, "evil.csv"), "w") as f:
        f.write("path,label\n.,%s\np1.png,%s\n" % (LEAK, LEAK))
    _img(j("leak", "p1.png"))
    os.symlink(os.path.join(OUTSIDE, "evil.yml"), j("leak", "manifest.yml"))
    _img(j("leak-csv", "p1.png"))
    os.symlink(os.path.join(OUTSIDE, "evil.csv"), j("leak-csv", "metadata.csv"))
    os.symlink(os.path.join(OUTSIDE, "evil.yml"), j("collection.yml"))
    with open(j("shared.yml"), "w") as f:
        f.write("label: INSIDE-LABEL\n")
    _img(j("inside", "p1.png"))
    os.symlink("../shared.yml", j("inside", "manifest.yml"))
    # a sidecar over max_sidecar_kb (1 MiB): ignored and reported, the item still served
    _img(j("inside", "p2.png"))
    os.makedirs(j("bigyml"))
    _img(j("bigyml", "p1.png"))
    with open(j("bigyml", "manifest.yml"), "w") as f:
        f.write("label: BIG-SIDECAR-LABEL\nsummary: " + "x" * (1536 * 1024) + "\n")
    # deeper than walk_max_depth (12): 20 levels, an image at the bottom
    d = j("deep")
    for i in range(20):
        d = os.path.join(d, "d%d" % i)
    os.makedirs(d)
    _img(os.path.join(d, "bottom.png"))
    # wider than walk_max_entries (20000) allows in one folder: 25000 empty files
    for i in range(25000):
        open(j("wide", "f%05d.txt" % i), "w").close()


_build()


def teardown():
    shutil.rmtree(TOP, ignore_errors=True)


def _get(srv, path):
    return srv.request(path, timeout=T)


def _tile_ok(srv, t, label):
    st, h, body = _get(srv, "/iiif/3/book%2Fp1.png/0,0,256,256/256,/0/default.jpg")
    t.eq(st, 200, "%s: a tile is still answered" % label)


def test_loops_collection(srv, t):
    st, h, body = _get(srv, "/iiif/presentation/collection")
    t.eq(st, 200, "root collection")
    doc = json.loads(body)
    ids = [it["id"] for it in doc.get("items", [])]
    t.check(not any("/l1/" in i or "/l2/" in i for i in ids), "links to the root are not subfolders: %r" % ids)
    t.check(any(i.endswith("/book/manifest") for i in ids), "the real folders are listed: %r" % ids)
    for path in ("/iiif/presentation/l1/collection", "/iiif/presentation/l1/l2/book/manifest",
                 "/iiif/presentation/book/up/book/manifest", "/iiif/presentation/loops/a/to-b/to-a/collection"):
        st, h, body = _get(srv, path)
        t.eq(st, 404, "%s: a path through a link loop is not published (%r)" % (path, body[:100]))
    st, h, body = _get(srv, "/iiif/presentation/loops/a/to-b/manifest")
    t.eq(st, 200, "a link to a sibling folder is a folder like any other (%r)" % body[:100])
    _tile_ok(srv, t, "after the loops")


def test_loops_home_search_walks(srv, t):
    st, h, body = _get(srv, "/")
    t.eq(st, 200, "home page")
    html = body.decode()
    t.check("l1/" not in html and "l2/" not in html, "the home page lists no path through a loop")
    t.check(html.count("book/p1.png") == 1, "each image once on the home page")
    t.check(("coll-alias/a" in html) != ("loops/a" in html),
            "a Collection reached by two paths opens in place once")
    for q in ("p1", "pa", "nothing-matches-this"):
        st, h, body = _get(srv, "/iiif/collections/search?q=" + q)
        t.eq(st, 200, "search %s" % q)
    # two searches at once: neither waits for the other's walk of the tree
    import threading
    res = []
    ths = [threading.Thread(target=lambda: res.append(_get(srv, "/iiif/collections/search?q=pb")[0]))
           for _ in range(2)]
    for th in ths:
        th.start()
    for th in ths:
        th.join(2 * T)
    t.eq(sorted(res), [200, 200], "two concurrent searches")
    _tile_ok(srv, t, "after the walks")


def test_depth_and_width_bounds(srv, t):
    st, h, body = _get(srv, "/iiif/presentation/" + "/".join(["deep"] + ["d%d" % i for i in range(20)]) + "/manifest")
    t.eq(st, 404, "a folder deeper than walk_max_depth is not published (%r)" % body[:120])
    t.check(b"walk_max_depth" in body, "the reason names the setting: %r" % body[:160])
    st, h, body = _get(srv, "/iiif/presentation/wide/collection")
    t.eq(st, 501, "a folder with more entries than one answer may read (%r)" % body[:160])
    t.check(b"walk_max_entries" in body, "the reason names the setting")
    st, h, body = _get(srv, "/")
    t.eq(st, 200, "the home page still answers")
    _tile_ok(srv, t, "after the bounds")
    t.check("walk_max_entries" in srv.log(), "the walk that stopped says why in the log")


def test_special_files_as_sidecars(srv, t):
    for folder in ("fifo", "fifo-yml", "sock", "dev"):
        st, h, body = _get(srv, "/iiif/presentation/%s/manifest" % folder)
        t.eq(st, 200, "%s: the manifest is answered without its sidecar" % folder)
    st, h, body = _get(srv, "/iiif/presentation/collection")
    t.eq(st, 200, "the root collection, with FIFO sidecars below it")
    log = srv.log()
    t.check("fifo/metadata.csv" in log and "not a regular file" in log, "the FIFO is reported with its name")
    _tile_ok(srv, t, "after the special files")


def test_sidecars_linked_out_of_the_root(srv, t):
    for path in ("/iiif/presentation/leak/manifest", "/iiif/presentation/leak-csv/manifest",
                 "/iiif/presentation/collection", "/", "/iiif/collections/search?q=" + LEAK.split("-")[0].lower()):
        st, h, body = _get(srv, path)
        t.eq(st, 200, path)
        t.check(LEAK.encode() not in body, "%s: nothing from outside the root is published" % path)
    st, h, body = _get(srv, "/iiif/presentation/inside/manifest")
    t.check(b"INSIDE-LABEL" in body, "a sidecar linked to a file inside the root is read")
    t.check("link to outside the image root" in srv.log(), "the link out is reported")


def test_sidecar_over_the_size_limit(srv, t):
    st, h, body = _get(srv, "/iiif/presentation/bigyml/manifest")
    t.eq(st, 200, "the item is served without its sidecar")
    t.check(b"BIG-SIDECAR-LABEL" not in body, "a 1.5 MB sidecar is not read")
    t.check("max_sidecar_kb" in srv.log(), "and the log says why")


def test_export_of_the_tree_is_bounded(srv, t):
    out = tempfile.mkdtemp(prefix="tessera-hostile-export-")
    try:
        t0 = time.monotonic()
        p = subprocess.run([srv.binary, "export", ROOT, out, "--base-url", "https://example.org/site",
                            "--walk-max-entries", "60000", "--walk-max-depth", "12", "--force"],
                           capture_output=True, text=True, timeout=300)
        files = sum(len(f) for _, _, f in os.walk(out))
        t.check(p.returncode in (0, 1), "export ends with a status, not a crash: %s %s" % (p.returncode,
                                                                                          p.stderr[-400:]))
        t.check(files < 3000, "the export of a tree of loops is bounded: %d files in %.0fs" %
                (files, time.monotonic() - t0))
        t.check(not os.path.exists(os.path.join(out, "iiif", "presentation", "l1")), "no document under a loop")
        for d, _, fs in os.walk(out):
            for f in fs:
                if f.endswith(".json"):
                    with open(os.path.join(d, f), encoding="utf-8") as fh:
                        t.check(LEAK not in fh.read(), "%s: nothing from outside the root" % f)
    finally:
        shutil.rmtree(out, ignore_errors=True)
