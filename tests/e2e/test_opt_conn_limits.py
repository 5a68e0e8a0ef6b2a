"""Connection limits (--max-connections 16 --idle-timeout 3 --max-url 1024
--max-header-bytes 4096): a client that sends its headers a byte at a time
is cut off; a connection past the limit gets a 503 and is closed, and the
server serves again once connections close; URL and header limits answer
414 and 431 with the setting named."""
import http.client
import socket
import time

import harness
from harness import VID, check_error

SERVER_ARGS = ["--max-connections", "16", "--idle-timeout", "3", "--max-url", "1024", "--max-header-bytes", "4096",
               "--access-log", "off"]


def _served_again(srv):
    """Whether /health answers 200 within 5 s (the server notices closed connections as it gets to them)."""
    for _ in range(50):
        try:
            status, _, _ = srv.get("/health")
            if status == 200:
                return True
        except (ConnectionResetError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    return False


def test_slowloris(srv, t):
    """Headers trickled one byte every 0.2 s (15 s for the whole head): the server closes the
    connection once idle_timeout is over, long before the head is complete; others are served."""
    head = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40 + b"\r\n\r\n"
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=1)
    closed_at = None
    try:
        for i, c in enumerate(head):
            try:
                s.sendall(bytes([c]))
                s.settimeout(0.2)
                if s.recv(100) == b"":
                    closed_at = i
                    break
            except socket.timeout:
                pass
            except (BrokenPipeError, ConnectionResetError):
                closed_at = i
                break
            if i == 5:
                status, _, body = srv.get("/health")
                t.eq((status, body), (200, b"ok\n"), "/health while a slow client holds a connection")
    finally:
        s.close()
    t.check(closed_at is not None, "the server waited for the whole trickled head")


def test_max_connections(srv, t):
    """Keep-alive connections are opened (each proven accepted by a request) until the server
    refuses one: that happens at 16, or a little earlier while connections of earlier requests
    are still being closed; the refused one is told why and closed."""
    conns = []
    refused = None
    try:
        for i in range(24):
            raw = None
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
            try:
                c.request("GET", "/health")
                r = c.getresponse()
                body = r.read()
                if r.status == 503:
                    raw = (r.status, dict((k.lower(), v) for k, v in r.getheaders()), body)
            except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected) as e:
                raw = (None, {}, str(e).encode())
            if raw is not None:
                refused = (i, raw)
                c.close()
                break
            conns.append(c)
        if t.check(refused is not None, "24 connections open at once, none refused"):
            i, (status, h, body) = refused
            t.check(12 <= i <= 16, "refused at connection %d, want 16 (a few less while old ones close)" % i)
            t.eq(status, 503, "the refused connection: %r" % body)
            t.eq(h.get("retry-after"), "1", "Retry-After on the refused connection")
            t.check(b"too many open connections" in body, "503 says why: %r" % body)
        # the open ones still work
        conns[0].request("GET", "/iiif/3/%s/info.json" % VID)
        r = conns[0].getresponse()
        t.eq(r.status, 200, "a request on a connection that was already open")
        r.read()
    finally:
        for c in conns:
            c.close()
    # once they are closed, new connections are served again
    t.check(_served_again(srv), "no new connection served after the others closed")


def test_open_file_limit(srv, t):
    """Under a low open-file limit, max_connections is held under it (with a warning): the
    connection past it gets the 503, instead of an accept that fails and a loop that spins."""
    other = harness.Server(srv.binary, srv.root, ["--access-log", "off"], sanitized=srv.sanitized,
                           open_files=256).start()
    conns = []
    try:
        t.check("is more than the open-file limit (256) leaves room for: at most 128" in other.log(),
                "the warning: %r" % other.log()[-400:])
        for _ in range(128):
            conns.append(socket.create_connection(("127.0.0.1", other.port), timeout=10))
        ok = False
        for _ in range(50):  # the server accepts the 128 as it gets to them
            raw = harness.raw_exchange(other, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 5)
            if raw.startswith(b"HTTP/1.1 503 ") and b"too many open connections" in raw:
                ok = True
                break
            time.sleep(0.1)
        t.check(ok, "no 503 past the open-file cap")
        for c in conns:
            c.close()
        conns = []
        t.check(_served_again(other), "served again once connections closed")
    finally:
        for c in conns:
            c.close()
        problems = other.stop()
        t.check(not problems, "server with few open files: %s" % problems)


def test_url_and_header_limits(srv, t):
    status, h, body = srv.get("/iiif/3/%s/info.json" % ("a" * 1100))
    check_error(t, (status, h, body), 414, "a 1 KB identifier")
    t.check(b"max_url" in body, "414 names the setting: %r" % body)
    status, _, _ = srv.get("/iiif/3/%s/info.json" % VID)
    t.eq(status, 200, "a normal URL")
    status, h, body = srv.get("/health", {"X-Big": "v" * 5000})
    check_error(t, (status, h, body), 431, "5 KB of headers")
    t.check(b"max_header_bytes" in body, "431 names the setting: %r" % body)
    status, _, _ = srv.get("/health", {"X-Small": "v" * 1000})
    t.eq(status, 200, "1 KB of headers")
