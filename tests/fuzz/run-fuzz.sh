#!/bin/sh
# Runs libFuzzer targets built by `make fuzz-build` (see tests/fuzz/fuzz.mk).
#
#   tests/fuzz/run-fuzz.sh NAME...      FUZZ_SECONDS (60) each, FUZZ_JOBS (1) at once
#
# `make fuzz` and `make fuzz-long` (every target, 5 minutes each) call it.
#
# Each target runs on build/fuzz/work/NAME, seeded from its corpus and its
# regression inputs, with a per-input timeout and a memory cap. Exits 1 when
# any target found a crash, leak, timeout or broken property, after naming
# the input it left in build/fuzz/artifacts/NAME/.
cd "$(dirname "$0")/../.." || exit 2
seconds=${FUZZ_SECONDS:-60}
python3 tests/fuzz/make-corpus.py build/fuzz/seeds "${SPEC_DIR:-../shared/conformance/mustache-spec}" || exit 2
jobs=${FUZZ_JOBS:-1}

# Longest input per target: a content file, a layout set, a config.ini. A
# body is rendered whole by cmark under ASan, which costs milliseconds per
# KiB: at 64 KiB the markdown target fell to about 35 inputs a second, and
# what it finds (nesting, delimiters, citations, links) fits in 4 KiB.
max_len() {
    case $1 in
    markdown) echo 4096 ;;
    frontmatter | dtree) echo 65536 ;;
    template) echo 16384 ;;
    *) echo 8192 ;;
    esac
}

run_one() {
    name=$1
    bin=build/fuzz/fuzz_$name
    work=build/fuzz/work/$name
    art=build/fuzz/artifacts/$name
    log=build/fuzz/logs/$name.log
    mkdir -p "$work" "$art" build/fuzz/logs
    for seeds in build/fuzz/seeds/$name tests/fuzz/regressions/$name; do
        [ -d "$seeds" ] && cp -n "$seeds"/* "$work"/ 2>/dev/null
    done
    dict=
    [ -f "tests/fuzz/$name.dict" ] && dict=-dict=tests/fuzz/$name.dict
    "$bin" $dict -max_len="$(max_len "$name")" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
        -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$art/" "$work" >"$log" 2>&1
    status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    if [ "$status" -eq 0 ]; then
        echo "fuzz $name: ok, ${execs:-?} runs in ${seconds}s, $cov, corpus $(ls "$work" | wc -l) inputs"
    else
        found=$(ls -t "$art" 2>/dev/null | head -n 1)
        echo "fuzz $name: FAILED (exit $status): input left in $art/$found; log in $log"
        grep -m 3 -E 'ERROR|SUMMARY|property violated|timeout' "$log" | sed 's/^/    /'
    fi
    return "$status"
}

failed=0
running=0
mkdir -p build/fuzz/logs
for name in "$@"; do
    rm -f "build/fuzz/logs/$name.failed"
done
for name in "$@"; do
    [ -x "build/fuzz/fuzz_$name" ] || { echo "fuzz $name: not built (make fuzz-build)"; failed=1; continue; }
    if [ "$jobs" -le 1 ]; then
        run_one "$name" || failed=1
    else
        (run_one "$name" || touch "build/fuzz/logs/$name.failed") &
        running=$((running + 1))
        if [ "$running" -ge "$jobs" ]; then
            wait
            running=0
        fi
    fi
done
wait
for name in "$@"; do
    [ -f "build/fuzz/logs/$name.failed" ] && failed=1
done
exit "$failed"
