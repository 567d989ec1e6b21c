#!/bin/sh
# The documentation against the code: every option the --help texts print
# is in the man page, every config.ini key and section src/config.c handles
# is in the user guides (as a "key =" line of an example config.ini), and
# the man page renders without a groff warning, and the program output the
# docs quote is what the program prints (tests/check-doc-quotes.py: a code
# block marked <!-- output-of: SETUP --> is run and compared line by line;
# every other quoted lumbar line must match a message in src/*.c).
# Needs $LUMBAR.
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
finish() {
    echo "docs: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

man_page=docs/lumbar.1
guides="docs/editors.md docs/publishing.md"
for f in $man_page $guides; do
    if [ -f "$f" ]; then ok "$f exists"; else fail "$f exists"; fi
done
if [ -z "$LUMBAR" ] || [ ! -x "$LUMBAR" ]; then
    fail "\$LUMBAR is an executable lumbar (got '$LUMBAR')"
    finish
fi

# The man page as plain text: roff's \- is a hyphen; font changes and
# zero-width escapes go.
man_text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$man_page" 2>/dev/null)

# True when $1 occurs in stdin as a whole option, not inside a longer one
# ("-s" must not be found in "--source" or "-sX").
has_option() {
    grep -Eq -e "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|$)"
}

# -- options ----------------------------------------------------------------
for cmd in "" build check serve new; do
    # shellcheck disable=SC2086 # an empty $cmd must vanish
    help=$("$LUMBAR" $cmd --help 2>&1)
    status=$?
    label="lumbar ${cmd:+$cmd }--help"
    if [ $status -ne 0 ] || [ -z "$help" ]; then
        fail "$label prints its usage (exit $status)"
        continue
    fi
    opts=$(printf '%s\n' "$help" | grep -oE -e '(^|[][ ,|])--?[a-z][a-z-]*' | sed 's/^[][ ,|]//' | sort -u)
    if [ -z "$opts" ]; then
        fail "$label names options"
        continue
    fi
    for opt in $opts; do
        if printf '%s\n' "$man_text" | has_option "$opt"; then
            ok "$opt ($label) is in $man_page"
        else
            fail "$opt ($label) is in $man_page"
        fi
    done
done

# -- config.ini keys --------------------------------------------------------
keys=$(grep -oE 'strcmp\(key, "[a-z_]+"\)' src/config.c | sed 's/.*"\(.*\)".*/\1/' | sort -u)
sections=$(grep -oE 'strcmp\(section, "[a-z_]+"\)' src/config.c | sed 's/.*"\(.*\)".*/\1/' | sort -u)
if [ -z "$keys" ] || [ -z "$sections" ]; then
    fail "src/config.c names its keys and sections"
fi
guide_text=$(cat $guides 2>/dev/null)
for key in $keys; do
    if printf '%s\n' "$guide_text" | grep -Eq "^[ ;#]*$key = "; then
        ok "config key $key has an example line in the guides"
    else
        fail "config key $key has an example line ('$key = ...') in $guides"
    fi
done
for section in $sections; do
    if printf '%s\n' "$guide_text" | grep -Fq "[$section]"; then
        ok "config section [$section] is in the guides"
    else
        fail "config section [$section] is in $guides"
    fi
done

# -- quoted program output ----------------------------------------------------
if command -v python3 >/dev/null 2>&1; then
    quoted=$(LUMBAR=$LUMBAR python3 tests/check-doc-quotes.py docs/*.md README.md 2>&1)
    printf '%s\n' "$quoted"
    oks=$(printf '%s\n' "$quoted" | grep -c '^ok ')
    fails=$(printf '%s\n' "$quoted" | grep -c '^FAIL ')
    passed=$((passed + oks))
    failed=$((failed + fails))
    if [ "$oks" -eq 0 ] && [ "$fails" -eq 0 ]; then
        fail "tests/check-doc-quotes.py found the docs' quoted output"
    fi
else
    fail "python3 is needed to check the docs' quoted output (make deps installs it)"
fi

# -- the man page renders cleanly -------------------------------------------
if command -v groff >/dev/null 2>&1; then
    warnings=$(groff -man -Tutf8 -ww -z "$man_page" 2>&1)
    if [ -z "$warnings" ]; then
        ok "groff -man -ww prints no warning for $man_page"
    else
        fail "groff -man -ww prints no warning for $man_page"
        printf '%s\n' "$warnings" | head -20 | sed 's/^/     /'
    fi
    headings=$(groff -man -Tutf8 -P-c -P-b -P-u -P-o "$man_page" 2>/dev/null | grep -E '^[A-Z][A-Z ]+$')
    for want in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS FILES ENVIRONMENT "EXIT STATUS" EXAMPLES "SEE ALSO"; do
        if printf '%s\n' "$headings" | grep -Fxq "$want"; then
            ok "$man_page has the section $want"
        else
            fail "$man_page has the section $want"
        fi
    done
else
    echo "skip groff is not installed (Debian package groff-base): the man page was not rendered"
fi

finish
