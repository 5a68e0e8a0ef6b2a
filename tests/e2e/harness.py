"""End-to-end harness: start the real tessera binary on a free loopback
port, talk to it over real HTTP, stop it, and check it exited cleanly
(and, for sanitized builds, that AddressSanitizer/UBSan said nothing).

Only the Python standard library and Debian's python3-pil are used.
"""
import http.client
import io
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time

SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer")


def server_env(sanitized):
    """The environment a server runs in: the sanitizers' settings of
    scripts/run-tests.sh (leak suppressions for libraries) when `sanitized`,
    unless the caller chose others."""
    env = dict(os.environ)
    if sanitized:
        supp = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lsan.supp"))
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1:strict_string_checks=1")
        env.setdefault("LSAN_OPTIONS", "suppressions=%s:print_suppressions=0" % supp)
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    return env


class ServerError(Exception):
    pass


class Server:
    """A tessera process serving `root` on 127.0.0.1 with a port it picked."""

    def __init__(self, binary, root, args=(), sanitized=False, env=None, open_files=None):
        self.binary = binary
        self.root = root
        self.args = list(args)
        self.sanitized = sanitized
        self.env = env
        self.open_files = open_files  # a limit on open files (soft and hard) for the server process
        self.proc = None
        self.port = None
        self.scheme = "http"
        self.stderr_path = None
        self._stderr = None

    def start(self, timeout=30):
        fd, self.stderr_path = tempfile.mkstemp(prefix="tessera-e2e-", suffix=".log")
        self._stderr = os.fdopen(fd, "w+")
        env = server_env(self.sanitized)
        if self.env:
            env.update(self.env)
        cmd = [self.binary, "serve", "--root", self.root, "--host", "127.0.0.1", "--port", "0"] + self.args
        preexec = None
        if self.open_files is not None:
            import resource
            n = self.open_files
            preexec = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))  # noqa: E731
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr, env=env, text=True,
                                     preexec_fn=preexec)
        line = [None]

        def read_line():
            line[0] = self.proc.stdout.readline()

        th = threading.Thread(target=read_line, daemon=True)
        th.start()
        th.join(timeout)
        m = re.search(r"listening on (https?)://[^:]+:(\d+)/", line[0] or "")
        if not m:
            self.proc.kill()
            self.proc.wait()
            raise ServerError("server did not start: %r\n%s" % (line[0], self.log()))
        self.scheme = m.group(1)
        self.port = int(m.group(2))
        return self

    def log(self):
        if self._stderr is None:
            return ""
        self._stderr.flush()
        with open(self.stderr_path, errors="replace") as f:
            return f.read()

    def stop(self, timeout=60, exited=False):
        """SIGTERM, wait, and return a list of problems (empty when clean). With `exited`, the
        test has stopped the server itself: it must have exited, with status 0."""
        problems = []
        if self.proc is None:
            return problems
        if exited and self.proc.poll() is None:
            problems.append("server still running")
        if self.proc.poll() is not None:
            if not exited:
                problems.append("server exited early with status %s" % self.proc.returncode)
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                problems.append("server did not stop within %ss of SIGTERM" % timeout)
        if self.proc.returncode not in (0, None) and not problems:
            problems.append("server exited with status %s" % self.proc.returncode)
        text = self.log()
        if any(m in text for m in SANITIZER_MARKERS):
            problems.append("sanitizer report:\n" + text[-6000:])
        self.proc.stdout.close()
        self._stderr.close()
        os.unlink(self.stderr_path)
        self.proc = None
        return problems

    @property
    def base(self):
        return "%s://127.0.0.1:%d" % (self.scheme, self.port)

    def request(self, path, method="GET", headers=None, timeout=60, body=None):
        """One HTTP/1.1 request; returns (status, headers with lower-case names, body bytes).
        `path` is sent as is (already percent-encoded); `body` (bytes) is sent with its Content-Length."""
        if self.scheme == "https":  # self-signed test certificates: no verification
            import ssl
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, context=ctx)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            # a Host given in `headers` replaces the one http.client would send
            skip_host = any(k.lower() == "host" for k in (headers or {}))
            conn.putrequest(method, path, skip_host=skip_host, skip_accept_encoding=True)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            r = conn.getresponse()
            body = r.read()
            hdrs = {}
            for k, v in r.getheaders():
                k = k.lower()
                hdrs[k] = hdrs[k] + ", " + v if k in hdrs else v
            return r.status, hdrs, body
        finally:
            conn.close()

    def get(self, path, headers=None):
        return self.request(path, "GET", headers)


def proc_status_kb(srv, field):
    """A memory figure of the server process from /proc (VmRSS: now, VmHWM: peak), in KiB; -1 if absent."""
    with open("/proc/%d/status" % srv.proc.pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def worker_cpu_ticks(srv):
    """CPU time (clock ticks, user + system) the server has spent outside its event loops: the
    workers and the libvips threads they run (which come and go, so the process's total is read,
    which keeps the time of threads that ended, less the loop threads' own)."""
    with open("/proc/%d/stat" % srv.proc.pid) as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2:].split()
    total = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    base = "/proc/%d/task" % srv.proc.pid
    for tid in os.listdir(base):
        try:
            with open(os.path.join(base, tid, "stat")) as f:
                ts = f.read()
        except OSError:
            continue  # the thread ended
        if ts[ts.index("(") + 1:ts.rindex(")")] == "ts-loop":
            tf = ts[ts.rindex(")") + 2:].split()
            total -= int(tf[11]) + int(tf[12])
    return total


def wait_for_busy_worker(srv, since, timeout=60):
    """Waits until the workers have used CPU time past `since` (worker_cpu_ticks before the work was
    asked for): the work is running on a worker. Returns whether it did within `timeout` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if worker_cpu_ticks(srv) > since + 1:
            return True
        time.sleep(0.01)
    return False


def raw_exchange(srv, data, timeout=10):
    """Sends raw bytes on a new connection; returns all the server answers until it closes the
    connection (or `timeout` seconds pass without a byte). The server may answer and close
    before it has read everything: a reset is the end of the answer, not an error."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


def decode_image(body):
    """Decodes image bytes with Pillow; returns a loaded PIL image."""
    from PIL import Image
    im = Image.open(io.BytesIO(body))
    im.load()
    return im


class Check:
    """Collects failed expectations inside one test; a test passes when none failed."""

    def __init__(self):
        self.failures = []

    def check(self, cond, msg):
        if not cond:
            self.failures.append(msg)
        return cond

    def eq(self, got, want, msg=""):
        return self.check(got == want, "%s: got %r, want %r" % (msg, got, want))


# ---------------------------------------------------------------------------
# Helpers shared by the IIIF test modules (Pillow and numpy are imported
# lazily so that the core harness keeps working without them).

import http.client as _hc  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
VID = "67352ccc-d1b0-11e1-89ae-279075081939"
REF_PNG = os.path.normpath(os.path.join(HERE, "..", "data", VID + ".png"))
SQUARE = 100  # the reference grid: 10 x 10 squares of 100 px, each one flat colour
CT_INFO3 = 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'
MIME = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "tif": "image/tiff", "gif": "image/gif",
        "jp2": "image/jp2", "avif": "image/avif", "pdf": "application/pdf"}

_ref = {}


def reference_image():
    """The validator's 1000x1000 colour grid as a PIL RGB image (cached)."""
    if "im" not in _ref:
        from PIL import Image
        im = Image.open(REF_PNG)
        im.load()
        _ref["im"] = im.convert("RGB")
    return _ref["im"]


def reference():
    """The colour grid as a numpy uint8 array of shape (1000, 1000, 3)."""
    if "arr" not in _ref:
        import numpy as np
        _ref["arr"] = np.asarray(reference_image(), dtype=np.uint8)
    return _ref["arr"]


def square_colour(col, row):
    """The colour of grid square (col, row) in the source PNG."""
    a = reference()
    return tuple(int(v) for v in a[row * SQUARE + SQUARE // 2, col * SQUARE + SQUARE // 2])


def luma(rgb):
    """Rec. 601 luma of an sRGB colour (weights applied to the gamma-encoded values)."""
    r, g, b = rgb[:3]
    return 0.299 * r + 0.587 * g + 0.114 * b


def _lin(c):
    c = c / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _enc(y):
    y = 12.92 * y if y <= 0.0031308 else 1.055 * y ** (1 / 2.4) - 0.055
    return 255.0 * y


def luminance(rgb, weights=(0.2126, 0.7152, 0.0722)):
    """Relative luminance (weights applied in linear light), sRGB-encoded back to 0..255."""
    r, g, b = (_lin(c) for c in rgb[:3])
    return _enc(weights[0] * r + weights[1] * g + weights[2] * b)


def grey_values(rgb):
    """Acceptable grey levels for a colour. The spec does not say how `gray` is computed, so
    a range is accepted: Rec. 601 and Rec. 709 luma (weights on gamma-encoded values) and
    luminance in linear light with Rec. 709 weights or libvips' 0.2/0.7/0.1."""
    r, g, b = rgb[:3]
    return (luma(rgb), 0.2126 * r + 0.7152 * g + 0.0722 * b, luminance(rgb), luminance(rgb, (0.2, 0.7, 0.1)))


def image_path(v, ident, region="full", size=None, rotation="0", quality="default", fmt="png"):
    """/iiif/{v}/{ident}/{region}/{size}/{rotation}/{quality}.{fmt}; size defaults to the full-size keyword."""
    if size is None:
        size = "max" if str(v) == "3" else "full"
    return "/iiif/%s/%s/%s/%s/%s/%s.%s" % (v, ident, region, size, rotation, quality, fmt)


def get_json(srv, path, headers=None):
    """GET and parse JSON; returns (status, headers, object or None)."""
    status, h, body = srv.get(path, headers)
    try:
        obj = json.loads(body.decode("utf-8"))  # dicts keep the document's key order
    except ValueError:
        obj = None
    return status, h, obj


def fetch_image(srv, path, headers=None):
    """GET an image; returns (status, headers, PIL image or None, body)."""
    status, h, body = srv.get(path, headers)
    im = None
    if status == 200:
        try:
            im = decode_image(body)
        except Exception:
            im = None
    return status, h, im, body


def to_rgb_array(im, background=None):
    """numpy uint8 (h, w, 3). With `background` (an RGB tuple), alpha is composited over it first."""
    import numpy as np
    from PIL import Image
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        im = im.convert("RGBA")
        if background is not None:
            bg = Image.new("RGBA", im.size, tuple(background) + (255,))
            im = Image.alpha_composite(bg, im)
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        a = np.asarray(im, dtype=np.float64) / 257.0
        a = np.clip(np.rint(a), 0, 255).astype(np.uint8)
        return np.stack([a, a, a], axis=-1)
    return np.asarray(im.convert("RGB"), dtype=np.uint8)


def mean_abs_diff(a, b):
    """Largest per-channel mean absolute difference of two equally shaped arrays."""
    import numpy as np
    d = np.abs(a.astype(np.int16) - b.astype(np.int16))
    if d.ndim == 2:
        return float(d.mean())
    return float(d.reshape(-1, d.shape[-1]).mean(axis=0).max())


def expected_region(region, size, source=None):
    """The reference (or `source`, a PIL image) cut to region (x, y, w, h) and scaled to size (w, h),
    as a numpy array; the model a tile or a scaled region is compared with."""
    import numpy as np
    from PIL import Image
    src = source if source is not None else reference_image()
    x, y, w, h = region
    im = src.crop((x, y, x + w, y + h))
    if im.size != tuple(size):
        im = im.resize(tuple(size), Image.LANCZOS)
    return np.asarray(im.convert("RGB"), dtype=np.uint8)


def rotated_box(w, h, degrees):
    """The implementation notes' output box for a w x h image rotated by `degrees` (floats)."""
    r = math.radians(degrees)
    return abs(w * math.cos(r)) + abs(h * math.sin(r)), abs(h * math.cos(r)) + abs(w * math.sin(r))


def grid_points(region, size, out_size, mirror=False, degrees=0.0, img_w=1000, img_h=1000):
    """Where the centres of the reference grid's squares land in an output image.

    region: (x, y, w, h) in source pixels (already cropped to the image);
    size: (w, h) of the scaled region before rotation; out_size: the actual (w, h) of the
    returned image (the rotated box). Yields (col, row, ox, oy, scale) for squares whose
    centre lies well inside the region."""
    rx, ry, rw, rh = region
    sw, sh = size
    W, H = out_size
    sx, sy = sw / rw, sh / rh
    th = math.radians(degrees)
    c, s = math.cos(th), math.sin(th)
    for row in range(img_h // SQUARE + 1):
        for col in range(img_w // SQUARE + 1):
            cx, cy = col * SQUARE + SQUARE / 2.0, row * SQUARE + SQUARE / 2.0
            if cx >= img_w or cy >= img_h:
                continue
            # keep away from the region's edges, in source and in output pixels
            m_src = min(cx - rx, rx + rw - cx, cy - ry, ry + rh - cy)
            if m_src < 12 or m_src * min(sx, sy) < 3:
                continue
            # and from the image's own edges (the odd crops end inside squares)
            if min(img_w - cx, img_h - cy) < 12:
                continue
            ox, oy = (cx - rx) * sx, (cy - ry) * sy
            if mirror:
                ox = sw - ox
            dx, dy = ox - sw / 2.0, oy - sh / 2.0
            px, py = dx * c - dy * s + W / 2.0, dx * s + dy * c + H / 2.0
            yield col, row, px, py, min(sx, sy)


def sample(arr, x, y, radius):
    """Mean colour of the (2r+1)^2 window around pixel (x, y) of an (h, w, c) array."""
    h, w = arr.shape[:2]
    xi, yi = int(math.floor(x)), int(math.floor(y))
    x0, x1 = max(0, xi - radius), min(w, xi + radius + 1)
    y0, y1 = max(0, yi - radius), min(h, yi + radius + 1)
    win = arr[y0:y1, x0:x1].reshape(-1, arr.shape[2]).astype(float)
    return tuple(win.mean(axis=0))


def check_grid(t, im, label, region=(0, 0, 1000, 1000), size=None, mirror=False, degrees=0.0, tol=3,
               gray=False, img_w=1000, img_h=1000, background=(255, 255, 255), min_points=1):
    """Compares the centres of the grid squares in `im` (a PIL image) with the source PNG.

    `size` is the scaled size before rotation (default: the image's size, un-rotated for
    90/270). With gray=True the expected value is the luma of the square's colour and the
    output must have R=G=B. Returns the number of squares compared."""
    arr = to_rgb_array(im, background)
    W, H = im.size
    if size is None:
        size = (H, W) if int(round(degrees)) % 180 == 90 else (W, H)
    n = 0
    bad = []
    for col, row, px, py, scale in grid_points(region, size, (W, H), mirror, degrees, img_w, img_h):
        if not (0 <= px < W and 0 <= py < H):
            bad.append("square %d,%d maps outside the %dx%d image at %.1f,%.1f" % (col, row, W, H, px, py))
            continue
        radius = max(0, min(4, int(SQUARE * scale * 0.15)))
        got = sample(arr, px, py, radius)
        want = square_colour(col, row)
        if gray:
            gv = grey_values(want)
            ok = all(min(gv) - tol <= g <= max(gv) + tol for g in got)
            want = "grey %d..%d (from %s)" % (round(min(gv)), round(max(gv)), want)
        else:
            ok = all(abs(g - w_) <= tol for g, w_ in zip(got, want))
        n += 1
        if not ok:
            bad.append("square %d,%d at %d,%d: got %s, want %s" % (col, row, px, py,
                                                                   tuple(int(round(g)) for g in got), want))
    t.check(not bad, "%s: %d of %d grid squares differ (tolerance %s): %s" % (
        label, len(bad), n, tol, "; ".join(bad[:4])))
    t.check(n >= min_points, "%s: only %d grid squares could be compared" % (label, n))
    return n


def tile_requests(width, height, tw, th, scale_factors):
    """Every tile of an info.json `tiles` entry, by the implementation notes' algorithm.
    Yields (s, (xr, yr, wr, hr), (ws, hs))."""
    for s in scale_factors:
        nx = (width + tw * s - 1) // (tw * s)
        ny = (height + th * s - 1) // (th * s)
        for m in range(ny):
            for n in range(nx):
                xr, yr = n * tw * s, m * th * s
                wr = min(tw * s, width - xr)
                hr = min(th * s, height - yr)
                ws = tw if xr + tw * s <= width else (width - xr + s - 1) // s
                hs = th if yr + th * s <= height else (height - yr + s - 1) // s
                yield s, (xr, yr, wr, hr), (ws, hs)


# RFC 9110's reason phrases where Python's table still has older ones
_REASONS = {413: "Payload Too Large", 414: "URI Too Long"}


def reason(status):
    return _REASONS.get(status) or _hc.responses.get(status, "")


def check_error(t, resp, want, label, text_checks=True):
    """An error response: status in `want` (int or collection), CORS, a text body that starts
    with "<status> <reason>: " and gives a reason, and no image bytes. With text_checks, also
    that the reason is one line of UTF-8 (the body is text/plain; charset=utf-8)."""
    status, h, body = resp
    wants = (want,) if isinstance(want, int) else tuple(want)
    ok = t.check(status in wants, "%s: status %s, want %s (body %r)" % (label, status, "/".join(map(str, wants)),
                                                                        body[:80]))
    t.eq(h.get("access-control-allow-origin"), "*", "%s: CORS header on the error" % label)
    prefix = ("%d %s: " % (status, reason(status))).encode()
    if ok:
        t.check(body.startswith(prefix) and len(body) > len(prefix) + 3,
                "%s: body should start with %r and give a reason: %r" % (label, prefix, body[:200]))
        if not text_checks:
            return status
        t.check(body.rstrip(b"\n").count(b"\n") == 0 and b"\r" not in body,
                "%s: the reason should be one line, got %d lines: %r" % (label, body.count(b"\n"), body[:200]))
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            t.check(False, "%s: the body is not UTF-8 (content type %r): %r" % (label, h.get("content-type"),
                                                                               body[:200]))
        t.check(not h.get("content-type", "").startswith("image/"), "%s: error with an image content type" % label)
    return status


def avif_brand(body):
    """The major brand of an ISO-BMFF file ('ftyp' box), or None."""
    if len(body) >= 12 and body[4:8] == b"ftyp":
        return body[8:12].decode("latin-1")
    return None


def links(h):
    """Parses a Link header into {rel: [uri, ...]}."""
    out = {}
    for part in re.finditer(r'<([^>]*)>\s*((?:;\s*[^,;]+)*)', h.get("link", "")):
        uri, params = part.group(1), part.group(2)
        for m in re.finditer(r';\s*rel="?([^";]+)"?', params):
            out.setdefault(m.group(1), []).append(uri)
    return out
