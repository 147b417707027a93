// End-to-end test of the playground page (edge/playground/index.html) in a headless
// Chromium driven by playwright-core: the page loads the model, sends a chat request and
// renders the streamed reply as it arrives.
//
// Environment (edge/e2e_test.go sets it): DEEPGO_RANDOM_URL (the API of the server of the
// random-weights model, which never ends a reply by itself, so that the reply streams for
// all its tokens: the trained model may end a verse before the page has sampled it twice),
// DEEPGO_KEY, DEEPGO_RANDOM_MODEL; optional DEEPGO_SCREENSHOT (a PNG path to write) and
// DEEPGO_CHROMIUM (the browser, default /usr/bin/chromium). Playwright's own browsers are
// never downloaded: the system Chromium is used.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const origin = need('DEEPGO_RANDOM_URL').replace(/\/v1$/, '/');
const apiKey = need('DEEPGO_KEY');
const model = need('DEEPGO_RANDOM_MODEL');
const executablePath = process.env.DEEPGO_CHROMIUM || '/usr/bin/chromium';
// Enough tokens that the reply streams across many of the page's 5 ms samples: 64 from the
// tiny model could arrive within two or three of them on a fast machine.
const maxTokens = 256;

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run these tests through go test -run TestNodeClients ./edge/)`);
  return v;
}

test('playground streams a chat reply', { timeout: 120_000 }, async () => {
  // launch gives the browser a fresh temporary profile of its own and removes it on close.
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    timeout: 60_000,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    page.setDefaultTimeout(30_000);
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('console', (msg) => {
      // The first model lookup, before the key is typed, is refused with 401 on purpose.
      if (msg.type() === 'error' && !/status of 401/.test(msg.text())) pageErrors.push(`console: ${msg.text()}`);
    });
    // The page must need nothing but the server.
    const foreign = [];
    page.on('request', (req) => { if (!req.url().startsWith(origin) && !req.url().startsWith('data:')) foreign.push(req.url()); });

    const resp = await page.goto(origin, { waitUntil: 'load' });
    assert.equal(resp.status(), 200);
    assert.equal(await page.title(), 'deepgo playground');
    // Without a key the model list is refused; the page says so instead of a model id.
    await page.waitForFunction(() => document.getElementById('model').textContent !== '…');

    await page.fill('#key', apiKey);
    await page.dispatchEvent('#key', 'change');
    await page.waitForFunction((id) => document.getElementById('model').textContent === id, model);

    await page.fill('#temp', '0');
    await page.fill('#max', String(maxTokens));
    await page.fill('#prompt', 'Quote Psalms 23:1');

    // Sample the reply in the page every few milliseconds while it streams, noting whether
    // the request has finished (the .meta line is written only at the end).
    await page.evaluate(() => {
      window.__samples = [];
      window.__sampler = setInterval(() => {
        const c = document.querySelector('.msg.assistant .content');
        const m = document.querySelector('.msg.assistant .meta');
        if (c) window.__samples.push({ len: c.textContent.length, done: !!(m && m.textContent) });
      }, 5);
    });
    await page.click('#send');

    // The user's bubble appears at once and the send button is disabled while streaming.
    await page.waitForSelector('.msg.user');
    assert.equal(await page.textContent('.msg.user'), 'Quote Psalms 23:1');

    await page.waitForFunction(() => {
      const m = document.querySelector('.msg.assistant .meta');
      return m && m.textContent.length > 0;
    }, null, { timeout: 90_000 });
    const samples = await page.evaluate(() => { clearInterval(window.__sampler); return window.__samples; });

    const meta = await page.textContent('.msg.assistant .meta');
    const content = await page.textContent('.msg.assistant .content');
    const cls = await page.getAttribute('.msg.assistant', 'class');
    assert.ok(!cls.includes('error'), `the reply failed: ${meta}`);
    assert.ok(content.length > 0, 'the reply is empty');
    // The reply ends by itself (stop) or runs to max tokens (length).
    const m = /^([0-9]+) tokens, [0-9.]+ s.* · (stop|length)$/.exec(meta);
    assert.ok(m, `meta line: ${meta}`);
    const n = Number(m[1]);
    assert.ok(n >= 1 && n <= maxTokens && (m[2] === 'length') === (n === maxTokens), `meta line: ${meta}`);

    const streaming = new Set(samples.filter((s) => !s.done && s.len > 0).map((s) => s.len));
    assert.ok(streaming.size >= 2,
      `the reply did not grow while streaming: lengths seen before the end ${JSON.stringify([...streaming])} of ${samples.length} samples`);
    assert.ok(Math.max(...streaming) <= content.length);

    // The buttons are back to idle.
    assert.equal(await page.isDisabled('#send'), false);
    assert.equal(await page.isDisabled('#stop'), true);

    if (process.env.DEEPGO_SCREENSHOT) {
      await page.screenshot({ path: process.env.DEEPGO_SCREENSHOT, fullPage: true });
    }
    assert.deepEqual(pageErrors, [], 'errors in the page');
    assert.deepEqual(foreign, [], 'requests to other origins');
  } finally {
    await browser.close();
  }
});
