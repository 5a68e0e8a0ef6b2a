"""Overload (--threads 2 --heavy-mp 1 --heavy-queue 1): a flood of large
answers fills the heavy lane (one running, one waiting); the rest get 503
with Retry-After at once, while /health, info.json, cached tiles and new
small tiles keep getting 200 during the flood. A render that runs past
request_timeout is stopped with a 503 that says so."""
import threading

import harness
from harness import VID, check_error

SERVER_ARGS = ["--threads", "2", "--heavy-mp", "1", "--heavy-queue", "1", "--access-log", "off"]

N = 40


def test_flood_of_large_answers(srv, t):
    tile = "/iiif/3/%s/0,0,256,256/256,/0/default.jpg" % VID
    status, _, _ = srv.get(tile)
    t.eq(status, 200, "a tile, now cached")
    results = [None] * N
    light = []
    start = threading.Event()
    flood_done = threading.Event()

    def heavy(i):
        start.wait()
        # 1000x1000 decoded (1 MP: heavy here), enlarged and turned (a fraction of a second of
        # work each), every answer different so none is cached
        results[i] = srv.get("/iiif/3/%s/full/%%5E2000,/%d/default.png" % (VID, 1 + i))

    threads = [threading.Thread(target=heavy, args=(i,)) for i in range(N)]
    for th in threads:
        th.start()
    start.set()

    def watch():
        for th in threads:
            th.join()
        flood_done.set()

    threading.Thread(target=watch).start()
    # while the flood runs: the cheap answers (on the event loop) and small new tiles of a tiled
    # pyramid (a few thousand pixels decoded: the light lane; any answer from the untiled PNG
    # decodes all of it, and is heavy here)
    rounds = 0
    while rounds < 3 or (not flood_done.is_set() and rounds < 50):
        for path in ("/health", "/iiif/3/%s/info.json" % VID, tile,
                     "/iiif/3/grid%%2Ftiff-deflate.tif/%d,0,100,100/50,/0/default.jpg" % (rounds * 10)):
            status, h, body = srv.get(path)
            light.append((path, status, flood_done.is_set()))
        rounds += 1
    flood_done.wait()
    for path, status, after in light:
        t.eq(status, 200, "%s during the flood%s" % (path, " (after it)" if after else ""))
    t.check(any(not after for _, _, after in light), "no cheap request was answered while the flood ran")
    busy = 0
    for i, (status, h, body) in enumerate(results):
        if status == 503:
            busy += 1
            check_error(t, (status, h, body), 503, "flood request %d" % i)
            t.check(h.get("retry-after", "").isdigit(), "flood request %d: Retry-After %r" % (i, h.get("retry-after")))
            t.check(b"busy" in body, "flood request %d: the reason: %r" % (i, body))
        else:
            t.eq(status, 200, "flood request %d" % i)
    t.check(busy >= N // 2, "only %d of %d large requests were turned away by a heavy lane of 2" % (busy, N))
    t.check(busy < N, "every large request was turned away")
    # the lane empties: large answers work again
    status, _, body = srv.get("/iiif/3/%s/full/max/0/default.png" % VID)
    t.eq(status, 200, "a large answer after the flood")


def test_request_timeout(srv, t):
    other = harness.Server(srv.binary, srv.root, ["--request-timeout", "1", "--access-log", "off"],
                           sanitized=srv.sanitized).start()
    try:
        # 7000 x 7000 from the 1000-pixel grid, turned 45 degrees (9899 x 9899, within max_area): far more than a second of work
        status, h, body = other.get("/iiif/3/%s/full/%%5E7000,/45/default.png" % VID)
        check_error(t, (status, h, body), 503, "a render past request_timeout")
        t.check(b"request_timeout" in body, "the reason names the setting: %r" % body)
        status, _, _ = other.get("/iiif/3/%s/full/100,/0/default.png" % VID)
        t.eq(status, 200, "a small answer afterwards")
    finally:
        problems = other.stop()
        t.check(not problems, "second server: %s" % problems)
