import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, makeDemoStore, SHOTS, startServe, type RunningServer } from './server';

/**
 * The pages of issue #9 on the demo store, through `driftwatch serve` in Debian's Chromium: a
 * window tells the truth as of its end, errors answer with the API's status and message, an empty
 * window says so, and the layout holds at 390 px. Screenshots go to test-artifacts/screenshots/.
 */
const MODEL = 'checkout-fraud';
// The demo starts 2026-11-01; its first fault (basket_value's drift) starts 2026-11-04T00:00Z (lib/demo/faults.ts).
const BEFORE_FAULTS = 'from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z';
// A month before the demo's first hour: no predictions at all.
const BEFORE_DATA = 'from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z';

let dir: string;
let server: RunningServer;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  const demo = await makeDemoStore('driftwatch-pages-');
  dir = demo.dir;
  server = await startServe(demo.store);
  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const open = async (target: Page, path: string) => {
  const response = await target.goto(`${server.url}${path}`);
  if (!response) throw new Error(`no response for ${path}`);
  return response;
};

describe('a window is described as of its end', () => {
  it('a window before any fault shows no alert badge and no firing count', async () => {
    const overview = await open(page, `/?${BEFORE_FAULTS}`);
    expect(overview.status()).toBe(200);
    const row = page.locator(`tr[data-model="${MODEL}"]`);
    expect(await row.getByTestId('firing-count').innerText()).toBe('0');
    expect(await row.locator('.badge').first().innerText()).toBe('ok');

    const model = await open(page, `/models/${MODEL}?${BEFORE_FAULTS}`);
    expect(model.status()).toBe(200);
    await page.getByTestId('feature-table').waitFor();
    expect(await page.locator('[data-testid="feature-table"] .badge.firing, [data-testid="feature-table"] .badge.pending').count()).toBe(0);
    expect(await page.getByTestId('as-of').innerText()).toContain('2026-11-04 00:00 UTC');

    await open(page, `/alerts?${BEFORE_FAULTS}`);
    expect(await page.getByTestId('no-alerts').innerText()).toMatch(/^No alerts up to 2026-11-04 00:00 UTC/);
  });

  it('puts the failing feature (device_score) first in the model table by default', async () => {
    await open(page, `/models/${MODEL}`);
    const first = page.locator('[data-testid="feature-table"] tbody tr').first();
    expect(await first.getAttribute('data-feature')).toBe('device_score');
    expect(await first.locator('.badge').first().innerText()).toBe('failing');
    await page.screenshot({ path: join(SHOTS, 'pages-model-1400.png'), fullPage: true });
  });

  it('an empty window says there are no predictions in it', async () => {
    const response = await open(page, `/models/${MODEL}?${BEFORE_DATA}`);
    expect(response.status()).toBe(200);
    expect(await page.getByTestId('empty-window').innerText()).toMatch(/^No predictions between 2026-10-01 00:00 UTC and 2026-10-02 00:00 UTC/);
    await open(page, `/models/${MODEL}/features/device_score?${BEFORE_DATA}`);
    expect(await page.getByTestId('empty-window').innerText()).toMatch(/^No predictions between 2026-10-01 00:00 UTC and 2026-10-02 00:00 UTC/);
  });
});

describe('errors answer with the API status and message', () => {
  it.each([
    [`/models/nope`, /no model "nope" in this store \(models: checkout-fraud\)/],
    [`/models/nope/features/score`, /no model "nope" in this store \(models: checkout-fraud\)/],
    [`/models/${MODEL}/features/nope`, /model "checkout-fraud" has no feature "nope"/],
    [`/models/${MODEL}?reference=golden`, /has no reference "golden" \(references: test, train\)/],
  ])('%s → 404 with the message', async (path, message) => {
    const response = await open(page, path);
    expect(response.status()).toBe(404);
    expect(await page.getByTestId('error').innerText()).toMatch(message);
  });

  it.each([
    [`/models/${MODEL}?window=banana`, /^window: must be a whole number of hours, days or weeks, e\.g\. 12h or 7d; got "banana"/],
    [`/?window=banana`, /^window: /],
    [`/models/${MODEL}/features/score?from=2026-11-09T00:00:00Z&window=12h`, /^window: give either a window or from/],
    [`/models/${MODEL}?metric=accuracy`, /^metric: must be one of/],
    [`/models/${MODEL}?tz=mars`, /^tz: must be utc or local; got "mars"/],
    [`/alerts?state=open`, /^state: must be firing or resolved; got "open"/],
  ])('%s → 400 with the message', async (path, message) => {
    const response = await open(page, path);
    expect(response.status()).toBe(400);
    expect(await page.getByTestId('error').innerText()).toMatch(message);
  });
});

describe('view state in the URL', () => {
  it('the time-zone toggle is in the URL, and "Copy link" carries the absolute window and every view parameter', async () => {
    // A zone without daylight saving, 5 h 30 min ahead of UTC: local times are not UTC ones.
    const kolkata = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'Asia/Kolkata' });
    const tab = await kolkata.newPage();
    tab.on('pageerror', (e) => errors.push(String(e)));
    try {
      await open(tab, `/models/${MODEL}/features/time_to_order?window=24h&metric=ks`);
      await tab.getByTestId('tz-local').click();
      await tab.waitForURL(/tz=local/);
      await expect.poll(() => tab.getByLabel('to (UTC+5:30)').count()).toBe(1);
      await tab.getByTestId('copy-link').click();
      const link = new URL(await tab.getByTestId('copied-link').inputValue());
      expect(link.searchParams.get('tz')).toBe('local');
      expect(link.searchParams.get('metric')).toBe('ks');
      expect(link.searchParams.get('reference')).toBe('test');
      expect(link.searchParams.get('window')).toBeNull();
      const to = Date.parse(link.searchParams.get('to')!);
      expect(to - Date.parse(link.searchParams.get('from')!)).toBe(24 * 3_600_000);
      // The date inputs show the window in local time: UTC + 5:30.
      expect(await tab.getByTestId('range-to').inputValue()).toBe(new Date(to + 5.5 * 3_600_000).toISOString().slice(0, 16));
      // Entering a local time asks for the same instant in UTC.
      await tab.getByTestId('range-from').fill('2026-11-09T05:30');
      await tab.getByTestId('range-to').fill('2026-11-10T05:30');
      await tab.getByRole('button', { name: 'Apply range' }).click();
      await tab.waitForURL(/from=2026-11-09T00%3A00%3A00Z|from=2026-11-09T00:00:00Z/);
      expect(new URL(tab.url()).searchParams.get('to')).toBe('2026-11-10T00:00:00Z');
      expect(new URL(tab.url()).searchParams.get('tz')).toBe('local');
    } finally {
      await kolkata.close();
    }
  });

  it('a relative window refreshes itself until paused, which the URL keeps as refresh=0', async () => {
    await open(page, `/models/${MODEL}?window=12h`);
    expect(await page.getByTestId('updated').innerText()).toMatch(/^updated \d{2}:\d{2} UTC/);
    expect(await page.getByTestId('pause-refresh').getAttribute('aria-pressed')).toBe('false');
    await page.getByTestId('pause-refresh').click();
    await page.waitForURL(/refresh=0/);
    await expect.poll(() => page.getByTestId('pause-refresh').getAttribute('aria-pressed')).toBe('true');
    // Paused survives a reload: it is in the URL.
    await page.reload();
    expect(await page.getByTestId('pause-refresh').innerText()).toBe('auto-refresh paused');
    // An absolute window never moves: no pause toggle.
    await open(page, `/models/${MODEL}?${BEFORE_FAULTS}`);
    expect(await page.getByTestId('pause-refresh').count()).toBe(0);
  });

  it('the alerts page marks the active filter and links model names', async () => {
    await open(page, '/alerts?state=firing');
    expect(await page.getByTestId('filter-firing').getAttribute('aria-current')).toBe('page');
    expect(await page.getByTestId('filter-all').getAttribute('aria-current')).toBeNull();
    const modelLink = page.getByTestId('alert-model-link').first();
    expect(await modelLink.innerText()).toBe(MODEL);
    expect(new URL(await modelLink.evaluate((a) => (a as HTMLAnchorElement).href)).pathname).toBe(`/models/${MODEL}`);
    const failing = page.locator('[data-testid="alerts"] tr[data-feature="device_score"]').first();
    expect(await failing.getByTestId('fired-value').innerText()).toMatch(/^failed \d+(\.\d+)?%/);
  });
});

describe('layout from 390 to 2560 px', () => {
  const paths = ['/', `/models/${MODEL}`, `/models/${MODEL}/features/time_to_order`, `/models/${MODEL}/features/payment_method`, '/alerts'];

  it.each([390, 2560])('%i px wide: no horizontal page overflow', async (width) => {
    const narrow = await browser.newPage({ viewport: { width, height: 900 } });
    narrow.on('pageerror', (e) => errors.push(String(e)));
    try {
      for (const path of paths) {
        await open(narrow, path);
        await narrow.waitForLoadState('networkidle');
        const scrollWidth = await narrow.evaluate(() => document.documentElement.scrollWidth);
        expect(scrollWidth, `${path} at ${width} px`).toBeLessThanOrEqual(width + 2);
        const name = path === '/' ? 'overview' : path.split('/').filter(Boolean).slice(-1)[0];
        await narrow.screenshot({ path: join(SHOTS, `pages-${width}-${name}.png`), fullPage: true });
      }
    } finally {
      await narrow.close();
    }
    expect(errors).toEqual([]);
  });
});
