"""/health tells the truth about the workers: with the only worker held by a
JPEG 2000 decode that cannot be stopped midway (OpenJPEG decodes an untiled
code-stream in one call, past request_timeout) and another job waiting,
the pool makes no progress for longer than request_timeout, and /health
says 503 with the reason; once the decode ends, 200 again. The event loop
answers /health throughout: it is the workers that were stuck."""
import hashlib
import os
import tempfile
import threading
import time

import fixtures
import harness


def _tree():
    h = hashlib.sha256(open(__file__, "rb").read()).hexdigest()[:12]
    root = os.path.join(tempfile.gettempdir(), "tessera-health-%d-%s" % (os.getuid(), h))
    if not os.path.exists(os.path.join(root, "done")):
        os.makedirs(root, exist_ok=True)
        # one tile for the whole image: decoded in one OpenJPEG call
        fixtures.noise_rgb(os.path.join(root, "slow.jp2[tile-width=8000,tile-height=6000,Q=60]"), 8000, 6000, 40)
        fixtures.noise_rgb(os.path.join(root, "small.png[compression=1]"), 256, 256)
        open(os.path.join(root, "done"), "w").close()
    return root


SERVER_ROOT = _tree()
SERVER_ARGS = ["--threads", "1", "--request-timeout", "1", "--max-decode-mp", "1000", "--cache-mb", "0",
               "--heavy-mp", "100000", "--access-log", "off"]


def test_health_reports_stuck_workers(srv, t):
    st, h, body = srv.get("/health")
    t.eq((st, body), (200, b"ok\n"), "healthy at rest")
    done = []

    def ask(path):
        try:
            done.append(srv.request(path, timeout=300)[0])
        except Exception as e:  # noqa: BLE001
            done.append(str(e))

    slow = threading.Thread(target=ask, args=("/iiif/3/slow.jp2/full/max/0/default.jpg",))
    slow.start()
    time.sleep(0.3)
    waiting = threading.Thread(target=ask, args=("/iiif/3/small.png/0,0,64,64/64,/0/default.png",))
    waiting.start()
    seen = []
    end = time.monotonic() + 120
    while time.monotonic() < end and len(done) < 2:
        st, h, body = srv.request("/health", timeout=10)
        seen.append((st, body))
        if st == 503:
            break
        time.sleep(0.1)
    stuck = [b for s, b in seen if s == 503]
    t.check(stuck, "a 503 while the only worker ran past request_timeout with a job waiting: %r" % seen[-3:])
    if stuck:
        t.check(b"workers are stuck" in stuck[0] and b"1 jobs wait" in stuck[0], "the reason: %r" % stuck[0])
    slow.join(300)
    waiting.join(300)
    st, h, body = srv.get("/health")
    t.eq((st, body), (200, b"ok\n"), "healthy again once the decode ended")
