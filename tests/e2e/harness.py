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
import subprocess
import tempfile
import threading
import time

SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer")


class ServerError(Exception):
    pass


class Server:
    """A tessera process serving `root` on 127.0.0.1 with a port it picked."""

    def __init__(self, binary, root, args=(), sanitized=False, env=None):
        self.binary = binary
        self.root = root
        self.args = list(args)
        self.sanitized = sanitized
        self.env = env
        self.proc = None
        self.port = None
        self.stderr_path = None
        self._stderr = None

    def start(self, timeout=30):
        fd, self.stderr_path = tempfile.mkstemp(prefix="tessera-e2e-", suffix=".log")
        self._stderr = os.fdopen(fd, "w+")
        env = dict(os.environ)
        if self.env:
            env.update(self.env)
        cmd = [self.binary, "serve", "--root", self.root, "--host", "127.0.0.1", "--port", "0"] + self.args
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr, env=env, text=True)
        line = [None]

        def read_line():
            line[0] = self.proc.stdout.readline()

        th = threading.Thread(target=read_line, daemon=True)
        th.start()
        th.join(timeout)
        m = re.search(r"listening on https?://[^:]+:(\d+)/", line[0] or "")
        if not m:
            self.proc.kill()
            self.proc.wait()
            raise ServerError("server did not start: %r\n%s" % (line[0], self.log()))
        self.port = int(m.group(1))
        return self

    def log(self):
        if self._stderr is None:
            return ""
        self._stderr.flush()
        with open(self.stderr_path, errors="replace") as f:
            return f.read()

    def stop(self, timeout=60):
        """SIGTERM, wait, and return a list of problems (empty when clean)."""
        problems = []
        if self.proc is None:
            return problems
        if self.proc.poll() is not None:
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
        return "http://127.0.0.1:%d" % self.port

    def request(self, path, method="GET", headers=None, timeout=60):
        """One HTTP/1.1 request; returns (status, headers with lower-case names, body bytes).
        `path` is sent as is (already percent-encoded)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            conn.endheaders()
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
