// The status page in a real browser: Debian's chromium driven by playwright-core, against the admin port of a real
// `run` whose cluster (the fake API server) holds the example pods, hostile annotations included.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { podsOf, SHOP_PODS, startStatusRun } from '../support/status-harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';

async function launch(): Promise<Browser> {
  // Never skipped: without chromium this test must fail and say how to get it.
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

test('the status page shows problems first, routes with their pods, hostile values as text, and filters as you type', async (t) => {
  const run = await startStatusRun(t, podsOf(SHOP_PODS));
  const browser = await launch();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${run.url}/`);

  // Problems come before the routes, and name the pods with rejected annotations and the 503 route.
  const sections = await page.locator('main > section[id]').evaluateAll((nodes) => nodes.map((node) => node.id));
  assert.deepEqual(sections, ['problems', 'routes', 'pods', 'owners']);
  const problems = page.locator('#problems');
  for (const text of [
    'shop/checkout-5c6b-t7n1v',
    'team-b/banner-9a4b-z1x7y',
    'team-b/promo-6f7c-k2j8d',
    'reports.example.com',
  ]) {
    assert.ok(await problems.getByText(text).first().isVisible(), `${text} listed under Problems`);
  }
  assert.match(await problems.innerText(), /host-conflict\s+host shop\.example\.com belongs to namespace shop/);

  // The hostile annotation is shown as the text of its Issue message and never runs.
  const banner = problems.locator('article', { hasText: 'banner-9a4b-z1x7y' });
  assert.match(
    await banner.innerText(),
    /invalid-host\s+host "<script>alert\(\\"status\\"\)<\/script>" is not a DNS name/,
  );
  assert.equal(await page.locator('main script').count(), 0, 'no script element came from a value');
  assert.equal(await page.locator('main img').count(), 0, 'no img element came from a value');
  assert.deepEqual(dialogs, [], 'no alert ran');

  // A route with its pods: ready backends with addresses, the rolling pod waiting and why.
  const shop = page.locator('#routes article', { hasText: 'shop.example.com' });
  assert.match(await shop.locator('h3').innerText(), /owned by shop since 2026-03-01 09:00:00 UTC/);
  const root = shop.locator('tr', { has: page.locator('td.path', { hasText: /^\/$/ }) });
  const rootText = await root.innerText();
  assert.match(rootText, /2 ready/);
  assert.match(rootText, /shop\/web-7d9f-x2k4q\s+10\.244\.1\.12:8080/);
  assert.match(rootText, /shop\/web-7d9f-q4w9r\s+phase is Pending, not Running/);
  assert.doesNotMatch(rootText, /web-6c1a-h5v8n/, 'the terminating pod serves nothing');

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/status-page.png`, fullPage: true });
  await page.setViewportSize({ width: 420, height: 900 });
  await page.screenshot({ path: `${ARTIFACTS}/status-page-narrow.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 1000 });

  // Typing filters rows by host or pod, and keeps the filter in the address.
  await page.locator('#q').fill('reports');
  assert.equal(await page.locator('#routes article:visible').count(), 1);
  assert.ok(await page.locator('#routes article', { hasText: 'reports.example.com' }).isVisible());
  assert.equal(await shop.isVisible(), false, 'other hosts hidden');
  assert.match(page.url(), /\?q=reports$/);
  assert.equal(
    await problems.getByText('Pods with rejected annotations or refused claims').isVisible(),
    false,
    'an empty group is hidden',
  );
  assert.ok(await problems.getByText('Routes answering 503 (no ready pod)').isVisible());
  await page.locator('#q').fill('web-7d9f-q4w9r');
  assert.deepEqual(
    await page
      .locator('#pods tbody tr:visible')
      .allInnerTexts()
      .then((rows) => rows.map((row) => row.split(/\s/)[0])),
    ['shop/web-7d9f-q4w9r'],
  );
  await page.locator('#q').fill('no-such-thing');
  assert.ok(await page.getByText('Nothing matches the filter.').isVisible());
  assert.deepEqual(
    await page.locator('main > section.g:visible').count(),
    0,
    'sections with nothing to show are hidden',
  );
  await page.screenshot({ path: `${ARTIFACTS}/status-page-filtered.png` });

  // The refresh replaces the content and keeps the filter applied.
  await page.locator('#q').fill('promo');
  await page.locator('#refreshed', { hasText: /^refreshed / }).waitFor({ timeout: 20_000 });
  assert.ok(await page.locator('#routes article', { hasText: 'promo.example.com' }).isVisible());
  assert.equal(await shop.isVisible(), false);
  assert.deepEqual(violations, [], 'the page needs nothing the Content-Security-Policy forbids');
});

test('without JavaScript the page still shows every fact, and the filter works as a form', async (t) => {
  const run = await startStatusRun(t, podsOf(SHOP_PODS));
  const browser = await launch();
  t.after(() => browser.close());
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${run.url}/`);
  assert.match(await page.locator('#routes').innerText(), /shop\.example\.com[\s\S]*10\.244\.2\.17:8080/);
  await page.locator('#q').fill('promo');
  await page.locator('form.search button').click();
  await page.waitForURL(/\?q=promo$/);
  assert.equal(await page.locator('#routes article').count(), 1);
  assert.match(await page.locator('#routes').innerText(), /promo\.example\.com/);
  assert.equal(await page.locator('#q').inputValue(), 'promo');
});
