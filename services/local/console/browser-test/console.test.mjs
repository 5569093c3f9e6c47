// Drives the web console of a running `ecomm serve` in headless Chromium.
//
//   ECOMM_URL=http://127.0.0.1:3000 SCREENSHOT_DIR=/tmp/shots node console.test.mjs
//
// scripts/test-console starts a fresh engine and runs this. Prints one line per step and
// `console: N passed` at the end; exits non-zero at the first failure, which includes any page
// error, console error, failed request or 5xx answer seen while the step ran.

import { readFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ASSETS = path.resolve(HERE, '../assets');
const BASE = (process.env.ECOMM_URL || '').replace(/\/+$/, '');
const SHOTS = path.resolve(process.env.SCREENSHOT_DIR || path.join(os.tmpdir(), 'ecomm-console-screenshots'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TERMINAL = ['ORDER_STOCK_DEPLETED_STATUS', 'ORDER_PAYMENT_ACCEPTED_STATUS', 'ORDER_PAYMENT_REJECTED_STATUS'];
const DLQ_SOURCE = 'Inventory-CompleteOrderPaymentAcceptedWorker';
const STREAM_PATH = '/console/api/stream';

const suffix = () => Math.random().toString(36).slice(2, 8).toUpperCase().padEnd(6, '0');
const tid = (id) => `[data-testid="${id}"]`;

// Problems the page reports in the background; a step fails if any appeared while it ran.
const problems = [];
let expectHttpErrors = false; // Chromium logs every 4xx fetch as a console error

function watch(page) {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (expectHttpErrors && /status of 4\d\d/.test(message.text())) return;
    problems.push(`console error: ${message.text()} (${message.location().url || 'no url'})`);
  });
  page.on('requestfailed', (request) => {
    // The EventSource is aborted whenever its page goes away: not a failure.
    if (new URL(request.url()).pathname === STREAM_PATH) return;
    problems.push(`request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 500) problems.push(`HTTP ${response.status()} for ${response.request().method()} ${response.url()}`);
  });
}

class StepFailure extends Error {}
let passed = 0;

async function step(name, body) {
  try {
    await body();
  } catch (error) {
    throw new StepFailure(`${name}: ${error.message}`);
  }
  if (problems.length) throw new StepFailure(`${name}: ${problems.join('\n  ')}`);
  passed += 1;
  console.log(`ok ${passed} - ${name}`);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Polls `probe` until it returns a truthy value; `retry` runs between polls (e.g. a Refresh click). */
async function until(what, timeoutMs, probe, { intervalMs = 500, retry } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await probe();
    if (last && last.ok !== false) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last && last.seen ? `; last seen: ${last.seen}` : ''}`);
    }
    if (retry) await retry();
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const text = async (locator) => ((await locator.count()) ? (await locator.first().textContent()) || '' : '');
const go = (page, hash) => page.evaluate((h) => { location.hash = h; }, hash);
// Every page a screenshot is taken of is also checked for values the page failed to read.
async function shot(page, name) {
  const shown = await page.innerText('body');
  // No \b around "[object Object]": it starts and ends with non-word characters.
  const broken = shown.match(/.{0,40}(?:\bundefined\b|\bNaN\b|\[object Object\]).{0,40}/);
  check(!broken, `the ${name} page shows a value it failed to read: "${broken && broken[0]}"`);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function waitLive(page) {
  await page.waitForSelector(`${tid('live-status')}[data-state="live"]`, { timeout: 20000 });
  await page.waitForFunction((sel) => /^\d/.test(document.querySelector(sel)?.textContent || ''), tid('card-orders-total'));
  await page.waitForSelector(`${tid('throughput-chart')} .uplot canvas`, { timeout: 10000 });
}

async function noHorizontalOverflow(page, where) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: Math.max(document.body.scrollWidth, document.documentElement.scrollWidth), innerWidth: window.innerWidth,
  }));
  check(scrollWidth <= innerWidth + 1, `${where} overflows horizontally at ${innerWidth} px: scrollWidth ${scrollWidth}`);
}

async function run() {
  check(BASE, 'set ECOMM_URL to the engine\'s base URL, e.g. http://127.0.0.1:3000');
  await mkdir(SHOTS, { recursive: true });

  await step('vendored uPlot files are byte-identical to the npm package uplot@1.6.32', async () => {
    for (const [vendored, packaged] of [['uPlot.iife.min.js', 'dist/uPlot.iife.min.js'], ['uPlot.min.css', 'dist/uPlot.min.css'],
      ['uPlot.LICENSE', 'LICENSE']]) {
      const a = await readFile(path.join(ASSETS, 'vendor', vendored));
      const b = await readFile(path.join(HERE, 'node_modules/uplot', packaged));
      check(a.equals(b), `assets/vendor/${vendored} differs from node_modules/uplot/${packaged}`);
    }
  });

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    watch(page);
    const sku = `WEBSKU${suffix()}`;
    let orderId;
    const chaosOrderId = `CHAOS${suffix()}`;

    await step('overview shows live data from the stream', async () => {
      await page.goto(`${BASE}/`);
      await waitLive(page);
      const queues = await page.locator(tid('queue-row')).count();
      check(queues === 6, `expected 6 worker queues in the table, found ${queues}`);
    });

    await step(`restock ${sku} (50 units) through the inventory form`, async () => {
      await page.click(tid('nav-inventory'));
      await page.fill('#restock-sku', sku);
      await page.fill('#restock-units', '50');
      await page.click(tid('restock-submit'));
      await page.waitForFunction((sel) => /accepted/.test(document.querySelector(sel)?.textContent || ''), tid('restock-result'));
      const units = page.locator(`${tid('sku-row')}[data-sku="${sku}"] ${tid('sku-units')}`);
      await until(`${sku} with 50 units in the SKU table`, 20000, async () => ({ ok: (await text(units)) === '50', seen: await text(units) }),
        { intervalMs: 1000, retry: () => page.click(tid('skus-refresh')) });
    });

    await step('place an order for 2 units through the order form', async () => {
      await page.click(tid('nav-orders'));
      orderId = await page.inputValue('#order-id');
      check(/^WEB[0-9A-Z]{6}$/.test(orderId), `the order id is not prefilled as WEB + 6 characters: "${orderId}"`);
      await page.fill('#order-sku', sku);
      await page.fill('#order-units', '2');
      await page.click(tid('place-order-submit'));
      await page.waitForSelector(`${tid('place-order-result')} ${tid('place-order-timeline-link')}`);
      const result = await text(page.locator(tid('place-order-result')));
      check(result.includes(`Order ${orderId} accepted`), `unexpected result: ${result}`);
      await page.waitForSelector(`${tid('order-row')}[data-order-id="${orderId}"]`);
    });

    await step('the order timeline reaches a final status with a succeeded ORDER_PLACED_EVENT delivery', async () => {
      await page.click(tid('place-order-timeline-link'));
      await page.waitForSelector(tid('order-id'));
      const status = page.locator(tid('order-status'));
      const placed = page.locator(`${tid('timeline-event')}[data-event-name="ORDER_PLACED_EVENT"] ${tid('delivery')}[data-outcome="succeeded"]`);
      await until('a final order status and a succeeded delivery of ORDER_PLACED_EVENT', 60000, async () => {
        const shown = (await text(status)).trim();
        return { ok: TERMINAL.includes(shown) && (await placed.count()) >= 1, seen: shown || 'no status yet' };
      });
      check((await text(page.locator(tid('correlation-ids')))).includes('Correlation id'), 'no correlation id shown');
      await shot(page, 'order-timeline');
    });

    await step('an invalid place-order body shows the API\'s message in an alert', async () => {
      await page.click(tid('nav-orders'));
      await page.fill('#order-id', 'AB');
      expectHttpErrors = true;
      // Chromium logs the 400 as a console error at some point after the answer: wait for that
      // line, so that it arrives while it is expected.
      const logged = page.waitForEvent('console', { predicate: (m) => /status of 400/.test(m.text()), timeout: 10000 });
      logged.catch(() => {}); // awaited below; this only keeps an early failure from also being unhandled
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/orders/placeOrder')),
        page.click(tid('place-order-submit')),
      ]);
      check(response.status() === 400, `placeOrder with orderId "AB" answered ${response.status()}, expected 400`);
      const { message } = await response.json();
      const alert = page.locator(`${tid('place-order-result')} [role="alert"]${tid('place-order-alert')}`);
      await alert.waitFor();
      const shown = await text(alert);
      check(shown.includes(message) && shown.includes('400'), `the alert says "${shown}", expected "${message}" and 400`);
      await logged;
      expectHttpErrors = false;
    });

    await step(`chaos recipe payment-before-order runs on ${chaosOrderId}`, async () => {
      await page.click(tid('nav-chaos'));
      await page.waitForSelector(tid('chaos-run-payment-before-order'));
      await page.fill('#chaos-order-id', chaosOrderId);
      await page.click(tid('chaos-run-payment-before-order'));
      await page.waitForSelector(`${tid('chaos-result-payment-before-order')} ${tid('chaos-step')}`);
      const statuses = await page.locator(`${tid('chaos-result-payment-before-order')} ${tid('chaos-step')}`)
        .evaluateAll((steps) => steps.map((s) => Number(s.dataset.status)));
      check(statuses.every((s) => s >= 200 && s < 300), `the recipe's steps answered ${statuses.join(', ')}`);
      await shot(page, 'chaos');
    });

    await step(`the dead letter of ${chaosOrderId} appears in ${DLQ_SOURCE} and is redriven`, async () => {
      await page.click(`${tid('chaos-result-payment-before-order')} ${tid('chaos-dlq-link')}`);
      const section = page.locator(tid(`dlq-${DLQ_SOURCE}`));
      await section.waitFor();
      await until(`a dead letter for ${chaosOrderId}`, 60000, async () => ({ ok: (await text(section)).includes(chaosOrderId) }),
        { intervalMs: 1000, retry: () => page.click(tid('dlq-refresh')) });
      await shot(page, 'dead-letters');
      await page.click(tid(`redrive-${DLQ_SOURCE}`));
      const result = page.locator(tid(`redrive-result-${DLQ_SOURCE}`));
      await until('the redrive\'s answer', 10000, async () => {
        const shown = await text(result);
        return { ok: /moved 1 message(?!s)/.test(shown), seen: shown };
      }, { intervalMs: 200 });
    });

    await step('overview screenshot after the traffic', async () => {
      await page.click(tid('nav-overview'));
      await waitLive(page);
      await page.waitForTimeout(1500); // a few more points on the chart
      await shot(page, 'overview');
    });

    await step('phone width (375 px): no horizontal overflow on the overview and orders pages', async () => {
      await page.setViewportSize({ width: 375, height: 800 });
      await go(page, '#/');
      await waitLive(page);
      await noHorizontalOverflow(page, 'the overview');
      await shot(page, 'phone-overview');
      await go(page, '#/orders');
      await page.waitForSelector(tid('orders-table'));
      await noHorizontalOverflow(page, 'the orders page');
      await shot(page, 'phone-orders');
    });

    await step('more than 1,000 orders: the list shows the newest 1,000 and pages to older ones', async () => {
      // Orders of a SKU nobody stocks: each is depleted at once, and all are in the order view.
      const placed = 1001;
      const ids = Array.from({ length: placed }, (_, i) => `PAGING${suffix()}${i}`);
      for (let i = 0; i < ids.length; i += 25) {
        const answers = await Promise.all(ids.slice(i, i + 25).map((orderId) => fetch(`${BASE}/api/v1/orders/placeOrder`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ orderId, sku: 'NOSTOCK1', units: 1, price: 1, userId: 'PAGINGUSER' }),
        })));
        check(answers.every((a) => a.status === 202), `placeOrder answered ${answers.map((a) => a.status).join(', ')}`);
      }
      const listed = async () => {
        let count = 0;
        let nextToken;
        do {
          const answer = await fetch(`${BASE}/api/v1/orders/listOrders`, {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify(nextToken === undefined ? { limit: 1000 } : { limit: 1000, nextToken }),
          }).then((r) => r.json());
          count += answer.orders.length;
          nextToken = answer.nextToken;
        } while (nextToken !== undefined);
        return count;
      };
      await until(`${placed} more orders in the order view`, 120000, async () => {
        const count = await listed();
        return { ok: count > placed, seen: `${count} orders` };
      }, { intervalMs: 1000 });
      await page.setViewportSize({ width: 1280, height: 800 });
      await go(page, '#/orders');
      const count = page.locator(tid('orders-count'));
      await until('the newest 1,000 with older ones', 30000, async () => {
        const shown = await text(count);
        return { ok: shown.includes('1000 newest') && shown.includes('older ones'), seen: shown };
      }, { intervalMs: 200 });
      await page.click(tid('orders-older'));
      await until('more than 1,000 orders shown', 30000, async () => {
        const shown = await text(count);
        const total = Number(/of the (\d+) newest/.exec(shown)?.[1]);
        return { ok: total > 1000, seen: shown };
      }, { intervalMs: 200 });
    });

    await step('keyboard: Tab reaches the first nav link, then the restock form\'s first field, with a visible outline', async () => {
      const kb = await context.newPage();
      watch(kb);
      await kb.setViewportSize({ width: 1280, height: 800 });
      await kb.goto(`${BASE}/#/inventory`);
      await kb.waitForSelector(tid('restock-form'));
      const focused = () => kb.evaluate(() => {
        const el = document.activeElement;
        return { testid: el?.dataset?.testid, id: el?.id, outline: el ? getComputedStyle(el).outlineStyle : 'none' };
      });
      let presses = 0;
      const tabTo = async (what, matches) => {
        for (; presses < 40; presses += 1) {
          await kb.keyboard.press('Tab');
          const now = await focused();
          if (matches(now)) return now;
        }
        throw new Error(`${what} never got focus within 40 Tab presses`);
      };
      const nav = await tabTo('the first nav link', (f) => f.testid === 'nav-overview');
      check(nav.outline !== 'none', 'the focused nav link has no visible outline');
      const first = await tabTo('the restock form\'s SKU field', (f) => f.id === 'restock-sku');
      check(first.outline !== 'none', 'the focused SKU field has no visible outline');
      await kb.close();
    });
  } finally {
    await browser.close();
  }
}

try {
  await run();
  console.log(`console: ${passed} passed`);
} catch (error) {
  console.error(`FAIL ${error instanceof StepFailure ? '' : '(setup) '}${error.message}`);
  console.log(`console: ${passed} passed, 1 failed`);
  process.exitCode = 1;
}
