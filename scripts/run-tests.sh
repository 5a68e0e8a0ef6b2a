#!/bin/sh
# Runs every test suite and prints one summary line: "N passed, N failed".
#   scripts/run-tests.sh BUILD [ASAN_BUILD [FUZZ_BUILD]]   unit + e2e, plain and sanitized, the browser
#                                                          tests, and a few seconds of every fuzzer
#   scripts/run-tests.sh --unit-only BUILD
# Each suite prints "# passed N failed M" as its last summary line; a suite
# that dies before printing one counts as one failure.
set -u

unit_only=0
if [ "${1:-}" = "--unit-only" ]; then
    unit_only=1
    shift
fi
BUILD=${1:-build}
ASAN_BUILD=${2:-}
FUZZ_BUILD=${3:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3

total_pass=0
total_fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# run_suite NAME COMMAND...: runs a suite, shows its output, adds its counts.
run_suite() {
    name=$1
    shift
    echo "== $name"
    "$@" >"$log" 2>&1
    rc=$?
    grep -v '^ok ' "$log" | sed 's/^/   /'
    line=$(grep '^# passed [0-9]* failed [0-9]*$' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "   (no summary line; exit status $rc): counted as 1 failure"
        total_fail=$((total_fail + 1))
        return
    fi
    p=$(echo "$line" | awk '{print $3}')
    f=$(echo "$line" | awk '{print $5}')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "   (exit status $rc with no failed check): counted as 1 failure"
        f=1
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
}

unit_suites() {
    dir=$1
    label=$2
    for t in "$dir"/tests/test_*; do
        [ -f "$t" ] && [ -x "$t" ] || continue
        run_suite "$label $(basename "$t")" "$t"
    done
}

# no two modules of lib/ depend on each other in a loop
run_suite "module graph" $PY "$ROOT/scripts/check-deps.py"
unit_suites "$BUILD" "unit"
if [ -n "$ASAN_BUILD" ]; then
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
    export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    unit_suites "$ASAN_BUILD" "unit (asan+ubsan)"
fi

if [ "$unit_only" -eq 0 ]; then
    run_suite "e2e" $PY "$ROOT/tests/e2e/run.py" --binary "$BUILD/tessera"
    if [ -n "$ASAN_BUILD" ]; then
        run_suite "e2e (asan+ubsan)" $PY "$ROOT/tests/e2e/run.py" --binary "$ASAN_BUILD/tessera" --sanitized
    fi
    # the viewer pages in Debian's chromium (scripts/test-deps.sh, scripts/viewer-deps.sh)
    run_suite "browser" node "$ROOT/tests/browser/viewer.mjs" --binary "$BUILD/tessera"
    if [ -n "$FUZZ_BUILD" ]; then
        run_suite "fuzz smoke" "$ROOT/scripts/fuzz-smoke.sh" "$FUZZ_BUILD"
    fi
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
