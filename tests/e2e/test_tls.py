"""TLS and HTTP/2: a second server with a self-signed certificate made by
the `openssl` command; HTTPS works (ids say https), ALPN offers h2, and curl
fetches images, info.json, redirects and errors over HTTP/2."""
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time

import harness
from harness import VID


def _make_cert(tmp):
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def _context(alpn):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(alpn)
    return ctx


def _alpn(port, offer):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with _context(offer).wrap_socket(raw, server_hostname="127.0.0.1") as s:
            return s.selected_alpn_protocol(), s.version()


def _curl_has_http2():
    if shutil.which("curl") is None:
        return False
    out = subprocess.run(["curl", "-V"], capture_output=True, text=True).stdout
    return "HTTP2" in out


def test_tls_and_http2(srv, t):
    if not t.check(shutil.which("openssl") is not None, "the openssl command is missing: TLS is not tested"):
        return
    tmp = tempfile.mkdtemp(prefix="tessera-e2e-tls-")
    try:
        cert, key = _make_cert(tmp)
        tls = harness.Server(srv.binary, srv.root, ["--tls-cert", cert, "--tls-key", key, "--access-log", "off"],
                             sanitized=srv.sanitized).start()
        try:
            _run(tls, t, tmp)
        finally:
            problems = tls.stop()
            t.check(not problems, "TLS server shutdown: %s" % problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(tls, t, tmp):
    t.eq(tls.scheme, "https", "the server announces an https URL")
    base = "https://127.0.0.1:%d" % tls.port

    # HTTPS with Python's client (HTTP/1.1 over TLS)
    status, _, body = tls.get("/health")
    t.eq((status, body), (200, b"ok\n"), "HTTPS /health")
    status, h, info = harness.get_json(tls, "/iiif/3/%s/info.json" % VID)
    if t.check(status == 200 and info, "HTTPS info.json: %s" % status):
        t.eq(info.get("id"), "%s/iiif/3/%s" % (base, VID), "id over TLS uses https")
    status, h, im, _ = harness.fetch_image(tls, "/iiif/2/%s/full/200,/90/default.png" % VID)
    if t.check(status == 200 and im is not None, "HTTPS image: %s" % status):
        t.eq(im.size, (200, 200), "HTTPS image size")
        t.eq(harness.links(h).get("canonical"), ["%s/iiif/2/%s/full/200,/90/default.png" % (base, VID)],
             "canonical Link over TLS")
    status, h, _ = tls.get("/iiif/3/%s" % VID)
    t.eq((status, h.get("location")), (303, "%s/iiif/3/%s/info.json" % (base, VID)), "303 over TLS")

    # ALPN
    proto, version = _alpn(tls.port, ["h2", "http/1.1"])
    t.eq(proto, "h2", "ALPN with h2 offered (TLS %s)" % version)
    # a client that offers only http/1.1 gets it (or no ALPN answer, which means the same)
    proto, _ = _alpn(tls.port, ["http/1.1"])
    t.check(proto in ("http/1.1", None), "ALPN with only http/1.1 offered: %r" % proto)

    # plain HTTP on the TLS port: refused, and the server carries on
    try:
        with socket.create_connection(("127.0.0.1", tls.port), timeout=5) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                data = s.recv(4096)
            except (socket.timeout, ConnectionResetError):
                data = b""
        t.check(b"ok\n" not in data, "plain HTTP on the TLS port must not be served: %r" % data[:80])
    except OSError:
        pass
    status, _, _ = tls.get("/health")
    t.eq(status, 200, "HTTPS after a plain-text client")

    # HTTP/2 with curl: several requests on one connection
    if not _curl_has_http2():
        t.check(False, "curl with HTTP2 is missing: HTTP/2 requests are not tested")
        return
    urls = [("image", "/iiif/3/%s/full/300,/0/default.jpg" % VID, 200),
            ("info", "/iiif/3/%s/info.json" % VID, 200),
            ("tile", "/iiif/3/grid%2Ftiff-jpeg.tif/256,256,256,256/256,256/0/default.png", 200),
            ("redirect", "/iiif/3/%s" % VID, 303),
            ("error", "/iiif/3/%s/full/full/0/default.jpg" % VID, 400),
            ("unknown", "/iiif/3/no-such-image/info.json", 404)]
    cmd = ["curl", "--http2", "-k", "-s", "--max-time", "60", "-w", "%{http_version} %{http_code}\\n"]
    files = []
    for name, path, _ in urls:
        f = os.path.join(tmp, name + ".out")
        files.append(f)
        cmd += ["-o", f, base + path]
    res = subprocess.run(cmd, capture_output=True, text=True)
    t.eq(res.returncode, 0, "curl exit status (stderr %r)" % res.stderr[-300:])
    lines = res.stdout.split()
    got = list(zip(lines[0::2], lines[1::2]))
    t.eq(len(got), len(urls), "curl answered every URL: %r" % res.stdout)
    for (name, path, want), (ver, code), f in zip(urls, got, files):
        t.eq(ver, "2", "%s over HTTP/2: http_version" % name)
        t.eq(code, str(want), "%s over HTTP/2: status" % name)
    if os.path.exists(files[0]) and got and got[0][1] == "200":
        with open(files[0], "rb") as fh:
            im = harness.decode_image(fh.read())
        t.eq(im.size, (300, 300), "HTTP/2 image size")
        harness.check_grid(t, im, "HTTP/2 image", tol=12, min_points=90)
    if os.path.exists(files[2]) and len(got) > 2 and got[2][1] == "200":
        with open(files[2], "rb") as fh:
            im = harness.decode_image(fh.read())
        t.eq(im.size, (256, 256), "HTTP/2 tile size")
        harness.check_grid(t, im, "HTTP/2 tile", region=(256, 256, 256, 256), tol=12)
    # HEAD and headers over HTTP/2
    res = subprocess.run(["curl", "--http2", "-k", "-s", "-I", base + urls[0][1]], capture_output=True, text=True)
    head = res.stdout.lower()
    t.check(head.startswith("http/2 200"), "HEAD over HTTP/2: %r" % head[:40])
    t.check("access-control-allow-origin: *" in head, "CORS over HTTP/2")
    t.check('rel="canonical"' in head and 'rel="profile"' in head, "Link headers over HTTP/2")
    # many requests multiplexed in parallel on one connection
    cmd = ["curl", "--http2", "-k", "-s", "--parallel", "--parallel-max", "16", "-w", "%{http_version} %{http_code}\\n"]
    for i in range(24):
        cmd += ["-o", "/dev/null", base + "/iiif/3/%s/%d,0,100,100/50,/0/default.jpg" % (VID, i * 30)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    t.eq(sorted(set(res.stdout.split("\n")) - {""}), ["2 200"], "24 parallel HTTP/2 requests")


def test_abandoned_requests_are_skipped(srv, t):
    """HTTP/2 clients that go away leave their queued work undone: with one
    worker and 30 expensive requests, a client that disconnects at once
    makes the server skip most of them (the debug log says so)."""
    if shutil.which("openssl") is None or not _curl_has_http2():
        t.check(False, "openssl and curl with HTTP/2 are needed")
        return
    tmp = tempfile.mkdtemp(prefix="tessera-e2e-gone-")
    try:
        cert, key = _make_cert(tmp)
        tls = harness.Server(srv.binary, srv.root, ["--tls-cert", cert, "--tls-key", key, "--access-log", "off",
                                                    "--threads", "1", "--log-level", "debug", "--cache-mb", "0"],
                             sanitized=srv.sanitized).start()
        try:
            urls = ["https://127.0.0.1:%d/iiif/3/%s/full/max/%d/default.png" % (tls.port, VID, 1 + i)
                    for i in range(30)]
            subprocess.run(["timeout", "0.5", "curl", "-sk", "--http2", "--parallel", "--parallel-max", "30",
                            "-o", "/dev/null"] + sum((["-o", "/dev/null", u] for u in urls), []),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # the worker goes through its queue: give it up to 20 s to reach the end
            for _ in range(400):
                skipped = tls.log().count("skipped a job: its client has gone")
                if skipped >= 10:
                    break
                time.sleep(0.05)
            t.check(skipped >= 10, "only %d of 30 abandoned jobs were skipped" % skipped)
            s, _, body = tls.get("/health")
            t.eq((s, body), (200, b"ok\n"), "still serving")
        finally:
            problems = tls.stop()
            t.check(not problems, "server shutdown: %s" % problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
