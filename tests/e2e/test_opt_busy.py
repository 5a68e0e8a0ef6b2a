"""A full worker queue (--threads 1 --queue-size 1): extra requests get
503 with Retry-After, CORS and a reason; the others are right; the server
recovers."""
import threading

import harness
from harness import VID

SERVER_ARGS = ["--threads", "1", "--queue-size", "1"]


def test_busy_503(srv, t):
    n = 48
    results = [None] * n
    start = threading.Event()

    def one(i):
        start.wait()
        results[i] = srv.get("/iiif/3/%s/full/max/%d/default.png" % (VID, 10 + i))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    start.set()
    for th in threads:
        th.join()
    busy = 0
    for i, (status, h, body) in enumerate(results):
        label = "burst request %d" % i
        if status == 503:
            busy += 1
            harness.check_error(t, (status, h, body), 503, label)
            t.check(h.get("retry-after", "").isdigit(), "%s: Retry-After %r" % (label, h.get("retry-after")))
        else:
            t.eq(status, 200, label)
            if status == 200:
                t.check(body.startswith(b"\x89PNG"), label + ": a PNG")
    t.check(busy >= 1, "%d simultaneous requests on one worker with a queue of 1: no 503" % n)
    t.check(busy < n, "every request got 503")
    status, _, body = srv.get("/health")
    t.eq((status, body), (200, b"ok\n"), "/health after the burst")
    status, _, im, _ = harness.fetch_image(srv, harness.image_path("3", VID, "full", "100,"))
    t.check(status == 200 and im is not None, "an image after the burst: %s" % status)
