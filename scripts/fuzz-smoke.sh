#!/bin/sh
# Runs every libFuzzer target for a few seconds on a scratch copy of its seed
# corpus: a smoke test that the fuzzers build, load their seeds and find
# nothing quickly. Part of `make test`; longer campaigns are in docs/security.md.
#   scripts/fuzz-smoke.sh FUZZ_BUILD [SECONDS]
# Prints "ok fuzz_x: N runs, cov C" per target and "# passed N failed M".
# A crash leaves its input in $TMPDIR/tessera-fuzz-smoke.*/ (kept, path printed).
set -u
BUILD=${1:-build-fuzz}
SECONDS_EACH=${2:-${FUZZ_SMOKE_SECONDS:-4}}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FUZZ=$ROOT/tests/fuzz

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tessera-fuzz-smoke.XXXXXX")
passed=0
failed=0
keep=0
for bin in "$BUILD"/tests/fuzz_*; do
    [ -f "$bin" ] && [ -x "$bin" ] || continue
    name=$(basename "$bin")
    target=${name#fuzz_}
    mkdir -p "$scratch/$target/corpus" "$scratch/$target/crash"
    if [ -d "$FUZZ/corpus/$target" ]; then
        cp -r "$FUZZ/corpus/$target/." "$scratch/$target/corpus/"
    else
        echo "not ok $name: no seed corpus in tests/fuzz/corpus/$target"
        failed=$((failed + 1))
        continue
    fi
    # j2k and jpeg_crop inputs are whole files: larger inputs, no token dictionary.
    case $target in
    j2k | jpeg_crop) opts="-max_len=16384" ;;
    *) opts="-dict=$FUZZ/iiif.dict" ;;
    esac
    log=$scratch/$target/log
    # shellcheck disable=SC2086
    "$bin" $opts -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$scratch/$target/crash/" "$scratch/$target/corpus" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | awk '{print $2}')
    if [ "$rc" -eq 0 ] && [ -z "$(ls "$scratch/$target/crash")" ]; then
        echo "ok $name: ${runs:-0} runs, cov ${cov:-?}"
        passed=$((passed + 1))
    else
        echo "not ok $name: exit status $rc; log and inputs in $scratch/$target"
        grep -E 'ERROR|invariant failed|SUMMARY' "$log" | head -n 5 | sed 's/^/    /'
        failed=$((failed + 1))
        keep=1
    fi
done
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    echo "not ok: no fuzz targets in $BUILD/tests (make fuzz)"
    failed=1
fi
[ "$keep" -eq 1 ] || rm -rf "$scratch"
echo "# passed $passed failed $failed"
[ "$failed" -eq 0 ]
