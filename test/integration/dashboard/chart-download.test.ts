import { readFile, rm } from 'node:fs/promises';
import { type Browser, type Download, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, makeDemoStore, startServe, type RunningServer } from './server';

/**
 * Issue #13's "PNG/SVG download of any chart" in Debian's Chromium on the demo store, under the
 * page's real CSP: the SVG download is a standalone SVG with the chart's paths, the PNG one a PNG.
 */
const MODEL = 'checkout-fraud';
const FEATURE = 'time_to_order';

let dir: string;
let server: RunningServer;
let browser: Browser;
const problems: string[] = [];

beforeAll(async () => {
  const demo = await makeDemoStore('driftwatch-chart-download-');
  dir = demo.dir;
  server = await startServe(demo.store);
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ download: Download; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await download.path();
  return { download, bytes: await readFile(path) };
}

describe('chart downloads in Chromium', () => {
  it('downloads the CDF chart of a feature as SVG and as PNG, with no CSP violation', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    await page.goto(`${server.url}/models/${MODEL}/features/${FEATURE}?window=24h`);
    const chart = page.getByTestId('cdf-chart');
    await chart.locator('svg.recharts-surface path.recharts-curve').first().waitFor();
    // Every chart of the feature page offers both downloads.
    for (const id of ['cdf-chart', 'histogram-chart', 'trend-chart', 'failed-trend-chart']) {
      await page.getByTestId(id).getByTestId('download-svg').waitFor();
      expect(await page.getByTestId(id).getByTestId('download-png').count()).toBe(1);
    }

    const svg = await downloaded(page, () => chart.getByTestId('download-svg').click());
    expect(svg.download.suggestedFilename()).toBe(`${MODEL}-${FEATURE}-cdf.svg`);
    const text = svg.bytes.toString('utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(text).toMatch(/<path[^>]* d="M/);
    expect(text).toMatch(/<rect[^>]*fill="#ffffff"/);
    expect(text).toMatch(/ width="\d+"/);
    // It parses as SVG (a standalone document, not only a fragment of the page).
    const parsed = await page.evaluate((t) => {
      const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
      return { root: doc.documentElement.localName, ns: doc.documentElement.namespaceURI, error: doc.querySelector('parsererror') !== null, paths: doc.querySelectorAll('path').length };
    }, text);
    expect(parsed).toEqual({ root: 'svg', ns: 'http://www.w3.org/2000/svg', error: false, paths: expect.any(Number) });
    expect(parsed.paths).toBeGreaterThan(0);

    const png = await downloaded(page, () => chart.getByTestId('download-png').click());
    expect(png.download.suggestedFilename()).toBe(`${MODEL}-${FEATURE}-cdf.png`);
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.bytes.length).toBeGreaterThan(5_000);
    // Drawn at 2×: the IHDR width is twice the chart's.
    const width = png.bytes.readUInt32BE(16);
    const shown = await chart.locator('svg.recharts-surface').evaluate((s) => Math.round(Number(s.getAttribute('width')) || s.getBoundingClientRect().width));
    expect(width).toBe(shown * 2);
    expect(await chart.locator('.chart-download .error').count()).toBe(0);

    // The trend chart names its file too.
    const trend = await downloaded(page, () => page.getByTestId('trend-chart').getByTestId('download-svg').click());
    expect(trend.download.suggestedFilename()).toBe(`${MODEL}-${FEATURE}-trend.svg`);
    expect(problems).toEqual([]);
    await context.close();
  });
});
