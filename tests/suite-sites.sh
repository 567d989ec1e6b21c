#!/bin/sh
# Golden sites and error cases.
#
# tests/sites/NAME/   a site folder (config.ini, content/, layouts/, assets/)
#                     with expected/ holding the exact output; the build must
#                     succeed and `diff -r` must find nothing.
# tests/errors/NAME/  a site that must fail; `expected` holds the exact
#                     stderr and the exit status must be 1.
# Either may hold `args` (extra command-line arguments, one line); an error
# case may hold `command` (check instead of build).
#
# REGEN=1 rewrites expected output instead of comparing (make regen-golden).
cd "$(dirname "$0")/.." || exit 2
work=tests/out/sites
rm -rf "$work"
mkdir -p "$work"
passed=0
failed=0
# Dates in pages never come from the clock; overdue checks use this "today".
SOURCE_DATE_EPOCH=1795478400 # 2026-11-24
export SOURCE_DATE_EPOCH

ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }

args_of() { [ -f "$1/args" ] && cat "$1/args"; }

for dir in tests/sites/*/; do
    [ -d "$dir" ] || continue
    name=$(basename "$dir")
    out="$work/$name"
    # shellcheck disable=SC2046
    if ! "$LUMBAR" build -q -j 2 -s "$dir" -o "$out" $(args_of "$dir") 2>"$work/$name.stderr"; then
        fail "sites/$name: build failed"
        cat "$work/$name.stderr"
        continue
    fi
    if [ -n "$REGEN" ]; then
        rm -rf "$dir/expected"
        cp -r "$out" "$dir/expected"
        ok "sites/$name (regenerated)"
    elif diff -r "$dir/expected" "$out" >"$work/$name.diff"; then
        ok "sites/$name"
    else
        fail "sites/$name: output differs from expected/"
        head -n 60 "$work/$name.diff"
    fi
done

for dir in tests/errors/*/; do
    [ -d "$dir" ] || continue
    name=$(basename "$dir")
    if [ "$(cat "$dir/command" 2>/dev/null)" = check ]; then
        # shellcheck disable=SC2046
        "$LUMBAR" check -s "$dir" $(args_of "$dir") 2>"$work/err-$name.stderr" >/dev/null
    else
        # shellcheck disable=SC2046
        "$LUMBAR" build -q -s "$dir" -o "$work/err-$name" $(args_of "$dir") 2>"$work/err-$name.stderr" >/dev/null
    fi
    status=$?
    if [ -n "$REGEN" ]; then
        cp "$work/err-$name.stderr" "$dir/expected"
        ok "errors/$name (regenerated)"
    elif [ "$status" -ne 1 ]; then
        fail "errors/$name: exit status $status, want 1"
        cat "$work/err-$name.stderr"
    elif [ -e "$work/err-$name" ]; then
        fail "errors/$name: a failed build wrote output"
    elif diff -u "$dir/expected" "$work/err-$name.stderr"; then
        ok "errors/$name"
    else
        fail "errors/$name: diagnostics differ"
    fi
done

echo "sites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
