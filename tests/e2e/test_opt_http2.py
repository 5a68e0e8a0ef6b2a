"""HTTP/2 clients that never read (h2c here, turned on with --h2c; HTTP/2 on
TLS behaves the same). A client sets its flow-control window to 0 and
opens 100 streams on each of 20 connections, asking for large tiles it
will never take: the server answers at most http2_max_streams of them per
connection, keeps serving everyone else (tiles and info.json from a fresh
client, a slow reader that does read), cuts the stalled connections off
after idle_timeout, and gives the memory back. The bounds are ceilings on
RSS, not times; the waits below are upper bounds for things that happen
by themselves (skipped on sanitized builds: their RSS means nothing)."""
import socket
import time

import h2.config
import h2.connection
import h2.events
import h2.settings

import harness
import test_memory  # its 10000 x 10000 pyramid of noise: large tiles that do not compress

SERVER_ROOT = test_memory.SERVER_ROOT
IDLE = 3
SERVER_ARGS = ["--h2c", "--idle-timeout", str(IDLE), "--cache-mb", "0", "--access-log", "off"]
TILES = ["/iiif/3/big/%d,%d,512,512/512,/0/default.png" % (x * 512, y * 512) for x in range(10) for y in range(10)]


def _h2(srv, window=None):
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    c.initiate_connection()
    if window is not None:
        c.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
    s.sendall(c.data_to_send())
    return s, c


def _ask(srv, s, c, path):
    sid = c.get_next_available_stream_id()
    c.send_headers(sid, [(":method", "GET"), (":path", path), (":scheme", "http"),
                         (":authority", "127.0.0.1:%d" % srv.port)], end_stream=True)
    s.sendall(c.data_to_send())
    return sid


def _closed(s, timeout):
    """Whether the server closes the connection within `timeout` seconds (reading, without acknowledging data)."""
    end = time.monotonic() + timeout
    s.settimeout(0.5)
    while time.monotonic() < end:
        try:
            if s.recv(65536) == b"":
                return True
        except socket.timeout:
            continue
        except OSError:
            return True
    return False


def _pinged(s, c, timeout=30):
    """Sends a PING on connection (s, c) and reads until its acknowledgement: libh2o handles a
    connection's frames in order, so by then it has read and dispatched every request sent before."""
    c.ping(b"tessera!")
    s.sendall(c.data_to_send())
    end = time.monotonic() + timeout
    s.settimeout(1)
    while time.monotonic() < end:
        try:
            data = s.recv(65536)
        except socket.timeout:
            continue
        if not data:
            return False
        for ev in c.receive_data(data):
            if isinstance(ev, h2.events.PingAckReceived):
                return True
        s.sendall(c.data_to_send())
    return False


def _rss_mb(srv):
    return harness.proc_status_kb(srv, "VmRSS") // 1024


def test_h2c_when_asked(srv, t):
    s, c = _h2(srv)
    sid = _ask(srv, s, c, "/health")
    status, body, done = None, b"", False
    s.settimeout(10)
    while not done:
        data = s.recv(65536)
        if not data:
            break
        for ev in c.receive_data(data):
            if isinstance(ev, h2.events.ResponseReceived) and ev.stream_id == sid:
                status = dict(ev.headers).get(":status")
            elif isinstance(ev, h2.events.DataReceived):
                body += ev.data
                c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            elif isinstance(ev, h2.events.StreamEnded):
                done = True
        s.sendall(c.data_to_send())
    s.close()
    t.eq(status, "200", "HTTP/2 prior knowledge with --h2c")
    t.eq(body, b"ok\n", "the health answer")


def test_stalled_streams_are_bounded_and_cut_off(srv, t):
    for path in TILES[:2]:
        t.eq(srv.get(path)[0], 200, "warm-up %s" % path)
    base = _rss_mb(srv)
    conns = []
    for _ in range(20):
        s, c = _h2(srv, window=0)
        for i in range(100):
            _ask(srv, s, c, TILES[i])
        conns.append(s)
    # while they hold their streams, everyone else is served
    time.sleep(1)
    for path in ("/iiif/3/big/info.json", "/iiif/3/big/5120,5120,512,512/512,/0/default.png",
                 "/iiif/3/big/full/!300,300/0/default.jpg"):
        st, h, body = srv.request(path, timeout=30)
        t.eq(st, 200, "%s answered for a fresh client during the stall" % path)
    # a slow reader that does read is not cut off
    s, c = _h2(srv)
    sid = _ask(srv, s, c, TILES[50])
    got, ended = 0, False
    s.settimeout(1)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            data = s.recv(16384)
        except socket.timeout:
            continue
        if not data:
            break
        for ev in c.receive_data(data):
            if isinstance(ev, h2.events.DataReceived):
                got += len(ev.data)
                c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            elif isinstance(ev, h2.events.StreamEnded) and ev.stream_id == sid:
                ended = True
        s.sendall(c.data_to_send())
        if ended:
            break
        time.sleep(0.2)  # 16 KB every 0.2 s: slow, but reading
    s.close()
    t.check(ended and got > 100000, "a slow reader gets its whole answer: %d bytes, ended %s" % (got, ended))
    peak = _rss_mb(srv)
    if not srv.sanitized:
        # 20 connections x 16 answers of ~0.7 MB; without the bounds it was 100 answers each (1.4 GB)
        t.check(peak - base < 450, "memory held by stalled connections is bounded: %d MB over %d" % (peak - base, base))
    closed = [_closed(s, IDLE + 12) for s in conns]
    t.eq(closed.count(True), len(conns), "every stalled connection is closed by the server after idle_timeout")
    for s in conns:
        s.close()
    if not srv.sanitized:
        end = time.monotonic() + 15
        while time.monotonic() < end and _rss_mb(srv) - base > 100:
            time.sleep(0.5)
        t.check(_rss_mb(srv) - base < 100, "the memory goes back: %d MB over the base" % (_rss_mb(srv) - base))
    t.check("closed a connection that read none" in srv.log(), "the cut-off is logged")
    st, h, body = srv.get("/health")
    t.eq(st, 200, "healthy after")


def test_small_documents_flood_does_not_stall_others(srv, t):
    """10 connections x 100 streams of a document built on a worker, never read: a fresh
    client's tile and info.json still come (the pool is fair between connections)."""
    conns, pinged = [], []
    for _ in range(10):
        s, c = _h2(srv, window=0)
        for i in range(100):
            _ask(srv, s, c, "/iiif/presentation/collection?n=%d" % i)
        conns.append(s)
        pinged.append((s, c))
    # a PING after the requests: its answer means the server has read, and dispatched, every one before it
    for s, c in pinged:
        t.check(_pinged(s, c), "the flood's requests were read (PING answered)")
    for path in ("/iiif/3/big/info.json", "/iiif/3/big/1024,1024,512,512/512,/0/default.png"):
        st, h, body = srv.request(path, timeout=30)
        t.eq(st, 200, "%s during the flood" % path)
    for s in conns:
        s.close()
