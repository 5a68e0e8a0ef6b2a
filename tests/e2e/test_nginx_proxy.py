"""The README's nginx example, in a real nginx in front of this server
(started with --trusted-proxies 127.0.0.1 as the README says): ids are
built from what nginx sets, and forwarding headers a client sends to nginx
(X-Forwarded-Host, Forwarded, X-Forwarded-Prefix, X-Forwarded-Proto) never
reach them. The location block is read from README.md, so the two cannot
drift apart."""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

SERVER_ARGS = ["--trusted-proxies", "127.0.0.1"]
HERE = os.path.dirname(os.path.abspath(__file__))
README = os.path.normpath(os.path.join(HERE, "..", "..", "README.md"))
VID = "67352ccc-d1b0-11e1-89ae-279075081939"


def _readme_block():
    text = open(README, encoding="utf-8").read()
    m = re.search(r"test_nginx_proxy\.py runs this block.*?```nginx\n(.*?)```", text, re.S)
    return m.group(1)


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _nginx(srv):
    work = tempfile.mkdtemp(prefix="tessera-nginx-proxy-")
    port = _free_port()
    block = _readme_block().replace("127.0.0.1:8182", "127.0.0.1:%d" % srv.port)
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write("""daemon off;
worker_processes 1;
pid %(w)s/nginx.pid;
error_log %(w)s/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path %(w)s/body; proxy_temp_path %(w)s/proxy; fastcgi_temp_path %(w)s/fcgi;
  uwsgi_temp_path %(w)s/uwsgi; scgi_temp_path %(w)s/scgi;
  server {
    listen 127.0.0.1:%(p)d;
%(block)s
  }
}
""" % {"w": work, "p": port, "block": block})
    proc = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", conf, "-p", work],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/images/health" % port, timeout=2).read()
            return proc, port, work
        except Exception:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("nginx did not start: " + open(os.path.join(work, "error.log")).read())


def test_readme_nginx_example(srv, t):
    proc, port, work = _nginx(srv)
    try:
        want = "http://127.0.0.1:%d/images/iiif/3/%s" % (port, VID)
        forged = [{}, {"X-Forwarded-Host": "evil.example"}, {"Forwarded": "host=evil.example;proto=https"},
                  {"X-Forwarded-Prefix": "/evil", "X-Forwarded-Proto": "https", "X-Forwarded-Port": "9999"}]
        for headers in forged:
            req = urllib.request.Request("http://127.0.0.1:%d/images/iiif/3/%s/info.json" % (port, VID),
                                         headers=headers)
            with urllib.request.urlopen(req, timeout=10) as r:
                info = json.loads(r.read())
            t.eq(info.get("id"), want, "id through nginx with %r" % (headers,))
        req = urllib.request.Request("http://127.0.0.1:%d/images/iiif/presentation/collection" % port,
                                     headers={"X-Forwarded-Host": "evil.example"})
        with urllib.request.urlopen(req, timeout=10) as r:
            doc = json.loads(r.read())
        t.check(doc["id"].startswith("http://127.0.0.1:%d/images/iiif/presentation/" % port),
                "collection id through nginx: %s" % doc["id"])
        # and straight to tessera (a peer it trusts), the same headers do count
        st, h, body = srv.get("/iiif/3/%s/info.json" % VID, {"X-Forwarded-Host": "direct.example"})
        t.check(b"http://direct.example/iiif/3/" in body, "the trusted peer's own headers are used")
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)
