"""Bounded memory: 64 concurrent full/max requests for a 100-megapixel
pyramidal TIFF keep the server's peak RSS under 1.5 GB. Answers that large
are spooled to anonymous files and streamed from there; at most one per
worker is being built at a time. (Skipped for sanitized builds, whose memory
use says nothing about the real one.) The image is made here with the vips
command and cached next to the other fixtures."""
import hashlib
import os
import subprocess
import tempfile
import threading

import harness
from PIL import Image

Image.MAX_IMAGE_PIXELS = None  # the 100-megapixel answer is expected

CEILING_KB = 1500 * 1024
N = 64


def _image():
    h = hashlib.sha256(open(__file__, "rb").read()).hexdigest()[:12]
    root = os.path.join(tempfile.gettempdir(), "tessera-big-%d-%s" % (os.getuid(), h))
    path = os.path.join(root, "big.tif")
    if not os.path.exists(path):
        os.makedirs(root, exist_ok=True)
        tmp = os.path.join(root, "noise.v")
        run = lambda *a: subprocess.run(["vips"] + list(a), check=True, stdout=subprocess.DEVNULL)  # noqa: E731
        run("gaussnoise", tmp, "10000", "10000", "--mean", "128", "--sigma", "12")
        run("cast", tmp, tmp + "8.v", "uchar")
        run("bandjoin", "%s %s %s" % (tmp + "8.v", tmp + "8.v", tmp + "8.v"), tmp + "3.v")
        part = os.path.join(root, "part.tif")
        run("copy", tmp + "3.v", part + "[tile,pyramid,compression=jpeg,Q=60,tile-width=256,tile-height=256]")
        os.replace(part, path)
        for f in (tmp, tmp + "8.v", tmp + "3.v"):
            os.unlink(f)
    return root


SERVER_ROOT = _image()
# not heavy: this test is about memory with every answer accepted; the heavy lane has its own test
SERVER_ARGS = ["--jpeg-quality", "60", "--queue-size", "128", "--heavy-mp", "1000"]


def test_64_concurrent_full_size_answers(srv, t):
    if srv.sanitized:
        return  # AddressSanitizer's shadow memory and quarantine make RSS meaningless
    results = [None] * N
    start = threading.Event()

    def one(i):
        start.wait()
        s, h, body = srv.get("/iiif/3/big/full/max/0/default.jpg")
        results[i] = (s, len(body), body[:2], h.get("content-length"))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(N)]
    for th in threads:
        th.start()
    start.set()
    for th in threads:
        th.join()
    sizes = set()
    for i, (s, n, head, cl) in enumerate(results):
        t.eq(s, 200, "request %d" % i)
        t.check(head == b"\xff\xd8" and str(n) == cl, "request %d: a whole JPEG (%d bytes, Content-Length %s)" %
                (i, n, cl))
        sizes.add(n)
    t.eq(len(sizes), 1, "all answers identical in size")
    t.check(min(sizes) > 10 * 1024 * 1024, "answers are large enough to matter: %d bytes" % min(sizes))
    rss = harness.proc_status_kb(srv, "VmHWM")
    t.check(0 < rss < CEILING_KB, "peak RSS %d MB over the %d MB ceiling" % (rss // 1024, CEILING_KB // 1024))
    # the answer really is 10000 x 10000
    s, h, body = srv.get("/iiif/3/big/full/max/0/default.jpg")
    t.eq(harness.decode_image(body).size, (10000, 10000), "full size")
