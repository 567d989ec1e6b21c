// Site search in a real browser.
// - The bundled site, at the root and under a sub-path: typed queries find
//   the articles a reader expects, every word must match, ?q= links work,
//   the index only comes from the site itself, a query whose files are
//   loaded works offline, axe passes with results showing, and without
//   JavaScript the page still lists every article.
// - A small site of our own (tests/browser/search-site): search.js splits,
//   folds and stems tests/search-words.tsv exactly as src/words.c does;
//   sciatica, a typo of it, walking (found only far into a long body, and as
//   walks and walked), ibuprofen and bed rest (the page about it first);
//   snippets quote the matching sentence with the words marked; keyboard
//   only, from Tab to the result's page.
// - 10,000 articles from ../shared/bench/make-corpus: no search loads more
//   than 300 KB of index files, and no shard is over 64 KB.
import { test, assert, launch, serve, axe, forbidExternalRequests } from './lib.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

// Query, then a page that must be among the first three results.
const EXPECTED = [
  ['sitting', 'treatments/changing-habits/'],
  ['red flags', 'symptoms/red-flags/'],
  ['ultrasound', 'treatments/treatments-to-avoid/'],
  ['ultras', 'treatments/treatments-to-avoid/'],
  // What readers came for and found nothing (issue 20): each finds its page.
  ['sciatica', 'symptoms/sciatica/'],
  ['ibuprofen', 'treatments/medicines/'],
  ['paracetamol', 'treatments/medicines/'],
  ['opioid', 'treatments/medicines/'],
  ['pregnant', 'symptoms/pregnancy/'],
  ['MRI', 'getting-help/scans-and-tests/'],
  ['work', 'getting-help/work/'],
  ['sleep', 'treatments/sleep/'],
  ['flare-up', 'treatments/flare-up-plan/'],
  ['surgery', 'getting-help/injections-and-surgery/'],
];
const TOP = 3;

const LUMBAR = process.env.LUMBAR || path.resolve('build/lumbar');
const BENCH_DIR = process.env.BENCH_DIR || path.resolve('../shared/bench');
const OUT = path.resolve('tests/out');

const SITES = [
  { name: 'root', dir: () => process.env.SITE_OUT, base: '/' },
  { name: 'sub-path', dir: () => process.env.SITE_OUT_SUB, base: '/backpain/' },
];

// Builds a site folder made of content from contentDir and the bundled
// theme into out; returns out.
function buildWithTheme(siteDir, contentDir, out, extra = []) {
  fs.rmSync(siteDir, { recursive: true, force: true });
  fs.mkdirSync(siteDir, { recursive: true });
  for (const part of ['layouts', 'assets']) fs.cpSync(part, path.join(siteDir, part), { recursive: true });
  if (contentDir) fs.cpSync(contentDir, siteDir, { recursive: true });
  fs.rmSync(out, { recursive: true, force: true });
  execFileSync(LUMBAR, ['build', '-q', '-s', siteDir, '-o', out, ...extra], { stdio: 'inherit' });
  return out;
}

let ownSite = null;
const OWN = { name: 'own', dir: () => ownSite, base: '/' };
function buildOwnSite() {
  if (!ownSite) ownSite = buildWithTheme(path.join(OUT, 'search-site'), 'tests/browser/search-site', path.join(OUT, 'search-site-public'));
}

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

// The snippet of the result linking to href, as HTML.
function snippetOf(page, href) {
  return page.$eval(`#search-list a[href="${href}"]`, (a) => {
    const p = a.parentElement.querySelector('.snippet');
    return p ? p.innerHTML : '';
  });
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
      page.on('request', (r) => { if (r.url().includes('.json')) fetched.push(new URL(r.url()).pathname); });
      await page.goto(server.url + 'search/?q=red+flags');
      await page.waitForFunction(() => document.querySelectorAll('#search-list a').length > 0);
      assert(await page.inputValue('#search-q') === 'red flags', 'the query is not in the box');
      const first = await page.getAttribute('#search-list a', 'href');
      assert(first === site.base + 'symptoms/red-flags/', `first result is ${first}`);
      assert(fetched[0] === site.base + 'search.json', `the manifest came from ${fetched[0]}`);
      const stray = fetched.filter((p) => !/^\/(backpain\/)?search\/(s\/[0-9a-f]+|d\/[0-9]+\/[0-9]+)\.json$/.test(p) && p !== site.base + 'search.json');
      assert(stray.length === 0 && fetched.every((p) => p.startsWith(site.base)), `index files fetched from ${fetched.join(', ')}`);
    });
  });

  test(`search (${site.name}): a search whose files are loaded works offline`, async () => {
    await withSearchPage(site, async (page, server, context) => {
      await typeQuery(page, 'ultrasound');
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
      assert(await page.$$eval('#search-list mark', (m) => m.length) > 0, 'no word is marked');
      const violations = await axe(page);
      assert(violations.length === 0, JSON.stringify(violations, null, 1));
    }, { colorScheme: scheme, viewport: { width: 1280, height: 900 } });
  });
}

test('search: without JavaScript the page still has a labelled form and every section', async () => {
  await withSearchPage(SITES[0], async (page) => {
    const label = await page.textContent('label[for="search-q"]');
    assert(label && label.trim().length > 0, 'the search box has no label');
    const action = await page.getAttribute('#search-form', 'action');
    assert(action === '/search/', `the form sends to ${action}`);
    assert(!(await page.isVisible('#search-more')), 'the "Show more" button shows without JavaScript');
    const sections = await page.$$eval('.site-index [data-section] a', (as) => as.map((a) => a.getAttribute('href')));
    for (const s of ['/causes/', '/symptoms/', '/treatments/', '/prevention/']) {
      assert(sections.includes(s), `the fallback list lacks ${s}: ${sections.join(', ')}`);
    }
    const articles = await page.$$eval('.site-index li a', (as) => as.length);
    assert(articles >= 10, `the fallback lists only ${articles} articles`);
  }, { javaScriptEnabled: false });
});

test('search: search.js splits, folds and stems tests/search-words.tsv as src/words.c does', async () => {
  buildOwnSite();
  const rows = fs.readFileSync('tests/search-words.tsv', 'utf8').split('\n')
    .filter((l) => l && !l.startsWith('#') && l.includes('\t')).map((l) => l.split('\t'));
  assert(rows.length >= 30, `only ${rows.length} rows in tests/search-words.tsv`);
  await withSearchPage(OWN, async (page) => {
    const wrong = await page.evaluate((table) => table.filter(([text, want]) => {
      const w = window.lumbarSearchWords;
      return w.splitWords(text).map((x) => w.stem(x.word)).join(' ') !== want;
    }).map(([text, want]) => `${text} (want ${want})`), rows);
    assert(wrong.length === 0, `search.js disagrees on ${wrong.join('; ')}`);
  });
});

// Query, the page that must come first, and words the snippet of that
// result must mark.
const OWN_FIRST = [
  ['sciatica', 'causes/sciatica/', ['Sciatica']],
  ['sciatca', 'causes/sciatica/', ['Sciatica']],
  ['ibuprofen', 'treatments/medicines/', ['ibuprofen']],
  ['bed rest', 'treatments/bed-rest/', ['Bed', 'rest']],
];

test('search: sciatica, a typo of it, ibuprofen and bed rest find the page about them first, with marked snippets', async () => {
  buildOwnSite();
  await withSearchPage(OWN, async (page) => {
    const misses = [];
    for (const [query, expected, marked] of OWN_FIRST) {
      const hrefs = await typeQuery(page, query);
      if (hrefs[0] !== '/' + expected) {
        misses.push(`${query}: ${hrefs.join(', ')}`);
        continue;
      }
      const html = await snippetOf(page, '/' + expected);
      for (const word of marked) if (!html.includes(`<mark>${word}</mark>`)) misses.push(`${query}: snippet "${html}" lacks <mark>${word}</mark>`);
    }
    assert(misses.length === 0, misses.join('; '));
    for (const word of ['constructor', '__proto__', 'toString']) {
      const none = await typeQuery(page, word);
      assert(none.length === 0 && (await page.textContent('#search-status')).startsWith('No results'), `${word}: ${await page.textContent('#search-status')}`);
    }
    const bedRest = await typeQuery(page, 'bed rest');
    assert(bedRest.includes('/treatments/medicines/'), `"bed rest" misses a page with both words apart: ${bedRest.join(', ')}`);
  });
});

test('search: walking finds walks, walked and a word far into a long body, quoting its sentence', async () => {
  buildOwnSite();
  const source = fs.readFileSync('tests/browser/search-site/content/treatments/staying-active.md', 'utf8');
  const body = source.slice(source.indexOf('---', 3) + 3);
  assert(body.indexOf('walking') > 2000, 'the test page says "walking" too early to test the whole text');
  await withSearchPage(OWN, async (page) => {
    const hrefs = await typeQuery(page, 'walking');
    for (const href of ['/treatments/staying-active/', '/treatments/exercise/']) {
      assert(hrefs.includes(href), `walking misses ${href}: ${hrefs.join(', ')}`);
    }
    const long = await snippetOf(page, '/treatments/staying-active/');
    assert(long === 'Long, slow <mark>walking</mark> on flat ground is one of the easiest ways to stay active when your back is sore.',
      `the snippet is "${long}"`);
    const forms = await snippetOf(page, '/treatments/exercise/');
    assert(forms.includes('<mark>walks</mark>') && forms.includes('<mark>walked</mark>'), `the snippet is "${forms}"`);
    const exercises = await typeQuery(page, 'exercise');
    assert(exercises[0] === '/treatments/exercise/', `exercise: ${exercises.join(', ')}`);
    assert((await snippetOf(page, '/treatments/exercise/')).includes('<mark>exercises</mark>'), 'exercises is not marked');
  });
});

test('search: keyboard only, from Tab to the page of the first result', async () => {
  buildOwnSite();
  await withSearchPage(OWN, async (page) => {
    let focused = '';
    for (let i = 0; i < 40 && focused !== 'search-q'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    }
    assert(focused === 'search-q', 'Tab never reaches the search box');
    await page.keyboard.type('sciatca');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('#search-list a').length > 0, null, { timeout: 10000 });
    await page.keyboard.press('Tab'); // the Search button
    await page.keyboard.press('Tab'); // the first result
    const href = await page.evaluate(() => document.activeElement.getAttribute('href'));
    assert(href === '/causes/sciatica/', `Tab from the box reaches ${href}`);
    await Promise.all([page.waitForURL('**/causes/sciatica/'), page.keyboard.press('Enter')]);
  });
});

test('search: at 10,000 articles no search loads more than 300 KB of index, and no shard is over 64 KB', async () => {
  const started = Date.now();
  const siteDir = path.join(OUT, 'search-10k');
  const out = path.join(OUT, 'search-10k-public');
  const corpus = path.join(OUT, 'search-10k-corpus');
  fs.rmSync(corpus, { recursive: true, force: true });
  execFileSync('python3', [path.join(BENCH_DIR, 'make-corpus'), '10000', corpus], { stdio: 'ignore' });
  fs.copyFileSync('config.ini', path.join(corpus, 'config.ini'));
  fs.copyFileSync('content/search.md', path.join(corpus, 'content/search.md'));
  buildWithTheme(siteDir, corpus, out);
  fs.rmSync(corpus, { recursive: true, force: true });
  const built = Date.now();
  const shards = fs.readdirSync(path.join(out, 'search/s')).map((f) => fs.statSync(path.join(out, 'search/s', f)).size);
  const manifest = fs.statSync(path.join(out, 'search.json')).size;
  assert(Math.max(...shards) <= 64 * 1024, `the largest shard is ${Math.max(...shards)} bytes`);
  assert(manifest <= 16 * 1024, `the manifest is ${manifest} bytes`);
  // Each search in a page load of its own, from a ?q= link: one query,
  // as a paste or a pause in typing gives.
  await withSearchPage({ dir: () => out, base: '/' }, async (page, server) => {
    let sizes = [];
    page.on('requestfinished', (r) => {
      const p = new URL(r.url()).pathname;
      if (p === '/search.json' || p.startsWith('/search/')) sizes.push(fs.statSync(path.join(out, p)).size);
    });
    for (const query of ['walking', 'sleep posture lumbar', 'stifness']) {
      sizes = [];
      await page.goto(server.url + 'search/?q=' + encodeURIComponent(query));
      await page.waitForFunction((q) => document.getElementById('search-status').textContent.includes(`“${q}”`), query, { timeout: 10000 });
      const hrefs = await page.$$eval('#search-list a', (as) => as.map((a) => a.getAttribute('href')));
      assert(hrefs.length === 10, `"${query}" shows ${hrefs.length} results`);
      const total = sizes.reduce((x, y) => x + y, 0);
      assert(total <= 300 * 1024, `"${query}" loaded ${total} bytes of index in ${sizes.length} files`);
      console.log(`search: "${query}" at 10,000 articles loaded ${total} bytes of index in ${sizes.length} files`);
    }
  });
  if (browser) await browser.close();
  browser = null;
  fs.rmSync(siteDir, { recursive: true, force: true });
  fs.rmSync(out, { recursive: true, force: true });
  console.log(`search: 10,000 articles built in ${((built - started) / 1000).toFixed(1)} s, searched in ${((Date.now() - built) / 1000).toFixed(1)} s`);
});
