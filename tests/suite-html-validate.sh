#!/bin/sh
# HTML validity: builds the bundled site and runs html-validate (with the
# repository's .htmlvalidate.json) on every page it wrote, counting one
# check per page. Runs from anywhere; $LUMBAR is the binary under test.
cd "$(dirname "$0")/.." || exit 1
out=tests/out/html-validate
rm -rf "$out"
if ! "$LUMBAR" build -q -o "$out"; then
    echo "html-validate: the bundled site did not build"
    echo "html-validate: 0 passed, 1 failed"
    exit 1
fi
if [ ! -d node_modules/html-validate ]; then
    echo "html-validate: node_modules/html-validate is missing (run make deps)"
    echo "html-validate: 0 passed, 1 failed"
    exit 1
fi
# The package's own CLI needs a newer node than Debian ships, so drive its
# API; it is the same validator with the same configuration.
find "$out" -name '*.html' | sort | node --input-type=module -e '
import fs from "node:fs";
import { HtmlValidate, FileSystemConfigLoader, formatterFactory } from "html-validate";

const config = JSON.parse(fs.readFileSync(".htmlvalidate.json", "utf8"));
const validator = new HtmlValidate(new FileSystemConfigLoader(config));
const stylish = formatterFactory("stylish");
const files = fs.readFileSync(0, "utf8").split("\n").filter(Boolean);
let passed = 0, failed = 0;
for (const file of files) {
  const report = await validator.validateFile(file);
  if (report.valid) {
    passed++;
  } else {
    failed++;
    console.log(stylish(report.results));
  }
}
if (files.length === 0) {
  console.log("html-validate: the build wrote no .html files");
  failed++;
}
console.log(`html-validate: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
'
