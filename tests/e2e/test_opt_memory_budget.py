"""The work-memory budget (work_memory_mb): the cost model counts memory,
not only pixels. A progressive JPEG keeps every DCT coefficient of the whole
image however little of it is asked for (a 20000 x 20000 grey one of 1.5 MB
needs 800 MB for one thumbnail), and GIF, AVIF and WebP encoders hold the
whole answer. An answer that can never fit the budget gets 501 with the
reason, before any pixel is decoded; answers that fit one at a time wait
for their turn, so several at once stay within the budget. The ceilings are
on the server's peak RSS (VmHWM), not on times. (The ceilings are skipped
for sanitized builds, whose memory says nothing about the real one; the
statuses are checked there too.)"""
import hashlib
import os
import subprocess
import tempfile
import threading

import fixtures
import harness

BUDGET_MB = 500


def _tree():
    h = hashlib.sha256(open(__file__, "rb").read()).hexdigest()[:12]
    root = os.path.join(tempfile.gettempdir(), "tessera-membudget-%d-%s" % (os.getuid(), h))
    if not os.path.exists(os.path.join(root, "done")):
        os.makedirs(root, exist_ok=True)
        run = lambda *a: subprocess.run(["vips"] + list(a), check=True, stdout=subprocess.DEVNULL)  # noqa: E731
        # 800 MB of coefficients in 1.5 MB: over any budget here
        run("black", os.path.join(root, "bomb.jpg[interlace,Q=50]"), "20000", "20000")
        # 288 MB of coefficients: fits the budget once, not twice
        run("black", os.path.join(root, "prog.jpg[interlace,Q=50]"), "12000", "12000")
        # the same image, baseline: decoded in pieces, costs little
        run("black", os.path.join(root, "plain.jpg[Q=50]"), "12000", "12000")
        # 6000 x 6000 RGB, tiled: a GIF or AVIF of all of it is over the budget, a JPEG streams
        fixtures.noise_rgb(os.path.join(root, "big.tif[tile,pyramid,compression=jpeg,Q=60]"), 6000, 6000)
        open(os.path.join(root, "done"), "w").close()
    return root


SERVER_ROOT = _tree()
SERVER_ARGS = ["--work-memory-mb", str(BUDGET_MB), "--threads", "4", "--cache-mb", "0", "--heavy-mp", "100000",
               "--max-decode-mp", "1000", "--access-log", "off"]


def _hwm_mb(srv):
    return harness.proc_status_kb(srv, "VmHWM") // 1024


def test_0_baseline(srv, t):
    for ident in ("bomb.jpg", "prog.jpg", "plain.jpg", "big.tif"):
        st, h, body = srv.get("/iiif/3/%s/info.json" % ident)
        t.eq(st, 200, "%s: info.json needs no pixels" % ident)
    st, h, body = srv.get("/iiif/3/plain.jpg/full/!256,256/0/default.jpg")
    t.eq(st, 200, "a baseline JPEG of the same size is served")


def test_never_fits(srv, t):
    before = _hwm_mb(srv)
    for path in ("/iiif/3/bomb.jpg/full/!256,256/0/default.jpg", "/iiif/3/bomb.jpg/0,0,512,512/512,/0/default.jpg",
                 "/iiif/2/bomb.jpg/full/128,/0/default.png", "/iiif/3/big.tif/full/max/0/default.gif",
                 "/iiif/3/big.tif/full/max/0/default.avif"):
        resp = srv.get(path)
        harness.check_error(t, resp, 501, path)
        t.check(b"work_memory_mb" in resp[2], "%s: the reason names the setting: %r" % (path, resp[2][:200]))
    t.check(b"progressive JPEG" in srv.get("/iiif/3/bomb.jpg/full/!256,256/0/default.jpg")[2],
            "the reason says what makes the image costly")
    if not srv.sanitized:
        t.check(_hwm_mb(srv) - before < 60, "nothing was decoded for the refusals: peak grew %d MB" %
                (_hwm_mb(srv) - before))
    st, h, body = srv.get("/iiif/3/big.tif/full/max/0/default.jpg")
    t.eq(st, 200, "the same image as a streaming JPEG fits")
    st, h, body = srv.get("/iiif/3/big.tif/full/!1000,1000/0/default.gif")
    t.eq(st, 200, "a smaller GIF fits")


def test_concurrent_answers_stay_within_the_budget(srv, t):
    """Eight thumbnails of the 12000 x 12000 progressive JPEG at once (288 MB each, 2.3 GB together
    without a budget): they run one at a time, and the peak stays near one's worth."""
    base = harness.proc_status_kb(srv, "VmRSS") // 1024
    results = [None] * 8
    go = threading.Event()

    def one(i):
        go.wait()
        st, h, body = srv.request("/iiif/3/prog.jpg/full/!%d,%d/0/default.jpg" % (200 + i, 200 + i), timeout=300)
        results[i] = st

    ths = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for th in ths:
        th.start()
    go.set()
    for th in ths:
        th.join(600)
    t.eq(results, [200] * 8, "every answer is made, in its turn")
    if not srv.sanitized:
        peak = _hwm_mb(srv)
        t.check(peak - base < BUDGET_MB + 150, "peak RSS %d MB over a base of %d MB: within the %d MB budget" %
                (peak - base, base, BUDGET_MB))
    st, h, body = srv.get("/health")
    t.eq(st, 200, "healthy afterwards")
