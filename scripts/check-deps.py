#!/usr/bin/python3
"""Checks the shape of lib/: no two modules depend on each other in a loop,
and only the file backend opens image files.

A module is a .c file and its .h (lib/http/server.c and lib/http/server.h
are one module, http/server); a module depends on another when one of its
files includes the other's header. Prints every cycle found (and the
include lines that make it) and exits 1 when there is one; prints
"ok: N modules, no loops" otherwise.

Image bytes are read through byte sources (lib/source/bytes.h): no module
but source/file may open a path with a decoder (TIFFOpen, a libvips loader
given a file name, libjpeg's stdio source, OpenJPEG's file stream), and no
module of image/ or cache/ may open() or fopen() a file for reading.

  scripts/check-deps.py [LIB_DIR]
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def modules(lib):
    deps, where = {}, {}
    for d, _, files in os.walk(lib):
        for f in files:
            if not f.endswith((".c", ".h", ".cpp")):
                continue
            path = os.path.join(d, f)
            mod = os.path.relpath(path, lib).rsplit(".", 1)[0]
            deps.setdefault(mod, set())
            with open(path, encoding="utf-8", errors="replace") as fh:
                for inc in INCLUDE.findall(fh.read()):
                    target = inc.rsplit(".", 1)[0]
                    if os.path.exists(os.path.join(lib, inc)) and target != mod:
                        deps[mod].add(target)
                        where.setdefault((mod, target), "%s: #include \"%s\"" % (os.path.relpath(path, lib), inc))
    return deps, where


COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
STRING = re.compile(r'"(?:\\.|[^"\\])*"')
DECODER_OPENS = re.compile(r"\b(TIFFOpen(?:Ext)?|TIFFFdOpen|vips_image_new_from_file|vips_[a-z0-9]+load|"
                           r"jpeg_stdio_src|opj_stream_create_(?:default_)?file_stream|exif_data_new_from_file)\s*\(")
READ_OPENS = re.compile(r"(?<![.>\w])(open|openat|fopen)\s*\(")
FILE_BACKEND = "source/file"
NO_READ_OPENS = ("image/", "cache/")


def image_opens(lib):
    """(module, line, call) for every image file opened outside the file backend."""
    found = []
    for d, _, files in os.walk(lib):
        for f in sorted(files):
            if not f.endswith((".c", ".cpp")):
                continue
            path = os.path.join(d, f)
            mod = os.path.relpath(path, lib).rsplit(".", 1)[0]
            if mod == FILE_BACKEND:
                continue
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), fh.read())
            for no, line in enumerate(text.split("\n"), 1):
                bare = STRING.sub('""', line)
                for m in DECODER_OPENS.finditer(bare):
                    # OpenJPEG's file stream with p_is_read_stream false writes an output
                    if m.group(1).startswith("opj_stream") and "OPJ_FALSE" in bare:
                        continue
                    found.append((mod, no, m.group(1)))
                if mod.startswith(NO_READ_OPENS):
                    for m in READ_OPENS.finditer(bare):
                        # fopen(path, "w...") writes an output (tessera convert): not a reader
                        if m.group(1) == "fopen" and re.search(r'fopen\s*\([^;]*"[wa]', line):
                            continue
                        found.append((mod, no, m.group(1)))
    return found


def cycles(deps):
    """Strongly connected components of more than one module (Tarjan), each as a sorted list."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(deps.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(deps):
        if v not in index:
            visit(v)
    return out


def self_check():
    """The finder finds what it should: a loop of two, one of three, none in a chain."""
    assert cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert DECODER_OPENS.search("im = vips_jpegload(path, &out, NULL);")
    assert not DECODER_OPENS.search("vips_jpegload_source(vs, &out, NULL);")
    assert DECODER_OPENS.search("TIFF *t = TIFFOpenExt(p, \"rm\", o);")
    assert not READ_OPENS.search("ts_origin_open(locator, &b, err)")
    assert READ_OPENS.search("int fd = open(p, O_RDONLY);")
    assert not READ_OPENS.search("file.open(1 << 20);")


def main():
    self_check()
    lib = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib")
    deps, where = modules(lib)
    found = cycles(deps)
    for comp in found:
        print("loop between %s:" % ", ".join(comp))
        members = set(comp)
        for a in comp:
            for b in sorted(deps[a] & members):
                print("    %s" % where[(a, b)])
    if found:
        print("%d loops between modules of lib/" % len(found))
    else:
        print("ok: %d modules, no loops" % len(deps))
    opens = image_opens(lib)
    for mod, no, call in opens:
        print("%s:%d: %s() opens a file; read image bytes through source/origin.h" % (mod, no, call))
    if not opens:
        print("ok: only %s opens image files" % FILE_BACKEND)
    # the lines scripts/run-tests.sh adds up: two checks, the module graph and the file opens
    bad = (1 if found else 0) + (1 if opens else 0)
    print("# passed %d failed %d" % (2 - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
