#!/bin/sh
# The bundled site's editorial rules (tests/check-content.py) on a fresh
# build of it. Needs $LUMBAR and ../shared/FACTS.md.
cd "$(dirname "$0")/.." || exit 2
out=tests/out/content
rm -rf "$out"
mkdir -p tests/out
if ! "$LUMBAR" build -q -o "$out" 2>tests/out/content.stderr; then
    cat tests/out/content.stderr
    echo "content: 0 passed, 1 failed"
    exit 1
fi
python3 tests/check-content.py content "$out" "${FACTS:-../shared/FACTS.md}"
