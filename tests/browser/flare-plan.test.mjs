// The flare-up plan (treatments/flare-up-plan/) in a real browser: the
// fill-in form, the Print button, answers kept in this browser only, and the
// print layout (emulated print media): the filled plan and the red flags
// print in full, navigation and the article's advice do not. Without
// JavaScript the page must still print as a blank form to fill in by hand.
import { test, assert, launch, serve, axe, forbidExternalRequests, sharedSite } from './lib.mjs';

const PAGE = 'treatments/flare-up-plan/';
const FIELDS = ['helps', 'adapt', 'signs', 'call'];
// Long enough to overflow the on-screen box, so a printed textarea would cut
// it off; the last line must still print.
const LONG_ANSWER = Array.from({ length: 14 }, (_, i) => `Step ${i + 1}: a short walk round the house`).join('\n')
  + '\nLAST LINE OF MY PLAN';

// One browser and one server for the whole file, started on first use.
const { setup, teardown } = sharedSite();

// Opens the plan in a fresh context (fn gets the page and the context);
// fails on script errors or any request leaving the site.
async function withPlan(options, fn) {
  const { server, browser } = await setup();
  const context = await browser.newContext({ reducedMotion: 'reduce', ...options });
  const external = forbidExternalRequests(context, server.origin);
  await external.ready;
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(server.url + PAGE, { waitUntil: 'load' });
    await fn(page, context, server);
    assert(errors.length === 0, `script errors: ${errors.join('; ')}`);
    assert(external.length === 0, `requests left the site: ${external.join(', ')}`);
  } finally {
    await context.close();
  }
}

const field = (name) => `#my-plan textarea[name="${name}"]`;

// What a reader sees in print: the visible text of the page.
function printedText(page) {
  return page.evaluate(() => document.body.innerText);
}

async function assertPrintBasics(page) {
  for (const sel of ['.site-header', '.site-nav', '.breadcrumb', '.toc', '.pager', '.footer-links',
    '.flare-advice', '.references', '#flare-plan-actions', '#flare-plan-storage', '.skip-link']) {
    assert(!(await page.isVisible(sel)), `${sel} is visible in print`);
  }
  assert(await page.isVisible('.notice-warning'), 'the red flags are missing from print');
  const text = await printedText(page);
  for (const flag of ['genitals', 'both legs', 'fever', '999']) {
    assert(text.includes(flag), `the printed red flags do not mention "${flag}"`);
  }
  assert(await page.isVisible('#my-plan-title'), 'the plan heading is missing from print');
  assert(await page.isVisible('.disclaimer'), 'the disclaimer is missing from print');
  for (const name of FIELDS) {
    assert(await page.isVisible(`label[for="${await page.getAttribute(field(name), 'id')}"]`),
      `the label of "${name}" is missing from print`);
  }
}

test('flare-plan: every box is a labelled textarea, with a Print button and a plain storage notice', async () => {
  await withPlan({}, async (page) => {
    for (const name of FIELDS) {
      const id = await page.getAttribute(field(name), 'id');
      const label = (await page.textContent(`label[for="${id}"]`)).trim();
      assert(label.length > 0, `the "${name}" box has no label`);
      assert(await page.isVisible(field(name)), `the "${name}" box is not visible`);
    }
    assert(await page.isVisible('#flare-plan-print'), 'the Print button is not shown');
    const notice = await page.textContent('#flare-plan-storage');
    assert(await page.isVisible('#flare-plan-storage') && /only in this\s+browser/.test(notice) && /never sent/.test(notice),
      `the storage notice is missing or unclear: ${notice}`);
  });
});

test('flare-plan: the Print button calls window.print and nothing else', async () => {
  await withPlan({}, async (page) => {
    await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed++; }; });
    await page.fill(field('helps'), 'A warm shower');
    await page.click('#flare-plan-print');
    assert((await page.evaluate(() => window.__printed)) === 1, 'Print did not call window.print once');
    assert((await page.inputValue(field('helps'))) === 'A warm shower', 'printing changed the answers');
  });
});

test('flare-plan: in print the filled plan shows in full and the red flags print, with no navigation', async () => {
  await withPlan({}, async (page) => {
    await page.fill(field('helps'), LONG_ANSWER);
    await page.fill(field('call'), 'GP surgery: 01234 567890\nNHS 111');
    await page.emulateMedia({ media: 'print' });
    await assertPrintBasics(page);
    const text = await printedText(page);
    assert(text.includes('LAST LINE OF MY PLAN'), 'the end of a long answer does not print');
    assert(text.includes('GP surgery: 01234 567890'), 'the "Who I call" answer does not print');
    assert(!(await page.isVisible(field('helps'))), 'a filled box prints as a textarea, which cuts long answers off');
    const clipped = await page.$eval(`${field('helps')} + .flare-plan-answer`, (el) => el.scrollHeight > el.clientHeight + 1);
    assert(!clipped, 'the printed answer is clipped');
    assert(await page.isVisible(field('adapt')), 'an empty box does not print as a space to write in');
    const pdf = await page.pdf({ format: 'A4' });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    assert(pages >= 1 && pages <= 2, `the filled plan prints on ${pages} A4 pages (at most 2)`);
  });
});

test('flare-plan: answers stay in this browser after a reload, and Clear removes them', async () => {
  await withPlan({}, async (page) => {
    await page.fill(field('adapt'), 'Shorter walks on flat ground');
    await page.reload({ waitUntil: 'load' });
    assert((await page.inputValue(field('adapt'))) === 'Shorter walks on flat ground', 'the answer was not kept');
    await page.click('#flare-plan-clear');
    assert((await page.inputValue(field('adapt'))) === '', 'Clear left the answer in the box');
    assert((await page.evaluate(() => localStorage.getItem('lumbar-flare-plan'))) === null, 'Clear left the answers in localStorage');
    assert((await page.textContent('#flare-plan-status')).includes('cleared'), 'Clear did not say what it did');
    await page.reload({ waitUntil: 'load' });
    assert((await page.inputValue(field('adapt'))) === '', 'a cleared answer came back after a reload');
  });
});

test('flare-plan: without JavaScript it prints as a blank form and promises no saving', async () => {
  await withPlan({ javaScriptEnabled: false }, async (page) => {
    assert(!(await page.isVisible('#flare-plan-print')), 'a Print button that cannot work is shown');
    assert(!(await page.isVisible('#flare-plan-storage')), 'the page claims to save answers without its script');
    assert(await page.isVisible('.flare-plan-how'), 'the page does not say how to print without the button');
    await page.emulateMedia({ media: 'print' });
    await assertPrintBasics(page);
    for (const name of FIELDS) {
      assert(await page.isVisible(field(name)), `the blank "${name}" box does not print`);
      const h = await page.$eval(field(name), (el) => el.getBoundingClientRect().height);
      assert(h >= 80, `the blank "${name}" box prints only ${h}px high, too small to write in`);
    }
    const pdf = await page.pdf({ format: 'A4' });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    assert(pages >= 1 && pages <= 2, `the blank plan prints on ${pages} A4 pages (at most 2)`);
  });
});

test('flare-plan: axe finds no WCAG A/AA violation, light and dark, with and without its script', async () => {
  for (const colorScheme of ['light', 'dark']) {
    await withPlan({ colorScheme }, async (page) => {
      await page.fill(field('signs'), 'Both legs go numb');
      await page.click('#flare-plan-clear');
      await page.fill(field('signs'), 'Both legs go numb');
      const v = await axe(page);
      assert(v.length === 0, `axe (${colorScheme}): ${JSON.stringify(v)}`);
    });
  }
  // axe is injected as a script, so the page as a reader without JavaScript
  // sees it is checked with the page's own script answered by an empty file.
  await withPlan({}, async (page) => {
    await page.route('**/js/flare-plan.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }));
    await page.reload({ waitUntil: 'load' });
    assert(!(await page.isVisible('#flare-plan-print')), 'the no-JavaScript copy ran the script');
    const v = await axe(page);
    assert(v.length === 0, `axe (no script): ${JSON.stringify(v)}`);
  });
});

test('flare-plan: under a sub-path the page loads its script', async () => {
  const sub = await serve(process.env.SITE_OUT_SUB, '/backpain/');
  const { browser } = await setup();
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    const failed = [];
    page.on('response', (res) => { if (res.status() >= 400) failed.push(res.url()); });
    await page.goto(sub.url + PAGE, { waitUntil: 'load' });
    assert(failed.length === 0, `failed requests: ${failed.join(', ')}`);
    assert(await page.isVisible('#flare-plan-print'), 'the script did not run under /backpain/');
  } finally {
    await context.close();
    await sub.close();
    await teardown();
  }
});
