// The reader comes first (issue 19): on a 375 x 740 phone the urgent help
// and the calls to action are on the first screen; the care cards say
// their level in words and link the emergency number from config.ini; an
// article opens with its key points and keeps its review at the foot; tags
// show display names; every page's footer names the publisher and links the
// editorial policy and a way to report a problem. Writes reader-*.png
// screenshots (375 and 1280 px, light and dark) for a human to look at.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test, assert, launch, serve, axe, forbidExternalRequests } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..', '..');
const SHOTS = path.join(here, 'screenshots');
const PHONE = { width: 375, height: 740 };

// [section] key = value pairs of the bundled config.ini, as { 'params.x': v }.
function readConfig() {
  const out = {};
  let section = '';
  for (const raw of fs.readFileSync(path.join(ROOT, 'config.ini'), 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const head = line.match(/^\[(.+)\]$/);
    if (head) { section = head[1]; continue; }
    const kv = line.match(/^([^=]+?)\s*=\s*(.*)$/);
    if (kv) out[`${section}.${kv[1]}`] = kv[2];
  }
  return out;
}
const CONFIG = readConfig();

let shared = null;
async function setup() {
  if (!shared) {
    shared = (async () => ({ server: await serve(process.env.SITE_OUT, '/'), browser: await launch() }))();
  }
  return shared;
}

// Opens path on a fresh page of the given viewport and colour scheme, with
// requests leaving the site blocked; fn gets the page.
async function onPage(where, fn, { viewport = PHONE, colorScheme = 'light', server: srv } = {}) {
  const { server, browser } = await setup();
  const origin = srv || server;
  const context = await browser.newContext({ viewport, colorScheme, reducedMotion: 'reduce' });
  const external = forbidExternalRequests(context, origin.origin);
  await external.ready;
  const page = await context.newPage();
  try {
    await page.goto(origin.url + where, { waitUntil: 'load' });
    await fn(page);
    assert(external.length === 0, `requests left the site: ${external.join(', ')}`);
  } finally {
    await context.close();
  }
}

// In the page: the box of the first element matching selector, in page
// coordinates, or null.
const boxOf = (page, selector) => page.evaluate((sel) => {
  const el = document.querySelector(sel);
  if (!el) return null;
  const r = el.getBoundingClientRect();
  return { top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right, height: r.height };
}, selector);

// -- care cards and the red-flags page ----------------------------------------

test('reader: the red-flags page opens with the emergency card, then the same-day card, on a 375x740 phone', async () => {
  await onPage('symptoms/red-flags/', async (page) => {
    const emergency = await boxOf(page, '.callout-emergency');
    assert(emergency, 'no emergency card on the red-flags page');
    assert(emergency.top < PHONE.height - 150, `the emergency card starts at ${emergency.top}px, below the first screen`);
    const tel = await boxOf(page, '.callout-emergency a[href^="tel:"]');
    assert(tel && tel.bottom <= PHONE.height, `the emergency card's tel: link is not on the first screen: ${JSON.stringify(tel)}`);
    const order = await page.evaluate(() => {
      const prose = document.querySelector('.prose');
      return [...prose.children].slice(0, 3).map((el) => el.className || el.tagName);
    });
    assert(order[0] === 'callout callout-emergency' && order[1] === 'callout callout-urgent',
      `the page's text opens with ${order.join(', ')}, not the emergency then the same-day card`);
    const labels = await page.$$eval('.prose .callout-label', (ps) => ps.slice(0, 2).map((p) => p.textContent.trim()));
    assert(labels[0] === 'Emergency' && labels[1] === 'Urgent', `card labels ${labels.join(', ')} do not say the level in words`);
    const telHref = await page.getAttribute('.callout-emergency a[href^="tel:"]', 'href');
    assert(telHref === `tel:${CONFIG['params.emergency_number']}`, `the emergency card calls ${telHref}`);
    const urgentTel = await page.getAttribute('.callout-urgent a[href^="tel:"]', 'href');
    assert(urgentTel === `tel:${CONFIG['params.urgent_number']}`, `the same-day card calls ${urgentTel}`);
  });
});

test('reader: the care cards differ by more than colour and pass axe in light and dark', async () => {
  for (const colorScheme of ['light', 'dark']) {
    await onPage('symptoms/red-flags/', async (page) => {
      const looks = await page.evaluate(() => ['.callout-emergency', '.callout-urgent'].map((sel) => {
        const label = document.querySelector(`${sel} > .callout-label`);
        const icon = getComputedStyle(label, '::before');
        return { band: getComputedStyle(label).backgroundColor, icon: icon.content, radius: icon.borderRadius };
      }));
      assert(looks[0].band !== looks[1].band, `both cards' bands are ${looks[0].band} (${colorScheme})`);
      assert(looks.every((l) => l.content !== 'none' && l.icon !== 'none'), `a card has no icon: ${JSON.stringify(looks)}`);
      assert(looks[0].radius !== looks[1].radius, `the emergency and urgent icons have the same shape (${colorScheme})`);
      const violations = await axe(page);
      assert(violations.length === 0, `${colorScheme}: ${JSON.stringify(violations, null, 1)}`);
    }, { colorScheme, viewport: { width: 1280, height: 900 } });
  }
});

test('reader: the theme\'s emergency card (404 page, footer) links the number from config.ini', async () => {
  const number = CONFIG['params.emergency_number'];
  assert(number, 'config.ini has no [params] emergency_number');
  await onPage('no-such-page/', async (page) => {
    const card = await page.$('.care-card.callout-emergency');
    assert(card, 'the 404 page has no emergency care card');
    const text = await card.textContent();
    assert(/Call 999 or go to A&E now/.test(text.replace(/\s+/g, ' ')) || text.includes(`Call ${number}`),
      `the card says: ${text}`);
    assert(await page.getAttribute('.care-card a[href^="tel:"]', 'href') === `tel:${number}`, 'the card\'s tel: link');
    assert(await page.getAttribute('.disclaimer a[href^="tel:"]', 'href') === `tel:${number}`, 'the footer\'s tel: link');
  });
});

// -- home ---------------------------------------------------------------------

test('reader: home does not repeat the site title as its H1, and both calls to action are on a phone\'s first screen', async () => {
  await onPage('', async (page) => {
    const siteTitle = (await page.textContent('.site-title')).trim();
    const h1 = (await page.textContent('h1')).trim();
    assert(h1 && h1 !== siteTitle, `the H1 repeats the site title "${siteTitle}"`);
    const actions = await page.$$eval('.hero-actions a', (as) => as.map((a) => {
      const r = a.getBoundingClientRect();
      return { href: a.getAttribute('href'), top: r.top + scrollY, bottom: r.bottom + scrollY };
    }));
    assert(actions.length === 2, `${actions.length} calls to action`);
    assert(actions[0].href === '/relative-rest/', `the first call to action goes to ${actions[0].href}`);
    assert(actions[1].href === '/getting-help/when-to-get-help/', `the second goes to ${actions[1].href}`);
    for (const a of actions) assert(a.bottom <= PHONE.height, `${a.href} ends at ${a.bottom}px, below the first screen`);
    const flags = await boxOf(page, '.hero a[href="/symptoms/red-flags/"]');
    assert(flags && flags.bottom <= PHONE.height, 'the red flags link is not on the first screen');
  });
});

test('reader: the two calls to action sit side by side or stack cleanly at every width', async () => {
  const problems = [];
  await onPage('', async (page) => {
    for (const width of [320, 375, 480, 600, 768, 1024, 1280, 1600]) {
      await page.setViewportSize({ width, height: 800 });
      const [a, b] = await page.$$eval('.hero-actions a', (as) => as.map((el) => {
        const r = el.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height };
      }));
      const sideBySide = Math.abs(a.top - b.top) < 1 && Math.abs(a.height - b.height) < 1 && b.left >= a.right;
      const stacked = b.top >= a.bottom && Math.abs(a.left - b.left) < 1 && Math.abs(a.right - b.right) < 1;
      if (!sideBySide && !stacked) problems.push(`${width}px: ${JSON.stringify([a, b])}`);
      if (width >= 1024 && !sideBySide) problems.push(`${width}px: not side by side`);
    }
  });
  assert(problems.length === 0, problems.join('; '));
});

test('reader: home lists the topics (with Getting help) before the long explanation, and whole cards are links', async () => {
  await onPage('', async (page) => {
    const order = await page.evaluate(() => {
      const cards = document.querySelector('.card-grid');
      const prose = document.querySelector('main .prose');
      return cards && prose ? cards.compareDocumentPosition(prose) & Node.DOCUMENT_POSITION_FOLLOWING : -1;
    });
    assert(order > 0, 'the topic cards do not come before the explanation');
    const titles = await page.$$eval('.card-grid .card h3', (hs) => hs.map((h) => h.textContent.trim()));
    assert(titles.includes('Getting help'), `the topic cards are ${titles.join(', ')}`);
    // A click on a card's description, away from its heading, opens the section.
    const target = await page.$eval('.card-grid .card', (card) => card.querySelector('a').getAttribute('href'));
    const p = await page.$('.card-grid .card p');
    await p.scrollIntoViewIfNeeded();
    const box = await p.boundingBox();
    await Promise.all([page.waitForURL((u) => u.pathname === target), page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)]);
  });
});

// -- articles -------------------------------------------------------------------

test('reader: an article opens with its key points on a phone\'s first screen and keeps the review at its foot', async () => {
  await onPage('treatments/treatments-to-avoid/', async (page) => {
    const kp = await boxOf(page, '.key-points');
    assert(kp && kp.bottom <= PHONE.height, `the key points box is not on the first screen: ${JSON.stringify(kp)}`);
    const title = (await page.textContent('.key-points h2')).trim();
    assert(title === 'Key points', `the box is headed "${title}"`);
    // No key_points in front matter: the description stands in.
    const description = await page.getAttribute('meta[name="description"]', 'content');
    const text = (await page.textContent('.key-points p')).trim();
    assert(text === description, `the box says "${text}", not the description`);
    const notice = await boxOf(page, '.red-flags-notice');
    assert(notice && notice.top < PHONE.height, 'the red-flags notice does not start on the first screen');
    const foot = await page.evaluate(() => {
      const review = document.querySelector('.review');
      const prose = document.querySelector('.article-body .prose');
      const refs = document.querySelector('.references');
      const after = (a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
      return review && prose && refs ? after(prose, review) && after(refs, review) : null;
    });
    assert(foot === true, 'the review box is not after the text and its references');
  });
});

// Every built page that uses the article layout (it has .article-body),
// as paths under the site root.
function articlePages(dir) {
  const found = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === 'index.html' && fs.readFileSync(p, 'utf8').includes('class="article-body"')) {
        found.push(path.relative(dir, d).split(path.sep).join('/') + '/');
      }
    }
  };
  walk(dir);
  return found.sort();
}

test('reader: on a 375x740 phone every article\'s text starts on the first screen, under the red-flags notice', async () => {
  const pages = articlePages(process.env.SITE_OUT);
  assert(pages.length >= 25, `only ${pages.length} article pages found`);
  const problems = [];
  let notices = 0;
  for (const where of pages) {
    await onPage(where, async (page) => {
      const m = await page.evaluate(() => {
        const box = (el) => (el ? el.getBoundingClientRect() : null);
        // The first text element of the body: a paragraph, list or card, not a heading.
        const first = [...document.querySelectorAll('.article-body .prose > *')].find((el) => !/^H[1-6]$/.test(el.tagName));
        const notice = document.querySelector('.red-flags-notice');
        const levels = notice ? [...notice.querySelectorAll('li')] : [];
        const size = (sel) => { const el = document.querySelector(sel); return el ? parseFloat(getComputedStyle(el).fontSize) : null; };
        return {
          first: first ? Math.round(box(first).top + scrollY) : null,
          notice: notice ? Math.round(box(notice).top + scrollY) : null,
          levels: levels.map((li) => ({ text: li.textContent, bottom: Math.round(box(li).bottom + scrollY) })),
          link: notice ? !!notice.querySelector('a[href$="/symptoms/red-flags/"]') : false,
          sizes: [size('.key-points p'), size('.key-points li'), size('.red-flags-notice li'), size('.article-body .prose > p')],
        };
      });
      if (m.first === null || m.first >= PHONE.height) problems.push(`/${where}: the text starts at ${m.first}px`);
      const small = m.sizes.filter((px) => px !== null && px < 15);
      if (small.length) problems.push(`/${where}: text of ${small.join(', ')}px`);
      if (m.notice === null) return;
      notices++;
      if (m.notice > m.first) problems.push(`/${where}: the red-flags notice comes after the text`);
      if (m.levels.length !== 3 || !/999/.test(m.levels[0].text) || !/today/.test(m.levels[1].text) || !/few weeks/.test(m.levels[2].text)) {
        problems.push(`/${where}: the notice's levels read ${JSON.stringify(m.levels.map((l) => l.text))}`);
      } else if (m.levels[0].bottom > PHONE.height) {
        problems.push(`/${where}: the notice's emergency line ends at ${m.levels[0].bottom}px, below the first screen`);
      }
      if (!m.link) problems.push(`/${where}: the notice does not link the red-flags page`);
    });
  }
  assert(notices >= 20, `only ${notices} articles show the red-flags notice`);
  assert(problems.length === 0, problems.join('; '));
});

// A copy of the bundled site with changes, built with $LUMBAR; fn gets a
// server for it.
async function withSiteCopy(change, fn) {
  assert(process.env.LUMBAR, 'LUMBAR is not set');
  const site = fs.mkdtempSync(path.join(os.tmpdir(), 'reader-site-'));
  try {
    for (const d of ['content', 'layouts', 'assets']) fs.cpSync(path.join(ROOT, d), path.join(site, d), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'config.ini'), path.join(site, 'config.ini'));
    change(site);
    execFileSync(process.env.LUMBAR, ['build', '-q', '-s', site, '-o', path.join(site, 'out')]);
    const server = await serve(path.join(site, 'out'), '/');
    try {
      await fn(server);
    } finally {
      await server.close();
    }
  } finally {
    fs.rmSync(site, { recursive: true, force: true });
  }
}

test('reader: key_points in front matter become the key points list', async () => {
  await withSiteCopy((site) => {
    const file = path.join(site, 'content/treatments/treatments-to-avoid.md');
    const src = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, src.replace(/^---\n/, '---\nkey_points:\n  - "First <point>"\n  - Second point\n'));
  }, async (server) => {
    await onPage('treatments/treatments-to-avoid/', async (page) => {
      const items = await page.$$eval('.key-points li', (lis) => lis.map((li) => li.textContent));
      assert(items.join('|') === 'First <point>|Second point', `the key points are ${items.join('|')}`);
      assert(!(await page.$('.key-points p')), 'the description is shown as well as the key points');
    }, { server });
  });
});

// The three care-card partials in a layout, with the numbers from config.ini
// and, in a second build, without them.
const CARE_LAYOUT = `{{<base}}{{$main}}
{{<partials/care-card-emergency}}{{$body}}<p>E body</p>{{/body}}{{/partials/care-card-emergency}}
{{<partials/care-card-urgent}}{{$body}}<p>U body</p>{{/body}}{{/partials/care-card-urgent}}
{{<partials/care-card-soon}}{{$body}}<p>S body</p>{{/body}}{{/partials/care-card-soon}}
{{/main}}{{/base}}`;
function addCarePage(site, config = (c) => c) {
  fs.writeFileSync(path.join(site, 'layouts/care-test.html'), CARE_LAYOUT);
  fs.writeFileSync(path.join(site, 'content/care-test.md'), '---\ntitle: Cards\ndescription: The care cards.\nlayout: care-test\n---\n');
  const ini = path.join(site, 'config.ini');
  fs.writeFileSync(ini, config(fs.readFileSync(ini, 'utf8')));
}
const cardsOf = (page) => page.$$eval('.care-card', (cards) => cards.map((c) => ({
  cls: c.className,
  label: c.querySelector('.callout-label').textContent.trim(),
  action: c.querySelector('.care-action').textContent.trim(),
  tel: (c.querySelector('a[href^="tel:"]') || { getAttribute: () => null }).getAttribute('href'),
  body: c.lastElementChild.textContent.trim(),
})));

test('reader: the theme\'s three care cards link the numbers from config.ini, or say what to do without them', async () => {
  await withSiteCopy((site) => addCarePage(site), async (server) => {
    await onPage('care-test/', async (page) => {
      const cards = await cardsOf(page);
      const want = [
        ['callout callout-emergency care-card', 'Emergency', `tel:${CONFIG['params.emergency_number']}`, 'E body'],
        ['callout callout-urgent care-card', 'Urgent', `tel:${CONFIG['params.urgent_number']}`, 'U body'],
        ['callout callout-important care-card', 'Not urgent', null, 'S body'],
      ];
      assert(cards.length === 3, `${cards.length} cards`);
      want.forEach(([cls, label, tel, body], i) => {
        const c = cards[i];
        assert(c.cls === cls && c.label === label && c.tel === tel && c.body === body, `card ${i + 1}: ${JSON.stringify(c)}`);
      });
      assert(cards[0].action === `Call ${CONFIG['params.emergency_number']} or go to A&E now`, cards[0].action);
      assert(/^Get help today/.test(cards[1].action) && /^See a GP soon/.test(cards[2].action), `${cards[1].action} / ${cards[2].action}`);
    }, { server });
  });
  await withSiteCopy((site) => addCarePage(site, (c) => c.replace(/^(emergency|urgent)_number = .*$/mg, '')), async (server) => {
    await onPage('care-test/', async (page) => {
      const cards = await cardsOf(page);
      assert(cards[0].action === 'Call your local emergency number or go to A&E now' && cards[0].tel === null, JSON.stringify(cards[0]));
      assert(cards[1].action === 'Get help today: ask your GP for an appointment today' && cards[1].tel === null, JSON.stringify(cards[1]));
    }, { server });
  });
});

// -- tags -------------------------------------------------------------------------

test('reader: tags show their display name, not the slug', async () => {
  await onPage('treatments/learning-about-pain/', async (page) => {
    const tags = await page.$$eval('.tag-list a', (as) => as.map((a) => a.textContent.trim()));
    assert(tags.includes('Pain science'), `the article's tags read ${tags.join(', ')}`);
    assert(!tags.some((t) => /-/.test(t) || t !== t.charAt(0).toUpperCase() + t.slice(1)), `a tag looks like a slug: ${tags.join(', ')}`);
  });
  await onPage('tags/pain-science/', async (page) => {
    assert((await page.textContent('h1')).trim() === 'Topic: Pain science', 'the tag page\'s heading');
  });
  await onPage('tags/', async (page) => {
    const names = await page.$$eval('.tag-cloud a', (as) => as.map((a) => a.firstChild.textContent.trim()));
    assert(names.includes('Red flags') && names.includes('Pain science'), `the tags page lists ${names.join(', ')}`);
  });
});

// -- header and footer --------------------------------------------------------------

const EVERY_KIND = ['', 'causes/', 'treatments/treatments-to-avoid/', 'about/', 'tags/', 'tags/sleep/',
  'search/', 'relative-rest/', 'no-such-page/'];

test('reader: every page\'s footer names the publisher and links the editorial policy and a problem report', async () => {
  const problems = [];
  for (const where of EVERY_KIND) {
    await onPage(where, async (page) => {
      const links = await page.$$eval('footer a', (as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));
      const has = (pred, what) => { if (!links.some(pred)) problems.push(`/${where}: no ${what}`); };
      has((l) => l.href === '/about/' && /editorial policy/i.test(l.text), 'editorial policy link');
      has((l) => /^mailto:/.test(l.href) && l.href.endsWith(CONFIG['site.contact']) && /report a problem/i.test(l.text), 'report-a-problem link');
      for (const l of links) if (/atom\.xml|sitemap\.xml/.test(l.href)) problems.push(`/${where}: footer links ${l.href}`);
      const publisher = await page.textContent('footer .publisher').catch(() => '');
      if (!publisher.includes(CONFIG['params.publisher'])) problems.push(`/${where}: footer publisher "${publisher}"`);
      const head = await page.evaluate(() => ({
        feed: !!document.querySelector('head link[rel="alternate"][type="application/atom+xml"]'),
        sitemap: !!document.querySelector('head link[rel="sitemap"]'),
      }));
      if (!head.feed || !head.sitemap) problems.push(`/${where}: <head> lacks the feed or sitemap link`);
      const name = (await page.textContent('header .site-title')).trim();
      if (name !== CONFIG['site.title']) problems.push(`/${where}: header names "${name}"`);
    });
  }
  assert(problems.length === 0, problems.join('; '));
});

// -- screenshots ---------------------------------------------------------------------

test('reader: screenshots of home, an article, the red flags and a tag at 375 and 1280 px, light and dark', async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const pages = { home: '', article: 'treatments/treatments-to-avoid/', 'red-flags': 'symptoms/red-flags/', tag: 'tags/pain-science/' };
  const written = [];
  for (const colorScheme of ['light', 'dark']) {
    for (const width of [375, 1280]) {
      for (const [name, where] of Object.entries(pages)) {
        await onPage(where, async (page) => {
          const file = path.join(SHOTS, `reader-${name}-${width}-${colorScheme}.png`);
          await page.screenshot({ path: file });
          written.push(file);
        }, { colorScheme, viewport: { width, height: width === 375 ? 740 : 900 } });
      }
    }
  }
  assert(written.every((f) => fs.statSync(f).size > 1000), 'a screenshot is empty');
  const { server, browser } = await setup();
  shared = null;
  await browser.close();
  await server.close();
});
