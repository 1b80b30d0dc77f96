import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, makeDemoStore, SHOTS, startServe, type RunningServer } from './server';

/**
 * The charts of issue #9 in Debian's Chromium on the demo store: a copied link reproduces the
 * table's sort, the log-x state and the time zone in a fresh browser context; dragging across the
 * trend zooms the page's window. Screenshots go to test-artifacts/screenshots/.
 */
const MODEL = 'checkout-fraud';
// A zone an hour from UTC in November, so "local" ticks and times differ from UTC ones.
const ZONE = 'Europe/Berlin';
const HOUR_MS = 3_600_000;

let dir: string;
let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const errors: string[] = [];

beforeAll(async () => {
  const demo = await makeDemoStore('driftwatch-charts-');
  dir = demo.dir;
  server = await startServe(demo.store);
  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A fresh browser context (no shared cache, cookies or storage), in ZONE. */
async function freshPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: ZONE });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  return page;
}

const rowOrder = (page: Page) => page.locator('[data-testid="feature-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-feature')));
// recharts 3 draws tick labels in a layer of their own, beside the axis line.
const TREND_TICKS = '[data-testid="trend-chart"] .recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value';
const trendTicks = (page: Page) => page.locator(TREND_TICKS).allTextContents();
const trendTickPositions = (page: Page) => page.locator(TREND_TICKS).evaluateAll((ts) => ts.map((t) => t.getAttribute('x')));
const trendAxisTitle = (page: Page) => page.locator('[data-testid="trend-chart"] .recharts-label').filter({ hasText: /^time/ }).textContent();

async function copyLink(page: Page): Promise<string> {
  await page.getByTestId('copy-link').click();
  await expect.poll(() => page.getByTestId('copied-link').inputValue()).toMatch(/^http/);
  return page.getByTestId('copied-link').inputValue();
}

describe('charts in Chromium', () => {
  it('a copied link reproduces the table sort in a fresh context', async () => {
    const page = await freshPage();
    await page.goto(`${server.url}/models/${MODEL}?window=24h`);
    await page.getByTestId('feature-table').waitFor();
    const byDefault = await rowOrder(page);
    // Default: worst verdict first.
    expect(await page.locator('[data-testid="feature-table"] tbody tr').first().getAttribute('data-verdict')).toBe('failing');
    // Features whose drift is not monitored come last, say so, and draw a grey sparkline, never red.
    const verdicts = await page.locator('[data-testid="feature-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-verdict')));
    const unmonitored = verdicts.indexOf('not_monitored');
    expect(unmonitored).toBeGreaterThan(0);
    expect(verdicts.slice(unmonitored).every((v) => v === 'not_monitored')).toBe(true);
    const weekend = page.locator('[data-testid="feature-table"] tr[data-feature="is_weekend"]');
    expect(await weekend.locator('.badge').first().innerText()).toBe('not monitored');
    expect(await weekend.locator('svg path').getAttribute('stroke')).toBe('#8c959f');
    const header = page.locator('[data-testid="feature-table"] th[data-sort="name"] button');
    await header.click();
    await page.waitForURL(/sort=name/);
    await header.click();
    await page.waitForURL(/dir=desc/);
    const sorted = await rowOrder(page);
    expect(sorted).toEqual([...byDefault].sort().reverse());
    expect(sorted).not.toEqual(byDefault);
    const link = await copyLink(page);
    expect(new URL(link).searchParams.get('sort')).toBe('name');
    expect(new URL(link).searchParams.get('dir')).toBe('desc');

    const other = await freshPage();
    await other.goto(link);
    await other.getByTestId('feature-table').waitFor();
    expect(await rowOrder(other)).toEqual(sorted);
    expect(await other.locator('[data-testid="feature-table"] th[data-sort="name"]').getAttribute('aria-sort')).toBe('descending');
    await other.screenshot({ path: join(SHOTS, 'charts-1-sorted-table.png'), fullPage: true });
  });

  it('a copied link reproduces log-x and local time on the feature page', async () => {
    const page = await freshPage();
    await page.goto(`${server.url}/models/${MODEL}/features/time_to_order?window=24h`);
    await page.getByTestId('cdf-chart').waitFor();
    const logx = page.getByTestId('logx');
    // time_to_order is positive and spans > 3 decades (seconds sent as ms): log-x by default.
    expect(await logx.isChecked()).toBe(true);
    expect(await logx.getAttribute('data-automatic')).toBe('1');
    // The log axis' ticks are powers of ten around every source's range.
    const cdfTicks = (await page.locator('[data-testid="cdf-chart"] .recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents()).map((t) => Number(t.replace(/,/g, '')));
    // Written out up to 10,000, as 1e5 beyond.
    expect(cdfTicks.length).toBeGreaterThanOrEqual(4);
    for (const t of cdfTicks) expect(Math.log10(t) % 1).toBeCloseTo(0, 9);
    const max = Number((await page.locator('[data-testid="stats"] tr[data-source="live"] td').last().innerText()).replace(/,/g, ''));
    expect(cdfTicks.at(-1)).toBeGreaterThanOrEqual(max);
    await logx.click();
    await page.waitForURL(/logx=0/);
    expect(await logx.isChecked()).toBe(false);
    expect(await page.locator('[data-logx]').first().getAttribute('data-logx')).toBe('0');

    await page.getByTestId('trend-chart').locator('.recharts-xAxis').waitFor();
    const utcPositions = await trendTickPositions(page);
    expect(await trendAxisTitle(page)).toMatch(/\(UTC\)/);
    await page.goto(`${page.url()}&tz=local`);
    await page.getByTestId('trend-chart').locator('.recharts-xAxis').waitFor();
    const localTicks = await trendTicks(page);
    expect(await trendAxisTitle(page)).toMatch(/local, UTC\+1/);
    // Local midnights are an hour before UTC ones: the same range gets other tick positions.
    expect(await trendTickPositions(page)).not.toEqual(utcPositions);
    const link = await copyLink(page);
    expect(new URL(link).searchParams.get('logx')).toBe('0');
    expect(new URL(link).searchParams.get('tz')).toBe('local');

    const other = await freshPage();
    await other.goto(link);
    await other.getByTestId('trend-chart').locator('.recharts-xAxis').waitFor();
    expect(await other.getByTestId('logx').isChecked()).toBe(false);
    expect(await other.locator('[data-logx]').first().getAttribute('data-logx')).toBe('0');
    expect(await trendTicks(other)).toEqual(localTicks);
    expect(await trendTickPositions(other)).toEqual(await trendTickPositions(page));
    expect(await trendAxisTitle(other)).toBe(await trendAxisTitle(page));
    await other.screenshot({ path: join(SHOTS, 'charts-2-linear-local.png'), fullPage: true });
  });

  it('a trend opened at an alert’s window shows context after it, and dragging zooms the window', async () => {
    const page = await freshPage();
    const from = '2026-11-08T11:00:00.000Z';
    const to = '2026-11-09T11:00:00.000Z';
    await page.goto(`${server.url}/models/${MODEL}/features/time_to_order?from=${from}&to=${to}`);
    const trend = page.getByTestId('trend-chart');
    await trend.locator('.recharts-xAxis').waitFor();
    const shown = page.locator('[data-trend-to]');
    const trendTo = Date.parse((await shown.getAttribute('data-trend-to'))!);
    const trendFrom = Date.parse((await shown.getAttribute('data-trend-from'))!);
    // Context after the alert's window, and the window itself shaded.
    expect(trendTo).toBeGreaterThan(Date.parse(to) + 24 * HOUR_MS);
    expect(await trend.locator('.recharts-reference-area').count()).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: join(SHOTS, 'charts-3-alert-trend.png'), fullPage: true });

    // Mouse coordinates are the viewport's: bring the chart into view first.
    await trend.scrollIntoViewIfNeeded();
    const grid = await trend.locator('.recharts-cartesian-grid').boundingBox();
    if (!grid) throw new Error('no trend grid');
    const y = grid.y + grid.height / 2;
    const x1 = grid.x + grid.width * 0.3;
    const x2 = grid.x + grid.width * 0.6;
    // Hover first, as a person does: the chart knows the point under the pointer before the press.
    await page.mouse.move(x1 - 20, y);
    await page.mouse.move(x1, y, { steps: 4 });
    await page.waitForTimeout(100);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(x1 + ((x2 - x1) * i) / 10, y);
    await page.waitForTimeout(100);
    await page.mouse.up();
    await page.waitForURL((u) => u.searchParams.get('from') !== from);
    const url = new URL(page.url());
    const zoomFrom = Date.parse(url.searchParams.get('from')!);
    const zoomTo = Date.parse(url.searchParams.get('to')!);
    expect(url.searchParams.get('window')).toBeNull();
    expect(zoomFrom % HOUR_MS).toBe(0);
    expect(zoomTo % HOUR_MS).toBe(0);
    const span = trendTo - trendFrom;
    // The dragged range, to within the snapping to hourly points (and rounding outwards).
    expect(Math.abs(zoomFrom - (trendFrom + 0.3 * span))).toBeLessThanOrEqual(3 * HOUR_MS);
    expect(Math.abs(zoomTo - (trendFrom + 0.6 * span))).toBeLessThanOrEqual(3 * HOUR_MS);
    // The page shows that window.
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
    await expect.poll(() => page.getByTestId('window-shown').innerText()).toContain(`${day(zoomFrom)} – ${day(zoomTo)}`);
    await page.screenshot({ path: join(SHOTS, 'charts-4-zoomed.png'), fullPage: true });

    // A click on a point opens the window that point measured (24 h ending at it).
    await page.locator('[data-trend-to]').waitFor();
    await trend.scrollIntoViewIfNeeded();
    const grid2 = await trend.locator('.recharts-cartesian-grid').boundingBox();
    if (!grid2) throw new Error('no trend grid');
    const before = page.url();
    await page.mouse.move(grid2.x + grid2.width * 0.5 - 20, grid2.y + grid2.height / 2);
    await page.mouse.move(grid2.x + grid2.width * 0.5, grid2.y + grid2.height / 2, { steps: 4 });
    await page.waitForTimeout(100);
    await page.mouse.click(grid2.x + grid2.width * 0.5, grid2.y + grid2.height / 2);
    await page.waitForURL((u) => u.toString() !== before);
    const clicked = new URL(page.url());
    expect(Date.parse(clicked.searchParams.get('to')!) - Date.parse(clicked.searchParams.get('from')!)).toBe(24 * HOUR_MS);
    expect(errors).toEqual([]);
  });
});
