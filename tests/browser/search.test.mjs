// Site search in a real browser, at the root and under a sub-path: typed
// queries find the articles a reader expects, ?q= links work, the index is
// only fetched from the site itself, search keeps working offline once the
// index is loaded (at the root and under a sub-path), the page with results
// showing passes axe in light and dark, and without JavaScript the page still
// lists every article.
import { test, assert, launch, serve, axe, forbidExternalRequests } from './lib.mjs';

// Query, then a page that must be among the first three results.
const EXPECTED = [
  ['sitting', 'treatments/changing-habits/'],
  ['red flags', 'symptoms/red-flags/'],
  ['ultrasound', 'treatments/treatments-to-avoid/'],
  ['ultras', 'treatments/treatments-to-avoid/'],
];
const TOP = 3;

const SITES = [
  { name: 'root', dir: () => process.env.SITE_OUT, base: '/' },
  { name: 'sub-path', dir: () => process.env.SITE_OUT_SUB, base: '/backpain/' },
];

let browser = null;

async function withSearchPage(site, fn, contextOptions = {}) {
  if (!browser) browser = await launch();
  const server = await serve(site.dir(), site.base);
  const context = await browser.newContext(contextOptions);
  // Requests that would leave the site are blocked and recorded.
  const external = forbidExternalRequests(context, server.origin);
  await external.ready;
  const page = await context.newPage();
  try {
    await page.goto(server.url + 'search/');
    await fn(page, server, context);
    assert(external.length === 0, `requests left the site: ${external.join(', ')}`);
  } finally {
    await context.close();
    await server.close();
  }
}

// Types query and resolves to the result hrefs once the status names it.
async function typeQuery(page, query) {
  await page.fill('#search-q', '');
  await page.type('#search-q', query, { delay: 10 });
  try {
    await page.waitForFunction((q) => document.getElementById('search-status').textContent.includes(`“${q}”`), query, { timeout: 10000 });
  } catch (e) {
    throw new Error(`no results for "${query}" after 10 s; the status says "${await page.textContent('#search-status')}"`);
  }
  return page.$$eval('#search-list a', (as) => as.map((a) => a.getAttribute('href')));
}

for (const site of SITES) {
  test(`search (${site.name}): typed queries rank the expected article in the top ${TOP}`, async () => {
    await withSearchPage(site, async (page) => {
      const misses = [];
      for (const [query, expected] of EXPECTED) {
        const hrefs = await typeQuery(page, query);
        if (!hrefs.slice(0, TOP).includes(site.base + expected)) misses.push(`${query}: ${hrefs.slice(0, TOP).join(', ')}`);
        const status = await page.textContent('#search-status');
        if (!/^\d+ results? for /.test(status)) misses.push(`${query}: status "${status}"`);
      }
      assert(misses.length === 0, misses.join('; '));
    });
  });

  test(`search (${site.name}): every word must match, and a miss says so`, async () => {
    await withSearchPage(site, async (page) => {
      const one = await typeQuery(page, 'ultrasound');
      const both = await typeQuery(page, 'ultrasound qqqzzz');
      assert(one.length > 0, 'ultrasound finds nothing');
      assert(both.length === 0, `a query with a word no page has still finds ${both.join(', ')}`);
      assert((await page.textContent('#search-status')).startsWith('No results'), 'no "No results" message');
      assert(await page.getAttribute('#search-status', 'aria-live') === 'polite', 'the status is not a live region');
    });
  });

  test(`search (${site.name}): a ?q= link runs the search and the index comes from the base path`, async () => {
    await withSearchPage(site, async (page, server) => {
      const fetched = [];
      page.on('request', (r) => { if (r.url().endsWith('.json')) fetched.push(new URL(r.url()).pathname); });
      await page.goto(server.url + 'search/?q=red+flags');
      await page.waitForFunction(() => document.querySelectorAll('#search-list a').length > 0);
      assert(await page.inputValue('#search-q') === 'red flags', 'the query is not in the box');
      const first = await page.getAttribute('#search-list a', 'href');
      assert(first === site.base + 'symptoms/red-flags/', `first result is ${first}`);
      assert(fetched.length === 1 && fetched[0] === site.base + 'search.json', `index fetched from ${fetched.join(', ')}`);
    });
  });
}

for (const site of SITES) {
  test(`search (${site.name}): keeps working offline once the index is loaded`, async () => {
    await withSearchPage(site, async (page, server, context) => {
      await typeQuery(page, 'sitting');
      await context.setOffline(true);
      const requested = [];
      page.on('request', (r) => requested.push(r.url()));
      const hrefs = await typeQuery(page, 'ultrasound');
      assert(hrefs.includes(site.base + 'treatments/treatments-to-avoid/'), `offline results: ${hrefs.join(', ')}`);
      assert(requested.length === 0, `offline, search asked for ${requested.join(', ')}`);
      await context.setOffline(false);
    });
  });
}

for (const scheme of ['light', 'dark']) {
  test(`search: axe finds no WCAG A/AA violation with results showing (${scheme})`, async () => {
    await withSearchPage(SITES[0], async (page) => {
      await page.emulateMedia({ colorScheme: scheme });
      const hrefs = await typeQuery(page, 'back pain');
      assert(hrefs.length >= 2, `"back pain" finds only ${hrefs.length} results`);
      assert(await page.isVisible('#search-list a'), 'the results are not visible');
      const violations = await axe(page);
      assert(violations.length === 0, JSON.stringify(violations, null, 1));
    }, { colorScheme: scheme, viewport: { width: 1280, height: 900 } });
  });
}

test('search: without JavaScript the page still has a labelled form and every section', async () => {
  try {
    await withSearchPage(SITES[0], async (page) => {
      const label = await page.textContent('label[for="search-q"]');
      assert(label && label.trim().length > 0, 'the search box has no label');
      const action = await page.getAttribute('#search-form', 'action');
      assert(action === '/search/', `the form sends to ${action}`);
      const sections = await page.$$eval('.site-index [data-section] a', (as) => as.map((a) => a.getAttribute('href')));
      for (const s of ['/causes/', '/symptoms/', '/treatments/', '/prevention/']) {
        assert(sections.includes(s), `the fallback list lacks ${s}: ${sections.join(', ')}`);
      }
      const articles = await page.$$eval('.site-index li a', (as) => as.length);
      assert(articles >= 10, `the fallback lists only ${articles} articles`);
    }, { javaScriptEnabled: false });
  } finally {
    await browser.close();
    browser = null;
  }
});
