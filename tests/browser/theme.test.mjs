// The bundled theme in a real browser: accessibility (axe-core, light and
// dark), keyboard skip link and visible focus, landmarks, no sideways
// scrolling on a 320 px screen, reflow at 400% zoom and 200% text, no
// request leaving the site, page weight, print styles, sub-path hosting, and
// screenshots for a human to look at. The page-level checks run over every
// page in the built site's sitemap.xml plus the 404 page; axe and the
// screenshots use the named pages below.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, assert, launch, serve, axe, forbidExternalRequests, sharedSite } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.join(here, 'screenshots');
const SHOT_WIDTHS = [375, 768, 1280];
// Uncompressed. 60 KB until the decision tree listed every emergency and
// same-day sign and gained its link-safety script: /relative-rest/ is now
// 66 KB (about 18 KB gzipped), the heaviest page; articles are 35-45 KB.
const MAX_PAGE_BYTES = 70 * 1024;
// What counts towards a page's weight: HTML, CSS and JS, including what its
// scripts fetch (the search page's index); images aside.
const WEIGHED = new Set(['document', 'stylesheet', 'script', 'fetch', 'xhr']);
// The --base-url suite-browser.sh builds $SITE_OUT with; the sitemap's <loc>s
// start with it.
const BASE_URL = 'http://127.0.0.1/';
const MISSING = 'no-such-page/';

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
  { name: '404', path: MISSING },
];

// Every page of the built site: each <loc> of sitemap.xml as a path under the
// base path, plus the 404 page as served for a missing URL.
function allPages() {
  const xml = fs.readFileSync(path.join(process.env.SITE_OUT, 'sitemap.xml'), 'utf8');
  const locs = [...xml.matchAll(/<loc>\s*([^<]*?)\s*<\/loc>/g)].map((m) => m[1].replace(/&amp;/g, '&'));
  const outside = locs.filter((l) => !l.startsWith(BASE_URL));
  assert(outside.length === 0, `sitemap URLs not under ${BASE_URL}: ${outside.join(', ')}`);
  const paths = locs.map((l) => l.slice(BASE_URL.length));
  for (const p of ['', 'search/', 'relative-rest/', 'causes/', 'treatments/treatments-to-avoid/']) {
    assert(paths.includes(p), `sitemap.xml lacks /${p}`);
  }
  assert(fs.existsSync(path.join(process.env.SITE_OUT, '404.html')), 'the build wrote no 404.html');
  return [...new Set(paths), MISSING];
}

// One browser and one server for the whole file, started on first use.
const { setup, teardown } = sharedSite();

// Opens url in a fresh context that blocks requests leaving the site; fn
// gets the page. Fails if any request was blocked.
async function withPage(options, url, fn) {
  const { server, browser } = await setup();
  const context = await browser.newContext(options);
  const external = forbidExternalRequests(context, server.origin);
  await external.ready;
  const page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: 'load' });
    await fn(page, external);
    assert(external.length === 0, `requests left the site: ${external.join(', ')}`);
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
    test(`theme: axe finds no WCAG A/AA or landmark violation on ${p.name} (${scheme})`, async () => {
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

// In the page: how the focused element shows its focus, or null if nothing is.
const focusStop = () => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const cs = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const transparent = /^transparent$|rgba\([^)]*,\s*0\)$/.test(cs.outlineColor);
  const label = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
    ` "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}"`;
  return {
    label,
    outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 && !transparent,
    shadow: cs.boxShadow !== 'none' && cs.boxShadow !== '',
    style: `outline: ${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}; box-shadow: ${cs.boxShadow}`,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight,
  };
};

// WCAG 2.4.7: every keyboard focus stop shows where focus is, by an outline
// at least 2 px wide that is not transparent, or a box shadow.
test('theme: the first 15 tab stops on home, an article and search show a visible focus indicator', async () => {
  const STOPS = 15;
  const { server } = await setup();
  const problems = [];
  // Smooth scrolling would leave a just-focused stop below the fold for a moment.
  await withPage({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' }, 'about:blank', async (page) => {
    for (const where of ['', 'treatments/treatments-to-avoid/', 'search/']) {
      await page.goto(server.url + where, { waitUntil: 'load' });
      let stops = 0;
      for (let i = 0; i < STOPS; i++) {
        await page.keyboard.press('Tab');
        // Right after a navigation the focus styles can lag a frame or two
        // behind, so a stop that looks wrong is looked at again a little later.
        let f = await page.evaluate(focusStop);
        if (f && (!(f.outline || f.shadow) || !f.onScreen)) {
          await page.waitForTimeout(300);
          f = await page.evaluate(focusStop);
        }
        if (!f) break;
        stops++;
        if (!f.outline && !f.shadow) problems.push(`/${where} stop ${i + 1} ${f.label}: ${f.style}`);
        if (!f.onScreen) problems.push(`/${where} stop ${i + 1} ${f.label} is not on screen`);
      }
      if (stops < 5) problems.push(`/${where}: only ${stops} tab stops`);
    }
  });
  assert(problems.length === 0, problems.join('; '));
});

// One pass over every page, shared by the page-level tests below: a single
// context and page, at 320 px, with requests leaving the site blocked.
let crawled = null;
function crawlAllPages() {
  if (!crawled) crawled = crawl();
  return crawled;
}

async function crawl() {
  const { server, browser } = await setup();
  const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const external = forbidExternalRequests(context, server.origin);
  await external.ready;
  const page = await context.newPage();
  let inflight = 0;
  let lastActivity = Date.now();
  let bodies = [];
  page.on('request', () => { inflight++; lastActivity = Date.now(); });
  const settled = () => { inflight--; lastActivity = Date.now(); };
  page.on('requestfinished', settled);
  page.on('requestfailed', settled);
  page.on('response', (response) => {
    if (!WEIGHED.has(response.request().resourceType())) return;
    bodies.push(response.body().then((b) => b.length, () => 0));
  });
  // Resolves once no request has been in flight for 200 ms.
  async function quiet() {
    const deadline = Date.now() + 10000;
    while (inflight > 0 || Date.now() - lastActivity < 200) {
      assert(Date.now() < deadline, `${inflight} requests still in flight after 10 s`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const results = [];
  try {
    for (const p of allPages()) {
      const r = { path: '/' + p };
      results.push(r);
      bodies = [];
      const blockedBefore = external.length;
      await page.setViewportSize({ width: 320, height: 640 });
      const response = await page.goto(server.url + p, { waitUntil: 'load' });
      r.status = response.status();
      r.wide320 = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
      r.landmarks = await page.evaluate(landmarkProblems);
      // A reader about to search loads the index, so it counts towards the
      // search page's weight.
      if (await page.$('#search-q')) await page.focus('#search-q');
      await quiet();
      r.bytes = (await Promise.all(bodies)).reduce((a, b) => a + b, 0);
      r.requests = bodies.length;
      r.external = external.slice(blockedBefore);
      // WCAG 1.4.10: 1280 x 1024 at 400% zoom is 320 x 256 CSS px.
      await page.setViewportSize({ width: 320, height: 256 });
      r.wide400 = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
      // WCAG 1.4.4: text at 200% in a desktop window.
      await page.setViewportSize({ width: 1280, height: 800 });
      r.text200 = await page.evaluate(textResizeProblems);
    }
  } finally {
    await context.close();
  }
  return results;
}

// In the page: what is wrong with the skip link and landmarks, as strings.
function landmarkProblems() {
  const problems = [];
  const SECTIONING = 'article, aside, main, nav, section';
  const shown = (el) => !el.closest('[hidden], [aria-hidden="true"]') && getComputedStyle(el).display !== 'none';
  const nameOf = (el) => {
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
    const by = ids.map((id) => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
    return by || (el.getAttribute('aria-label') || '').trim() || (el.getAttribute('title') || '').trim();
  };
  // header and footer are banner and contentinfo unless inside sectioning content.
  const scoped = (tag, role) => [...document.querySelectorAll(`${tag}, [role="${role}"]`)].filter((el) => {
    const r = el.getAttribute('role');
    if (r) return r === role;
    return !el.parentElement.closest(SECTIONING);
  }).filter(shown);
  const banners = scoped('header', 'banner');
  const contentinfos = scoped('footer', 'contentinfo');
  const mains = [...document.querySelectorAll('main, [role="main"]')]
    .filter((el) => !el.getAttribute('role') || el.getAttribute('role') === 'main').filter(shown);
  const navs = [...document.querySelectorAll('nav, [role="navigation"]')]
    .filter((el) => !el.getAttribute('role') || el.getAttribute('role') === 'navigation').filter(shown);
  if (banners.length !== 1) problems.push(`${banners.length} banners`);
  if (mains.length !== 1) problems.push(`${mains.length} mains`);
  if (contentinfos.length !== 1) problems.push(`${contentinfos.length} contentinfos`);
  // One nav or several, each needs a name to tell it apart from the others.
  const names = navs.map(nameOf);
  if (navs.length === 0) problems.push('no nav');
  if (names.some((n) => !n)) problems.push(`a nav without a name among ${navs.length}`);
  if (new Set(names).size !== names.length) problems.push(`navs share a name: ${names.join(', ')}`);
  const skip = document.querySelector('body a[href]');
  const target = skip && skip.getAttribute('href').startsWith('#') && document.getElementById(skip.getAttribute('href').slice(1));
  if (!skip || !skip.classList.contains('skip-link')) problems.push('the first link is not the skip link');
  else if (!target || !mains.includes(target)) problems.push(`the skip link points at ${skip.getAttribute('href')}, not main`);
  return problems;
}

// In the page: with the root font size at 200%, whether the page scrolls
// sideways and which elements clip their text (overflow hidden or clip with
// content wider, or taller, than the box). Visually hidden text is meant to
// be clipped.
async function textResizeProblems() {
  document.documentElement.style.fontSize = '200%';
  // Under reduced motion the theme gives every property a 0.01 ms
  // transition, so computed sizes only settle on a later frame.
  for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(() => r()));
  const problems = [];
  const scroll = document.documentElement.scrollWidth;
  if (scroll > innerWidth) problems.push(`the page is ${scroll} px wide in a ${innerWidth} px window`);
  for (const el of document.body.querySelectorAll('*')) {
    const cs = getComputedStyle(el);
    const clipsX = cs.overflowX === 'hidden' || cs.overflowX === 'clip';
    const clipsY = cs.overflowY === 'hidden' || cs.overflowY === 'clip';
    if (!clipsX && !clipsY) continue;
    if (el.closest('.visually-hidden') || (cs.clip && cs.clip !== 'auto') || el.getClientRects().length === 0) continue;
    const what = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '');
    if (clipsX && el.scrollWidth > el.clientWidth + 1) problems.push(`${what} clips ${el.scrollWidth} px of text to ${el.clientWidth} px`);
    if (clipsY && el.scrollHeight > el.clientHeight + 1) problems.push(`${what} clips ${el.scrollHeight} px of text to ${el.clientHeight} px high`);
  }
  document.documentElement.style.fontSize = '';
  return problems;
}

// Runs check(result) over the crawl; check returns a problem or nothing.
async function overAllPages(check) {
  const results = await crawlAllPages();
  assert(results.length > 8, `only ${results.length} pages crawled`);
  const problems = results.map((r) => { const p = check(r); return p ? `${r.path}: ${p}` : null; }).filter(Boolean);
  assert(problems.length === 0, problems.join('; '));
}

test('theme: every page of the sitemap, and 404, is served', () => overAllPages((r) =>
  (r.status === (r.path === '/' + MISSING ? 404 : 200) ? null : `status ${r.status}`)));

test('theme: no page scrolls sideways at 320 px', () => overAllPages((r) =>
  (r.wide320.scroll > r.wide320.inner ? `${r.wide320.scroll} px wide in a ${r.wide320.inner} px window` : null)));

test('theme: every page reflows at 400% zoom (a 1280 x 1024 window seen as 320 x 256)', () => overAllPages((r) =>
  (r.wide400.scroll > r.wide400.inner ? `${r.wide400.scroll} px wide in a ${r.wide400.inner} px window` : null)));

test('theme: every page takes 200% text at 1280 px without sideways scrolling or clipped text', () => overAllPages((r) =>
  (r.text200.length ? r.text200.join(', ') : null)));

test('theme: no page makes a request that leaves the site (they are blocked)', () => overAllPages((r) =>
  (r.external.length ? `asked for ${r.external.join(', ')}` : null)));

test('theme: every page is under 70 KB of HTML, CSS and JS, fetched data included', () => overAllPages((r) => {
  if (r.bytes === 0) return 'nothing measured';
  return r.bytes >= MAX_PAGE_BYTES ? `weighs ${r.bytes} bytes in ${r.requests} responses` : null;
}));

test('theme: every page has a skip link to main, one banner, one main, one contentinfo and named navs', () =>
  overAllPages((r) => (r.landmarks.length ? r.landmarks.join(', ') : null)));

test('theme: the search page weighs its index too', async () => {
  const results = await crawlAllPages();
  const search = results.find((r) => r.path === '/search/');
  const index = fs.statSync(path.join(process.env.SITE_OUT, 'search.json')).size;
  const html = fs.statSync(path.join(process.env.SITE_OUT, 'search', 'index.html')).size;
  assert(search && search.bytes >= index + html, `the search page weighs ${search && search.bytes}, less than its HTML and index (${html} + ${index})`);
});

// The screenshots this file writes (NAME-WIDTH.png); other tests write
// theirs (decision-tree-js-*, reader-*) into the same folder, and those are
// kept.
const ownShot = (f) => PAGES.some((p) => new RegExp(`^${p.name}-\\d+\\.png$`).test(f));

test('theme: screenshots at 375, 768 and 1280 px of each named page', async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const f of fs.readdirSync(SHOTS).filter(ownShot)) fs.unlinkSync(path.join(SHOTS, f));
  const { server } = await setup();
  await withPage({ viewport: { width: SHOT_WIDTHS[0], height: 900 } }, server.url, async (page) => {
    for (const p of PAGES) {
      assert(p.path !== null, `no path for ${p.name}`);
      for (const width of SHOT_WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        if (width === SHOT_WIDTHS[0]) await page.goto(server.url + p.path, { waitUntil: 'load' });
        await page.screenshot({ path: path.join(SHOTS, `${p.name}-${width}.png`), fullPage: true });
      }
    }
  });
  const taken = fs.readdirSync(SHOTS).filter(ownShot);
  const expected = PAGES.flatMap((p) => SHOT_WIDTHS.map((w) => `${p.name}-${w}.png`));
  const missing = expected.filter((f) => !taken.includes(f));
  assert(missing.length === 0 && taken.length === expected.length,
    `screenshots missing: ${missing.join(', ')}; written: ${taken.length} of ${expected.length}`);
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
  const context = await browser.newContext();
  const external = forbidExternalRequests(context, server.origin);
  await external.ready;
  const page = await context.newPage();
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
    await context.close();
    await server.close();
    await teardown();
  }
});
