#!/bin/sh
# Replays every seed ($BUILD/fuzz-seeds/NAME/, written here from the
# repository's own content, layouts, configs and the Mustache spec by
# tests/fuzz/make-corpus.py) and every regression input
# (tests/fuzz/regressions/NAME/) through each fuzz target, linked with
# tests/fuzz/replay_main.c instead of libFuzzer into $BUILD/fuzz-replay/
# (tests/fuzz/fuzz.mk makes `make check` build them with the same flags as
# everything else, so check-asan replays under ASan and UBSan). Under
# check-valgrind, $RUNNER is valgrind and each input runs under it too.
#
# Each input runs in its own process: a crash, a sanitizer report, a broken
# property or a hang fails that input, and the rest still run. One check
# per input; ends with "fuzz-replay: N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
# Valgrind runs code 20 to 50 times slower: give each input more time.
if [ -n "$RUNNER" ]; then REPLAY_TIMEOUT=${REPLAY_TIMEOUT:-300}; else REPLAY_TIMEOUT=${REPLAY_TIMEOUT:-30}; fi
export REPLAY_TIMEOUT
passed=0
failed=0
seeds=$BUILD/fuzz-seeds
if ! python3 tests/fuzz/make-corpus.py "$seeds" "${SPEC_DIR:-../shared/conformance/mustache-spec}"; then
    echo "FAIL make-corpus.py could not write the seeds (it needs python3-yaml)"
    failed=$((failed + 1))
fi
for src in tests/fuzz/fuzz_*.c; do
    name=${src#tests/fuzz/fuzz_}
    name=${name%.c}
    bin=$BUILD/fuzz-replay/fuzz_$name
    [ -x "$bin" ] || ${MAKE:-make} -s BUILD="$BUILD" "$bin" >/dev/null 2>&1
    if [ ! -x "$bin" ]; then
        echo "FAIL fuzz_$name: $bin is not built (make BUILD=$BUILD fuzz-replay-build)"
        failed=$((failed + 1))
        continue
    fi
    dirs=
    for d in $seeds/$name tests/fuzz/regressions/$name; do
        [ -d "$d" ] && dirs="$dirs $d"
    done
    # shellcheck disable=SC2086 # RUNNER is a command line; dirs a list
    line=$($RUNNER "$bin" $dirs 2>&1 | tee "$BUILD/fuzz-replay/$name.log" | grep -E '^fuzz_[a-z]+: [0-9]+ inputs replayed, [0-9]+ failed$')
    if [ -z "$line" ]; then
        echo "FAIL fuzz_$name: the replay printed no count (see $BUILD/fuzz-replay/$name.log)"
        failed=$((failed + 1))
        continue
    fi
    runs=$(printf '%s' "$line" | sed 's/.*: \([0-9]*\) inputs.*/\1/')
    bad=$(printf '%s' "$line" | sed 's/.* \([0-9]*\) failed$/\1/')
    grep '^FAIL ' "$BUILD/fuzz-replay/$name.log" | head -5
    echo "$line"
    passed=$((passed + runs - bad))
    failed=$((failed + bad))
done
echo "fuzz-replay: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
