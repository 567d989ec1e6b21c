#!/bin/sh
# Browser tests: builds the bundled site twice (at the root and under a
# sub-path) and drives Debian's chromium through playwright-core.
set -e
cd "$(dirname "$0")/.."
if [ ! -d node_modules/playwright-core ] || [ ! -x /usr/bin/chromium ]; then
    echo "browser: needs node_modules/playwright-core and /usr/bin/chromium: run make deps"
    echo "browser: 0 passed, 1 failed"
    exit 1
fi
out=tests/out/browser
rm -rf "$out"
mkdir -p "$out"
"$LUMBAR" build -q -o "$out/root" --base-url http://127.0.0.1/
"$LUMBAR" build -q -o "$out/sub" --base-url http://127.0.0.1/backpain/
SITE_OUT="$out/root" SITE_OUT_SUB="$out/sub" node tests/browser/run.mjs
