"""Annotations are durable and never lost to a race: a server killed with
SIGKILL during a burst of concurrent writes keeps every annotation that got
a 201, holds none half-written, and starts again without a repair step;
concurrent replacements with the same If-Match give exactly one 200."""
import json
import os
import shutil
import signal
import tempfile
import threading

import harness

ANNO_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
C = "/annotations/kinds/"
KEY = {"Authorization": "Bearer k", "Content-Type": ANNO_TYPE}


def _server(srv, data):
    return harness.Server(srv.binary, srv.root, ["--access-log", "off", "--data-dir", data, "--write-keys", "k"],
                          sanitized=srv.sanitized).start()


def _canvas(s):
    st, h, body = s.get("/iiif/presentation/kinds/manifest")
    return json.loads(body)["items"][0]["id"]


def _anno(canvas, text):
    return json.dumps({"type": "Annotation", "motivation": "commenting", "target": canvas,
                       "body": {"type": "TextualBody", "value": text}}).encode()


def test_sigkill_during_writes(srv, t):
    data = tempfile.mkdtemp(prefix="tessera-e2e-kill-")
    try:
        s = _server(srv, os.path.join(data, "d"))
        canvas = _canvas(s)
        acked, lock, stop = [], threading.Lock(), threading.Event()

        def writer(n):
            i = 0
            while not stop.is_set():
                name = "w%d-%d" % (n, i)
                i += 1
                try:
                    st, h, body = s.request(C, "POST", dict(KEY, Slug=name), body=_anno(canvas, "text of " + name))
                except Exception:
                    return  # the server is gone
                if st == 201:
                    with lock:
                        acked.append(name)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for th in threads:
            th.start()
        # kill it mid-burst, once some writes were acknowledged
        for _ in range(200):
            with lock:
                if len(acked) >= 40:
                    break
            threading.Event().wait(0.02)
        os.kill(s.proc.pid, signal.SIGKILL)
        s.proc.wait()
        stop.set()
        for th in threads:
            th.join(30)
        t.check(len(acked) >= 40, "writes were acknowledged before the kill (%d)" % len(acked))
        again = _server(srv, os.path.join(data, "d"))
        try:
            missing = []
            for name in acked:
                st, h, body = again.get(C + name)
                if st != 200 or json.loads(body)["body"]["value"] != "text of " + name:
                    missing.append((name, st))
            t.check(not missing, "every acknowledged annotation is there after the restart: %r" % missing[:5])
            # nothing half there: every stored annotation reads back whole
            st, h, body = again.get(C + "?page=1")
            total = json.loads(body)["partOf"]["total"]
            t.check(total >= len(acked), "the container counts them (%d >= %d)" % (total, len(acked)))
            pages = (total + 99) // 100
            broken = []
            for p in range(1, pages + 1):
                st, h, body = again.get(C + "?page=%d" % p)
                for a in json.loads(body)["items"]:
                    name = a["id"].rsplit("/", 1)[1]
                    if a.get("type") != "Annotation" or a["body"]["value"] != "text of " + name:
                        broken.append(name)
            t.check(not broken, "none is half written: %r" % broken[:5])
            t.check("repair" not in again.log().lower() and "recover" not in again.log().lower(),
                    "the restart needs no repair step")
        finally:
            t.check(not again.stop(), "clean stop")
    finally:
        shutil.rmtree(data, ignore_errors=True)


def test_no_lost_updates(srv, t):
    data = tempfile.mkdtemp(prefix="tessera-e2e-race-")
    try:
        s = _server(srv, os.path.join(data, "d"))
        try:
            canvas = _canvas(s)
            st, h, body = s.request(C, "POST", dict(KEY, Slug="contested"), body=_anno(canvas, "first"))
            t.eq(st, 201, "created")
            etag = h.get("etag")
            results = []

            def replace(n):
                st, h, body = s.request(C + "contested", "PUT", dict(KEY, **{"If-Match": etag}),
                                        body=_anno(canvas, "editor %d" % n))
                results.append((st, n))

            threads = [threading.Thread(target=replace, args=(n,)) for n in range(12)]
            for th in threads:
                th.start()
            for th in threads:
                th.join(30)
            won = [n for st, n in results if st == 200]
            lost = [n for st, n in results if st == 412]
            t.eq(len(won), 1, "exactly one replacement with that ETag wins (%r)" % sorted(results))
            t.eq(len(lost), len(results) - 1, "the others get 412")
            st, h, body = s.get(C + "contested")
            t.eq(json.loads(body)["body"]["value"], "editor %d" % won[0] if won else None, "the winner's text is kept")
        finally:
            t.check(not s.stop(), "clean stop")
    finally:
        shutil.rmtree(data, ignore_errors=True)
