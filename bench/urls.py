#!/usr/bin/python3
"""Writes the benchmark's URL lists for any IIIF Image API 3.0 server.

For every source image it fetches info.json from the server and lists every
tile of the advertised grid at every scale factor, with region and size
computed as in the Image API 3.0 implementation notes, shuffled with a fixed
seed. It also writes thumbnail lists and an info.json list. One full URL per
line, so the lists work with wrk (bench/wrk.lua), curl or any other client.

The server is named by a base-URL template in which {id} stands for the
percent-encoded identifier (and {rawid} for it as is):

  urls.py --base 'http://127.0.0.1:8182/iiif/3/{id}' --out bench/run/lists
  urls.py --base 'http://localhost:8182/iiif/3/{id}' --ids tiff=bench.tif,jp2=images%2Fbench.jp2

Lists written (SOURCE is tiff, jp2, htj2k, jpeg, png):
  tiles-SOURCE.txt         the tile grid as jpg
  tiles-SOURCE-webp.txt    the same tiles as webp (transcoding)
  thumbs-SOURCE.txt        full/!1024,1024/0/default.jpg and full/,150/0/default.jpg
  info.txt                 info.json of every source
"""
import argparse
import json
import os
import random
import sys
import urllib.parse
import urllib.request

# Source name -> identifier served by tessera from bench/data (see make_data.py).
DEFAULT_IDS = {
    "tiff": "bench.tif",
    "jp2": "bench.jp2",
    "htj2k": "bench.jph",
    "jpeg": "bench.jpg",
    "png": "bench.png",
}
SEED = 1234
THUMB_SIZES = ["!1024,1024", ",150"]


def image_base(template, ident):
    return template.replace("{id}", urllib.parse.quote(ident, safe="")).replace("{rawid}", ident)


def fetch_info(url, timeout=60):
    req = urllib.request.Request(url, headers={"Accept": "application/ld+json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.load(r)


def tile_params(info):
    """(region, size) of every tile of info.json's grid, per the 3.0 implementation notes."""
    width, height = info["width"], info["height"]
    out = []
    for t in info.get("tiles", []):
        tw = t["width"]
        th = t.get("height", tw)
        for s in t.get("scaleFactors", [1]):
            for y in range(0, (height + th * s - 1) // (th * s)):
                for x in range(0, (width + tw * s - 1) // (tw * s)):
                    xr, yr = x * tw * s, y * th * s
                    wr, hr = tw * s, th * s
                    if xr + wr > width:
                        wr = width - xr
                    if yr + hr > height:
                        hr = height - yr
                    ws = (wr + s - 1) // s
                    hs = (hr + s - 1) // s
                    out.append((f"{xr},{yr},{wr},{hr}", f"{ws},{hs}"))
    return out


def write_list(path, urls):
    with open(path, "w") as f:
        for u in urls:
            f.write(u + "\n")


def make_lists(template, ids, out_dir, seed=SEED):
    """Writes every list into out_dir; returns {list name: number of URLs}."""
    os.makedirs(out_dir, exist_ok=True)
    counts = {}
    info_urls = []
    for name, ident in ids.items():
        base = image_base(template, ident)
        info_url = base + "/info.json"
        info_urls.append(info_url)
        info = fetch_info(info_url)
        params = tile_params(info)
        if not params:
            raise SystemExit(f"[urls] {info_url} advertises no tiles")
        rng = random.Random(f"{seed}:{name}")
        rng.shuffle(params)
        tiles = [f"{base}/{r}/{s}/0/default.jpg" for r, s in params]
        for fmt, suffix in (("jpg", ""), ("webp", "-webp")):
            lst = [u[: -len("jpg")] + fmt for u in tiles]
            fn = f"tiles-{name}{suffix}.txt"
            write_list(os.path.join(out_dir, fn), lst)
            counts[fn] = len(lst)
        thumbs = [f"{base}/full/{s}/0/default.jpg" for s in THUMB_SIZES]
        fn = f"thumbs-{name}.txt"
        write_list(os.path.join(out_dir, fn), thumbs)
        counts[fn] = len(thumbs)
    write_list(os.path.join(out_dir, "info.txt"), info_urls)
    counts["info.txt"] = len(info_urls)
    return counts


def parse_ids(text):
    ids = dict(DEFAULT_IDS)
    if text:
        chosen = {}
        for part in text.split(","):
            if "=" not in part:
                raise SystemExit(f"[urls] --ids wants name=identifier pairs, got {part!r}")
            k, v = part.split("=", 1)
            chosen[k.strip()] = urllib.parse.unquote(v.strip())
        ids = chosen
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--base", required=True, help="base-URL template with {id}, e.g. http://127.0.0.1:8182/iiif/3/{id}")
    ap.add_argument("--ids", default="", help="name=identifier,... (default: " +
                    ",".join(f"{k}={v}" for k, v in DEFAULT_IDS.items()) + ")")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "run", "lists"))
    ap.add_argument("--seed", type=int, default=SEED)
    a = ap.parse_args()
    if "{id}" not in a.base and "{rawid}" not in a.base:
        sys.exit("[urls] --base must contain {id} or {rawid}")
    counts = make_lists(a.base.rstrip("/"), parse_ids(a.ids), a.out, a.seed)
    for fn, n in sorted(counts.items()):
        print(f"{os.path.join(a.out, fn)}: {n} URLs")


if __name__ == "__main__":
    main()
