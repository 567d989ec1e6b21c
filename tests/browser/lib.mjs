// Shared helpers for the browser tests: Debian's chromium through
// playwright-core, a loopback static server for a built site, axe-core, and a
// tiny harness that ends with "browser: N passed, N failed".
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run',
];

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

const MIME = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.xml': 'application/xml', '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.ico': 'image/x-icon',
};

// Serves dir at http://127.0.0.1:PORT/basePath, as a static host would
// (index.html for folders, 404.html for anything missing). Resolves to
// { origin, url, close() }.
export function serve(dir, basePath = '/') {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    let p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!p.startsWith(basePath)) return notFound(res);
    p = path.join(root, p.slice(basePath.length));
    if (!p.startsWith(root)) return notFound(res);
    if (fs.existsSync(p) && fs.statSync(p).isDirectory()) p = path.join(p, 'index.html');
    if (!fs.existsSync(p)) return notFound(res);
    res.writeHead(200, { 'content-type': MIME[path.extname(p)] || 'application/octet-stream' });
    res.end(fs.readFileSync(p));
  });
  function notFound(res) {
    const page = path.join(root, '404.html');
    res.writeHead(404, { 'content-type': MIME['.html'] });
    res.end(fs.existsSync(page) ? fs.readFileSync(page) : 'not found');
  }
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      resolve({ origin, url: origin + basePath, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

// Blocks and records every request that would leave the loopback server.
// target is a browser context (or a page): a route on '**/*' aborts any
// request whose origin is not origin (data:, blob: and about: URLs never
// reach the network and are let through), and each blocked URL is pushed to
// seen, which is returned at once so the caller can assert it stays empty.
// The route is installed asynchronously: await seen.ready before navigating.
// A browser and a server of dir (default $SITE_OUT) shared by one test
// file: setup() starts both on first use and resolves to {server, browser};
// teardown() closes them.
export function sharedSite(dir, basePath = '/') {
  let shared = null;
  return {
    setup() {
      if (!shared) {
        shared = (async () => {
          const server = await serve(dir || process.env.SITE_OUT, basePath);
          const browser = await launch();
          return { server, browser };
        })();
      }
      return shared;
    },
    async teardown() {
      if (!shared) return;
      const { server, browser } = await shared;
      shared = null;
      await browser.close();
      await server.close();
    },
  };
}

export function forbidExternalRequests(target, origin, seen = []) {
  const recorded = new WeakSet();
  const local = (u) => /^(data|blob|about):/.test(u) || originOf(u) === origin;
  const record = (req) => {
    if (recorded.has(req) || local(req.url())) return;
    recorded.add(req);
    seen.push(req.url());
  };
  // Also listen, in case a request starts before the route is in place.
  target.on('request', record);
  const ready = target.route('**/*', (route) => {
    const req = route.request();
    if (local(req.url())) return route.fallback();
    record(req);
    return route.abort('blockedbyclient');
  }).catch(() => {});
  Object.defineProperty(seen, 'ready', { value: ready });
  return seen;
}

function originOf(u) {
  try { return new URL(u).origin; } catch { return null; }
}

// Runs axe-core in the page for WCAG 2.0, 2.1 and 2.2 A/AA (axe-core tags
// its WCAG 2.2 rules only 'wcag22aa'; there is no 'wcag22a' tag), plus the
// best-practice rules about landmarks and bypass blocks; resolves to the
// violations.
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
export const AXE_EXTRA_RULES = [
  'landmark-one-main', 'region', 'landmark-unique', 'bypass',
  'landmark-no-duplicate-banner', 'landmark-no-duplicate-contentinfo',
];
export async function axe(page) {
  const source = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: source });
  return page.evaluate(async ({ tags, extra }) => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      rules: Object.fromEntries(extra.map((id) => [id, { enabled: true }])),
    });
    return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  }, { tags: AXE_TAGS, extra: AXE_EXTRA_RULES });
}

const tests = [];
// Registers a test; fn gets nothing and throws (or rejects) to fail.
export function test(name, fn) { tests.push({ name, fn }); }

export function assert(cond, message) { if (!cond) throw new Error(message); }

// Runs every registered test in order and prints the suite line.
export async function run(suite) {
  let passed = 0, failed = 0;
  for (const t of tests) {
    try {
      await t.fn();
      passed++;
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name}: ${e && e.stack ? e.stack : e}`);
    }
  }
  console.log(`${suite}: ${passed} passed, ${failed} failed`);
  return failed === 0;
}
