"""Many clients at once: tiles of several sources, errors of every kind and
files that fail to decode, from parallel connections. Every answer must be
the right one (errors from one request never leak into another's body, and
no file path of the server shows), and the server stays healthy."""
import random
import threading

import harness
from harness import VID

SOURCES = ["grid%2Ftiff-jpeg.tif", "grid%2Fjp2-tiled.jp2", "grid%2Fpng.png", "grid%2Fhtj2k.j2c", "odd%2Fpyramid.tif",
           "grid%2Fwebp.webp"]


def _jobs():
    rng = random.Random(7)
    jobs = []
    for ident in SOURCES:
        for x in range(0, 1000, 250):
            w = 250 if x + 250 <= 999 else 999 - x
            jobs.append(("/iiif/3/%s/%d,0,%d,250/%d,125/0/default.png" % (ident, x, w, (w + 1) // 2), 200,
                         ((w + 1) // 2, 125)))
    for _ in range(4):
        jobs += [("/iiif/3/bad%2Ftext.jpg/full/max/0/default.jpg", "bad", None),
                 ("/iiif/3/bad%2Fempty.png/info.json", "bad", None),
                 ("/iiif/2/bad%2Ftext.jpg/info.json", "bad", None),
                 ("/iiif/3/no-such-image/full/max/0/default.jpg", 404, None),
                 ("/iiif/3/%s/full/full/0/default.jpg" % VID, 400, None),
                 ("/iiif/3/%s/0,0,0,0/max/0/default.jpg" % VID, 400, None),
                 ("/iiif/3/%s/info.json" % VID, 200, None),
                 ("/iiif/2/%s/full/200,/45/gray.png" % VID, 200, (283, 283))]
    rng.shuffle(jobs)
    return jobs


def test_parallel_clients(srv, t):
    jobs = _jobs()
    results = [None] * len(jobs)
    lock = threading.Lock()
    next_job = [0]

    def worker():
        while True:
            with lock:
                i = next_job[0]
                next_job[0] += 1
            if i >= len(jobs):
                return
            try:
                results[i] = srv.get(jobs[i][0])
            except Exception as e:  # noqa: BLE001
                results[i] = (None, {}, repr(e).encode())

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    root = srv.root.encode()
    for (path, want, size), (status, h, body) in zip(jobs, results):
        if want == "bad":
            harness.check_error(t, (status, h, body), (400, 404, 415, 422, 500), "parallel " + path)
        elif want == 200:
            if not t.check(status == 200, "parallel %s: status %s %r" % (path, status, body[:80])):
                continue
            if size is not None:
                size_ok = False
                try:
                    size_ok = harness.decode_image(body).size == size
                except Exception:  # noqa: BLE001
                    pass
                t.check(size_ok, "parallel %s: not a %dx%d image" % (path, size[0], size[1]))
        else:
            harness.check_error(t, (status, h, body), want, "parallel " + path)
        if status != 200:
            t.check(root not in body and b"/tmp/" not in body, "parallel %s: a server path in the body: %r" % (
                path, body[:200]))
    status, _, body = srv.get("/health")
    t.eq((status, body), (200, b"ok\n"), "/health after the parallel clients")


def test_hand_backs_under_load(srv, t):
    """Thousands of jobs handed back from the workers to two event loops,
    over keep-alive connections: every answer is right and the server stays
    healthy. (The heap corruption fixed in server.c, libh2o buffer pools
    shared between loops, needed wrk's rates to show: about one crash in
    5,000 worker answers at 500/s. `make bench` is the stress for that.)"""
    import http.client
    other = harness.Server(srv.binary, srv.root, ["--cache-mb", "0", "--loops", "2"], sanitized=srv.sanitized).start()
    failures = []
    lock = threading.Lock()
    per_conn = 200

    def client(k):
        conn = http.client.HTTPConnection("127.0.0.1", other.port, timeout=60)
        try:
            for i in range(per_conn):
                x, y = 256 * ((k + i) % 3), 256 * ((k * 7 + i) % 3)
                conn.request("GET", "/iiif/3/grid%%2Ftiff-jpeg.tif/%d,%d,256,256/%d,/0/default.png" % (x, y, 8 + i % 5))
                r = conn.getresponse()
                r.read()
                if r.status != 200:
                    with lock:
                        failures.append("%d/%d: %d" % (k, i, r.status))
                    return
        except Exception as e:  # noqa: BLE001
            with lock:
                failures.append("%d: %r" % (k, e))
        finally:
            conn.close()

    try:
        threads = [threading.Thread(target=client, args=(k,)) for k in range(16)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        t.check(not failures, "all %d answers are 200: %s" % (16 * per_conn, failures[:3]))
        s, _, _ = other.get("/health")
        t.eq(s, 200, "still healthy")
    finally:
        for p in other.stop():
            t.check(False, p)
