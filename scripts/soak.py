#!/usr/bin/python3
"""Soak: mixed load on a real server for a set time, memory sampled as it runs.

Starts `tessera serve` on the bundled samples (loopback, a free port, a
response cache of --cache-mb), builds a shuffled list of everything a
viewer and a crawler ask for -- info.json in 3.0 and 2.1, tiles of every
scale factor from each image's info.json grid in JPEG, WebP and PNG,
thumbnails, full-size answers, manifests, collections, searches, 400 random
regions, sizes, rotations, qualities and formats per image (more answers
than the small cache holds, so decoding never stops), and bad requests
that must fail (404, 400) -- and
runs wrk (bench/wrk.lua) through it with --connections for --minutes.
The server's RSS is sampled every --every seconds and printed as a table.

Memory is flat when, after the first fifth of the run (caches filling,
allocator arenas growing), the RSS never rises more than --slack-mb above
the highest value of that first fifth, and the peak stays within the cache
budget plus 300 MB. Exits 1 otherwise, or on any failed request other than
the expected errors, or when the server dies.

  scripts/soak.py [--minutes 5] [--connections 16] [--cache-mb 16] [--build build]
  make soak SOAK_MINUTES=30
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".jp2", ".webp", ".gif")


def get(url, timeout=60):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read()


def rss_mb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def start_server(binary, root, cache_mb):
    log = tempfile.NamedTemporaryFile(prefix="tessera-soak-", suffix=".log", delete=False)
    p = subprocess.Popen([binary, "serve", "--root", root, "--host", "127.0.0.1", "--port", "0", "--cache-mb",
                          str(cache_mb), "--access-log", "off"], stdout=subprocess.PIPE, stderr=log, text=True)
    line = p.stdout.readline()
    m = re.search(r"listening on http://[^:]+:(\d+)/", line)
    if not m:
        p.kill()
        sys.exit("soak: the server did not start: %r (log %s)" % (line, log.name))
    return p, int(m.group(1)), log.name


def build_list(base, root, rnd):
    """(path, expected ok?) for the mixed load."""
    paths = []
    images = []
    for d, _, files in os.walk(root):
        for f in sorted(files):
            if f.lower().endswith(IMAGE_EXT):
                rel = os.path.relpath(os.path.join(d, f), root)
                images.append(rel.replace("/", "%2F"))
    for ident in sorted(images):
        status, body = get("%s/iiif/3/%s/info.json" % (base, ident))
        info = json.loads(body)
        w, h = info["width"], info["height"]
        paths += ["/iiif/3/%s/info.json" % ident, "/iiif/2/%s/info.json" % ident]
        for tiles in info.get("tiles", []):
            tw = tiles["width"]
            th = tiles.get("height", tw)
            for sf in tiles["scaleFactors"]:
                step_x, step_y = tw * sf, th * sf
                for y in range(0, h, step_y):
                    for x in range(0, w, step_x):
                        rw, rh = min(step_x, w - x), min(step_y, h - y)
                        size = "%d," % max(1, -(-rw // sf))
                        fmt = rnd.choice(["jpg", "jpg", "jpg", "webp", "png"])
                        paths.append("/iiif/3/%s/%d,%d,%d,%d/%s/0/default.%s" % (ident, x, y, rw, rh, size, fmt))
        # many different small answers: together larger than the cache, so rendering never stops
        for _ in range(400):
            rw, rh = rnd.randint(16, w), rnd.randint(16, h)
            x, y = rnd.randint(0, w - rw), rnd.randint(0, h - rh)
            size = "%d," % rnd.randint(8, min(rw, 400))
            rot = rnd.choice(["0", "0", "0", "90", "180", "!0", "45"])
            q = rnd.choice(["default", "default", "color", "gray", "bitonal"])
            fmt = rnd.choice(["jpg", "jpg", "webp", "png"])
            paths.append("/iiif/3/%s/%d,%d,%d,%d/%s/%s/%s.%s" % (ident, x, y, rw, rh, size, rot, q, fmt))
        paths += ["/iiif/3/%s/full/!1024,1024/0/default.jpg" % ident, "/iiif/3/%s/full/,150/0/default.jpg" % ident,
                  "/iiif/3/%s/full/max/0/default.jpg" % ident, "/iiif/2/%s/full/full/0/default.jpg" % ident,
                  "/iiif/3/%s/square/200,/90/gray.png" % ident, "/iiif/3/%s/pct:10,10,50,50/!200,200/!180/default.webp" % ident,
                  "/iiif/3/%s/full/300,/22.5/default.png" % ident]
    ok = [(p, True) for p in paths]
    ok += [("/iiif/presentation/collection", True), ("/iiif/collections/search?q=a", True), ("/", True),
           ("/health", True)]
    status, body = get(base + "/iiif/presentation/collection")
    for m in re.finditer(rb'"id":\s*"[^"]*(/iiif/presentation/[^"]*/manifest)"', body):
        ok.append((m.group(1).decode(), True))
    bad = [("/iiif/3/no-such-image/info.json", False), ("/iiif/3/%s/full/max/0/default.bmp" % images[0], False),
           ("/iiif/3/%s/0,0,0,0/max/0/default.jpg" % images[0], False), ("/iiif/3/..%2F..%2Fetc%2Fpasswd/info.json", False),
           ("/iiif/3/%s/full/max/1e309/default.jpg" % images[0], False), ("/nothing/here", False)]
    # errors are cheap and rare in real traffic: about one in fifty
    out = ok + bad * max(1, len(ok) // (50 * len(bad)))
    rnd.shuffle(out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", "5")))
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--cache-mb", type=int, default=16)
    ap.add_argument("--every", type=float, default=5.0, help="seconds between RSS samples")
    ap.add_argument("--slack-mb", type=float, default=48.0)
    ap.add_argument("--build", default="build")
    ap.add_argument("--root", default=os.path.join(ROOT, "samples"))
    args = ap.parse_args()
    binary = os.path.join(ROOT, args.build, "tessera")
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("soak: wrk is missing (scripts/bench-deps.sh installs it)")

    p, port, log = start_server(binary, args.root, args.cache_mb)
    base = "http://127.0.0.1:%d" % port
    failed = False
    try:
        rnd = random.Random(20261126)
        entries = build_list(base, args.root, rnd)
        expect_ok = {path for path, ok in entries if ok}
        listing = tempfile.NamedTemporaryFile("w", prefix="tessera-soak-", suffix=".txt", delete=False)
        listing.write("".join(path + "\n" for path, _ in entries))
        listing.close()
        # one pass first: every URL that should work does (a failure here is a bug, not load)
        bad_urls = []
        for path in sorted(expect_ok):
            try:
                status, _ = get(base + path)
            except urllib.error.HTTPError as e:
                status = e.code
            if status != 200:
                bad_urls.append((path, status))
        if bad_urls:
            print("soak: %d URLs of the list fail before any load, e.g. %s" % (len(bad_urls), bad_urls[:5]))
            failed = True

        seconds = int(args.minutes * 60)
        threads = max(1, min(os.cpu_count() or 1, args.connections))
        cmd = [wrk, "-t", str(threads), "-c", str(args.connections), "-d", "%ds" % seconds, "--timeout", "60s", "-s",
               os.path.join(ROOT, "bench", "wrk.lua"), base, "--", listing.name, str(args.connections), str(threads)]
        print("soak: %d URLs (%d expected to fail), %d connections, %.1f minutes, cache %d MB, server pid %d" %
              (len(entries), len(entries) - sum(1 for _, ok in entries if ok), args.connections, args.minutes,
               args.cache_mb, p.pid))
        samples = []
        stop = threading.Event()

        def sample():
            t0 = time.time()
            while not stop.is_set():
                samples.append((time.time() - t0, rss_mb(p.pid)))
                stop.wait(args.every)

        sampler = threading.Thread(target=sample)
        sampler.start()
        out = subprocess.run(cmd, capture_output=True, text=True)
        stop.set()
        sampler.join()
        samples.append((seconds, rss_mb(p.pid)))
        result = None
        for line in out.stdout.splitlines():
            if line.startswith("WRK_RESULT "):
                result = json.loads(line[len("WRK_RESULT "):])
        if p.poll() is not None:
            print("soak: the server died (status %s); log %s" % (p.returncode, log))
            failed = True

        print("\n%8s  %8s" % ("seconds", "RSS MB"))
        for t, r in samples:
            print("%8.0f  %8s" % (t, "%.1f" % r if r is not None else "-"))
        values = [r for _, r in samples if r is not None]
        if len(values) < 3:
            print("soak: too few samples")
            sys.exit(1)
        head = values[:max(1, len(values) // 5)]
        tail = values[len(head):]
        growth = max(tail) - max(head)
        peak = max(values)
        budget = args.cache_mb + 300
        print("\nafter warm-up: highest %.1f MB, then at most %.1f MB (%+.1f MB); peak %.1f MB, budget %d MB" %
              (max(head), max(tail), growth, peak, budget))
        if result is not None:
            print("requests %d (%.0f/s), p50 %.1f ms, p99 %.1f ms, non-200 %d, socket errors %s" %
                  (result.get("requests", 0), result.get("rps", 0), result.get("p50_us", 0) / 1000,
                   result.get("p99_us", 0) / 1000, result.get("non200", 0), result.get("socket_errors")))
            errors = result.get("socket_errors") or {}
            if any(v for v in errors.values()):
                print("soak: socket errors")
                failed = True
            # the only non-200 answers are the planted bad requests: wrk walks the list evenly
            planted = sum(1 for _, ok in entries if not ok) / float(len(entries))
            allowed = 1.2 * planted * result.get("requests", 0) + 100
            if result.get("non200", 0) > allowed:
                print("soak: %d failed requests, more than the planted errors (about %.0f)" %
                      (result.get("non200", 0), planted * result.get("requests", 0)))
                failed = True
        else:
            print("soak: wrk printed no result:\n" + out.stdout[-2000:] + out.stderr[-2000:])
            failed = True
        if growth > args.slack_mb:
            print("soak: memory grew by %.1f MB after the warm-up (slack %.0f MB)" % (growth, args.slack_mb))
            failed = True
        if peak > budget:
            print("soak: peak RSS %.1f MB over the cache budget + 300 MB" % peak)
            failed = True
        print("soak: %s" % ("memory flat, no unexpected errors" if not failed else "FAILED"))
    finally:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    # a clean exit, and with a sanitized build (--build build-asan) no leak or error report
    text = open(log, errors="replace").read()
    if p.returncode != 0:
        print("soak: the server exited with status %s (log %s)" % (p.returncode, log))
        failed = True
    if "ERROR: AddressSanitizer" in text or "ERROR: LeakSanitizer" in text or "runtime error:" in text:
        print("soak: sanitizer report in %s" % log)
        failed = True
    if not failed:
        os.unlink(log)
        os.unlink(listing.name)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
