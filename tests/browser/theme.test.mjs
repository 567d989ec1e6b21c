// The bundled theme in a real browser: accessibility (axe-core, light and
// dark), keyboard skip link, no sideways scrolling on a 320 px screen, no
// request leaving the site, page weight, print styles, sub-path hosting, and
// screenshots for a human to look at.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, assert, launch, serve, axe, forbidExternalRequests } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.join(here, 'screenshots');
const MAX_PAGE_BYTES = 60 * 1024;

// Paths under the base path; the tag page's path is read from the tags page,
// since tag slugs belong to the content.
const PAGES = [
  { name: 'home', path: '' },
  { name: 'section', path: 'causes/' },
  { name: 'article', path: 'treatments/treatments-to-avoid/' },
  { name: 'tag', path: null },
  { name: 'tags', path: null },
  { name: 'search', path: 'search/' },
  { name: 'decision-tree', path: 'relative-rest/' },
  { name: '404', path: 'no-such-page/' },
];

let shared = null;

// One browser and one server for the whole file, started on first use.
async function setup() {
  if (!shared) {
    shared = (async () => {
      const server = await serve(process.env.SITE_OUT, '/');
      const browser = await launch();
      return { server, browser };
    })();
  }
  return shared;
}

async function teardown() {
  if (!shared) return;
  const { server, browser } = await shared;
  shared = null;
  await browser.close();
  await server.close();
}

// Opens url in a fresh page; fn gets the page and the list of requests that
// left the site so far.
async function withPage(options, url, fn) {
  const { server, browser } = await setup();
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const external = forbidExternalRequests(page, server.origin);
  try {
    await page.goto(url, { waitUntil: 'load' });
    await fn(page, external);
  } finally {
    await context.close();
  }
}

async function resolvePaths() {
  const { server, browser } = await setup();
  const page = await browser.newPage();
  try {
    await page.goto(server.url);
    const tagsHref = await page.getAttribute('.footer-links a[href*="tag"]', 'href');
    assert(tagsHref, 'the footer links to the tags page');
    await page.goto(new URL(tagsHref, server.origin).href);
    const tagHref = await page.getAttribute('.tag-cloud a', 'href');
    assert(tagHref, 'the tags page lists at least one tag');
    PAGES.find((p) => p.name === 'tags').path = tagsHref.replace(/^\//, '');
    PAGES.find((p) => p.name === 'tag').path = tagHref.replace(/^\//, '');
  } finally {
    await page.close();
  }
}

test('theme: the tags page and a tag page can be found from the footer', resolvePaths);

for (const scheme of ['light', 'dark']) {
  for (const p of PAGES) {
    test(`theme: axe finds no WCAG A/AA violation on ${p.name} (${scheme})`, async () => {
      assert(p.path !== null, `no path for ${p.name}`);
      const { server } = await setup();
      await withPage({ colorScheme: scheme, viewport: { width: 1280, height: 900 } }, server.url + p.path, async (page) => {
        await page.emulateMedia({ colorScheme: scheme });
        const violations = await axe(page);
        assert(violations.length === 0, JSON.stringify(violations, null, 1));
      });
    });
  }
}

test('theme: the skip link is the first tab stop and moves focus to main', async () => {
  const { server } = await setup();
  await withPage({ viewport: { width: 375, height: 800 } }, server.url + 'treatments/treatments-to-avoid/', async (page) => {
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => {
      const el = document.activeElement;
      const box = el.getBoundingClientRect();
      return { cls: el.className, href: el.getAttribute('href'), top: box.top, height: box.height };
    });
    assert(first.cls === 'skip-link', `first tab stop is ${JSON.stringify(first)}`);
    assert(first.top >= 0 && first.height > 0, 'the focused skip link is on screen');
    await page.keyboard.press('Enter');
    const focused = await page.evaluate(() => document.activeElement.tagName + '#' + document.activeElement.id);
    assert(focused === 'MAIN#main', `focus after the skip link is on ${focused}`);
  });
});

test('theme: no page scrolls sideways at 320 px, and screenshots at 375, 768 and 1280 px', async () => {
  const { server } = await setup();
  fs.mkdirSync(SHOTS, { recursive: true });
  const wide = [];
  for (const p of PAGES) {
    await withPage({ viewport: { width: 320, height: 640 } }, server.url + p.path, async (page) => {
      const size = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
      if (size.scroll > size.inner) wide.push(`${p.name}: ${size.scroll} > ${size.inner}`);
      for (const width of [375, 768, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        await page.screenshot({ path: path.join(SHOTS, `${p.name}-${width}.png`), fullPage: true });
      }
    });
  }
  assert(wide.length === 0, `pages wider than the screen: ${wide.join('; ')}`);
  const taken = fs.readdirSync(SHOTS).filter((f) => f.endsWith('.png'));
  assert(taken.length >= PAGES.length * 3, `only ${taken.length} screenshots written`);
});

test('theme: text reflows at 400% zoom (a 1280 px window seen as 320 px)', async () => {
  const { server } = await setup();
  await withPage({ viewport: { width: 320, height: 256 }, deviceScaleFactor: 4 }, server.url + 'treatments/treatments-to-avoid/', async (page) => {
    const size = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    assert(size.scroll <= size.inner, `article is ${size.scroll} px wide in a ${size.inner} px window`);
  });
});

test('theme: no request leaves the site and every page is under 60 KB of HTML, CSS and JS', async () => {
  const { server } = await setup();
  const problems = [];
  for (const p of PAGES) {
    const { browser } = await setup();
    const context = await browser.newContext();
    const page = await context.newPage();
    const external = forbidExternalRequests(page, server.origin);
    let bytes = 0;
    const counted = [];
    page.on('response', (response) => {
      const type = response.request().resourceType();
      if (type === 'document' || type === 'stylesheet' || type === 'script') {
        counted.push(response.body().then((body) => { bytes += body.length; }, () => {}));
      }
    });
    await page.goto(server.url + p.path, { waitUntil: 'networkidle' });
    await Promise.all(counted);
    if (external.length) problems.push(`${p.name} asked for ${external.join(', ')}`);
    if (bytes === 0) problems.push(`${p.name}: nothing measured`);
    if (bytes >= MAX_PAGE_BYTES) problems.push(`${p.name} weighs ${bytes} bytes`);
    await context.close();
  }
  assert(problems.length === 0, problems.join('; '));
});

test('theme: print hides navigation, search and footer links, and shows reference URLs', async () => {
  const { server } = await setup();
  await withPage({}, server.url + 'treatments/treatments-to-avoid/', async (page) => {
    await page.emulateMedia({ media: 'print' });
    for (const selector of ['.site-nav', '.site-header', '.footer-links', '.skip-link']) {
      assert(!(await page.isVisible(selector)), `${selector} is visible in print`);
    }
    assert(await page.isVisible('.disclaimer'), 'the disclaimer is missing from print');
    const after = await page.evaluate(() => {
      const link = document.querySelector('.references a[href^="http"]');
      return link ? getComputedStyle(link, '::after').content : null;
    });
    assert(after && after.includes('http'), `reference links print ${after} after them`);
    await page.emulateMedia({ media: 'screen' });
    assert(await page.isVisible('.site-nav'), 'the navigation is hidden on screen');
  });
  await withPage({}, server.url + 'search/', async (page) => {
    await page.emulateMedia({ media: 'print' });
    assert(!(await page.isVisible('.search-box')), 'the search box is visible in print');
  });
});

test('theme: under a sub-path the stylesheet loads and links keep the base path', async () => {
  const { browser } = await setup();
  const server = await serve(process.env.SITE_OUT_SUB, '/backpain/');
  const page = await browser.newPage();
  const external = forbidExternalRequests(page, server.origin);
  const missing = [];
  page.on('response', (r) => { if (r.status() >= 400) missing.push(r.url()); });
  try {
    await page.goto(server.url + 'treatments/treatments-to-avoid/');
    const rules = await page.evaluate(() => [...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0));
    assert(rules > 20, `only ${rules} CSS rules loaded`);
    const hrefs = await page.$$eval('header a, footer a, .breadcrumb a', (as) => as.map((a) => a.getAttribute('href')));
    const outside = hrefs.filter((h) => h.startsWith('/') && !h.startsWith('/backpain/'));
    assert(outside.length === 0, `links outside the base path: ${outside.join(', ')}`);
    assert(missing.length === 0, `missing: ${missing.join(', ')}`);
    assert(external.length === 0, `external: ${external.join(', ')}`);
  } finally {
    await page.close();
    await server.close();
    await teardown();
  }
});
