// viewer.mjs: browser tests of the viewer pages, in Debian's chromium driven
// by playwright-core (installed by scripts/viewer-deps.sh in viewer/).
//
//   node tests/browser/viewer.mjs --binary build/tessera [--root samples]
//
// Starts tessera on a free loopback port, opens each viewer page, waits for
// image tiles to arrive from the Image API, and checks that what the page
// shows is not blank (the screenshot has detail, measured in the page); then
// does the same for a `tessera export` of the samples served by nginx. Prints
// "ok"/"not ok" lines and "# passed N failed M".
import { createRequire } from "node:module";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, "..", "..");
const require = createRequire(path.join(top, "viewer", "package.json"));
const { chromium } = require("playwright-core");

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const binary = path.resolve(opt("--binary", path.join(top, "build", "tessera")));
const root = path.resolve(opt("--root", path.join(top, "samples")));
const chromiumPath = opt("--chromium", process.env.CHROMIUM || "/usr/bin/chromium");

let passed = 0, failed = 0;
function check(cond, what) {
  if (cond) { passed++; console.log("ok " + what); } else { failed++; console.log("not ok " + what); }
  return cond;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on("error", reject);
  });
}

async function startServer(extra = []) {
  const port = await freePort();
  const proc = spawn(binary, ["serve", "--root", root, "--host", "127.0.0.1", "--port", String(port),
                              "--access-log", "off", ...extra], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  proc.stderr.on("data", (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(base + "/health");
      if (r.ok) return { proc, base, log: () => log };
    } catch (e) { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill("SIGKILL");
  throw new Error("tessera did not start: " + log);
}

// How much detail the page shows: the standard deviation of the screenshot's
// pixels, measured in the page itself (no image library needed here).
async function detail(page) {
  const png = (await page.screenshot({ type: "png" })).toString("base64");
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = "data:image/png;base64," + b64;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width; c.height = img.height;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0, sum = 0, sq = 0;
    for (let i = 0; i < d.length; i += 16) { const v = (d[i] + d[i + 1] + d[i + 2]) / 3; n++; sum += v; sq += v * v; }
    const mean = sum / n;
    return Math.sqrt(Math.max(0, sq / n - mean * mean));
  }, png);
}

// Opens `url`, waits until `tiles` image responses matching `pattern` came back 200, then measures detail.
async function view(browser, url, pattern, tiles, name) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  let ok = 0, bad = 0;
  page.on("response", (r) => {
    if (pattern.test(r.url())) { if (r.status() === 200) ok++; else bad++; }
  });
  const resp = await page.goto(url, { waitUntil: "load", timeout: 60000 });
  check(resp && resp.status() === 200, `${name}: the page loads (${resp && resp.status()})`);
  const t0 = Date.now();
  while (ok < tiles && Date.now() - t0 < 60000) await new Promise((r) => setTimeout(r, 200));
  check(ok >= tiles && bad === 0, `${name}: image tiles arrive (${ok} ok, ${bad} failed)`);
  await new Promise((r) => setTimeout(r, 1500)); // let the viewer draw them
  const sd = await detail(page);
  check(sd > 12, `${name}: the page is not blank (pixel deviation ${sd.toFixed(1)})`);
  check(errors.length === 0, `${name}: no script errors ${errors.slice(0, 2).join(" | ")}`);
  await page.close();
}

// nginx serving a directory on `port` (the exported static site)
async function startNginx(dir, port) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-nginx-"));
  const conf = path.join(work, "nginx.conf");
  fs.writeFileSync(conf, `daemon off;
worker_processes 1;
pid ${work}/nginx.pid;
error_log ${work}/error.log;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path ${work}/body; proxy_temp_path ${work}/proxy; fastcgi_temp_path ${work}/fcgi;
  uwsgi_temp_path ${work}/uwsgi; scgi_temp_path ${work}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${dir};
    index index.html;
    add_header Access-Control-Allow-Origin *;
  }
}
`);
  const proc = spawn(process.env.NGINX || "/usr/sbin/nginx", ["-c", conf, "-p", work], { stdio: ["ignore", "ignore", "pipe"] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { const r = await fetch(base + "/index.html"); if (r.ok) return { proc, base, work }; } catch (e) { /* not up */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill("SIGKILL");
  throw new Error("nginx did not start: " + fs.readFileSync(path.join(work, "error.log"), "utf8"));
}

const server = await startServer();
let browser;
try {
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
                                    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  const imageId = "photographs%2Falbum%2Fp4-retina.tif";
  await view(browser, `${server.base}/viewer/image/${imageId}`,
             /\/iiif\/3\/photographs%2Falbum%2Fp4-retina\.tif\/[^/]+\/[^/]+\/0\/default\.jpg$/, 3, "OpenSeadragon on an image");
  await view(browser, `${server.base}/viewer/manifest/photographs/album`,
             /\/iiif\/3\/photographs%2Falbum%2Fp1-astronaut\.jpg\/(info\.json|[^/]+\/[^/]+\/0\/default\.jpg)$/, 2,
             "Mirador on a manifest"); // the first canvas: its info.json, then its pixels (one tile: it is 512 px)
  // the home page links the collections and their viewers
  const page = await browser.newPage();
  await page.goto(server.base + "/", { waitUntil: "load" });
  const links = await page.$$eval("a", (as) => as.map((a) => a.getAttribute("href")));
  check(links.some((h) => h && h.includes("/viewer/manifest/photographs/album")), "home page: a viewer link for the album");
  check(links.some((h) => h && h.includes("/viewer/collection/maps")), "home page: a viewer link for a collection");
  // thumbnails are lazy: wait for them (they are all near the top of the page)
  const loaded = () => page.$$eval("img", (is) => is.filter((i) => i.complete && i.naturalWidth > 0).length);
  let thumbs = 0;
  for (let i = 0; i < 50 && (thumbs = await loaded()) < 3; i++) await new Promise((r) => setTimeout(r, 200));
  check(thumbs >= 3, `home page: thumbnails load (${thumbs})`);
  await page.close();

  // an annotation made through the Web Annotation Protocol reaches Mirador through the manifest
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-browser-data-"));
  const aserver = await startServer(["--data-dir", path.join(data, "d"), "--write-keys", "browser-key"]);
  try {
    const canvas = `${aserver.base}/iiif/presentation/photographs/album/canvas/p1-astronaut.jpg`;
    const note = "an astronaut, seen in the browser";
    const made = await fetch(`${aserver.base}/annotations/photographs/album/`, {
      method: "POST",
      headers: { "Authorization": "Bearer browser-key", "Content-Type": "application/ld+json" },
      body: JSON.stringify({ type: "Annotation", motivation: "commenting", target: `${canvas}#xywh=100,100,200,200`,
                             body: { type: "TextualBody", value: note, format: "text/plain" } }),
    });
    check(made.status === 201, `annotation: created through the protocol (${made.status})`);
    const apage = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    let fetched = 0;
    apage.on("response", (r) => {
      if (r.url().includes("/annotations/photographs/album/?canvas=p1-astronaut.jpg") && r.status() === 200) fetched++;
    });
    await apage.goto(`${aserver.base}/viewer/manifest/photographs/album`, { waitUntil: "load", timeout: 60000 });
    const t0 = Date.now();
    let inMirador = false;
    while (!inMirador && Date.now() - t0 < 30000) {
      await new Promise((r) => setTimeout(r, 300));
      inMirador = await apage.evaluate((text) => {
        const m = window.miradorInstance;
        return !!(m && m.store && JSON.stringify(m.store.getState().annotations || {}).includes(text));
      }, note);
    }
    check(fetched >= 1, `annotation: Mirador fetches the canvas's annotation page (${fetched})`);
    check(inMirador, "annotation: Mirador holds the annotation's text for the canvas");
    await apage.close();
  } finally {
    aserver.proc.kill("SIGINT");
    fs.rmSync(data, { recursive: true, force: true });
  }

  // a static export, served by nginx, in Mirador
  const site = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-site-"));
  fs.chmodSync(site, 0o755); // nginx's workers run as another user
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const ex = spawnSync(binary, ["export", root, site, "--base-url", base], { encoding: "utf8", timeout: 300000 });
  check(ex.status === 0, `tessera export (${ex.status}): ${(ex.stderr || "").slice(-200)}`);
  const nginx = await startNginx(site, port);
  try {
    await view(browser, `${base}/viewer/manifest/photographs/album/index.html`,
               /\/iiif\/3\/photographs~album~p1-astronaut\.jpg\/(info\.json|[^/]+\/[^/]+\/0\/default\.jpg)$/, 2,
               "Mirador on the static export (nginx)");
  } finally {
    nginx.proc.kill("SIGTERM");
    fs.rmSync(site, { recursive: true, force: true });
    fs.rmSync(nginx.work, { recursive: true, force: true });
  }
} catch (e) {
  check(false, "browser run: " + (e && e.stack ? e.stack.split("\n").slice(0, 3).join(" ") : e));
} finally {
  if (browser) await browser.close();
  server.proc.kill("SIGINT");
}
console.log(`# passed ${passed} failed ${failed}`);
process.exit(failed ? 1 : 0);
