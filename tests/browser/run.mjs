// Loads every tests/browser/*.test.mjs (each registers tests with lib.test)
// and runs them. The built site to test is in $SITE_OUT; see suite-browser.sh.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
for (const f of fs.readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort()) {
  await import(pathToFileURL(path.join(here, f)).href);
}
process.exit((await run('browser')) ? 0 : 1);
