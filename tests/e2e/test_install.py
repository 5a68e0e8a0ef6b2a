"""An installed binary depends on no source tree: `meson install` (what
`make install` runs) into a DESTDIR puts the binary in PREFIX/bin and the
samples and viewer assets in PREFIX/share/tessera, and the installed
binary serves them from there (found next to itself, so a moved prefix
works too). A binary copied on its own finds no samples and says where it
looked, serves any --root, and answers 503 for the viewer pages."""
import os
import re
import shutil
import subprocess
import tempfile

import harness


def _install(binary):
    dest = tempfile.mkdtemp(prefix="tessera-install-")
    build = os.path.dirname(os.path.abspath(binary))
    p = subprocess.run(["meson", "install", "-C", build, "--destdir", dest, "--no-rebuild", "--quiet"],
                       capture_output=True, text=True, timeout=300)
    return dest, p


def test_installed_binary(srv, t):
    dest, p = _install(srv.binary)
    try:
        if not t.check(p.returncode == 0, "meson install: %s" % (p.stderr or p.stdout)[-400:]):
            return
        bins = [os.path.join(d, f) for d, _, fs in os.walk(dest) for f in fs if f == "tessera" and "/bin" in d]
        if not t.check(len(bins) == 1, "one installed binary: %r" % bins):
            return
        binary = bins[0]
        share = os.path.normpath(os.path.join(os.path.dirname(binary), "..", "share", "tessera"))
        t.check(os.path.isfile(os.path.join(share, "samples", "collection.yml")), "the samples are installed")
        t.check(os.path.isfile(os.path.join(share, "viewer", "mirador", "package.json")), "the viewer assets are")
        # moved: the whole prefix somewhere else still works (files found next to the binary)
        moved = os.path.join(dest, "moved")
        shutil.copytree(os.path.dirname(os.path.dirname(binary)), moved, symlinks=True)
        mbin = os.path.join(moved, "bin", "tessera")
        for b, where in ((binary, share), (mbin, os.path.join(moved, "share", "tessera"))):
            s = harness.Server(b, "", sanitized=srv.sanitized)
            s.args = []
            s.root = None
            _start_without_root(s)
            try:
                m = re.search(r"serving (\S+) on ", s.log())
                t.eq(m.group(1) if m else None, os.path.join(where, "samples"),
                     "%s serves the samples installed beside it, not the source tree's" % b)
                st, h, body = s.get("/iiif/presentation/collection")
                t.eq(st, 200, "the samples' collection")
                st, h, body = s.get("/viewer/collection")
                t.eq(st, 200, "a viewer page")
                m = re.search(rb'src="https?://[^/"]+(/viewer/assets/mirador-[^"]+)"', body)
                if t.check(m is not None, "the page loads Mirador from the installed assets"):
                    st, h, js = s.get(m.group(1).decode())
                    t.check(st == 200 and len(js) > 100000, "the Mirador asset: %s, %d bytes" % (st, len(js)))
            finally:
                problems = s.stop()
                t.check(not problems, "installed server: %s" % problems)
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def _start_without_root(s):
    """Starts `s` with no --root: harness.Server always passes one, so build the command here."""
    import threading
    fd, s.stderr_path = tempfile.mkstemp(prefix="tessera-e2e-", suffix=".log")
    s._stderr = os.fdopen(fd, "w+")
    env = harness.server_env(s.sanitized)
    s.proc = subprocess.Popen([s.binary, "serve", "--host", "127.0.0.1", "--port", "0"], stdout=subprocess.PIPE,
                              stderr=s._stderr, env=env, text=True)
    line = [None]
    th = threading.Thread(target=lambda: line.__setitem__(0, s.proc.stdout.readline()), daemon=True)
    th.start()
    th.join(30)
    m = re.search(r"listening on (https?)://[^:]+:(\d+)/", line[0] or "")
    if not m:
        s.proc.kill()
        raise harness.ServerError("installed server did not start: %s" % s.log())
    s.port = int(m.group(2))


def test_copied_binary_stands_alone(srv, t):
    tmp = tempfile.mkdtemp(prefix="tessera-copied-")
    try:
        b = os.path.join(tmp, "tessera")
        shutil.copy(srv.binary, b)
        p = subprocess.run([b, "serve", "--port", "0"], capture_output=True, text=True, timeout=30)
        t.eq(p.returncode, 2, "no samples next to a lone binary: exit 2")
        t.check("give --root" in p.stderr and tmp in p.stderr, "it says so, and where it looked: %r" % p.stderr)
        s = harness.Server(b, srv.root, sanitized=srv.sanitized).start()
        try:
            st, h, body = s.get("/iiif/3/%s/info.json" % harness.VID)
            t.eq(st, 200, "with --root it serves")
            st, h, body = s.get("/viewer/collection")
            t.eq(st, 503, "no viewer assets: the viewer pages say so")
        finally:
            problems = s.stop()
            t.check(not problems, "copied server: %s" % problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
