"""The tessera command outside `serve`: info, help, version, and how it
fails on bad arguments (exit status and a message, never a crash)."""
import json
import os
import subprocess
import tempfile

import fixtures
from harness import VID


def run(srv, *args, env=None):
    e = dict(os.environ)
    # sanitized binaries: the suppressions the harness uses for the server
    supp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lsan.supp")
    e.setdefault("LSAN_OPTIONS", "suppressions=%s:print_suppressions=0" % os.path.normpath(supp))
    if env:
        e.update(env)
    p = subprocess.run([srv.binary] + list(args), capture_output=True, text=True, env=e, timeout=120)
    return p.returncode, p.stdout, p.stderr


def clean(t, err, label):
    for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
        t.check(marker not in err, "%s: sanitizer report:\n%s" % (label, err[-3000:]))


def test_info_prints_iiif3(srv, t):
    root = fixtures.build()
    cases = [
        ("grid/tiff-jpeg.tif", 1000, 1000, 256),
        ("grid/jp2-tiled.jp2", 1000, 1000, 256),
        ("grid/jpeg.jpg", 1000, 1000, 512),
        ("odd/pyramid.tif", 999, 767, 256),
        ("kinds/oriented.jpg", 1000, 1000, 512),
    ]
    for rel, w, h, tile in cases:
        rc, out, err = run(srv, "info", os.path.join(root, rel))
        clean(t, err, rel)
        if not t.eq(rc, 0, "%s: exit status (stderr %r)" % (rel, err[-300:])):
            continue
        info = json.loads(out)
        t.eq(list(info)[0], "@context", rel + ": first key")
        t.eq(info.get("@context"), "http://iiif.io/api/image/3/context.json", rel + ": context")
        t.eq(info.get("type"), "ImageService3", rel + ": type")
        t.eq((info.get("width"), info.get("height")), (w, h), rel + ": size")
        t.eq(info.get("tiles", [{}])[0].get("width"), tile, rel + ": tile width")
        t.check(info.get("id", "").endswith("/iiif/3/" + os.path.basename(rel)), rel + ": id %r" % info.get("id"))


def test_info_id_and_settings(srv, t):
    png = os.path.join(fixtures.build(), VID + ".png")
    rc, out, err = run(srv, "info", png, "--id", "https://example.org/iiif/3/x", "--max-width", "600")
    clean(t, err, "info --id")
    t.eq(rc, 0, "info --id: exit status")
    info = json.loads(out) if rc == 0 else {}
    t.eq(info.get("id"), "https://example.org/iiif/3/x", "--id is used as is")
    t.eq(info.get("maxWidth"), 600, "settings apply to info")
    t.check(all(s["width"] <= 600 for s in info.get("sizes", [])), "sizes within --max-width")
    rc, out, err = run(srv, "info", png, env={"TESSERA_BASE_URL": "https://img.example.org/base/"})
    info = json.loads(out) if rc == 0 else {}
    t.eq(info.get("id"), "https://img.example.org/base/iiif/3/%s.png" % VID, "base_url from the environment")


def test_info_nested_ids(srv, t):
    """A nested file's id is its path under the root, as the server gives it: --root says which
    root, else the current folder when the file is in it."""
    root = fixtures.build()
    f = os.path.join(root, "grid", "tiff-jpeg.tif")
    want = "/iiif/3/grid%2Ftiff-jpeg.tif"
    rc, out, err = run(srv, "info", f, "--root", root)
    clean(t, err, "info --root")
    t.check(rc == 0 and json.loads(out).get("id", "").endswith(want), "--root: %s %r" % (rc, out[:200]))
    p = subprocess.run([srv.binary, "info", os.path.join("grid", "tiff-jpeg.tif")], cwd=root, capture_output=True,
                       text=True, timeout=60)
    t.check(p.returncode == 0 and json.loads(p.stdout).get("id", "").endswith(want),
            "from the root's folder: %s %r" % (p.returncode, p.stdout[:200]))
    rc, out, err = run(srv, "info", f, "--root", os.path.join(root, "kinds"))
    t.check(rc == 2 and "not under the root" in err, "a file outside --root: %s %r" % (rc, err))


def test_info_errors(srv, t):
    root = fixtures.build()
    with tempfile.TemporaryDirectory() as d:
        txt = os.path.join(d, "notes.jpg")
        with open(txt, "w") as f:
            f.write("not a jpeg\n")
        for args, label in [
            (["info", txt], "a text file"),
            (["info", os.path.join(d, "missing.tif")], "a missing file"),
            (["info", os.path.join(root, "bad", "empty.png")], "an empty file"),
        ]:
            rc, out, err = run(srv, *args)
            clean(t, err, label)
            t.eq(rc, 1, label + ": exit status")
            t.eq(out, "", label + ": nothing on stdout")
            t.check(err.startswith("tessera: ") and "\n" in err, label + ": a message on stderr: %r" % err[-300:])
    rc, out, err = run(srv, "info")
    t.eq(rc, 2, "info without a file: exit status")
    t.check("usage" in err, "info without a file says how to use it: %r" % err)


def test_help_version_and_bad_arguments(srv, t):
    rc, out, err = run(srv, "version")
    t.eq(rc, 0, "version")
    t.check(out.startswith("tessera "), "version output %r" % out)
    rc, out, err = run(srv, "help")
    t.eq(rc, 0, "help")
    for flag in ("--root", "--port", "--max-width", "--base-url", "--tls-cert", "--confined-size-strict"):
        t.check(flag in out, "help lists %s" % flag)
    rc, out, err = run(srv, "serve", "--help")
    t.eq(rc, 0, "serve --help")
    t.check("--threads" in out, "serve --help lists the settings")
    for args, want, text in [
        ([], 2, "usage"),
        (["frobnicate"], 2, "unknown command"),
        (["serve", "--no-such-flag"], 2, "unknown option"),
        (["serve", "--port", "99999"], 2, "out of range"),
        (["serve", "--port"], 2, "needs a value"),
        (["serve", "--config", "/nonexistent/tessera.conf"], 2, "/nonexistent/tessera.conf"),
        (["serve", "--root", "/nonexistent/images", "--port", "0"], 1, "/nonexistent/images"),
        (["serve", "--tls-cert", "/nonexistent.pem", "--port", "0"], 1, "tls"),
        (["serve", "--log-level", "chatty", "--port", "0"], 2, "log_level"),
    ]:
        rc, out, err = run(srv, *args)
        clean(t, err, " ".join(args))
        t.eq(rc, want, "%s: exit status (stderr %r)" % (" ".join(args) or "no arguments", err[-200:]))
        t.check(text.lower() in err.lower(), "%s: message mentions %r: %r" % (" ".join(args), text, err[-300:]))
    rc, out, err = run(srv, "serve", "--port", "0", env={"TESSERA_NO_SUCH_SETTING": "1"})
    t.eq(rc, 2, "unknown TESSERA_ variable: exit status")
    t.check("TESSERA_NO_SUCH_SETTING" in err, "unknown TESSERA_ variable is named: %r" % err)


def test_port_in_use(srv, t):
    rc, out, err = run(srv, "serve", "--root", fixtures.build(), "--host", "127.0.0.1", "--port", str(srv.port))
    clean(t, err, "port in use")
    t.eq(rc, 1, "a second server on a busy port: exit status")
    t.check("cannot listen" in err, "busy port message: %r" % err[-300:])
