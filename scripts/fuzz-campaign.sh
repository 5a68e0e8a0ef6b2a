#!/bin/sh
# Runs every libFuzzer target for SECONDS (default 600) on a scratch copy of
# its seed corpus, one target after another, and prints one line per target:
# executions, coverage (edges), features, corpus size, and crashes found.
# Inputs that crash are kept in the scratch folder (printed).
#   make fuzz && scripts/fuzz-campaign.sh [SECONDS] [FUZZ_BUILD] [TARGET...]
set -u
SECS=${1:-600}
BUILD=${2:-build-fuzz}
if [ $# -ge 2 ]; then shift 2; else shift $#; fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FUZZ=$ROOT/tests/fuzz
scratch=$(mktemp -d "${TMPDIR:-/tmp}/tessera-fuzz-campaign.XXXXXX")
echo "fuzz campaign: $SECS s per target, scratch $scratch"
printf '%-18s %12s %8s %8s %8s %8s\n' target executions cov features corpus crashes
targets=$*
if [ -z "$targets" ]; then
    for f in "$BUILD"/tests/fuzz_*; do
        [ -f "$f" ] && [ -x "$f" ] && targets="$targets $(basename "$f")"
    done
fi
for name in $targets; do
    bin=$BUILD/tests/$name
    t=${name#fuzz_}
    mkdir -p "$scratch/$t/corpus" "$scratch/$t/crash"
    cp -r "$FUZZ/corpus/$t/." "$scratch/$t/corpus/"
    case $t in
    j2k | jpeg_crop) opts="-max_len=16384" ;;
    *) opts="-dict=$FUZZ/iiif.dict" ;;
    esac
    # shellcheck disable=SC2086
    "$bin" $opts -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$scratch/$t/crash/" "$scratch/$t/corpus" >"$scratch/$t/log" 2>&1
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$t/log" | tail -n 1)
    last=$(grep -E '^#[0-9]+' "$scratch/$t/log" | tail -n 1)
    cov=$(echo "$last" | grep -o 'cov: [0-9]*' | awk '{print $2}')
    ft=$(echo "$last" | grep -o 'ft: [0-9]*' | awk '{print $2}')
    corp=$(echo "$last" | grep -o 'corp: [0-9]*' | awk '{print $2}')
    crashes=$(ls "$scratch/$t/crash" | wc -l)
    printf '%-18s %12s %8s %8s %8s %8s\n' "$name" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes"
done
