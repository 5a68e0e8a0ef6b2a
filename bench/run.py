#!/usr/bin/python3
"""make bench: tessera's throughput and latency against a static-file ceiling.

Everything runs on loopback. Steps:
  1. test images in bench/data/ (bench/make_data.py, cached)
  2. URL lists from the running server's info.json (bench/urls.py) in bench/run/lists/
  3. the ceiling: tessera's answers to the TIFF tile list saved under
     bench/run/static/ and served by nginx at the same paths
  4. rows of wrk load (bench/wrk.lua), each against a freshly started server,
     plus the in-process floor (build/tessera-floor)
  5. a table on stdout and bench/results/latest.json

Settings (environment variable, or the flag):
  BENCH_SECONDS       --seconds      seconds per row (15)
  BENCH_CONNECTIONS   --connections  comma list of connection counts (8,64)
  BENCH_ROWS          --rows         comma list of row names to run (all)
  BENCH_WRK_THREADS   --wrk-threads  wrk threads, at most one per connection (one per core)
  BENCH_TIMEOUT       --timeout      wrk request timeout in seconds (60)
  BENCH_TARGET        --target       base-URL template of another IIIF server, e.g.
                                     http://127.0.0.1:8182/iiif/3/{id} (tessera is then not started)
  BENCH_IDS           --ids          identifiers on that server: tiff=...,jp2=...,htj2k=...,jpeg=...,png=...
  BENCH_TARGET_PID    --target-pid   its process id, for the peak RSS column
See bench/README.md.
"""
import argparse
import datetime
import grp
import http.client
import json
import os
import platform
import pwd
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.dont_write_bytecode = True
sys.path.insert(0, BENCH)
import urls as urllists  # noqa: E402

ROWS = ["static-nginx", "tiles-warm-tiff", "tiles-cold-tiff", "tiles-cold-transcode", "floor-transcode",
        "tiles-cold-jp2", "tiles-cold-htj2k", "tiles-cold-jpeg", "thumbs-tiff", "info-json"]
ROW_LIST = {
    "static-nginx": "tiles-tiff.txt",
    "tiles-warm-tiff": "tiles-tiff.txt",
    "tiles-cold-tiff": "tiles-tiff.txt",
    "tiles-cold-transcode": "tiles-tiff-webp.txt",
    "floor-transcode": "tiles-tiff-webp.txt",
    "tiles-cold-jp2": "tiles-jp2.txt",
    "tiles-cold-htj2k": "tiles-htj2k.txt",
    "tiles-cold-jpeg": "tiles-jpeg.txt",
    "thumbs-tiff": "thumbs-tiff.txt",
    "info-json": "info.txt",
}
ROW_DOC = {
    "static-nginx": "nginx serving tessera's saved tile bytes as files (the ceiling)",
    "tiles-warm-tiff": "TIFF tiles as jpg, response cache on and warmed (cache hits)",
    "tiles-cold-tiff": "TIFF tiles as jpg, response cache off",
    "tiles-cold-transcode": "TIFF tiles as webp, response cache off (decode + encode every tile)",
    "floor-transcode": "the webp tiles in-process on every core, no HTTP (tessera-floor)",
    "tiles-cold-jp2": "JPEG 2000 tiles as jpg, cache off",
    "tiles-cold-htj2k": "HTJ2K tiles as jpg, cache off",
    "tiles-cold-jpeg": "plain JPEG tiles (512 px) as jpg, cache off",
    "thumbs-tiff": "full/!1024,1024 and full/,150 from the TIFF, cache off",
    "info-json": "info.json of every source, cache off",
}

RUN = os.path.join(BENCH, "run")
LISTS = os.path.join(RUN, "lists")
STATIC = os.path.join(RUN, "static")
RESULTS = os.path.join(BENCH, "results")
DATA = os.path.join(BENCH, "data")
CHILDREN = os.path.join(RUN, "children.json")


def log(msg):
    print(f"[bench] {msg}", flush=True)


class Abort(Exception):
    pass


def on_signal(sig, frame):
    raise KeyboardInterrupt(f"signal {sig}")


# ---------------------------------------------------------------- processes

def proc_start_time(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except OSError:
        return None


class Children:
    """The servers this run started, recorded on disk so that a later run can
    stop them if this one was killed before it could (matched by pid and start time)."""

    def __init__(self):
        self.procs = []

    def _save(self):
        with open(CHILDREN, "w") as f:
            json.dump([{"pid": p.pid, "start": proc_start_time(p.pid)} for p in self.procs if p.poll() is None], f)

    def add(self, p):
        self.procs.append(p)
        self._save()

    def stop(self, p, timeout=15):
        """SIGTERM (both servers then stop cleanly), SIGKILL after `timeout` s. Returns seconds taken, or None if killed."""
        t0 = time.monotonic()
        took = 0.0
        if p.poll() is None:
            try:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout)
                took = time.monotonic() - t0
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)  # its own session: the group is ours
                except ProcessLookupError:
                    pass
                p.wait()
                took = None
        # nginx workers belong to the same new session; make sure none is left.
        try:
            os.killpg(p.pid, 0)
            time.sleep(0.2)
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if p in self.procs:
            self.procs.remove(p)
        self._save()
        return took

    def stop_all(self):
        for p in list(self.procs):
            self.stop(p)

    @staticmethod
    def reap_stale():
        try:
            with open(CHILDREN) as f:
                old = json.load(f)
        except (OSError, ValueError):
            return
        for e in old:
            pid = e.get("pid")
            if pid and e.get("start") and proc_start_time(pid) == e["start"]:
                log(f"stopping server {pid} left over from an interrupted run")
                try:
                    os.killpg(pid, signal.SIGTERM)
                    time.sleep(1)
                    os.killpg(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        os.unlink(CHILDREN)


CHILD = Children()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(host, port, path, timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            c = http.client.HTTPConnection(host, port, timeout=5)
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            c.close()
            return r.status
        except OSError:
            time.sleep(0.1)
    raise Abort(f"nothing answers on {host}:{port}")


def vm_hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def descendants(pid):
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


class Tessera:
    def __init__(self, binary, cache_mb, logname):
        self.args = [binary, "serve", "--root", DATA, "--host", "127.0.0.1", "--port", "0", "--access-log", "off"]
        if cache_mb is not None:
            self.args += ["--cache-mb", str(cache_mb)]
        self.logpath = os.path.join(RUN, logname)
        self.p = None
        self.port = None

    def __enter__(self):
        self.log = open(self.logpath, "w")
        self.p = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=self.log, start_new_session=True)
        CHILD.add(self.p)
        end = time.monotonic() + 30
        buf = b""
        while time.monotonic() < end and self.p.poll() is None:
            r, _, _ = select.select([self.p.stdout], [], [], 0.2)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 4096)
                if not chunk:
                    break
                buf += chunk
                m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)/", buf)
                if m:
                    self.port = int(m.group(1))
                    break
        if self.port is None:
            CHILD.stop(self.p)
            self.log.close()
            with open(self.logpath) as f:
                tail = f.read()[-2000:]
            raise Abort(f"tessera did not start ({' '.join(self.args)}):\n{tail}")
        # Keep draining stdout so the server can never block on it.
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _drain(self):
        try:
            while self.p.stdout.read(4096):
                pass
        except (OSError, ValueError):
            pass

    def rss_mb(self):
        kb = vm_hwm_kb(self.p.pid)
        return None if kb is None else kb / 1024

    def alive(self):
        return self.p.poll() is None

    def __exit__(self, *exc):
        self.stop_seconds = CHILD.stop(self.p)
        self.log.close()
        return False


class Nginx:
    def __init__(self, docroot, logname):
        self.docroot = docroot
        self.logname = logname
        self.p = None
        self.port = None

    def config(self):
        cores = os.cpu_count() or 1
        tmp = os.path.join(RUN, "nginx-tmp")
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(tmp, d), exist_ok=True)
        user = ""
        if os.geteuid() == 0:
            # The master runs as root: keep the workers as the same user, not nobody.
            user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
        return f"""# generated by bench/run.py
daemon off;
master_process on;
worker_processes {cores};
pid {RUN}/nginx.pid;
error_log {RUN}/{self.logname} warn;
{user}
events {{
    worker_connections 4096;
}}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    open_file_cache max=20000 inactive=120s;
    open_file_cache_valid 120s;
    types {{
        image/jpeg jpg;
        image/webp webp;
        image/png png;
        application/json json;
    }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{self.port};
        server_name localhost;
        root {self.docroot};
        location / {{
            try_files $uri =404;
        }}
    }}
}}
"""

    def __enter__(self):
        self.port = free_port()
        conf = os.path.join(RUN, "nginx.conf")
        with open(conf, "w") as f:
            f.write(self.config())
        errlog = os.path.join(RUN, self.logname)
        self.out = open(os.path.join(RUN, "nginx-stdout.log"), "w")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.p = subprocess.Popen([nginx, "-p", RUN + "/", "-c", conf, "-e", errlog], stdout=self.out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        CHILD.add(self.p)
        try:
            wait_http("127.0.0.1", self.port, "/")
        except Abort:
            CHILD.stop(self.p)
            with open(errlog) as f:
                raise Abort("nginx did not start:\n" + f.read()[-2000:])
        return self

    def rss_mb(self):
        kbs = [vm_hwm_kb(p) for p in descendants(self.p.pid)]
        kbs = [k for k in kbs if k is not None]
        return sum(kbs) / 1024 if kbs else None

    def alive(self):
        return self.p.poll() is None

    def __exit__(self, *exc):
        CHILD.stop(self.p)
        self.out.close()
        return False


class External:
    """Another server, already running (target mode)."""

    def __init__(self, template, pid):
        u = urllib.parse.urlsplit(template.replace("{id}", "x").replace("{rawid}", "x"))
        self.host, self.port = u.hostname, u.port or 80
        self.pid = pid

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def rss_mb(self):
        kb = vm_hwm_kb(self.pid) if self.pid else None
        return None if kb is None else kb / 1024

    def alive(self):
        return True


# ---------------------------------------------------------------- HTTP helpers

def read_list(path):
    with open(path) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def url_path(u):
    s = urllib.parse.urlsplit(u)
    return s.path + ("?" + s.query if s.query else "")


def first_per_image(urls):
    """The first URL of each image in a list: an image URL less its last four
    parameters, or an info.json URL less /info.json, names the image (in the
    query string when a target's template puts the IIIF path there)."""
    seen, out = set(), []
    for u in urls:
        s = urllib.parse.urlsplit(u)
        tail = s.query or s.path
        key = tail[:-len("/info.json")] if tail.endswith("/info.json") else tail.rsplit("/", 4)[0]
        if key not in seen:
            seen.add(key)
            out.append(u)
    return out


def fetch_all(urls, host, port, workers=4, save_root=None):
    """GETs every URL once over keep-alive connections. Returns (ok, failures, bytes, {server-timing kind: n})."""
    lock = threading.Lock()
    state = {"i": 0, "ok": 0, "bytes": 0, "fail": [], "timing": {}}

    def work():
        conn = None
        while True:
            with lock:
                i = state["i"]
                state["i"] += 1
            if i >= len(urls):
                break
            path = url_path(urls[i])
            for attempt in (1, 2):
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection(host, port, timeout=300)
                    conn.request("GET", path)
                    r = conn.getresponse()
                    body = r.read()
                    break
                except (OSError, http.client.HTTPException) as e:
                    conn = None
                    if attempt == 2:
                        with lock:
                            state["fail"].append(f"{path}: {e}")
                        body = None
            if body is None:
                continue
            kind = (r.getheader("server-timing") or "-").split(";")[0]
            with lock:
                state["timing"][kind] = state["timing"].get(kind, 0) + 1
                if r.status != 200:
                    state["fail"].append(f"{path}: HTTP {r.status}")
                    continue
                state["ok"] += 1
                state["bytes"] += len(body)
            if save_root is not None:
                # nginx maps the percent-decoded URI to a file: store under the decoded path.
                rel = urllib.parse.unquote(urllib.parse.urlsplit(urls[i]).path).lstrip("/")
                if ".." in rel.split("/"):
                    with lock:
                        state["fail"].append(f"{path}: not saved, '..' in the path")
                    continue
                dst = os.path.join(save_root, rel)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                with open(dst, "wb") as f:
                    f.write(body)
        if conn is not None:
            conn.close()

    ts = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for t in ts:
        t.start()
    for t in ts:
        while t.is_alive():
            t.join(0.5)
    return state["ok"], state["fail"], state["bytes"], state["timing"]


# ---------------------------------------------------------------- rows

def run_wrk(cfg, host, port, list_file, conns):
    threads = max(1, min(conns, cfg.wrk_threads))
    cmd = ["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{cfg.seconds}s", "--timeout", f"{cfg.timeout}s",
           "-s", os.path.join(BENCH, "wrk.lua"), f"http://{host}:{port}", "--", list_file, str(conns), str(threads)]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    m = re.search(r"^WRK_RESULT (\{.*\})$", r.stdout, re.M)
    if r.returncode != 0 or not m:
        raise Abort(f"wrk failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout[-2000:]}")
    return json.loads(m.group(1))


def row_from_wrk(name, conns, w, rss):
    sock = w["connect"] + w["read"] + w["write"] + w["timeout"]
    return {
        "name": name,
        "connections": conns,
        "rps": round(w["rps"], 1),
        "p50_ms": round(w["p50_us"] / 1000, 2),
        "p99_ms": round(w["p99_us"] / 1000, 2),
        "errors": w["non200"] + sock,
        "rss_mb": None if rss is None else round(rss, 1),
        "requests": w["requests"],
        "non200": w["non200"],
        "statuses": w["statuses"],
        "socket_errors": {k: w[k] for k in ("connect", "read", "write", "timeout")},
    }


def describe(row):
    extra = ""
    if row.get("statuses"):
        extra = f", statuses {row['statuses']}"
    se = row.get("socket_errors") or {}
    if any(se.values()):
        extra += ", socket errors " + ", ".join(f"{k} {v}" for k, v in se.items() if v)
    return (f"{row['name']} c={row['connections']}: {row['rps']:.1f} rps, p50 {row['p50_ms']} ms, "
            f"p99 {row['p99_ms']} ms, errors {row['errors']}{extra}, rss {row['rss_mb']} MB")


# ---------------------------------------------------------------- main

def machine_info():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError):
        pass
    return {"cores": os.cpu_count(), "cpu": model, "memory_gb": mem, "kernel": platform.release()}


def tool_version(cmd, pattern):
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=20)
        m = re.search(pattern, r.stdout)
        return m.group(1) if m else r.stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return None


def env_or(name, default):
    v = os.environ.get(name, "")
    return v if v != "" else default


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--build", default=env_or("BUILD", "build"), help="Meson build folder (build)")
    ap.add_argument("--seconds", type=float, default=float(env_or("BENCH_SECONDS", "15")))
    ap.add_argument("--connections", default=env_or("BENCH_CONNECTIONS", "8,64"))
    ap.add_argument("--rows", default=env_or("BENCH_ROWS", ",".join(ROWS)))
    ap.add_argument("--wrk-threads", type=int, default=int(env_or("BENCH_WRK_THREADS", str(os.cpu_count() or 1))))
    ap.add_argument("--timeout", type=int, default=int(env_or("BENCH_TIMEOUT", "60")))
    ap.add_argument("--target", default=env_or("BENCH_TARGET", ""))
    ap.add_argument("--ids", default=env_or("BENCH_IDS", ""))
    ap.add_argument("--target-pid", type=int, default=int(env_or("BENCH_TARGET_PID", "0")))
    a = ap.parse_args()
    a.seconds = int(a.seconds) if a.seconds == int(a.seconds) else a.seconds
    a.connections = [int(c) for c in a.connections.split(",") if c.strip()]
    a.rows = [r.strip() for r in a.rows.split(",") if r.strip()]
    bad = [r for r in a.rows if r not in ROWS]
    if bad:
        sys.exit(f"[bench] unknown rows {bad}; rows are {', '.join(ROWS)}")
    if a.target and "{id}" not in a.target and "{rawid}" not in a.target:
        sys.exit("[bench] --target must contain {id} or {rawid}")
    return a


def main():
    cfg = parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    os.makedirs(RUN, exist_ok=True)
    os.makedirs(RESULTS, exist_ok=True)
    Children.reap_stale()
    try:
        return bench(cfg)
    except Abort as e:
        log(f"error: {e}")
        return 1
    except KeyboardInterrupt:
        log("interrupted; stopping servers")
        return 130
    finally:
        CHILD.stop_all()


def bench(cfg):
    t_start = time.monotonic()
    tessera_bin = os.path.join(ROOT, cfg.build, "tessera")
    floor_bin = os.path.join(ROOT, cfg.build, "tessera-floor")
    target = cfg.target.rstrip("/")
    notes = []

    machine = machine_info()
    versions = {
        "tessera": tool_version([tessera_bin, "version"], r"(\d+\.\d+\.\d+\S*)") if not target else None,
        "nginx": tool_version(["nginx", "-v"], r"nginx/(\S+)"),
        "wrk": tool_version(["wrk", "-v"], r"wrk (\S+)"),
        "libvips": tool_version(["vips", "--version"], r"vips-(\S+)"),
    }
    log(f"machine: {machine['cores']} cores, {machine['cpu']}, {machine['memory_gb']} GB RAM, Linux {machine['kernel']}")
    log("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items() if v))

    cache_flag = False
    if not target:
        if not os.access(tessera_bin, os.X_OK):
            raise Abort(f"{tessera_bin} is missing: run make first")
        help_text = subprocess.run([tessera_bin, "help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True).stdout
        cache_flag = "--cache-mb" in help_text
        if not cache_flag:
            notes.append("this tessera has no --cache-mb: tiles-warm-tiff is NOT warm (no response cache); "
                         "every row runs without a cache")
        subprocess.run([sys.executable, os.path.join(BENCH, "make_data.py"), "--out", DATA, "--tessera", tessera_bin],
                       check=True)

    rows_wanted = [r for r in ROWS if r in cfg.rows]
    if target:
        skipped = [r for r in rows_wanted if r in ("tiles-warm-tiff", "floor-transcode")]
        rows_wanted = [r for r in rows_wanted if r not in skipped]
        if skipped:
            notes.append(f"target mode: {', '.join(skipped)} only apply to tessera and were skipped")
        notes.append(f"target mode: {target}; the cold/warm state is whatever that server's caching gives")

    def cold_server(logname):
        if target:
            return External(target, cfg.target_pid)
        return Tessera(tessera_bin, 0 if cache_flag else None, logname)

    # Lists (from the server's own info.json) and the static ceiling (from its own tile bytes).
    shutil.rmtree(LISTS, ignore_errors=True)
    with cold_server("tessera-lists.log") as srv:
        base = target or f"http://127.0.0.1:{srv.port}/iiif/3/{{id}}"
        counts = urllists.make_lists(base, urllists.parse_ids(cfg.ids), LISTS)
        log("lists: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        tiles = read_list(os.path.join(LISTS, ROW_LIST["static-nginx"]))
        if "static-nginx" in rows_wanted and any(urllib.parse.urlsplit(u).query for u in tiles[:1]):
            rows_wanted.remove("static-nginx")
            notes.append("static-nginx skipped: the target's URLs have a query string, which nginx cannot map "
                         "to files")
        if "static-nginx" in rows_wanted:
            shutil.rmtree(STATIC, ignore_errors=True)
            t0 = time.monotonic()
            ok, fail, nbytes, timing = fetch_all(tiles, srv.host if target else "127.0.0.1", srv.port,
                                                 workers=max(2, os.cpu_count() or 1), save_root=STATIC)
            if fail:
                raise Abort(f"{len(fail)} tiles could not be fetched for the ceiling, e.g. {fail[0]}")
            how = ", ".join(f"{k} {v}" for k, v in sorted(timing.items()))
            log(f"ceiling: saved {ok} tiles ({nbytes / 1e6:.1f} MB, {nbytes / max(ok, 1) / 1e3:.1f} kB average) "
                f"in {time.monotonic() - t0:.1f} s; how tessera made them (Server-Timing): {how}")
            notes.append(f"tiles-tiff list: {ok} tiles, {nbytes / max(ok, 1) / 1e3:.1f} kB average; "
                         f"made by the server as (Server-Timing): {how}")

    rows = []

    def record(row):
        rows.append(row)
        log(describe(row))

    for name in rows_wanted:
        list_file = os.path.join(LISTS, ROW_LIST[name])
        urls = read_list(list_file)
        if name == "floor-transcode":
            if not os.access(floor_bin, os.X_OK):
                notes.append("floor-transcode skipped: build/tessera-floor is missing")
                continue
            cmd = [floor_bin, list_file, "--seconds", str(cfg.seconds), "--root", DATA]
            log(f"{name}: {' '.join(cmd[1:])}")
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            m = re.search(r"^FLOOR_RESULT (\{.*\})$", r.stdout, re.M)
            if not m:
                raise Abort(f"tessera-floor failed ({r.returncode}):\n{r.stdout[-2000:]}")
            for line in r.stdout.splitlines():
                if "first error" in line:
                    notes.append(f"floor-transcode: {line}")
            f = json.loads(m.group(1))
            record({"name": name, "connections": f["threads"], "rps": round(f["rps"], 1),
                    "p50_ms": round(f["p50_ms"], 2), "p99_ms": round(f["p99_ms"], 2), "errors": f["errors"],
                    "rss_mb": f["rss_mb"], "requests": f["requests"], "threads": f["threads"]})
            continue
        for conns in cfg.connections:
            logname = f"{'nginx' if name == 'static-nginx' else 'tessera'}-{name}-c{conns}.log"
            if name == "static-nginx":
                server = Nginx(STATIC, logname)
            elif name == "tiles-warm-tiff" and not target:
                server = Tessera(tessera_bin, 1024 if cache_flag else None, logname)
            else:
                server = cold_server(logname)
            with server as srv:
                host = "127.0.0.1" if not isinstance(srv, External) else srv.host
                status = wait_http(host, srv.port, url_path(urls[0]), timeout=120)
                if status != 200:
                    log(f"warning: {name}: {urls[0]} answers {status}")
                if name != "static-nginx":
                    # one request per image first: what a running server learnt long ago
                    # (its header, pyramid, tile index) is not what a row measures
                    fetch_all(first_per_image(urls), host, srv.port, workers=1)
                if name == "tiles-warm-tiff":
                    t0 = time.monotonic()
                    ok, fail, _, _ = fetch_all(urls, host, srv.port, workers=max(2, os.cpu_count() or 1))
                    _, _, _, timing = fetch_all(urls[:200], host, srv.port, workers=1)
                    how = ", ".join(f"{k} {v}" for k, v in sorted(timing.items()))
                    log(f"warmed with {ok} requests in {time.monotonic() - t0:.1f} s; "
                        f"200 of them again: {how}")
                    note_once(notes, "warm", f"tiles-warm-tiff: after warming, 200 of its requests were answered "
                                             f"as (Server-Timing): {how}")
                w = run_wrk(cfg, host, srv.port, list_file, conns)
                rss = srv.rss_mb()
                if not srv.alive():
                    notes.append(f"{name} c={conns}: the server exited during the row (see bench/run/{logname})")
                row = row_from_wrk(name, conns, w, rss)
                record(row)
                if row["p99_ms"] >= 800 * cfg.seconds:
                    notes.append(f"{name} c={conns}: p99 is close to the row's length; requests still waiting "
                                 f"when it ended are not counted, so the true tail is longer")
            took = getattr(server, "stop_seconds", 0.0)
            if took is None:
                notes.append(f"{name} c={conns}: tessera did not stop within 15 s of SIGTERM and was killed")
            elif took > 2:
                notes.append(f"{name} c={conns}: tessera took {took:.1f} s to stop after the row (finishing "
                             f"requests whose clients had gone)")

    report(cfg, machine, versions, rows, notes, cache_flag, target, time.monotonic() - t_start)
    return 0


def note_once(notes, key, text):
    tag = f"[{key}] "
    if not any(n.startswith(tag) for n in notes):
        notes.append(tag + text)


def ratio_for(row, by_key):
    if row["name"] == "static-nginx":
        return 1.0, "static-nginx"
    if row["name"] == "tiles-cold-transcode":
        f = by_key.get("floor-transcode")
        return (row["rps"] / f["rps"], "floor-transcode") if f and f["rps"] else (None, "floor-transcode")
    if row["name"] == "floor-transcode":
        return None, None
    ceil = by_key.get(("static-nginx", row["connections"]))
    return (row["rps"] / ceil["rps"], "static-nginx") if ceil and ceil["rps"] else (None, "static-nginx")


def report(cfg, machine, versions, rows, notes, cache_flag, target, elapsed):
    by_key = {}
    for r in rows:
        by_key[(r["name"], r["connections"])] = r
        if r["name"] == "floor-transcode":
            by_key["floor-transcode"] = r
    for r in rows:
        ratio, to = ratio_for(r, by_key)
        r["ratio"] = None if ratio is None else round(ratio, 4)
        r["ratio_to"] = to

    def fmt(v, spec):
        return "-" if v is None else format(v, spec)

    print()
    print(f"machine:  {machine['cores']} cores, {machine['cpu']}, {machine['memory_gb']} GB RAM, "
          f"Linux {machine['kernel']}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items() if v))
    if target:
        server = f"target {target}"
    elif cache_flag:
        server = "tessera --cache-mb 0 (cold rows), --cache-mb 1024 (warm row)"
    else:
        server = "tessera without a response cache (no --cache-mb): the warm row is not warm"
    print(f"settings: {cfg.seconds} s per row, wrk threads <= {cfg.wrk_threads}, timeout {cfg.timeout} s, {server}")
    print()
    head = f"{'name':<22}{'conns':>6}{'rps':>11}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}{'rss MB':>9}   ratio"
    print(head)
    print("-" * (len(head) + 20))
    for r in rows:
        conns = f"{r['connections']}" + ("t" if r["name"] == "floor-transcode" else "")
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.3f} of {r['ratio_to']}"
        if r["name"] == "static-nginx":
            ratio = "1 (ceiling)"
        print(f"{r['name']:<22}{conns:>6}{fmt(r['rps'], '.1f'):>11}{fmt(r['p50_ms'], '.2f'):>10}"
              f"{fmt(r['p99_ms'], '.2f'):>10}{r['errors']:>8}{fmt(r['rss_mb'], '.1f'):>9}   {ratio}")
    print()
    print("conns: wrk connections; for floor-transcode (t), threads of tessera-floor. errors: non-200 responses "
          "plus socket errors. rss: peak resident memory (VmHWM) of the server during the row.")
    for name in ROWS:
        if any(r["name"] == name for r in rows):
            print(f"  {name:<22}{ROW_DOC[name]}")
    for n in notes:
        print("note: " + re.sub(r"^\[\w+\] ", "", n))
    print(f"total time {elapsed:.0f} s")

    out = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine,
        "versions": versions,
        "settings": {"seconds": cfg.seconds, "connections": cfg.connections, "wrk_threads": cfg.wrk_threads,
                     "timeout_s": cfg.timeout, "cache_flag": cache_flag, "target": target or None},
        "notes": [re.sub(r"^\[\w+\] ", "", n) for n in notes],
        "rows": rows,
    }
    path = os.path.join(RESULTS, "latest.json")
    with open(path + ".tmp", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    shutil.copyfile(path, os.path.join(RESULTS, f"bench-{stamp}.json"))
    print(f"results: {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
