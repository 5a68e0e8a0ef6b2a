#!/usr/bin/python3
"""Checks that no two modules of lib/ depend on each other in a loop.

A module is a .c file and its .h (lib/http/server.c and lib/http/server.h
are one module, http/server); a module depends on another when one of its
files includes the other's header. Prints every cycle found (and the
include lines that make it) and exits 1 when there is one; prints
"ok: N modules, no loops" otherwise.

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
    # the line scripts/run-tests.sh adds up: one check, the module graph has no loop
    print("# passed %d failed %d" % (0 if found else 1, 1 if found else 0))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
