"""Builds the tree of test images the end-to-end suite serves.

Everything is derived at test time from the validator's 1000x1000 colour
grid (tests/data, CC0) with Debian tools: the `vips` command (libvips-tools),
`ojph_compress` (openjph-tools) and Pillow. The tree is cached in the temp
folder under a hash of this file and the inputs, so reruns are fast.

Layout (identifiers are these paths, with or without extension):
  67352ccc-d1b0-11e1-89ae-279075081939.png  the validator image, as the validator expects it
  grid/<kind>.<ext>      the same grid in every source format (GRID_SOURCES)
  kinds/...              colour models and edge cases (grey, 16-bit, alpha, CMYK, ICC, EXIF orientation)
  odd/...                odd sizes for edge tiles
  nested/a/b/p1.png      an identifier with slashes (nested%2Fa%2Fb%2Fp1)
  ext/p001.tif + ext/p001.jpg   extension order: p001 must find the .tif
  bad/...                files that are not images
"""
import hashlib
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "data"))
GRID_PNG = os.path.join(DATA, "67352ccc-d1b0-11e1-89ae-279075081939.png")
GRID_JP2 = os.path.join(DATA, "67352ccc-d1b0-11e1-89ae-279075081939.jp2")
VALIDATOR_ID = "67352ccc-d1b0-11e1-89ae-279075081939"

# identifier under grid/ -> lossless source? (pixels can be compared exactly)
GRID_SOURCES = {
    "grid/png.png": True,
    "grid/jpeg.jpg": False,
    "grid/webp.webp": True,
    "grid/gif.gif": True,
    "grid/tiff-jpeg.tif": False,
    "grid/tiff-jpeg-rgb.tif": False,
    "grid/tiff-deflate.tif": True,
    "grid/tiff-lzw.tif": True,
    "grid/tiff-webp.tif": True,
    "grid/tiff-subifd.tif": True,
    "grid/tiff-strips.tif": True,
    "grid/jp2.jp2": True,
    "grid/jp2-tiled.jp2": True,
    "grid/htj2k.j2c": True,
    "grid/avif.avif": False,
}


def vips(*args):
    subprocess.run(["vips"] + [str(a) for a in args], check=True, stdout=subprocess.DEVNULL)


def noise_rgb(out, width, height, sigma=30, mean=128):
    """Writes an RGB image of grey noise (it does not compress: large tiles and answers) to
    `out`, a vips file name with its save options ("big.tif[tile,pyramid]")."""
    tmp = tempfile.mkdtemp(prefix="tessera-noise-")
    try:
        n = os.path.join(tmp, "n.v")
        vips("gaussnoise", n, width, height, "--mean", mean, "--sigma", sigma)
        vips("cast", n, n + "8.v", "uchar")
        vips("bandjoin", "%s %s %s" % (n + "8.v", n + "8.v", n + "8.v"), n + "3.v")
        vips("copy", n + "3.v", out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _make(root):
    g = GRID_PNG
    os.makedirs(root)
    for d in ("grid", "kinds", "odd", "nested/a/b", "ext", "bad"):
        os.makedirs(os.path.join(root, d))
    j = lambda *p: os.path.join(root, *p)  # noqa: E731

    shutil.copy(g, j(VALIDATOR_ID + ".png"))
    # the grid in every source format
    shutil.copy(g, j("grid/png.png"))
    shutil.copy(GRID_JP2, j("grid/jp2.jp2"))
    vips("copy", g, j("grid/jpeg.jpg") + "[Q=95]")
    vips("copy", g, j("grid/webp.webp") + "[lossless]")
    vips("copy", g, j("grid/gif.gif"))
    pyr = "[tile,pyramid,tile-width=256,tile-height=256,compression=%s]"
    vips("copy", g, j("grid/tiff-jpeg.tif") + pyr % "jpeg" + "")
    # libvips stores JPEG tiles as RGB, not YCbCr, from quality 90 up
    vips("copy", g, j("grid/tiff-jpeg-rgb.tif") + (pyr % "jpeg")[:-1] + ",Q=95]")
    vips("copy", g, j("grid/tiff-deflate.tif") + pyr % "deflate")
    vips("copy", g, j("grid/tiff-lzw.tif") + pyr % "lzw")
    vips("copy", g, j("grid/tiff-webp.tif") + (pyr % "webp")[:-1] + ",lossless]")
    vips("copy", g, j("grid/tiff-subifd.tif") + (pyr % "deflate")[:-1] + ",subifd]")
    vips("copy", g, j("grid/tiff-strips.tif"))
    vips("copy", g, j("grid/jp2-tiled.jp2") + "[tile-width=256,tile-height=256,lossless]")
    ppm = j("grid.ppm")
    vips("copy", g, ppm)
    subprocess.run(["ojph_compress", "-i", ppm, "-o", j("grid/htj2k.j2c"), "-num_decomps", "5",
                    "-tile_size", "{256,256}", "-reversible", "true"], check=True, stdout=subprocess.DEVNULL)
    os.unlink(ppm)
    vips("heifsave", g, j("grid/avif.avif"), "--compression", "av1", "--Q", "90", "--effort", "0")

    # colour models and metadata
    from PIL import Image
    im = Image.open(g).convert("RGB")
    im.convert("L").save(j("kinds/grey.png"))
    rgba = im.copy()
    rgba.putalpha(Image.new("L", im.size, 128))
    rgba.save(j("kinds/rgba.png"))
    im.convert("P", palette=Image.ADAPTIVE, colors=64).save(j("kinds/palette.png"))
    # 16 bits per sample: colourspace sets the rgb16/grey16 interpretation, so pngsave writes
    # 16-bit samples (a plain ushort cast keeps "srgb" and pngsave clips it to 8-bit white)
    vips("colourspace", g, j("kinds/rgb16.png"), "rgb16")
    vips("colourspace", g, j("kinds/grey16.png"), "grey16")
    vips("colourspace", g, j("kinds/cmyk.jpg") + "[Q=95]", "cmyk")
    vips("icc_transform", g, j("kinds/p3.jpg") + "[Q=95]", "p3")
    # EXIF orientation 6: stored rotated 90 anticlockwise, shown upright
    rot = im.rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    rot.save(j("kinds/oriented.jpg"), quality=95, exif=exif.tobytes())
    # JPEG-in-TIFF pyramids that must not be passed through as stored (P3 profile) or may (grey)
    vips("copy", j("kinds/p3.jpg"), j("kinds/p3-pyramid.tif") + pyr % "jpeg")
    vips("copy", j("kinds/grey.png"), j("kinds/grey-pyramid.tif") + pyr % "jpeg")

    # odd sizes: partial edge tiles at every level
    vips("crop", g, j("odd/crop.v"), 0, 0, 999, 767)
    vips("copy", j("odd/crop.v"), j("odd/pyramid.tif") + pyr % "deflate")
    vips("copy", j("odd/crop.v"), j("odd/jp2.jp2") + "[tile-width=256,tile-height=256,lossless]")
    vips("copy", j("odd/crop.v"), j("odd/plain.png"))
    vips("copy", j("odd/crop.v"), j("odd/jpeg.jpg") + "[Q=95]")
    os.unlink(j("odd/crop.v"))

    shutil.copy(g, j("nested/a/b/p1.png"))
    vips("copy", g, j("ext/p001.tif") + pyr % "deflate")
    vips("copy", g, j("ext/p001.jpg") + "[Q=50]")

    with open(j("bad/text.jpg"), "w") as f:
        f.write("this is not a JPEG\n")
    open(j("bad/empty.png"), "wb").close()
    with open(g, "rb") as f:
        head = f.read(3000)
    with open(j("bad/truncated.png"), "wb") as f:
        f.write(head)
    shutil.copy(g, j("bad/.hidden.png"))
    with open(j("bad/notes.txt"), "w") as f:
        f.write("not an image type at all\n")
    # a symlink that leads outside the root must not be followed
    outside = os.path.join(os.path.dirname(root), os.path.basename(root) + "-outside.png")
    shutil.copy(g, outside)
    os.symlink(outside, j("bad/escape.png"))


def build():
    """Returns the path of the fixture tree, building it if needed."""
    h = hashlib.sha256()
    for p in (__file__, GRID_PNG, GRID_JP2):
        with open(p, "rb") as f:
            h.update(f.read())
    root = os.path.join(tempfile.gettempdir(), "tessera-fixtures-%d-%s" % (os.getuid(), h.hexdigest()[:16]), "root")
    if os.path.isdir(root):
        return root
    tmp = root + ".tmp%d" % os.getpid()
    shutil.rmtree(os.path.dirname(tmp) + "/root.tmp%d" % os.getpid(), ignore_errors=True)
    _make(tmp)
    # the escape symlink points next to the tree: recreate it for the final name
    os.unlink(os.path.join(tmp, "bad/escape.png"))
    outside = os.path.join(os.path.dirname(root), "outside.png")
    shutil.copy(GRID_PNG, outside)
    os.symlink(outside, os.path.join(tmp, "bad/escape.png"))
    try:
        os.rename(tmp, root)
    except OSError:  # another run won the race
        shutil.rmtree(tmp, ignore_errors=True)
    return root


if __name__ == "__main__":
    print(build())
