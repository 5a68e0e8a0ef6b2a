#!/usr/bin/python3
"""Makes the benchmark's test images in bench/data/.

One large (default 12000x9000) natural-looking picture, a collage of public
domain and CC0 photographs and textures shipped in Debian's python3-skimage,
upscaled, with mild noise, saved in every source format the bench reads:

  bench.tif   pyramidal tiled TIFF, JPEG Q90, 256-px tiles (libvips)
  bench.jp2   JPEG 2000 as `tessera convert` writes it: 512-px tiles, RPCL, 64x64
              code-blocks, PLT and TLM markers, quality 90
  bench.jph   HTJ2K as `tessera convert --format htj2k` writes it: 512-px tiles, RPCL,
              64x64 code-blocks, quality 90
  bench.jpg   baseline JPEG Q90 (libvips)
  bench.png   PNG (libvips)

The result is cached: a stamp file holds a hash of this script and its
parameters, and nothing is redone while it matches and every file is there.

usage: make_data.py --tessera BIN [--out DIR] [--width W] [--height H] [--force]
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
from PIL import Image

SKIMAGE_DATA = "/usr/lib/python3/dist-packages/skimage/data"

# The pictures used, with the origin and licence stated by skimage/data/_fetchers.py.
# kind: "photo" is cropped to cover a cell; "texture" is tiled (mirrored) and tinted.
SOURCES = [
    ("astronaut.png", "photo", "NASA Great Images database; no known copyright restrictions, public domain"),
    ("coffee.png", "photo", "CC0, photographer Rachel Michetti"),
    ("chelsea.png", "photo", "CC0, photographer Stefan van der Walt"),
    ("rocket.jpg", "photo", "SpaceX, released into the public domain"),
    ("hubble_deep_field.jpg", "photo", "NASA, public domain"),
    ("retina.jpg", "photo", "Wikimedia Commons, CC0 1.0 (Mikael Haggstrom)"),
    ("camera.png", "photo", "CC0, photographer Lav Varshney"),
    ("grass.png", "texture", "DeviantArt (linolafett), CC0"),
    ("gravel.png", "texture", "CC0Textures Gravel04, CC0"),
    ("brick.png", "texture", "CC0Textures Bricks25, CC0"),
]
TINTS = [(0.55, 0.85, 0.45), (0.95, 0.88, 0.75), (0.95, 0.62, 0.50)]  # green, sand, red-brown

FILES = ["bench.tif", "bench.jp2", "bench.jph", "bench.jpg", "bench.png"]
SEED = 20240611
NOISE_SIGMA = 3.0
STAMP = ".stamp.json"


def log(msg):
    print(f"[data] {msg}", flush=True)


def run(cmd):
    t = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout)
        raise SystemExit(f"[data] failed ({r.returncode}): {' '.join(cmd)}")
    return time.monotonic() - t


def load_rgb(name, kind, tint):
    im = Image.open(os.path.join(SKIMAGE_DATA, name))
    if kind == "texture":
        grey = np.asarray(im.convert("L"), dtype=np.float32)
        rgb = np.stack([grey * t for t in tint], axis=-1)
        return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
    return im.convert("RGB")


def split(rng, x, y, w, h, min_area, out):
    """Cuts a rectangle in two along its longer side until the pieces are small."""
    if w * h <= min_area or min(w, h) < 1400:
        out.append((x, y, w, h))
        return
    f = rng.uniform(0.35, 0.65)
    if w >= h:
        a = int(w * f)
        split(rng, x, y, a, h, min_area, out)
        split(rng, x + a, y, w - a, h, min_area, out)
    else:
        a = int(h * f)
        split(rng, x, y, w, a, min_area, out)
        split(rng, x, y + a, w, h - a, min_area, out)


def fill_photo(rng, im, w, h):
    sw, sh = im.size
    s = max(w / sw, h / sh) * rng.uniform(1.0, 1.3)
    nw, nh = max(w, int(round(sw * s))), max(h, int(round(sh * s)))
    big = im.resize((nw, nh), Image.BICUBIC)
    x0, y0 = int(rng.integers(0, nw - w + 1)), int(rng.integers(0, nh - h + 1))
    a = np.asarray(big)[y0:y0 + h, x0:x0 + w]
    return a[:, ::-1] if rng.random() < 0.5 else a


def fill_texture(rng, im, w, h):
    s = rng.uniform(1.0, 2.0)
    sw, sh = im.size
    a = np.asarray(im.resize((int(sw * s), int(sh * s)), Image.BICUBIC))
    # Mirror-tile so the seams do not show.
    a = np.concatenate([a, a[:, ::-1]], axis=1)
    a = np.concatenate([a, a[::-1]], axis=0)
    reps = (h // a.shape[0] + 2, w // a.shape[1] + 2, 1)
    t = np.tile(a, reps)
    y0, x0 = int(rng.integers(0, a.shape[0])), int(rng.integers(0, a.shape[1]))
    return t[y0:y0 + h, x0:x0 + w]


def make_master(path, width, height):
    """The collage, with noise, written as a binary PPM (read by vips and every J2K encoder)."""
    rng = np.random.default_rng(SEED)
    canvas = np.empty((height, width, 3), dtype=np.uint8)
    cells = []
    split(rng, 0, 0, width, height, 2_600_000 * (width * height) / (12000 * 9000), cells)
    pics = []
    for i, (name, kind, _) in enumerate(SOURCES):
        pics.append((kind, load_rgb(name, kind, TINTS[i % len(TINTS)])))
    order = rng.permutation(len(cells))
    for k, ci in enumerate(order):
        x, y, w, h = cells[ci]
        kind, im = pics[k % len(pics)]
        canvas[y:y + h, x:x + w] = fill_photo(rng, im, w, h) if kind == "photo" else fill_texture(rng, im, w, h)
    # Mild noise, in strips to bound memory.
    strip = 512
    for y in range(0, height, strip):
        part = canvas[y:y + strip]
        noise = rng.normal(0.0, NOISE_SIGMA, size=part.shape).astype(np.float32)
        np.clip(part.astype(np.float32) + noise, 0, 255, out=noise)
        part[...] = noise.astype(np.uint8)
    with open(path, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (width, height))
        f.write(memoryview(canvas).cast("B"))
    return len(cells)


def encoders(master, out, tessera):
    return [
        ("bench.tif", ["vips", "tiffsave", master, os.path.join(out, "bench.tif"), "--tile", "--pyramid",
                       "--compression", "jpeg", "--Q", "90", "--tile-width", "256", "--tile-height", "256"]),
        # JPEG 2000 and HTJ2K laid out for tile access, as tessera prepares them
        ("bench.jp2", [tessera, "convert", master, os.path.join(out, "bench.jp2"), "--quality", "90"]),
        ("bench.jph", [tessera, "convert", master, os.path.join(out, "bench.jph"), "--quality", "90"]),
        ("bench.jpg", ["vips", "jpegsave", master, os.path.join(out, "bench.jpg"), "--Q", "90"]),
        ("bench.png", ["vips", "pngsave", master, os.path.join(out, "bench.png"), "--compression", "6"]),
    ]


def stamp_of(width, height):
    h = hashlib.sha256()
    with open(os.path.abspath(__file__), "rb") as f:
        h.update(f.read())
    h.update(f"{width}x{height}".encode())
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    ap.add_argument("--width", type=int, default=12000)
    ap.add_argument("--height", type=int, default=9000)
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--tessera", required=True, help="the tessera binary, whose convert writes the JPEG 2000 files")
    a = ap.parse_args()

    out = a.out
    os.makedirs(out, exist_ok=True)
    stamp = stamp_of(a.width, a.height)
    stamp_path = os.path.join(out, STAMP)
    if not a.force and os.path.exists(stamp_path) and all(os.path.exists(os.path.join(out, f)) for f in FILES):
        with open(stamp_path) as f:
            if json.load(f).get("stamp") == stamp:
                log(f"test images up to date in {out}")
                return
    if os.path.exists(stamp_path):
        os.unlink(stamp_path)

    t0 = time.monotonic()
    work = os.path.join(out, ".work")
    os.makedirs(work, exist_ok=True)
    master = os.path.join(work, "master.ppm")
    n = make_master(master, a.width, a.height)
    log(f"collage {a.width}x{a.height} from {n} cells: {time.monotonic() - t0:.1f} s")

    for name, cmd in encoders(master, out, os.path.abspath(a.tessera)):
        dt = run(cmd)
        log(f"{name}: {os.path.getsize(os.path.join(out, name)) / 1e6:.1f} MB in {dt:.1f} s ({cmd[0]})")
    shutil.rmtree(work)

    # Every file must open with libvips, as tessera will open it.
    for name in FILES:
        r = subprocess.run(["vipsheader", os.path.join(out, name)], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0 or f"{a.width}x{a.height}" not in r.stdout:
            raise SystemExit(f"[data] vipsheader cannot read {name} as {a.width}x{a.height}: {r.stdout.strip()}")

    with open(os.path.join(out, "SOURCES.txt"), "w") as f:
        f.write("Test images made by bench/make_data.py from these pictures of Debian's python3-skimage\n"
                "(origin and licence as stated in skimage/data/_fetchers.py):\n\n")
        for name, _, lic in SOURCES:
            f.write(f"  {name}: {lic}\n")
    with open(stamp_path, "w") as f:
        json.dump({"stamp": stamp, "width": a.width, "height": a.height}, f)
    log(f"test images ready in {out} ({time.monotonic() - t0:.0f} s)")


if __name__ == "__main__":
    main()
