#!/usr/bin/python3
"""Runs the end-to-end suite: every tests/e2e/test_*.py module.

Each module may define SERVER_ARGS (extra `tessera serve` flags), SERVER_ROOT
and teardown() (called after its server stops); the runner
starts one server per module on the shared fixture tree, calls every
`test_*(srv, t)` function (srv: harness.Server, t: harness.Check) and stops
the server, which must exit cleanly. Prints "ok"/"not ok" per test and a
final "# passed N failed M".

  run.py --binary build/tessera [--sanitized] [-k SUBSTRING]
"""
import argparse
import importlib.util
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fixtures  # noqa: E402
import harness  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--sanitized", action="store_true", help="the binary has ASan/UBSan: check its stderr")
    ap.add_argument("-k", default="", help="run only tests whose name contains this")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)

    root = fixtures.build()
    passed = failed = 0
    modules = sorted(f for f in os.listdir(HERE) if f.startswith("test_") and f.endswith(".py"))
    for fname in modules:
        spec = importlib.util.spec_from_file_location(fname[:-3], os.path.join(HERE, fname))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        tests = [(n, getattr(mod, n)) for n in sorted(dir(mod)) if n.startswith("test_") and callable(getattr(mod, n))]
        tests = [(n, f) for n, f in tests if args.k in "%s.%s" % (fname[:-3], n)]
        if not tests:
            if hasattr(mod, "teardown"):
                mod.teardown()
            continue
        srv = harness.Server(binary, getattr(mod, "SERVER_ROOT", root), getattr(mod, "SERVER_ARGS", ()),
                             sanitized=args.sanitized)
        try:
            srv.start()
        except Exception as e:  # the whole module fails
            print("not ok %s: server did not start: %s" % (fname, e))
            failed += len(tests)
            continue
        for name, fn in tests:
            t = harness.Check()
            label = "%s.%s" % (fname[:-3], name)
            t0 = time.time()
            try:
                fn(srv, t)
            except Exception:
                t.failures.append(traceback.format_exc())
            if t.failures:
                failed += 1
                print("not ok %s" % label)
                for f in t.failures[:20]:
                    print("    " + str(f).replace("\n", "\n    "))
                if len(t.failures) > 20:
                    print("    ... and %d more" % (len(t.failures) - 20))
            else:
                passed += 1
                print("ok %s (%.2fs)" % (label, time.time() - t0))
        problems = srv.stop()
        if hasattr(mod, "teardown"):
            mod.teardown()
        if problems:
            failed += 1
            print("not ok %s: server shutdown" % fname)
            for p in problems:
                print("    " + p.replace("\n", "\n    "))
        else:
            passed += 1
            print("ok %s: server shutdown clean" % fname)
    print("# passed %d failed %d" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
