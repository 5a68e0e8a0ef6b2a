"""Connection limits (--max-connections 16 --idle-timeout 3 --max-url 1024
--max-header-bytes 4096): a client that sends its headers a byte at a time
is cut off; a connection past the limit gets a 503 and is closed, and the
server serves again once connections close; URL and header limits answer
414 and 431 with the setting named."""
import http.client
import socket
import time

from harness import VID, check_error

SERVER_ARGS = ["--max-connections", "16", "--idle-timeout", "3", "--max-url", "1024", "--max-header-bytes", "4096",
               "--access-log", "off"]


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
    conns = []
    try:
        for i in range(16):
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
            c.request("GET", "/health")
            r = c.getresponse()
            t.eq(r.status, 200, "keep-alive connection %d" % i)
            r.read()
            conns.append(c)
        # all 16 are open (kept alive, idle): the 17th is told so and closed
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        try:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            raw = b""
            while True:
                try:
                    chunk = s.recv(4096)
                except (socket.timeout, ConnectionResetError):
                    break
                if not chunk:
                    break
                raw += chunk
        finally:
            s.close()
        t.check(raw.startswith(b"HTTP/1.1 503 "), "a connection past max_connections: %r" % raw[:200])
        t.check(b"Retry-After: 1" in raw and b"too many open connections" in raw, "503 says why: %r" % raw)
        # the open ones still work
        conns[0].request("GET", "/iiif/3/%s/info.json" % VID)
        r = conns[0].getresponse()
        t.eq(r.status, 200, "a request on a connection that was already open")
        r.read()
    finally:
        for c in conns:
            c.close()
    # once they are closed, new connections are served again
    ok = False
    for _ in range(50):
        try:
            status, _, _ = srv.get("/health")
            if status == 200:
                ok = True
                break
        except (ConnectionResetError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    t.check(ok, "no new connection served after the others closed")


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
