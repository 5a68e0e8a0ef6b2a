"""Life cycle: SIGHUP reloads the settings file without dropping
connections (and refuses a broken one, keeping the settings in force);
SIGTERM lets a request in progress finish, refuses new connections, exits
0 within the drain bound and leaves the search database closed cleanly
(no write-ahead log left behind), also while a long walk of the tree (the
catalogue index of 30000 folders) is under way."""
import http.client
import os
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time

import harness
from harness import VID

DATA = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data"))


def _big_tree():
    """30000 folders of one image (hard links) and a manifest.yml each: a catalogue index of a few seconds."""
    root = os.path.join(tempfile.gettempdir(), "tessera-bigtree-%d-v1" % os.getuid())
    if os.path.exists(os.path.join(root, "done")):
        return root
    img = os.path.join(root, "img.png")
    os.makedirs(root, exist_ok=True)
    import shutil
    shutil.copy(os.path.join(DATA, VID + ".png"), img)
    for a in range(30):
        for b in range(1000):
            d = os.path.join(root, "tree", "c%02d" % a, "m%04d" % b)
            os.makedirs(d, exist_ok=True)
            if not os.path.exists(os.path.join(d, "p1.png")):
                os.link(img, os.path.join(d, "p1.png"))
            with open(os.path.join(d, "manifest.yml"), "w") as f:
                f.write("label: Item %d %d\nsummary: one of many\n" % (a, b))
    open(os.path.join(root, "done"), "w").close()
    return root


def _write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def _wait_for(fn, what, t, tries=100):
    for _ in range(tries):
        if fn():
            return True
        time.sleep(0.1)
    t.check(False, "waited 10 s for %s" % what)
    return False


def _info(srv):
    status, _, info = harness.get_json(srv, "/iiif/3/%s/info.json" % VID)
    return info if status == 200 else {}


def test_sighup_reload(srv, t):
    tmp = tempfile.mkdtemp(prefix="tessera-e2e-reload-")
    conf = os.path.join(tmp, "tessera.conf")
    _write(conf, "max_width = 900\ncache_control = public, max-age=60\njpeg_quality = 85\n")
    other = harness.Server(srv.binary, srv.root, ["--config", conf, "--access-log", os.path.join(tmp, "access.log")],
                           sanitized=srv.sanitized).start()
    try:
        t.eq(_info(other).get("maxWidth"), 900, "maxWidth from the file")
        img = "/iiif/3/%s/full/200,/0/default.jpg" % VID
        status, h1, body1 = other.get(img)
        t.eq((status, h1.get("cache-control")), (200, "public, max-age=60"), "before the reload")
        # a keep-alive connection open across the reload
        keep = http.client.HTTPConnection("127.0.0.1", other.port, timeout=10)
        keep.request("GET", "/health")
        r = keep.getresponse()
        r.read()
        t.eq(r.status, 200, "keep-alive connection")

        # log rotation happens at the same time: the old file moves away, the reload opens a new one
        os.rename(os.path.join(tmp, "access.log"), os.path.join(tmp, "access.log.1"))
        _write(conf, "max_width = 700\ncache_control = no-cache\njpeg_quality = 40\nthreads = 3\n")
        other.proc.send_signal(signal.SIGHUP)
        _wait_for(lambda: _info(other).get("maxWidth") == 700, "maxWidth 700 after SIGHUP", t)
        status, h2, body2 = other.get(img)
        t.eq((status, h2.get("cache-control")), (200, "no-cache"), "after the reload")
        t.check(h2.get("etag") != h1.get("etag"), "the ETag changes with the encoder settings")
        t.check(len(body2) < len(body1), "jpeg_quality 40 makes a smaller file than 85 (%d vs %d bytes): the "
                "cached answer was not served" % (len(body2), len(body1)))
        keep.request("GET", "/iiif/3/%s/info.json" % VID)
        r = keep.getresponse()
        t.eq(r.status, 200, "the connection opened before the reload still works")
        r.read()
        keep.close()
        t.check(os.path.exists(os.path.join(tmp, "access.log")), "the access log was reopened after rotation")
        _wait_for(lambda: "threads changed; it takes effect after a restart" in other.log(), "the restart warning", t)
        status, _, _ = other.get("/health")
        t.eq(status, 200, "still on its first port")

        # a broken file: refused, the settings in force stay
        _write(conf, "max_width = 600\njpeg_quality = 500\n")
        other.proc.send_signal(signal.SIGHUP)
        _wait_for(lambda: "reload refused" in other.log(), "the refusal in the log", t)
        t.eq(_info(other).get("maxWidth"), 700, "maxWidth after a refused reload")
        t.check("jpeg_quality" in other.log(), "the log says what was wrong")
    finally:
        problems = other.stop()
        t.check(not problems, "reloaded server: %s" % problems)


def test_sigterm_drains(srv, t):
    tmp = tempfile.mkdtemp(prefix="tessera-e2e-drain-")
    db = os.path.join(tmp, "search.db")
    other = harness.Server(srv.binary, srv.root, ["--search-db", db, "--threads", "1", "--drain-timeout", "60",
                                                  "--access-log", "off"], sanitized=srv.sanitized).start()
    try:
        status, _, body = other.get("/iiif/collections/search?q=grid")
        t.eq(status, 200, "a search fills the index")
        t.check(b'"type": "Collection"' in body or b'"type":"Collection"' in body, "the search answers a Collection")
        result = {}

        def slow():
            # a few seconds of work: a 4000-pixel upscale, rotated
            result["r"] = other.get("/iiif/3/%s/full/%%5E4000,/33/default.png" % VID)

        since = harness.worker_cpu_ticks(other)
        th = threading.Thread(target=slow)
        th.start()
        t.check(harness.wait_for_busy_worker(other, since), "the slow render never started")
        other.proc.send_signal(signal.SIGTERM)
        # new connections are refused once the listener is closed
        refused = False
        for _ in range(100):
            try:
                other.get("/health")
            except (ConnectionRefusedError, ConnectionResetError, http.client.HTTPException, OSError):
                refused = True
                break
            time.sleep(0.05)
        t.check(refused, "new connections were still accepted after SIGTERM")
        th.join(60)
        status, h, body = result.get("r", (None, {}, b""))
        t.eq(status, 200, "the request in progress when SIGTERM came")
        t.check(body.startswith(b"\x89PNG"), "it got its whole image")
        try:
            rc = other.proc.wait(30)
        except subprocess.TimeoutExpired:
            rc = None
        t.eq(rc, 0, "exit status after the drain")
        t.check(not os.path.exists(db + "-wal") or os.path.getsize(db + "-wal") == 0,
                "the database's write-ahead log was left behind: not closed cleanly")
        con = sqlite3.connect(db)
        t.eq(con.execute("PRAGMA integrity_check").fetchone()[0], "ok", "database integrity")
        con.close()
    finally:
        problems = other.stop(exited=True)
        t.check(not problems, "drained server: %s" % problems)


def test_sigterm_bound(srv, t):
    """A render longer than drain_timeout is stopped when the grace period ends: the process
    exits soon after (well before the render would have finished)."""
    other = harness.Server(srv.binary, srv.root, ["--threads", "1", "--drain-timeout", "1", "--request-timeout", "0",
                                                  "--access-log", "off"], sanitized=srv.sanitized).start()
    try:
        result = {}

        def slow():
            try:
                result["r"] = other.get("/iiif/3/%s/full/%%5E7000,/45/default.png" % VID)
            except Exception as e:  # the connection may close under it
                result["e"] = e

        since = harness.worker_cpu_ticks(other)
        th = threading.Thread(target=slow)
        th.start()
        t.check(harness.wait_for_busy_worker(other, since), "the slow render never started")
        other.proc.send_signal(signal.SIGTERM)
        try:
            rc = other.proc.wait(60)
        except subprocess.TimeoutExpired:
            rc = None
        t.eq(rc, 0, "exit status after a drain cut short")
        t.check("shutting down with 1 requests still in progress" in other.log(), "the log says what was cut short")
        th.join(10)
        # the render was stopped, not finished: its client never got the image
        status = result["r"][0] if "r" in result else None
        t.check(status != 200, "the render ran to its end instead of being cut short (status %s)" % status)
    finally:
        problems = other.stop(exited=True)
        t.check(not problems, "cut-short server: %s" % problems)


def test_sigterm_during_a_walk(srv, t):
    """A search starts the catalogue index of 30000 folders; SIGTERM comes while it walks. The walk
    sees the stop flag at its next folder and says so, and the process exits 0."""
    root = os.path.join(_big_tree(), "tree")
    drain = 1
    other = harness.Server(srv.binary, root, ["--threads", "2", "--drain-timeout", str(drain), "--search-rescan", "0",
                                              "--access-log", "off"], sanitized=srv.sanitized).start()
    try:
        result = {}

        def search():
            try:
                result["r"] = other.request("/iiif/collections/search?q=item", timeout=120)
            except Exception as e:  # the connection may close under it
                result["e"] = e

        since = harness.worker_cpu_ticks(other)
        th = threading.Thread(target=search)
        th.start()
        t.check(harness.wait_for_busy_worker(other, since), "the walk never started")
        other.proc.send_signal(signal.SIGTERM)
        try:
            rc = other.proc.wait(120)
        except subprocess.TimeoutExpired:
            rc = None
        th.join(10)
        t.eq(rc, 0, "exit status")
        t.check("catalogue index: stopped after" in other.log() and "the server is stopping" in other.log(),
                "the walk was under way and stopped for the shutdown: %s" % other.log()[-600:])
    finally:
        problems = other.stop(exited=True)
        t.check(not problems, "server stopped during a walk: %s" % problems)
